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
