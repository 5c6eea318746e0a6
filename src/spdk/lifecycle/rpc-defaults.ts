/**
 * The real RPC pieces behind the lifecycle's seams: `SpdkRpcClient` for the connection and the
 * method catalogue for the framework calls (so a v19.04 target gets `wait_subsystem_init` and a
 * v17.07 one `kill_instance`).
 */
import { killInstance, waitInit } from '../methods/framework.js';
import { describeVersion, detectVersion } from '../methods/target-version.js';
import { SpdkRpcClient } from '../rpc/client.js';
import { JsonRpcError } from '../rpc/errors.js';
import type { FrameworkCalls, RpcClientFactory } from './rpc-link.js';

export const defaultRpcClientFactory: RpcClientFactory = (request) =>
  new SpdkRpcClient({
    address: request.address,
    timeoutMs: request.timeoutMs,
    connectTimeoutMs: request.connectTimeoutMs,
    ...(request.maxReplyBytes !== undefined ? { maxReplyBytes: request.maxReplyBytes } : {}),
    ...(request.logger ? { logger: request.logger } : {}),
  });

export const catalogueFrameworkCalls: FrameworkCalls = {
  ping: async (caller, timeoutMs) => {
    try {
      // Sent by its current name on purpose: a -32601 from an old target is an answer too.
      await caller.call('spdk_get_version', undefined, { timeoutMs });
    } catch (err) {
      if (!(err instanceof JsonRpcError)) throw err;
    }
  },
  version: async (caller, timeoutMs) => describeVersion(await detectVersion(caller, { timeoutMs })),
  waitInit: async (caller, timeoutMs) => {
    await waitInit(caller, { timeoutMs });
  },
  killInstance: async (caller, signal, timeoutMs) => {
    await killInstance(caller, signal, { timeoutMs });
  },
};
