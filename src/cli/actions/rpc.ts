/**
 * `spdk-agent rpc [-s SOCKET|HOST:PORT] [-t SECONDS] METHOD [PARAMS_JSON]`: one JSON-RPC call, in
 * place of SPDK's `scripts/rpc.py <method> …`, but taking the params as JSON (the method catalogue
 * is not duplicated as options) and printing the result as JSON.
 *
 * Exit codes: 0 success (the result, 2-space indented with exact big integers, on stdout);
 * 1 the target answered with a JSON-RPC error (code and message on stderr); 2 a usage error, or
 * the call could not be made (connection, timeout, invalid reply), with a one-line message naming
 * the socket on stderr.
 *
 * Differences from rpc.py, on purpose: the result is always JSON (`true` prints `true`, a bdev name
 * prints `"Malloc0"`), so scripts can parse it; `-t` is a wall-clock deadline, where rpc.py's
 * counts the process's CPU time. As in rpc.py, `spdk_kill_instance` succeeds when the target
 * closes the connection before answering: it is exiting.
 */
import { configureLogging } from '../../util/log.js';
import { SpdkRpcClient } from '../../spdk/rpc/client.js';
import { JsonRpcError, RpcConnectionError, SpdkRpcError } from '../../spdk/rpc/errors.js';
import { parseJsonText, stringifyJson } from '../../spdk/rpc/json.js';
import type { RpcParams } from '../../spdk/rpc/types.js';
import { CliUsageError } from '../errors.js';
import { CommandExit, ExitCode, readAll, type CliIo } from '../io.js';

const KILL_METHOD = 'spdk_kill_instance';

export interface RpcOptions {
  server: string;
  timeout: number;
}

export async function runRpc(io: CliIo, method: string, paramsText: string | undefined, options: RpcOptions): Promise<void> {
  // The command reports its own failures; log lines would only repeat them.
  configureLogging({ level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'error' });
  const timeoutMs = options.timeout * 1000;
  const params = await readParams(io, paramsText, timeoutMs);

  let client: SpdkRpcClient;
  try {
    client = new SpdkRpcClient({ address: options.server, timeoutMs, connectTimeoutMs: Math.min(timeoutMs, 5_000) });
  } catch (err) {
    throw new CliUsageError(err instanceof Error ? err.message : String(err));
  }
  try {
    await client.connect();
    const result = await client.call(method, params);
    io.stdout.write(`${stringifyJson(result, 2)}\n`);
  } catch (err) {
    if (method === KILL_METHOD && err instanceof RpcConnectionError && err.phase === 'lost') {
      io.stderr.write(`spdk-agent: ${KILL_METHOD}: ${client.address} closed the connection before answering: the target is exiting\n`);
      return;
    }
    if (err instanceof JsonRpcError) {
      io.stderr.write(`spdk-agent: ${err.message}\n`);
      throw new CommandExit(ExitCode.Failed);
    }
    if (err instanceof SpdkRpcError) {
      io.stderr.write(`spdk-agent: ${err.message}\n`);
      throw new CommandExit(ExitCode.Usage);
    }
    throw err;
  } finally {
    await client.close();
  }
}

async function readParams(io: CliIo, paramsText: string | undefined, timeoutMs: number): Promise<RpcParams | undefined> {
  if (paramsText === undefined) return undefined;
  let text = paramsText;
  let source = 'PARAMS_JSON';
  if (paramsText === '-') {
    if (io.stdin.isTTY) io.stderr.write('spdk-agent: reading PARAMS_JSON from stdin (end with Ctrl-D)\n');
    text = await readAll(io.stdin, timeoutMs, 'stdin');
    source = 'PARAMS_JSON from stdin';
  }
  let value: unknown;
  try {
    value = parseJsonText(text);
  } catch (err) {
    throw new CliUsageError(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new CliUsageError(`${source} must be a JSON object of named params (SPDK takes no positional params), not ${got}`);
  }
  return value as RpcParams;
}
