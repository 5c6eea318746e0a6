/**
 * Applies the injected faults while the app runs: which request crashes or freezes the process,
 * which reply gets mangled, how a simulated crash dies.
 */
import type { Fault, StartRefusal } from '../cli/faults.js';
import type { CrashSignal } from '../cli/sim-options.js';
import type { ReplyTransform } from '../rpc/dispatcher.js';

export type RequestVerdict =
  | { kind: 'serve'; transform?: ReplyTransform; closeAfter?: boolean }
  | { kind: 'crash' }
  | { kind: 'hang' }
  | { kind: 'endless' }
  | { kind: 'oversize' };

/** The size of an `oversize-reply-after` reply. */
export const OVERSIZE_REPLY_BYTES = 8 * 1024 * 1024;

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
  private readonly onceAt = new Map<number, Fault['kind']>();

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
    for (const f of faults) {
      if (
        f.kind === 'endless-reply-after' ||
        f.kind === 'oversize-reply-after' ||
        f.kind === 'unknown-id-after' ||
        f.kind === 'duplicate-key-after' ||
        f.kind === 'disconnect-mid-reply-after'
      ) {
        this.onceAt.set(f.requests + 1, f.kind);
      }
    }
  }

  /** Decides the fate of request number `n` (1-based, all connections). */
  verdict(n: number): RequestVerdict {
    if (this.crashAfter !== undefined && n > this.crashAfter) return { kind: 'crash' };
    if (this.hangAfter !== undefined && n > this.hangAfter) return { kind: 'hang' };
    if (this.garbageAt.has(n)) return { kind: 'serve', transform: () => GARBAGE };
    if (this.truncateAt.has(n)) return { kind: 'serve', transform: (text) => text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
    switch (this.onceAt.get(n)) {
      case 'endless-reply-after':
        return { kind: 'endless' };
      case 'oversize-reply-after':
        return { kind: 'oversize' };
      case 'unknown-id-after':
        return { kind: 'serve', transform: (text) => text.replace(/"id":(\d+)/, (_m, id: string) => `"id":${Number(id) + 1_000_000}`) };
      case 'duplicate-key-after':
        return { kind: 'serve', transform: (text) => text.replace('"result":', '"result":"a first, different result","result":') };
      case 'disconnect-mid-reply-after':
        return { kind: 'serve', transform: (text) => text.slice(0, Math.max(1, Math.floor(text.length / 2))), closeAfter: true };
      default:
        return { kind: 'serve' };
    }
  }
}

/** Dies like a crash: no cleanup, socket and lock stay behind. */
export function crash(signal: CrashSignal): void {
  process.kill(process.pid, signal);
}
