/**
 * The agent's RPC endpoint on `<agentTopic>` (API 1.0): `ping`, `discover`, `start`, `stop`,
 * `report` (and oslo's `oslo_rpc_server_ping`, served by the bus when `pingEnabled`).
 *
 * Cyborg's own agent methods (`fpga_program`, `create_vgpu_mdev`, `remove_vgpu_mdev`) are not
 * defined: an SPDK node has no FPGA or vGPU to act on, and a Python agent without those drivers
 * cannot do them either. The bus answers them, like any unknown method, with oslo's
 * `NoSuchMethod`, which Cyborg callers log as a remote error — an answer, rather than a silent
 * success that would make Cyborg believe an FPGA was programmed.
 *
 * Failures reach a Python caller as:
 * - bad arguments: `TypeError` / `ValueError` (builtins, the real exceptions); an unknown target
 *   name is a `ValueError` naming the configured targets;
 * - a failed start: `RemoteError` of `TargetStartError`, whose message carries SPDK's own last
 *   lines; every other lifecycle failure: `RemoteError` of its class (`TargetStopError`,
 *   `TargetBusyError`, `HugepagesError`, …) with its message.
 */
import { PythonException, type RpcEndpoint } from '../bus/index.js';
import { TargetStartError, UnknownTargetError } from '../spdk/lifecycle/errors.js';
import { ENDPOINT_CLASS, checkArguments, reportArgs, startArgs, stopArgs } from './arg-schemas.js';
import type { AgentOperations } from './operations.js';

/** The module Python callers see for the agent's own failures (as the bus names it). */
export const AGENT_FAILURE_MODULE = 'spdk_agent.errors';
const LAST_LINES_SHOWN = 10;

export function createAgentEndpoint(operations: AgentOperations): RpcEndpoint {
  return {
    className: ENDPOINT_CLASS,
    version: '1.0',
    methods: {
      ping: {
        required: [],
        handler: (_ctx, args) => {
          checkArguments('ping', args);
          return operations.ping();
        },
      },
      discover: {
        required: [],
        handler: (_ctx, args) => {
          checkArguments('discover', args);
          return operations.discover();
        },
      },
      start: {
        required: ['target'],
        handler: (_ctx, args) => guarded(() => operations.start(startArgs(args).target)),
      },
      stop: {
        required: ['target'],
        optional: ['force'],
        handler: (_ctx, args) => {
          const { target, force } = stopArgs(args);
          return guarded(() => operations.stop(target, force));
        },
      },
      report: {
        optional: ['target', 'stats'],
        handler: (_ctx, args) => {
          const { target, stats } = reportArgs(args);
          return guarded(() => operations.report(target, stats));
        },
      },
    },
  };
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw forPythonCaller(err);
  }
}

/** What a lifecycle failure becomes for a Python caller. */
export function forPythonCaller(err: unknown): unknown {
  if (err instanceof UnknownTargetError) return PythonException.valueError(err.message);
  if (err instanceof TargetStartError) {
    const lines = err.lastLines.slice(-LAST_LINES_SHOWN);
    const message = lines.length > 0 ? `${err.message}\nlast lines of the target:\n${lines.map((l) => `  ${l}`).join('\n')}` : err.message;
    return new PythonException({
      className: err.name,
      module: AGENT_FAILURE_MODULE,
      message,
      kwargs: {
        code: err.code,
        target: err.target,
        reason: err.reason,
        exit_code: err.exitCode ?? null,
        signal: err.signal ?? null,
        last_lines: lines,
      },
    });
  }
  return err;
}
