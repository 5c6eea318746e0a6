/**
 * At most N requests run at once, the rest wait their turn in arrival order: oslo's executor
 * (`executor_thread_pool_size`, 64). Requests are already acked when they get here, so waiting
 * ones are kept, never dropped; `idle()` lets a stopping server wait for all of them.
 */

export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Runs `task` when a slot is free; the returned promise settles with the task. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            const next = this.waiting.shift();
            if (next) next();
            else if (this.running === 0) this.notifyIdle();
          });
      };
      if (this.running < this.limit) start();
      else this.waiting.push(start);
    });
  }

  /** Requests started or waiting. */
  get inFlight(): number {
    return this.running + this.waiting.length;
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
