/**
 * The bus layer: an RPC transport wire-compatible with OpenStack oslo.messaging over RabbitMQ.
 * It knows nothing of SPDK. See docs/bus.md.
 */
export { openTransport, BusTransport, type CloseOptions } from './transport.js';
export type { BusOptions, BusTlsOptions, ResolvedBusOptions, QueueFlags } from './options.js';
export { resolveBusOptions } from './options.js';
export { RpcServer, type RpcServerOptions, type RpcServerQueues, type StopResult } from './rpc-server.js';
export { RpcClient, type RpcClientOptions, type SendOptions } from './rpc-client.js';
export type { RpcEndpoint, RpcMethod, RpcHandler, RpcCallContext } from './dispatcher.js';
export type { ConnectedInfo, ReconnectingInfo } from './broker-connection.js';
export { adminContext, newRequestId, type RequestContext } from './context.js';
export {
  BusError,
  BusConfigError,
  BusConnectionError,
  BusConnectionLostError,
  BusNotConnectedError,
  BusTimeoutError,
  BusChannelError,
  BusPublishError,
  BusProtocolError,
  BusClosedError,
  BusUsageError,
  PythonException,
  RemoteError,
  BUILTINS_MODULE,
  CYBORG_EXCEPTION_MODULE,
  DISPATCHER_MODULE,
  type PythonExceptionSpec,
  type RemoteFailure,
} from './errors.js';
export { maskUrlText } from './url.js';
export { pythonJsonDumps, pythonTypeName } from './python-values.js';
