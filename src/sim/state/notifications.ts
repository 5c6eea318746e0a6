/**
 * SPDK's notification ring (lib/notify): `bdev_register` / `bdev_unregister` events a client polls
 * with `notify_get_notifications {"id": <first>, "max": <n>}`. The ring is lossy: old events drop
 * off when it is full.
 */
export interface Notification {
  type: string;
  ctx: string;
  id: number;
}

const CAPACITY = 65536;

export class Notifications {
  private readonly events: Notification[] = [];
  private nextId = 0;

  readonly types: readonly string[] = ['bdev_register', 'bdev_unregister'];

  send(type: string, ctx: string): void {
    this.events.push({ type, ctx, id: this.nextId++ });
    if (this.events.length > CAPACITY) this.events.splice(0, this.events.length - CAPACITY);
  }

  since(firstId: number, max: number): Notification[] {
    const out: Notification[] = [];
    for (const event of this.events) {
      if (event.id < firstId) continue;
      if (max > 0 && out.length >= max) break;
      out.push(event);
    }
    return out;
  }
}
