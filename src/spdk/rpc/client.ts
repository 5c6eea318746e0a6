/**
 * The JSON-RPC client for SPDK targets: one persistent connection per client, shared by every
 * caller, requests pipelined and replies matched by id (SPDK answers in completion order, not
 * request order: fixture framing #11).
 *
 * Guarantees, each one tested:
 * - every call settles: with its result, a `JsonRpcError`, or a typed failure (`RpcTimeoutError`
 *   at its deadline, `RpcConnectionError` when the connection goes, `RpcProtocolError` when the
 *   target sends something that is not a reply, `RpcRequestError` when the request cannot be sent);
 * - a reply reaches only the call whose id it carries; a late reply to a timed-out call is dropped;
 * - a request SPDK would choke on (too big, too many values, too deep) is never written, since SPDK
 *   answers it by dropping the connection and every reply pending on it;
 * - integers beyond 2^53 arrive as `bigint`.
 *
 * Connection life: the first call (or `connect()`) connects; a lost connection fails what was
 * pending on it at once and emits `disconnect`; the next call reconnects and `generation` grows.
 * `close()` is final. While no call is pending the socket does not keep the process alive.
 */
import { EventEmitter } from 'node:events';
import { getLogger, type Logger } from '../../util/log.js';
import { parseRpcAddress, formatRpcAddress, type RpcAddress } from './address.js';
import { DEFAULT_MAX_REPLY_BYTES, RpcConnection, type ConnectFailure, type ConnectionHandlers, type ConnectionLoss } from './rpc-connection.js';
import { DeadlineSweep, monotonicNow } from './deadline-sweep.js';
import {
  JsonRpcError,
  RpcAbortedError,
  RpcConnectionError,
  RpcProtocolError,
  RpcReplyTooLargeError,
  RpcRequestError,
  RpcTimeoutError,
  type SpdkRpcError,
} from './errors.js';
import { decodeJson } from './json.js';
import type { ScanError, ScannedValue } from './json-scanner.js';
import { redactSecretParams } from './redact.js';
import { interpretReply, type Reply } from './reply.js';
import { DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_REQUEST_VALUES, RequestRejection, encodeRequest, type RequestLimits } from './request.js';
import type { RpcCallOptions, RpcCaller, RpcParams } from './types.js';
import { IN_FLIGHT, PendingCalls, QUEUED, SETTLED, type PendingCall } from './pending-calls.js';
import { instruments, type SpdkCallOutcome } from '../../util/instrumentation.js';

export interface SpdkRpcClientOptions {
  /** `/var/tmp/spdk.sock`, a relative path, `host:port`, `[::1]:5260`, `unix:<path>`, `tcp:<host>:<port>` (see address.ts). */
  address: string;
  /** Default per-call deadline in ms; 60 000 like rpc.py. */
  timeoutMs?: number;
  /** Deadline for establishing the connection; default 5 000 ms. */
  connectTimeoutMs?: number;
  /** Requests outstanding on the connection at most; further calls wait for a slot (their deadline runs). Default 1024. */
  maxInFlight?: number;
  /** Largest request written; default 32 768 (SPDK ≤ v26.01's receive buffer; 262 144 from v26.05). */
  maxRequestBytes?: number;
  /** Most JSON values in one request; default 1024 (SPDK ≤ v26.01; 8192 from v26.05). */
  maxRequestValues?: number;
  /** Largest reply accepted, counted while it is read; default 256 MiB. A larger (or endless) one fails the calls in flight with `RpcReplyTooLargeError` and resets the connection. */
  maxReplyBytes?: number;
  logger?: Logger;
}

export interface DisconnectInfo {
  /** Why the connection went; absent when this client closed it (`close()`). */
  error?: SpdkRpcError;
  /** How many calls were failed by it. */
  pending: number;
}

export interface ProtocolWarning {
  reason: string;
  excerpt: string;
}

/** Bytes exchanged with the target over every connection of this client. */
export interface RpcTraffic {
  bytesIn: number;
  bytesOut: number;
}

