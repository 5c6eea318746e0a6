/**
 * Applies the injected faults while the app runs: which request crashes or freezes the process,
 * which reply gets mangled, how a simulated crash dies.
 */
import type { Fault, StartRefusal } from '../cli/faults.js';
import type { CrashSignal } from '../cli/sim-options.js';
import type { ReplyTransform } from '../rpc/dispatcher.js';

export type RequestVerdict = { kind: 'serve'; transform?: ReplyTransform } | { kind: 'crash' } | { kind: 'hang' };

const GARBAGE = '\x07%$#spdk-sim garbage#$%\x1b\n';

export class FaultPlan {
  readonly crashAfter: number | undefined;
  readonly hangAfter: number | undefined;
  readonly replyDelayMs: number;
  readonly garbageAt: ReadonlySet<number>;
  readonly truncateAt: ReadonlySet<number>;
  readonly refusal: StartRefusal | undefined;
  readonly ignoreSigterm: boolean;
  readonly slowStartMs: number;
  readonly exitAfterMs: number | undefined;

  constructor(faults: readonly Fault[]) {
    const min = (values: number[]): number | undefined => (values.length === 0 ? undefined : Math.min(...values));
    this.crashAfter = min(faults.flatMap((f) => (f.kind === 'crash-after' ? [f.requests] : [])));
    this.hangAfter = min(faults.flatMap((f) => (f.kind === 'hang-after' ? [f.requests] : [])));
    this.replyDelayMs = faults.reduce((sum, f) => sum + (f.kind === 'slow' ? f.ms : 0), 0);
    this.garbageAt = new Set(faults.flatMap((f) => (f.kind === 'garbage-after' ? [f.requests + 1] : [])));
    this.truncateAt = new Set(faults.flatMap((f) => (f.kind === 'truncate-after' ? [f.requests + 1] : [])));
    this.refusal = faults.find((f): f is Extract<Fault, { kind: 'refuse-start' }> => f.kind === 'refuse-start')?.reason;
    this.ignoreSigterm = faults.some((f) => f.kind === 'ignore-sigterm');
    this.slowStartMs = faults.reduce((sum, f) => sum + (f.kind === 'slow-start' ? f.ms : 0), 0);
    this.exitAfterMs = min(faults.flatMap((f) => (f.kind === 'exit-after' ? [f.ms] : [])));
  }

  /** Decides the fate of request number `n` (1-based, all connections). */
  verdict(n: number): RequestVerdict {
    if (this.crashAfter !== undefined && n > this.crashAfter) return { kind: 'crash' };
    if (this.hangAfter !== undefined && n > this.hangAfter) return { kind: 'hang' };
    if (this.garbageAt.has(n)) return { kind: 'serve', transform: () => GARBAGE };
    if (this.truncateAt.has(n)) return { kind: 'serve', transform: (text) => text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
    return { kind: 'serve' };
  }
}

/** Dies like a crash: no cleanup, socket and lock stay behind. */
export function crash(signal: CrashSignal): void {
  process.kill(process.pid, signal);
}
