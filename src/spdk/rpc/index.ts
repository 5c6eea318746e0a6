/** The SPDK JSON-RPC client's public surface: import from here. */
export {
  SpdkRpcClient,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  type SpdkRpcClientOptions,
  type SpdkRpcClientEvents,
  type DisconnectInfo,
  type ProtocolWarning,
} from './client.js';
export { parseRpcAddress, formatRpcAddress, DEFAULT_RPC_SOCKET, type RpcAddress } from './address.js';
export { decodeJson, parseJsonText, stringifyJson } from './json.js';
export { DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_REQUEST_VALUES, MAX_REQUEST_DEPTH } from './request.js';
export * from './errors.js';
export type { RpcCaller, RpcCallOptions, RpcParams } from './types.js';
