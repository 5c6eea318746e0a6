/**
 * The reconnect back-off of oslo.messaging's rabbit driver: the first wait is
 * `rabbit_retry_interval` (1 s), each following one is `rabbit_retry_backoff` (2 s) longer, capped
 * at `rabbit_interval_max` (30 s): 1, 3, 5, … 29, 30, 30, …
 *
 * As kombu does with a list of brokers, the wait happens after a whole cycle over the list has
 * failed; moving from one broker to the next is immediate.
 */

export interface BackoffPolicy {
  initialMs: number;
  stepMs: number;
  maxMs: number;
}

/** The wait after `failedCycles` consecutive failed cycles (1 → the initial interval). */
export function backoffDelayMs(policy: BackoffPolicy, failedCycles: number): number {
  const n = Math.max(1, Math.floor(failedCycles));
  return Math.min(policy.initialMs + (n - 1) * policy.stepMs, policy.maxMs);
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
