/**
 * Repeated failures logged without flooding: per kind, the first few of each interval are logged
 * in full; past that they are counted, and one summary line per interval says how many of each
 * kind were left out. A flood of bad messages (20,000 malformed deliveries, a peer retrying a bad
 * call) then costs a few lines a minute instead of one per message, and nothing goes unseen.
 */
import type { Logger } from './log.js';

/** Time as the folding sees it: the real one, or a test's. */
export interface FoldingClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: FoldingClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface FoldedLogOptions {
  /** Lines of one kind logged in full per interval; default 5. */
  fullPerInterval?: number;
  /** Default 60 s. */
  intervalMs?: number;
  clock?: FoldingClock;
}

export class FoldedLog {
  private readonly fullPerInterval: number;
  private readonly intervalMs: number;
  private readonly clock: FoldingClock;
  private windowStart: number;
  private readonly seen = new Map<string, number>();
  private readonly folded = new Map<string, number>();
  private summaryTimer: unknown = null;

  constructor(
    private readonly log: Logger,
    options: FoldedLogOptions = {},
  ) {
    this.fullPerInterval = options.fullPerInterval ?? 5;
    this.intervalMs = options.intervalMs ?? 60_000;
    this.clock = options.clock ?? realClock;
    this.windowStart = this.clock.now();
  }

  /** A warning of `kind`: logged in full, or counted into the next summary line. */
  warn(kind: string, message: string, meta: Record<string, unknown> = {}): void {
    if (this.clock.now() - this.windowStart >= this.intervalMs && this.summaryTimer === null) this.startWindow();
    const count = (this.seen.get(kind) ?? 0) + 1;
    this.seen.set(kind, count);
    if (count <= this.fullPerInterval) {
      this.log.warn(message, count === this.fullPerInterval ? { ...meta, kind, furtherOnesFoldedForMs: this.intervalMs } : { ...meta, kind });
      return;
    }
    this.folded.set(kind, (this.folded.get(kind) ?? 0) + 1);
    if (this.summaryTimer === null) {
      this.summaryTimer = this.clock.setTimeout(() => this.summarise(), Math.max(0, this.windowStart + this.intervalMs - this.clock.now()));
    }
  }

  /** Writes the summary now (the agent is stopping) and stops the timer. */
  flush(): void {
    if (this.summaryTimer !== null) this.clock.clearTimeout(this.summaryTimer);
    this.summarise();
  }

  private summarise(): void {
    this.summaryTimer = null;
    if (this.folded.size > 0) {
      const counts = Object.fromEntries(this.folded);
      const total = [...this.folded.values()].reduce((a, b) => a + b, 0);
      this.log.warn(`${total} more of the same warnings in the last ${Math.round(this.intervalMs / 1000)} s, not logged one by one`, { folded: counts });
    }
    this.startWindow();
  }

  private startWindow(): void {
    this.windowStart = this.clock.now();
    this.seen.clear();
    this.folded.clear();
  }
}
