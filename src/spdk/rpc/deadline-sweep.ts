/**
 * One timer for many deadlines. A client with thousands of calls in flight would otherwise create
 * and cancel a timer per call; here the timer is set for the earliest deadline only, and when it
 * fires, the owner sweeps its calls once, fails the expired ones and reports the next deadline.
 *
 * The timer does not keep the process alive: the owner holds the socket referenced while calls
 * are pending, which does.
 */

/** Monotonic milliseconds: deadlines must not move when the wall clock is set. */
export function monotonicNow(): number {
  return performance.now();
}

export class DeadlineSweep {
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Number.POSITIVE_INFINITY;

  /**
   * @param sweep fails what expired by `now` and returns the earliest deadline still pending
   *              (Infinity when none).
   */
  constructor(private readonly sweep: (now: number) => number) {}

  /** Makes sure the sweep runs no later than `deadline`. */
  schedule(deadline: number): void {
    if (deadline >= this.armedFor) return;
    this.arm(deadline);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private arm(deadline: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedFor = deadline;
    const delay = Math.max(0, Math.ceil(deadline - monotonicNow()));
    // setTimeout caps at 2^31-1 ms; a longer deadline just gets an intermediate sweep.
    this.timer = setTimeout(this.fire, Math.min(delay, 2_147_483_647));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const next = this.sweep(monotonicNow());
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  };
}
