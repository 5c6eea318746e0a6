/**
 * The entry of `spdk-agent rpc …` (bin/spdk-agent loads it when the first argument is `rpc`): the
 * ordinary call (`rpc [-s ADDRESS] [-t SECONDS] METHOD [PARAMS_JSON]`) runs without loading
 * commander or the rest of the command line; any other line (`rpc --help`, an unknown option, a bad
 * timeout) goes to main.ts, which parses it with commander and says what is wrong.
 *
 * Why a separate entry: scripts call `rpc` in loops as they called SPDK's rpc.py, so its start-up
 * is most of its cost; scripts/bundle-cli.ts makes this file one self-contained bundle (bench
 * figure 9 measures it against a bare `node -e 0`).
 */
import { runRpc } from './actions/rpc.js';
import { ExitCode, exitCodeOfFailure, processIo, type CliIo } from './io.js';
import { parseRpcCommandLine } from './rpc-command.js';

/** As main.ts's `main`: runs the command line and resolves with the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const line = parseRpcCommandLine(argv.slice(2));
  if (!line) {
    // main.js beside this file: dist/src/cli/ unbundled, dist/cli/ bundled. A computed URL, so the
    // bundler leaves the whole command line out of this entry's bundle.
    const full = (await import(new URL('./main.js', import.meta.url).href)) as typeof import('./main.js');
    return full.main(argv, io);
  }
  try {
    await runRpc(io, line.method, line.paramsText, line.options);
    return ExitCode.Ok;
  } catch (err) {
    return exitCodeOfFailure(err, io);
  }
}
