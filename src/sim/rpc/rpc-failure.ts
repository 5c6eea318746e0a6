/**
 * An error reply: what a handler throws to answer `{"error":{"code":…,"message":…}}`. SPDK's codes
 * are -326xx, -1 (wrong state) and, very often, a negative errno with `strerror` as the message.
 */
import { AgentError } from '../../util/errors.js';

export class RpcFailure extends AgentError {
  constructor(
    readonly rpcCode: number,
    readonly rpcMessage: string,
  ) {
    super(`JSON-RPC error ${rpcCode}: ${rpcMessage}`, { code: 'SIM_RPC_FAILURE', context: { rpcCode, rpcMessage } });
  }
}

/** Linux `strerror` texts for the errnos SPDK handlers send. */
const STRERROR: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  5: 'Input/output error',
  11: 'Resource temporarily unavailable',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  16: 'Device or resource busy',
  17: 'File exists',
  19: 'No such device',
  21: 'Is a directory',
  22: 'Invalid argument',
  28: 'No space left on device',
  34: 'Numerical result out of range',
  36: 'File name too long',
  95: 'Operation not supported',
  98: 'Address already in use',
  110: 'Connection timed out',
  114: 'Operation already in progress',
};

export function strerror(errno: number): string {
  return STRERROR[Math.abs(errno)] ?? `Unknown error ${Math.abs(errno)}`;
}

export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  ENOMEM: 12,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ENAMETOOLONG: 36,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
  EALREADY: 114,
} as const;

/** `spdk_jsonrpc_send_error_response(request, -errno, spdk_strerror(errno))`. */
export function errnoFailure(errno: number): RpcFailure {
  return new RpcFailure(-Math.abs(errno), strerror(errno));
}

/** An errno code with a message other than strerror (vhost uses -32602 + strerror, for example). */
export function codeWithStrerror(code: number, errno: number): RpcFailure {
  return new RpcFailure(code, strerror(errno));
}

export const JsonRpcCode = {
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  InvalidState: -1,
} as const;

export const invalidParams = (): RpcFailure => new RpcFailure(JsonRpcCode.InvalidParams, 'Invalid parameters');
export const internalError = (): RpcFailure => new RpcFailure(JsonRpcCode.InternalError, 'Internal error');
/** The bdev modules' answer to a parameter decode failure (contract §1.9). */
export const decodeFailed = (): RpcFailure => new RpcFailure(JsonRpcCode.InternalError, 'spdk_json_decode_object failed');

export const STATE_MESSAGES = {
  notYet: 'Method may only be called after framework is initialized using framework_start_init RPC.',
  tooLate:
    'Method may only be called before framework is initialized. Use --wait-for-rpc command line parameter and then issue this RPC before the framework_start_init RPC.',
} as const;
