/**
 * When report_data runs: once at start-up, then every `intervalMs`, and shortly after any change.
 *
 * - Never two reports at once. Requests that arrive while a report runs are collected and give
 *   exactly one more report after it (with all their reasons), not one each.
 * - A change waits `debounceMs` before its report, so a burst of events (crashed → restarting,
 *   several bdevs added by one script) gives one report. An explicit request (`immediate`, the
 *   `discover` method) does not wait: it starts a report at once, or right after the running one.
 * - The next periodic report is due one interval after the previous report started, and never
 *   sooner than one second after it finished (a report that timed out does not start the next
 *   one at once).
 * - A report that failed for a transient reason (`retryable`: a publish the broker refused, a
 *   timeout while a quorum queue elects its leader, a connection that dropped) is retried with
 *   back-off — 1 s, 2 s, 4 s … capped at `retryMaxMs` (30 s) — with the same reasons, until one
 *   gets through: the conductor must not go a whole period without hearing from the node. (A retry
 *   is a report: the period counts from it.) Any other failure waits for the next period (or the
 *   next change). The `run`
 *   function logs its own failures; here a failure is only an outcome.
 *
 * Requests made before `start()` are held and join the start-up report.
 */
import { AgentStateError } from './errors.js';
import { systemClock, type Clock } from './clock.js';

export interface RegistrationOutcome {
  ok: boolean;
  error?: unknown;
  /** Every reason that the report covered. */
  reasons: string[];
  startedAt: number;
  finishedAt: number;
}

export interface RegistrationSchedulerOptions {
  intervalMs: number;
  /** How long a change waits for more changes before its report. Default 200. */
  debounceMs?: number;
  /** One report; rejects when it did not get through. */
  run: (reasons: readonly string[]) => Promise<void>;
  /** Whether a failure is transient (retried with back-off); default: never. */
  retryable?: (error: unknown) => boolean;
  /** First retry delay; default 1 000 ms, doubled after each failed retry. */
  retryInitialMs?: number;
  /** Longest retry delay; default 30 000 ms (a retry due after the next period is left to it). */
  retryMaxMs?: number;
  clock?: Clock;
}

const MIN_SPACING_MS = 1000;
/** The reason a retry adds to those of the report that failed. */
export const RETRY_REASON = 'retry after a transient failure';

/** The reason of the first report. */
export const STARTUP_REASON = 'start-up';
/** The reason of a report that is due because the interval passed. */
export const PERIODIC_REASON = 'periodic';

interface Batch {
  reasons: string[];
  waiters: Array<(outcome: RegistrationOutcome) => void>;
  /** An explicit request is in it: no debounce. */
  immediate: boolean;
}

export interface RequestOptions {
  /** Skip the debounce: someone asked for this report explicitly. */
  immediate?: boolean;
}

function emptyBatch(): Batch {
  return { reasons: [], waiters: [], immediate: false };
}

export class RegistrationScheduler {
  private readonly clock: Clock;
  private readonly debounceMs: number;
  private started = false;
  private stopped = false;
  private next: Batch = emptyBatch();
  private current: Promise<void> | null = null;
  private debounceTimer: unknown = null;
  private periodTimer: unknown = null;
  private reportsRun = 0;
  private lastStartedAt = 0;
  private retryTimer: unknown = null;
  /** Consecutive transient failures: the back-off doubles with each. */
  private failedRetries = 0;

  constructor(private readonly options: RegistrationSchedulerOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    this.clock = options.clock ?? systemClock;
    this.debounceMs = options.debounceMs ?? 200;
  }

  /** Whether a report is running now. */
  get busy(): boolean {
    return this.current !== null;
  }

  /** How many reports have run (finished or not). */
  get count(): number {
    return this.reportsRun;
  }

