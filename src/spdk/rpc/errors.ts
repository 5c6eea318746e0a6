/**
 * Everything that can go wrong on an SPDK JSON-RPC call, as typed errors that name the target
 * (socket path or host:port) and the method, so an operator can tell which target failed and how.
 *
 *   SpdkRpcError (abstract base)
 *   ├─ JsonRpcError         the target answered with an error object (code, message)
 *   ├─ RpcTimeoutError      no answer within the call's deadline
 *   ├─ RpcConnectionError   could not connect, or the connection was lost with the call pending
 *   ├─ RpcProtocolError     the target sent bytes that are not a valid reply
 *   ├─ RpcRequestError      the request itself cannot be sent (too large for the target, not JSON)
 *   └─ RpcAbortedError      the caller gave up through its AbortSignal
 */
import { AgentError } from '../../util/errors.js';

/** Well-known JSON-RPC and SPDK error codes (contract §1.9). */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** The method exists but not in the target's current state (STARTUP vs RUNTIME). */
  InvalidState: -1,
  ENOENT: -2,
  ENOMEM: -12,
  EBUSY: -16,
  EEXIST: -17,
  ENODEV: -19,
  EINVAL: -22,
  ETIMEDOUT: -110,
  EALREADY: -114,
} as const;

export abstract class SpdkRpcError extends AgentError {
  /** The target: a Unix socket path or `host:port`. */
  readonly address: string;
  /** The method of the call that failed, when the failure belongs to one call. */
  readonly method: string | undefined;

  protected constructor(message: string, options: { code: string; address: string; method?: string; context?: Record<string, unknown>; cause?: unknown }) {
    super(message, {
      code: options.code,
      context: { address: options.address, method: options.method, ...options.context },
      cause: options.cause,
    });
    this.address = options.address;
    this.method = options.method;
  }
}

/** The target answered the call with `{"error":{"code":…,"message":…}}`. */
export class JsonRpcError extends SpdkRpcError {
  /** SPDK's code: -326xx, -1 (wrong state) or a negative errno. Any int32. */
  readonly rpcCode: number;
  /** SPDK's message, as sent (it sometimes ends in a newline). */
  readonly rpcMessage: string;
  readonly params: unknown;

  constructor(options: { address: string; method: string; params?: unknown; rpcCode: number; rpcMessage: string }) {
    super(`${options.method} on ${options.address} failed: ${options.rpcMessage.trimEnd()} (code ${options.rpcCode})`, {
      code: 'SPDK_RPC_ERROR',
      address: options.address,
      method: options.method,
      context: { rpcCode: options.rpcCode, rpcMessage: options.rpcMessage, params: options.params },
    });
    this.rpcCode = options.rpcCode;
    this.rpcMessage = options.rpcMessage;
    this.params = options.params;
  }

  /** The target does not know the method (unknown name, not linked into this app, not allowed). */
  get isMethodNotFound(): boolean {
    return this.rpcCode === RpcErrorCode.MethodNotFound;
  }

  /** The method exists but the target is in the other state (STARTUP vs RUNTIME). */
  get isWrongState(): boolean {
    return this.rpcCode === RpcErrorCode.InvalidState;
  }
}

export class RpcTimeoutError extends SpdkRpcError {
  readonly timeoutMs: number;

  constructor(options: { address: string; method: string; timeoutMs: number }) {
    super(`${options.method} on ${options.address}: no answer within ${options.timeoutMs} ms`, {
      code: 'SPDK_RPC_TIMEOUT',
      address: options.address,
      method: options.method,
      context: { timeoutMs: options.timeoutMs },
    });
    this.timeoutMs = options.timeoutMs;
  }
}

/**
 * Where a connection failure happened, which decides what it means:
 * - `connect`: the target was never reached (nothing listens, refused, no permission): the request
 *   was not sent;
 * - `lost`: the connection closed with the call outstanding: the request may have run (for
 *   `spdk_kill_instance` this is the expected outcome: the target exits before it answers);
 * - `closed`: the client was closed by its owner.
 */
export type RpcConnectionPhase = 'connect' | 'lost' | 'closed';

export class RpcConnectionError extends SpdkRpcError {
  /** The system error code when there is one: ENOENT, ECONNREFUSED, EACCES, ECONNRESET … */
  readonly errno: string | undefined;
  readonly phase: RpcConnectionPhase;

  constructor(options: {
    address: string;
    method?: string;
    reason: string;
    phase: RpcConnectionPhase;
    errno?: string;
    cause?: unknown;
  }) {
    const what = options.method ? `${options.method} on ${options.address}` : options.address;
    super(`${what}: ${options.reason}`, {
      code: 'SPDK_RPC_CONNECTION',
      address: options.address,
      ...(options.method === undefined ? {} : { method: options.method }),
      context: { errno: options.errno, phase: options.phase },
      cause: options.cause,
    });
    this.errno = options.errno;
    this.phase = options.phase;
  }
}

export class RpcProtocolError extends SpdkRpcError {
  /** The start of the offending bytes, for the log. */
  readonly excerpt: string;

  constructor(options: { address: string; method?: string; reason: string; excerpt?: string }) {
    const what = options.method ? `${options.method} on ${options.address}` : options.address;
    super(`${what}: invalid reply from the target: ${options.reason}`, {
      code: 'SPDK_RPC_PROTOCOL',
      address: options.address,
      ...(options.method === undefined ? {} : { method: options.method }),
      context: { excerpt: options.excerpt },
    });
    this.excerpt = options.excerpt ?? '';
  }
}

/**
 * The target sent a reply larger than the client accepts (`maxReplyBytes`), or one that never
 * ended: the call fails with this, and the connection is reset, rather than the agent buffering
 * without limit.
 */
export class RpcReplyTooLargeError extends SpdkRpcError {
  constructor(options: { address: string; method?: string; bytes: number; limitBytes: number }) {
    const what = options.method ? `${options.method} on ${options.address}` : options.address;
    super(
      `${what}: the reply passed the limit of ${options.limitBytes} bytes (${options.bytes} bytes read, unfinished); the connection was reset (raise the target's maxReplyBytes if the target is trusted and the reply real)`,
      {
        code: 'SPDK_RPC_REPLY_TOO_LARGE',
        address: options.address,
        ...(options.method === undefined ? {} : { method: options.method }),
        context: { bytes: options.bytes, limitBytes: options.limitBytes },
      },
    );
  }
}

export class RpcRequestError extends SpdkRpcError {
  constructor(options: { address: string; method: string; reason: string; context?: Record<string, unknown> }) {
    super(`${options.method} on ${options.address}: request not sent: ${options.reason}`, {
      code: 'SPDK_RPC_REQUEST',
      address: options.address,
      method: options.method,
      ...(options.context === undefined ? {} : { context: options.context }),
    });
  }
}

/** The caller aborted the wait through its AbortSignal; the request may still run on the target. */
export class RpcAbortedError extends SpdkRpcError {
  constructor(options: { address: string; method: string; reason?: unknown }) {
    const why = options.reason instanceof Error ? options.reason.message : options.reason === undefined ? '' : String(options.reason);
    super(`${options.method} on ${options.address}: aborted by the caller${why ? ` (${why})` : ''}`, {
      code: 'SPDK_RPC_ABORTED',
      address: options.address,
      method: options.method,
      cause: options.reason,
    });
  }
}
