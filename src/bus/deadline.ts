/**
 * A point in time by which an operation must be done. Every wait of the bus layer (connecting,
 * publishing, a confirm, a reply, a graceful stop) runs against one, so nothing can hang.
 */

export class Deadline {
  private readonly at: number;

  constructor(readonly totalMs: number) {
    this.at = Date.now() + Math.max(0, totalMs);
  }

  remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  expired(): boolean {
    return this.remainingMs() === 0;
  }

  /**
   * Settles like `promise`, or rejects with `onExpiry()` when the deadline passes first. The
   * promise keeps running: a caller that must undo its effect (close a late connection, …)
   * attaches its own handler to it.
   */
  race<T>(promise: Promise<T>, onExpiry: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(onExpiry()), this.remainingMs());
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }
}

/**
 * Callers waiting for something that is not there yet (a connection, a channel set up again),
 * each until its own deadline: `wait` resolves when `resolveAll` is called, rejects when
 * `rejectAll` is called or with `onExpiry()` once the deadline passes (and is forgotten then).
 */
export class DeadlineWaiters<T> {
  private readonly waiters = new Set<{ resolve: (value: T) => void; reject: (err: Error) => void }>();

  wait(deadline: Deadline, onExpiry: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        resolve: (value: T) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(onExpiry());
      }, deadline.remainingMs());
      this.waiters.add(waiter);
    });
  }

  resolveAll(value: T): void {
    for (const waiter of this.waiters) waiter.resolve(value);
    this.waiters.clear();
  }

  rejectAll(err: Error): void {
    for (const waiter of this.waiters) waiter.reject(err);
    this.waiters.clear();
  }
}
