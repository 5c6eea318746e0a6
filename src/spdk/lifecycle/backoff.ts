/**
 * When to restart a crashed target: exponential back-off (initial, ×2 each attempt, capped) with a
 * cap on attempts. The attempt count starts again once the target has stayed up long enough to call
 * it healthy, so a target that crashes once a week is not given up on after five weeks.
 */
import type { RestartPolicy } from './types.js';

export type RestartDecision =
  | { restart: true; attempt: number; delayMs: number }
  | { restart: false; why: 'policy' | 'clean-exit' | 'exhausted'; attempts: number };

/** What the back-off reads of a restart policy. */
export type BackoffPolicy = Pick<RestartPolicy, 'policy' | 'maxAttempts' | 'initialDelaySec' | 'maxDelaySec'>;

export class RestartBackoff {
  private attempts = 0;

  constructor(private policy: BackoffPolicy) {}

  /** A new policy (a configuration reload); the attempts made so far still count. */
  setPolicy(policy: BackoffPolicy): void {
    this.policy = policy;
  }

  /** Attempts made since the last healthy run. */
  get attemptsMade(): number {
    return this.attempts;
  }

  /** Called when the target exited on its own; `failure` is false for a clean exit (code 0). */
  next(failure: boolean): RestartDecision {
    if (this.policy.policy === 'never') return { restart: false, why: 'policy', attempts: this.attempts };
    if (this.policy.policy === 'on-failure' && !failure) return { restart: false, why: 'clean-exit', attempts: this.attempts };
    if (this.attempts >= this.policy.maxAttempts) return { restart: false, why: 'exhausted', attempts: this.attempts };
    this.attempts++;
    return { restart: true, attempt: this.attempts, delayMs: backoffDelayMs(this.policy, this.attempts) };
  }

  /** The target has run long enough to count as healthy again. */
  reset(): void {
    this.attempts = 0;
  }
}

/** initial × 2^(attempt−1), at most maxDelay; in ms. */
export function backoffDelayMs(policy: Pick<RestartPolicy, 'initialDelaySec' | 'maxDelaySec'>, attempt: number): number {
  const initialMs = Math.max(0, policy.initialDelaySec * 1000);
  const maxMs = Math.max(initialMs, policy.maxDelaySec * 1000);
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}
