/**
 * Runs one request the way SPDK's `jsonrpc_handler` (lib/rpc/rpc.c) does: unknown method or one
 * outside --rpcs-allowed → -32601; a deprecated alias logs a warning once and calls its target;
 * wrong state → -1 with SPDK's two messages; then the handler. Synchronous results are answered at
 * once (in request order), asynchronous ones when they complete (completion order).
 */
import { getLogger } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import type { JsonValue } from '../json/json-parser.js';
import { DecodeFailure } from './decode.js';
import type { Envelope } from './envelope.js';
import { NO_REPLY, STARTUP, type MethodTable } from './method-table.js';
import { errorReply, resultReply } from './reply.js';
import { JsonRpcCode, RpcFailure, STATE_MESSAGES } from './rpc-failure.js';
import { SITES, type SpdkLog } from '../app/spdk-log.js';

const log = getLogger('sim.dispatcher');

/** Where a request's reply goes: its connection. */
export interface ReplyChannel {
  readonly id: number;
  send(text: string): void;
  /** An asynchronous handler started / finished (a half-closed connection waits for them). */
  asyncStarted(): void;
  asyncFinished(): void;
}

export interface RpcStateSource {
  /** STARTUP or RUNTIME; null for releases before v18.07, which had no states. */
  rpcState(): number | null;
}

/** Rewrites one reply's bytes (fault injection: garbage, truncation). */
export type ReplyTransform = (text: string) => string;

export class Dispatcher {
  private readonly warnedAliases = new Set<string>();

  constructor(
    private readonly table: MethodTable,
    private readonly states: RpcStateSource,
    private readonly spdkLog: SpdkLog,
    private readonly allowlist: ReadonlySet<string> | undefined,
  ) {}

  dispatch(envelope: Envelope, channel: ReplyChannel, transform?: ReplyTransform): void {
    const send = transform ? (text: string): void => channel.send(transform(text)) : (text: string): void => channel.send(text);
    if (envelope.kind === 'invalid') {
      send(errorReply(envelope.id, JsonRpcCode.InvalidRequest, 'Invalid request'));
      return;
    }
    const { method, params, id } = envelope;
    const entry = this.table.get(method);
    if (entry === undefined || (this.allowlist !== undefined && !this.allowlist.has(method))) {
      send(errorReply(id, JsonRpcCode.MethodNotFound, 'Method not found'));
      return;
    }
    if (entry.aliasOf !== undefined && !this.warnedAliases.has(method)) {
      this.warnedAliases.add(method);
      this.spdkLog.warn(SITES.rpcDeprecated, `RPC method ${method} is deprecated.  Use ${entry.aliasOf} instead.`);
    }
    const state = this.states.rpcState();
    if (state !== null && (entry.mask & state) === 0) {
      const message = state === STARTUP ? STATE_MESSAGES.notYet : STATE_MESSAGES.tooLate;
      send(errorReply(id, JsonRpcCode.InvalidState, message));
      return;
    }
    let outcome: unknown;
    try {
      outcome = entry.handler(params, { calledAs: method, connectionId: channel.id });
    } catch (err) {
      send(failureReply(id, method, params, err));
      return;
    }
    if (outcome === NO_REPLY) return;
    if (outcome instanceof Promise) {
      channel.asyncStarted();
      outcome.then(
        (result: unknown) => {
          channel.asyncFinished();
          if (result !== NO_REPLY) send(resultReply(id, result));
        },
        (err: unknown) => {
          channel.asyncFinished();
          send(failureReply(id, method, params, err));
        },
      );
      return;
    }
    send(resultReply(id, outcome));
  }
}

function failureReply(id: string | null, method: string, params: JsonValue | undefined, err: unknown): string {
  if (err instanceof RpcFailure) return errorReply(id, err.rpcCode, err.rpcMessage);
  if (err instanceof DecodeFailure) {
    // A handler that forgot to map its decode failure: SPDK's most common answer.
    log.debug('unmapped decode failure', { method, reason: err.reason });
    return errorReply(id, JsonRpcCode.InvalidParams, 'Invalid parameters');
  }
  log.error('handler failed unexpectedly', { method, params: params === undefined ? undefined : '(present)', error: errorMessage(err) });
  return errorReply(id, JsonRpcCode.InternalError, 'Internal error');
}
