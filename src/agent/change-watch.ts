/**
 * Notices inventory changes nobody announced (a subsystem added with rpc.py, a bdev hot-removed)
 * by comparing, every `intervalMs`, the fingerprint of the report the targets would give now with
 * that of the last report sent. Checks never overlap, and are skipped while a report runs (the
 * report reads the targets itself; a change during it is seen by the next check).
 */
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { systemClock, type Clock } from './clock.js';

export interface ChangeWatchOptions {
  intervalMs: number;
  /** The fingerprint of the report the targets would give now. */
  currentFingerprint: () => Promise<string>;
  /** The fingerprint of the last report attempted; null before the first one. */
  lastFingerprint: () => string | null;
  /** Whether a report is running (checks are skipped meanwhile). */
  registering: () => boolean;
  onChange: () => void;
  logger: Logger;
  clock?: Clock;
}

export class ChangeWatch {
  private readonly clock: Clock;
  private timer: unknown = null;
  private running = false;
  private checking: Promise<void> | null = null;

  constructor(private readonly options: ChangeWatchOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** A new period (a configuration reload), used from the next check on. */
  setInterval(intervalMs: number): void {
    this.options.intervalMs = intervalMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.checking;
  }

  /** One comparison now (also what the timer runs). */
  async check(): Promise<void> {
    const last = this.options.lastFingerprint();
    if (last === null || this.options.registering()) return;
    try {
      const now = await this.options.currentFingerprint();
      // A report may have started and finished while reading: compare with what it sent.
      if (this.running && !this.options.registering() && now !== this.options.lastFingerprint()) this.options.onChange();
    } catch (err) {
      this.options.logger.debug('inventory change check failed', { error: errorMessage(err) });
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.checking = this.check().finally(() => {
        this.checking = null;
        this.schedule();
      });
    }, this.options.intervalMs);
  }
}