  /**
   * A new period (a configuration reload). A waiting periodic report is re-timed from the start of
   * the last one, so a shorter period takes effect at once rather than after the old one ends.
   */
  setInterval(intervalMs: number): void {
    if (!(intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    this.options.intervalMs = intervalMs;
    if (this.periodTimer === null || this.stopped) return;
    this.clock.clearTimeout(this.periodTimer);
    this.schedulePeriodic(this.lastStartedAt + intervalMs);
  }

  /** The next periodic registration, at `dueAt` (at once when that has passed). */
  private schedulePeriodic(dueAt: number): void {
    this.periodTimer = this.clock.setTimeout(
      () => {
        this.periodTimer = null;
        this.next.reasons.push(PERIODIC_REASON);
        this.runNext();
      },
      Math.max(0, dueAt - this.clock.now()),
    );
  }

  /** Runs the start-up report now (with any reasons held so far) and starts the period. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.next.reasons.unshift(STARTUP_REASON);
    this.runNext();
  }

  /**
   * Asks for a report soon. Resolves with the outcome of the first report that starts after this
   * call (never rejects); after `stop()`, at once with a failed outcome.
   */
  request(reason: string, options: RequestOptions = {}): Promise<RegistrationOutcome> {
    if (this.stopped) return Promise.resolve(this.stoppedOutcome([reason]));
    return new Promise<RegistrationOutcome>((resolve) => {
      this.next.reasons.push(reason);
      this.next.waiters.push(resolve);
      if (options.immediate === true) this.next.immediate = true;
      if (!this.started || this.current !== null) return;
      if (this.next.immediate) this.runNext();
      else if (this.debounceTimer === null) this.debounceTimer = this.clock.setTimeout(() => this.runNext(), this.debounceMs);
    });
  }

  /** No more reports; waiting requests resolve as failed. A report already running goes on (see `idle`). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    const batch = this.next;
    this.next = emptyBatch();
    for (const waiter of batch.waiters) waiter(this.stoppedOutcome(batch.reasons));
  }

  /** Resolves once no report is running. */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  private runNext(): void {
    this.clearTimers();
    if (this.stopped || this.current !== null) return;
    const batch = this.next;
    this.next = emptyBatch();
    const reasons = batch.reasons.length > 0 ? batch.reasons : [PERIODIC_REASON];
    const startedAt = this.clock.now();
    this.lastStartedAt = startedAt;
    this.reportsRun++;
    let outcome: RegistrationOutcome;
    const report = (async () => {
      try {
        await this.options.run(reasons);
        outcome = { ok: true, reasons, startedAt, finishedAt: this.clock.now() };
      } catch (error) {
        outcome = { ok: false, error, reasons, startedAt, finishedAt: this.clock.now() };
      }
    })();
    this.current = report.then(() => {
      this.current = null;
      for (const waiter of batch.waiters) waiter(outcome);
      if (this.stopped) return;
      const finishedAt = outcome.finishedAt;
      const nextPeriodAt = Math.max(startedAt + this.options.intervalMs, finishedAt + Math.min(MIN_SPACING_MS, this.options.intervalMs));
      this.schedulePeriodic(nextPeriodAt);
      if (outcome.ok) this.failedRetries = 0;
      else if (this.options.retryable?.(outcome.error) === true) this.scheduleRetry(reasons, nextPeriodAt);
      else this.failedRetries = 0;
      if (this.next.reasons.length > 0) this.debounceTimer = this.clock.setTimeout(() => this.runNext(), this.next.immediate ? 0 : this.debounceMs);
    });
  }

  /** The same report again after the back-off delay, unless the next period comes first. */
  private scheduleRetry(reasons: readonly string[], nextPeriodAt: number): void {
    const initial = this.options.retryInitialMs ?? 1000;
    const cap = this.options.retryMaxMs ?? 30_000;
    const delay = Math.min(cap, initial * 2 ** this.failedRetries);
    this.failedRetries++;
    if (this.clock.now() + delay >= nextPeriodAt) return; // the periodic report is the retry
    const again = reasons.filter((r) => r !== RETRY_REASON);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this.next.reasons.push(...again.filter((r) => !this.next.reasons.includes(r)), RETRY_REASON);
      this.runNext();
    }, delay);
  }

  private clearTimers(): void {
    if (this.debounceTimer !== null) this.clock.clearTimeout(this.debounceTimer);
    if (this.periodTimer !== null) this.clock.clearTimeout(this.periodTimer);
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.debounceTimer = null;
    this.periodTimer = null;
    this.retryTimer = null;
  }

  private stoppedOutcome(reasons: string[]): RegistrationOutcome {
    const now = this.clock.now();
    return { ok: false, error: new AgentStateError('registration has stopped (the agent is shutting down)'), reasons, startedAt: now, finishedAt: now };
  }
}
