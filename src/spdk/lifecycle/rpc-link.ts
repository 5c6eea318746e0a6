/**
 * What the lifecycle needs from the JSON-RPC layer, in one place: a long-lived client per target
 * (its `disconnect` event is how a crash of an adopted target is noticed within a second) and the
 * three framework calls it makes (version, wait for init, kill instance), taken from the method
 * catalogue so that old targets get their old method names.
 */
import type { Logger } from '../../util/log.js';
import type { RpcCaller } from '../rpc/types.js';

/** The part of `SpdkRpcClient` the lifecycle uses. */
export interface LifecycleRpcClient extends RpcCaller {
  connect(): Promise<void>;
  close(): Promise<void>;
  readonly connected: boolean;
  /** Bytes exchanged so far (the metrics read it; a test double may leave it out). */
  readonly traffic?: { bytesIn: number; bytesOut: number };
  on(event: 'disconnect', listener: (info: { error?: unknown; pending: number }) => void): unknown;
  on(event: 'connect', listener: (generation: number) => void): unknown;
  off(event: 'disconnect' | 'connect', listener: (...args: never[]) => void): unknown;
}

export interface RpcClientRequest {
  address: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Largest reply accepted (bytes); the client's default when absent. */
  maxReplyBytes?: number;
  logger?: Logger;
}

export type RpcClientFactory = (request: RpcClientRequest) => LifecycleRpcClient;

/** The framework calls the lifecycle makes; each takes its own deadline. */
export interface FrameworkCalls {
  /**
   * One round trip, every time (nothing cached): resolves when the target answered at all (an
   * error answer counts: the target is there and serving), rejects on a timeout or a lost
   * connection. How the lifecycle tells "answering" from "hung", on any SPDK version.
   */
  ping(caller: RpcCaller, timeoutMs: number): Promise<void>;
  /**
   * The version, for status and events: `SPDK v24.01 git sha1 …` as reported, or a range inferred
   * from the method list on targets too old to report it (SPDK 17.07). May be cached per connection.
   */
  version(caller: RpcCaller, timeoutMs: number): Promise<string>;
  /** `framework_wait_init`: resolves once the target is in RUNTIME. */
  waitInit(caller: RpcCaller, timeoutMs: number): Promise<void>;
  /** `spdk_kill_instance`: a connection closed before the reply counts as success. */
  killInstance(caller: RpcCaller, signal: 'SIGTERM' | 'SIGINT' | 'SIGKILL', timeoutMs: number): Promise<void>;
}
