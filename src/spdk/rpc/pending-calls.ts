/**
 * The client's books of calls not settled yet, beside the connection that carries them (as the
 * bus keeps its reply inbox): which calls wait for a slot, which are in flight, which ids were
 * given up (so a late reply is told from a stray one), and whose deadline has passed.
 *
 * Only bookkeeping: writing to the connection, resolving and rejecting stay with the client.
 */
import type { RpcParams } from './types.js';

export const QUEUED = 0;
export const IN_FLIGHT = 1;
export const SETTLED = 2;

export interface PendingCall {
  readonly id: number;
  readonly method: string;
  readonly params: RpcParams | undefined;
  /** The request bytes, until written. */
  text: string;
  readonly timeoutMs: number;
  readonly deadline: number;
  state: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Ids of abandoned in-flight calls remembered per connection, to tell a late reply from a stray one. */
const MAX_REMEMBERED_LATE_IDS = 65_536;

export class PendingCalls {
  /** Every unsettled call, by id. */
  private readonly calls = new Map<number, PendingCall>();
  /** Calls not yet written (no connection yet, or no free slot), oldest first from `waitingHead`. */
  private waiting: PendingCall[] = [];
  private waitingHead = 0;
  private inFlight = 0;
  private readonly lateIds = new Set<number>();

  constructor(private readonly maxInFlight: number) {}

  /** Calls not settled yet (written or waiting to be). */
  get size(): number {
    return this.calls.size;
  }

  get(id: number): PendingCall | undefined {
    return this.calls.get(id);
  }

  add(call: PendingCall): void {
    this.calls.set(call.id, call);
  }

  /** Whether a new call may be written at once: a free slot, and no older call waiting for one. */
  hasFreeSlot(): boolean {
    return this.inFlight < this.maxInFlight && this.waitingHead === this.waiting.length;
  }

  /** Queues a call for a slot (or for the connection). */
  enqueue(call: PendingCall): void {
    this.waiting.push(call);
  }

  hasWaiting(): boolean {
    return this.waitingHead < this.waiting.length;
  }

  /** The call is written now: it holds a slot until settled. */
  markInFlight(call: PendingCall): void {
    call.state = IN_FLIGHT;
    this.inFlight++;
  }

  /** The next waiting call that may be written now (a slot is free), taken off the queue; undefined when none. */
  nextToWrite(): PendingCall | undefined {
    while (this.inFlight < this.maxInFlight && this.waitingHead < this.waiting.length) {
      const call = this.waiting[this.waitingHead]!;
      this.waitingHead++;
      if (call.state === QUEUED) return call;
    }
    this.compactQueue();
    return undefined;
  }

  /**
   * Takes a call out of the books (it is about to be resolved or rejected); returns whether it held
   * a slot (so the caller may write a waiting call).
   */
  settle(call: PendingCall): boolean {
    const wasInFlight = call.state === IN_FLIGHT;
    call.state = SETTLED;
    this.calls.delete(call.id);
    if (call.onAbort !== undefined) call.signal!.removeEventListener('abort', call.onAbort);
    if (wasInFlight) this.inFlight--;
    return wasInFlight;
  }

  /** A call given up before its reply (deadline, abort): its id is remembered, so a late reply is recognised. */
  forget(call: PendingCall): boolean {
    if (call.state === IN_FLIGHT) {
      if (this.lateIds.size >= MAX_REMEMBERED_LATE_IDS) this.lateIds.delete(this.lateIds.values().next().value!);
      this.lateIds.add(call.id);
    }
    return this.settle(call);
  }

  /** Whether `id` was a call given up on this connection (and forgets it: one late reply per call). */
  takeLate(id: number): boolean {
    return this.lateIds.delete(id);
  }

  /** A new connection: ids given up on the old one mean nothing on it. */
  clearLate(): void {
    this.lateIds.clear();
  }

  /** The calls whose deadline is at or before `due`, and the earliest deadline of the others. */
  expiredBy(due: number): { expired: PendingCall[]; next: number } {
    let next = Number.POSITIVE_INFINITY;
    const expired: PendingCall[] = [];
    for (const call of this.calls.values()) {
      if (call.deadline <= due) expired.push(call);
      else if (call.deadline < next) next = call.deadline;
    }
    return { expired, next };
  }

  /** Empties the books (the connection is gone); returns the calls that were in them, all marked settled. */
  takeAll(): PendingCall[] {
    const calls = [...this.calls.values()];
    this.calls.clear();
    this.waiting = [];
    this.waitingHead = 0;
    this.inFlight = 0;
    for (const call of calls) {
      call.state = SETTLED;
      if (call.onAbort !== undefined) call.signal!.removeEventListener('abort', call.onAbort);
    }
    return calls;
  }

  /** Drops the written part of the queue once it is all written, or once it is large and mostly written. */
  private compactQueue(): void {
    if (this.waitingHead === this.waiting.length) {
      this.waiting = [];
      this.waitingHead = 0;
    } else if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }
}
