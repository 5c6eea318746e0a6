/**
 * The bdev layer's registry: names and aliases share one namespace (a duplicate is -17 "File
 * exists"), listing order is registration order, lookups accept any alias (the UUID), and
 * `bdev_get_bdevs {"timeout":…}` can wait for a name to appear. Removing a bdev hot-removes it from
 * whatever exports it (listeners).
 */
import { errnoFailure, Errno } from '../rpc/rpc-failure.js';
import type { Bdev } from './bdev.js';
import type { Notifications } from './notifications.js';

type Waiter = { name: string; resolve: (bdev: Bdev | null) => void; timer: NodeJS.Timeout };

export class BdevStore {
  private readonly byName = new Map<string, Bdev>();
  private readonly byAlias = new Map<string, Bdev>();
  private waiters: Waiter[] = [];
  private readonly removalListeners: Array<(bdev: Bdev) => void> = [];

  constructor(private readonly notify: Notifications) {}

  get size(): number {
    return this.byName.size;
  }

  /** A name or alias is taken. */
  taken(name: string): boolean {
    return this.byName.has(name) || this.byAlias.has(name);
  }

  register(bdev: Bdev): void {
    if (this.taken(bdev.name) || bdev.aliases.some((a) => this.taken(a))) throw errnoFailure(Errno.EEXIST);
    this.byName.set(bdev.name, bdev);
    for (const alias of bdev.aliases) this.byAlias.set(alias, bdev);
    this.notify.send('bdev_register', bdev.name);
    if (this.waiters.length > 0) {
      this.waiters = this.waiters.filter((w) => {
        if (w.name !== bdev.name && !bdev.aliases.includes(w.name)) return true;
        clearTimeout(w.timer);
        w.resolve(bdev);
        return false;
      });
    }
  }

  unregister(bdev: Bdev): void {
    if (this.byName.get(bdev.name) !== bdev) return;
    for (const listener of this.removalListeners) listener(bdev);
    this.byName.delete(bdev.name);
    for (const alias of bdev.aliases) this.byAlias.delete(alias);
    bdev.setClaim(null);
    this.notify.send('bdev_unregister', bdev.name);
  }

  onRemove(listener: (bdev: Bdev) => void): void {
    this.removalListeners.push(listener);
  }

  get(nameOrAlias: string): Bdev | undefined {
    return this.byName.get(nameOrAlias) ?? this.byAlias.get(nameOrAlias);
  }

  all(): IterableIterator<Bdev> {
    return this.byName.values();
  }

  /** Resolves with the bdev once it exists, or null after `timeoutMs`. */
  waitFor(name: string, timeoutMs: number): Promise<Bdev | null> {
    const existing = this.get(name);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        name,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(null);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Ends every wait (shutdown). */
  cancelWaits(): void {
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters = [];
  }
}
