/**
 * The one interface every SPDK method wrapper is written against (as SPDK's Python package hangs
 * every wrapper off one `client.call`). The JSON-RPC client implements it; tests may too.
 */

/**
 * Named params of a call. Values may hold `bigint` (sent as exact integer literals).
 * `undefined` members are left out of the request, as `rpc.py` drops `None`.
 */
export type RpcParams = Record<string, unknown>;

export interface RpcCallOptions {
  /** Deadline for this call in ms; the client's default when absent. */
  timeoutMs?: number;
  /** Abort the wait (the request may still run on the target). */
  signal?: AbortSignal;
}

export interface RpcCaller {
  /**
   * Calls `method` with `params` (omitted from the request when undefined or empty: SPDK rejects
   * `"params":{}` on methods that take none). Resolves with the `result` member. Integers beyond
   * `Number.MAX_SAFE_INTEGER` arrive as `bigint`, all others as `number`.
   * Rejects with a subclass of `SpdkRpcError`.
   */
  call<T = unknown>(method: string, params?: RpcParams, options?: RpcCallOptions): Promise<T>;

  /** The target's address, for messages: a Unix socket path or `host:port`. */
  readonly address: string;

  /**
   * Increases each time a new connection to the target is established. Anything learnt about the
   * target over a connection (its method list, its version) is valid for one generation: after a
   * reconnect the target may be a different process, even a different SPDK version.
   */
  readonly generation: number;
}