export interface SpdkRpcClientEvents {
  connect: [generation: number];
  disconnect: [info: DisconnectInfo];
  protocolWarning: [warning: ProtocolWarning];
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_IN_FLIGHT = 1024;

const EXCERPT_BYTES = 200;
const DEADLINE_RESOLUTION_MS = 1;

export class SpdkRpcClient extends EventEmitter<SpdkRpcClientEvents> implements RpcCaller {
  readonly address: string;
  private readonly target: RpcAddress;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly limits: RequestLimits;
  private readonly maxReplyBytes: number;
  private readonly log: Logger;

  private nextId = 1;
  private readonly calls: PendingCalls;

  private conn: RpcConnection | null = null;
  private opening: Promise<void> | null = null;
  private openingAbort: AbortController | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private currentGeneration = 0;
  private readonly sweep = new DeadlineSweep((now) => this.expire(now));
  private turnNow: number | null = null;
  /** Traffic of the connections already gone. */
  private readonly pastTraffic: RpcTraffic = { bytesIn: 0, bytesOut: 0 };

  constructor(options: SpdkRpcClientOptions) {
    super();
    this.target = parseRpcAddress(options.address);
    this.address = formatRpcAddress(this.target);
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    this.calls = new PendingCalls(positiveInteger('maxInFlight', options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
    this.limits = {
      maxBytes: positiveInteger('maxRequestBytes', options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES),
      maxValues: positiveInteger('maxRequestValues', options.maxRequestValues ?? DEFAULT_MAX_REQUEST_VALUES),
    };
    this.maxReplyBytes = positiveInteger('maxReplyBytes', options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES);
    this.log = (options.logger ?? getLogger('spdk.rpc')).child({ address: this.address });
  }

  /** Increases with every connection established; what was learnt about the target holds for one generation. */
  get generation(): number {
    return this.currentGeneration;
  }

  get connected(): boolean {
    return this.conn?.isOpen === true;
  }

  /** Bytes read and written over all connections so far. */
  get traffic(): RpcTraffic {
    const conn = this.conn;
    if (conn === null) return { ...this.pastTraffic };
    return { bytesIn: this.pastTraffic.bytesIn + conn.bytesRead, bytesOut: this.pastTraffic.bytesOut + conn.bytesWritten };
  }

  /** Calls not settled yet (written or waiting to be). */
  get pending(): number {
    return this.calls.size;
  }

  call<T = unknown>(method: string, params?: RpcParams, options: RpcCallOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError(method));
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new RpcAbortedError({ address: this.address, method: String(method), reason: signal.reason }));
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
      return Promise.reject(
        new RpcRequestError({ address: this.address, method: String(method), reason: `timeoutMs must be a positive number, not ${String(timeoutMs)}` }),
      );
    }
    const id = this.nextId++;
    let text: string;
    try {
      text = encodeRequest(id, method, params, this.limits);
    } catch (err) {
      if (!(err instanceof RequestRejection)) throw err;
      this.log.warn('request refused before sending', { method: String(method), reason: err.reason });
      return Promise.reject(new RpcRequestError({ address: this.address, method: String(method), reason: err.reason, context: err.context }));
    }
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = {
        id,
        method,
        params,
        text,
        timeoutMs,
        deadline: this.nowForThisTurn() + timeoutMs,
        state: QUEUED,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        onAbort: undefined,
      };
      this.calls.add(call);
      if (signal !== undefined) {
        call.onAbort = () => this.abandon(call);
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      if (this.calls.size === 1) this.conn?.setReferenced(true);
      this.sweep.schedule(call.deadline);
      if (this.conn !== null && this.calls.hasFreeSlot()) {
        this.write(call, this.conn);
      } else {
        this.calls.enqueue(call);
        if (this.conn === null) this.ensureOpening().catch(() => {}); // the failure reaches the call itself
      }
    });
  }

  /**
   * One clock reading for all the calls made in the same synchronous stretch of code, so that
   * calls made together with the same timeout have the very same deadline and expire in the same
   * sweep, however long a garbage collection between them took.
   */
  private nowForThisTurn(): number {
    if (this.turnNow === null) {
      this.turnNow = monotonicNow();
      queueMicrotask(() => {
        this.turnNow = null;
      });
    }
    return this.turnNow;
  }

  /** Connects now (calls connect lazily otherwise). Rejects with `RpcConnectionError` carrying the errno. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.conn !== null) return Promise.resolve();
    return this.ensureOpening();
  }

  /** Fails every pending call with 'client closed' and closes the connection. Final: later calls fail too. */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closed = true;
    this.openingAbort?.abort();
    const conn = this.conn;
    this.retire();
    const pending = this.failAll((method) => this.closedError(method));
    this.sweep.stop();
    if (conn !== null) {
      this.log.debug('connection closed by the client', { pending });
      this.closing = conn.destroy();
      this.emitSafely('disconnect', { pending });
    } else {
      this.closing = (this.opening ?? Promise.resolve()).then(
        () => {},
        () => {},
      );
    }
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------
  // Connection

  private ensureOpening(): Promise<void> {
    this.opening ??= this.open();
    return this.opening;
  }

  private async open(): Promise<void> {
    const abort = new AbortController();
    this.openingAbort = abort;
    let conn: RpcConnection;
    try {
      conn = await RpcConnection.open(
        this.target,
        this.connectTimeoutMs,
        this.handlersFor(() => conn),
        abort.signal,
        this.maxReplyBytes,
      );
    } catch (err) {
      this.opening = null;
      this.openingAbort = null;
      if (this.closed) throw this.closedError();
      const failure = err as ConnectFailure;
      const reason = `cannot connect: ${failure.reason}`;
      this.log.debug('connect failed', { reason, errno: failure.errno });
      this.failAll((method) => new RpcConnectionError({ address: this.address, method, reason, phase: 'connect', errno: failure.errno, cause: failure.cause }));
      throw new RpcConnectionError({ address: this.address, reason, phase: 'connect', errno: failure.errno, cause: failure.cause });
    }
    this.opening = null;
    this.openingAbort = null;
    if (this.closed) {
      await conn.destroy();
      throw this.closedError();
    }
    this.conn = conn;
    this.currentGeneration++;
    this.calls.clearLate();
    conn.setReferenced(this.calls.size > 0);
    this.log.debug('connected', { generation: this.currentGeneration });
    this.drain();
    if (instruments.spdkConnect.active) instruments.spdkConnect.publish({ address: this.address, generation: this.currentGeneration });
    this.emitSafely('connect', this.currentGeneration);
  }

  private handlersFor(current: () => RpcConnection | undefined): ConnectionHandlers {
    // A connection reports only while it is the client's current one.
    const isCurrent = (): boolean => this.conn !== null && this.conn === current();
    return {
      onValue: (value) => {
        if (isCurrent()) this.onValue(value);
      },
      onWarning: (problem) => {
        if (isCurrent()) this.onScanWarning(problem);
      },
      onFatal: (problem) => {
        if (isCurrent()) this.dropConnection(`${problem.reason}`, problem.excerpt);
      },
      onLost: (loss) => {
        if (isCurrent()) this.onLost(loss);
      },
      onOversize: (bytes, limitBytes) => {
        if (!isCurrent()) return;
        this.retire();
        const pending = this.failAll((method) => new RpcReplyTooLargeError({ address: this.address, method, bytes, limitBytes }));
        this.log.warn('a reply passed the size limit; connection reset', { bytes, limitBytes, pending });
        this.emitSafely('disconnect', { error: new RpcReplyTooLargeError({ address: this.address, bytes, limitBytes }), pending });
      },
    };
  }

  /** The current connection is no longer the client's: its traffic joins the past. */
  private retire(): void {
    const conn = this.conn;
    if (conn === null) return;
    this.pastTraffic.bytesIn += conn.bytesRead;
    this.pastTraffic.bytesOut += conn.bytesWritten;
    this.conn = null;
  }

  private onLost(loss: ConnectionLoss): void {
    this.retire();
    const pending = this.failAll(
      (method) => new RpcConnectionError({ address: this.address, method, reason: loss.reason, phase: 'lost', errno: loss.errno, cause: loss.cause }),
    );
    const error = new RpcConnectionError({ address: this.address, reason: loss.reason, phase: 'lost', errno: loss.errno, cause: loss.cause });
    if (pending > 0) this.log.warn('connection lost; pending calls failed', { reason: loss.reason, errno: loss.errno, pending });
    else this.log.info('connection lost', { reason: loss.reason, errno: loss.errno });
    this.emitSafely('disconnect', { error, pending });
  }

  /** The target sent something that is not a reply: nothing after it can be trusted. */
  private dropConnection(reason: string, excerpt: string): void {
    const conn = this.conn;
    if (conn === null) return;
    this.retire();
    void conn.destroy();
    const pending = this.failAll((method) => new RpcProtocolError({ address: this.address, method, reason, excerpt }));
    this.log.warn('invalid reply from the target; connection dropped', { reason, excerpt, pending });
    this.emitSafely('disconnect', { error: new RpcProtocolError({ address: this.address, reason, excerpt }), pending });
  }

  // -------------------------------------------------------------------------------------------
  // Replies

  private onValue(value: ScannedValue): void {
    let decoded: unknown;
    try {
      decoded = decodeJson(value.bytes, value.longIntegers);
    } catch (err) {
      this.dropConnection(`not valid JSON (${err instanceof Error ? err.message : String(err)})`, excerptOf(value.bytes));
      return;
    }
    // The common case first, without building a Reply: a result for a call in flight.
    if (decoded !== null && typeof decoded === 'object') {
      const { id, error } = decoded as { id?: unknown; error?: unknown };
      if (typeof id === 'number' && error === undefined && 'result' in decoded) {
        const call = this.calls.get(id);
        if (call !== undefined && call.state === IN_FLIGHT) {
          this.settle(call);
          if (instruments.spdkCall.active) this.measure(call, 'ok');
          call.resolve((decoded as { result: unknown }).result);
          return;
        }
      }
    }
    const reply = interpretReply(decoded);
    if (reply.kind === 'invalid') {
      this.dropConnection(reply.reason, excerptOf(value.bytes));
      return;
    }
    const call = typeof reply.id === 'number' ? this.calls.get(reply.id) : undefined;
    if (call === undefined || call.state !== IN_FLIGHT) {
      this.onUnmatched(reply, value);
      return;
    }
    this.settle(call);
    if (instruments.spdkCall.active) this.measure(call, reply.kind === 'result' ? 'ok' : 'rpc_error', reply.kind === 'result' ? undefined : reply.code);
    if (reply.kind === 'result') call.resolve(reply.result);
    else {
      const params = redactSecretParams(call.params);
      call.reject(new JsonRpcError({ address: this.address, method: call.method, params, rpcCode: reply.code, rpcMessage: reply.message }));
    }
  }

  private onUnmatched(reply: Exclude<Reply, { kind: 'invalid' }>, value: ScannedValue): void {
    if (typeof reply.id === 'number' && this.calls.takeLate(reply.id)) {
      this.log.debug('late reply to an abandoned call dropped', { id: reply.id });
      return;
    }
    const reason = `reply with ${reply.id === null ? 'a null id' : 'an unknown id'} dropped`;
    const excerpt = excerptOf(value.bytes);
    this.log.warn(reason, { excerpt });
    this.emitSafely('protocolWarning', { reason, excerpt });
  }

  private onScanWarning(problem: ScanError): void {
    this.log.warn('unfinished reply dropped (SPDK answers a notification with a broken partial reply)', {
      reason: problem.reason,
      excerpt: problem.excerpt,
    });
    this.emitSafely('protocolWarning', { reason: problem.reason, excerpt: problem.excerpt });
  }

  // -------------------------------------------------------------------------------------------
  // Call bookkeeping

  private write(call: PendingCall, conn: RpcConnection): void {
    this.calls.markInFlight(call);
    conn.send(call.text);
    call.text = '';
  }

  /** Writes waiting calls while there are free slots. */
  private drain(): void {
    const conn = this.conn;
    if (conn === null) return;
    for (let call = this.calls.nextToWrite(); call !== undefined; call = this.calls.nextToWrite()) this.write(call, conn);
  }

  /**
   * Takes a call out of the books (it is about to be resolved or rejected). A freed slot goes to the
   * next waiting call unless the caller drains itself afterwards.
   */
  private settle(call: PendingCall, drainNow = true): void {
    const freedSlot = this.calls.settle(call);
    this.afterSettle(freedSlot, drainNow);
  }

  /** A call given up before its reply (deadline, abort): its reply, if it ever comes, is dropped. */
  private forget(call: PendingCall, drainNow = true): void {
    const freedSlot = this.calls.forget(call);
    this.afterSettle(freedSlot, drainNow);
  }

  private afterSettle(freedSlot: boolean, drainNow: boolean): void {
    if (this.calls.size === 0) this.conn?.setReferenced(false);
    if (freedSlot && drainNow && this.calls.hasWaiting()) this.drain();
  }

  private abandon(call: PendingCall): void {
    if (call.state === SETTLED) return;
    this.forget(call);
    if (instruments.spdkCall.active) this.measure(call, 'aborted');
    call.reject(new RpcAbortedError({ address: this.address, method: call.method, reason: call.signal!.reason }));
  }

  /** The deadline sweep: fails expired calls, returns the next deadline. */
  private expire(now: number): number {
    // Timers have millisecond resolution: deadlines within one are due together (calls made in the
    // same turn with the same timeout expire in the same sweep).
    const { expired, next } = this.calls.expiredBy(now + DEADLINE_RESOLUTION_MS);
    // All expired calls leave the books before any freed slot is reused: an expired waiting call
    // must not be written on its way out.
    const inFlightExpired = expired.some((call) => call.state === IN_FLIGHT);
    for (const call of expired) this.forget(call, false);
    // A reply begun and not finished by a call's deadline blocks every reply behind it on the
    // stream (and may never end): the connection is reset, not left to buffer it.
    const unfinished = inFlightExpired && this.conn !== null ? this.conn.unfinishedBytes : 0;
    if (unfinished > 0) this.dropConnection(`an unfinished reply (${unfinished} bytes so far) passed a call's deadline`, '');
    else this.drain();
    if (instruments.spdkCall.active) for (const call of expired) this.measure(call, 'timeout');
    for (const call of expired) call.reject(new RpcTimeoutError({ address: this.address, method: call.method, timeoutMs: call.timeoutMs }));
    return next;
  }

  /** Fails every unsettled call; returns how many. The connection must already be gone. */
  private failAll(errorFor: (method: string) => SpdkRpcError): number {
    const calls = this.calls.takeAll();
    for (const call of calls) {
      const error = errorFor(call.method);
      if (instruments.spdkCall.active) this.measure(call, outcomeOf(error));
      call.reject(error);
    }
    return calls.length;
  }

  /** Tells the metrics how a call ended (only called while someone measures). */
  private measure(call: PendingCall, outcome: SpdkCallOutcome, rpcCode?: number): void {
    const seconds = (monotonicNow() - (call.deadline - call.timeoutMs)) / 1000;
    instruments.spdkCall.publish({ address: this.address, method: String(call.method), outcome, seconds, ...(rpcCode !== undefined ? { rpcCode } : {}) });
  }

  private closedError(method?: string): RpcConnectionError {
    return new RpcConnectionError({
      address: this.address,
      reason: 'client closed',
      phase: 'closed',
      ...(method === undefined ? {} : { method: String(method) }),
    });
  }

  /** A throwing listener must not leave the client's books half-updated. */
  private emitSafely<K extends keyof SpdkRpcClientEvents>(event: K, ...args: SpdkRpcClientEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: SpdkRpcClientEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error(`a '${String(event)}' listener threw`, { error: err instanceof Error ? err.message : String(err) });
    }
  }
}

function outcomeOf(error: SpdkRpcError): SpdkCallOutcome {
  if (error instanceof RpcReplyTooLargeError) return 'too_large';
  if (error instanceof RpcProtocolError) return 'protocol';
  return 'connection';
}

function excerptOf(bytes: Buffer): string {
  const text = bytes.subarray(0, EXCERPT_BYTES).toString('utf8');
  return bytes.length > EXCERPT_BYTES ? `${text}…(${bytes.length} bytes)` : text;
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
    throw new RangeError(`SpdkRpcClient option ${name} must be a positive number, not ${String(value)}`);
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`SpdkRpcClient option ${name} must be a positive integer, not ${String(value)}`);
  return value;
}
