/**
 * `spdk-agent rpc`'s arguments, declared once: commands.ts gives them to commander (help, errors),
 * and rpc-main.ts parses the ordinary case with `node:util`'s `parseArgs`, without commander.
 *
 * Why two parsers read one declaration: `rpc` is the command scripts run in loops, as they ran
 * SPDK's rpc.py, so its start-up is most of its cost, and loading commander and the command
 * definitions took 12-15 ms of a 50 ms budget. `parseArgs` is built into Node. It reads the lines
 * commander would accept the same way; for anything else (--help, an unknown option, a missing
 * method, a bad timeout) it gives up, and commander parses the line and writes its usual message.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_RPC_SOCKET } from '../spdk/rpc/address.js';

export const RPC_COMMAND = 'rpc';
export const DEFAULT_RPC_TIMEOUT_SECONDS = 60;
/** Longest deadline a timer can hold (2^31-1 ms), in seconds. */
const MAX_RPC_TIMEOUT_SECONDS = 2_147_483;

export const RPC_OPTION_HELP = {
  server: "the target's socket path, host:port (through a TCP bridge), unix:<path> or tcp:<host>:<port>",
  timeout: 'how long to wait for the answer',
  json: 'the result is always printed as JSON (accepted, as by every command)',
} as const;

export interface RpcCommandLine {
  method: string;
  paramsText: string | undefined;
  options: { server: string; timeout: number };
}

/** The timeout option's value in seconds, or the reason it is not one (commander's wording follows). */
export function parseRpcTimeoutSeconds(text: string): number | string {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_RPC_TIMEOUT_SECONDS) {
    return `expected a number of seconds greater than 0 and at most ${MAX_RPC_TIMEOUT_SECONDS}.`;
  }
  return seconds;
}

/**
 * The `rpc` command line after the program name (`args[0]` is `rpc`), or `undefined` when it is
 * not the ordinary case and commander should parse it.
 */
export function parseRpcCommandLine(args: readonly string[]): RpcCommandLine | undefined {
  if (args[0] !== RPC_COMMAND) return undefined;
  let parsed: ReturnType<typeof parseRpcArgs>;
  try {
    parsed = parseRpcArgs(args.slice(1));
  } catch {
    return undefined;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length < 1 || positionals.length > 2) return undefined;
  const timeout = values.timeout === undefined ? DEFAULT_RPC_TIMEOUT_SECONDS : parseRpcTimeoutSeconds(values.timeout);
  if (typeof timeout === 'string') return undefined;
  return {
    method: positionals[0]!,
    paramsText: positionals[1],
    options: { server: values.server ?? DEFAULT_RPC_SOCKET, timeout },
  };
}

function parseRpcArgs(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      server: { type: 'string', short: 's' },
      timeout: { type: 'string', short: 't' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
