/**
 * The `spdk-agent` command line. `bin/spdk-agent` calls `main(process.argv)` and uses the result as
 * the exit code (or rpc-main.ts's `main`, for a line that starts with `rpc`).
 *
 * The commands are defined in commands.ts; what each does is in `actions/<name>.ts`, loaded only
 * when it runs (commands.ts says why). Commander never exits the process itself (`exitOverride`):
 * its errors come back here and become exit code 2.
 */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../util/package-info.js';
import { registerCommands } from './commands.js';
import { ExitCode, exitCodeOfFailure, processIo, type CliIo } from './io.js';

/** Runs the command line; resolves with the process exit code. `argv` is `process.argv`-shaped. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // `--no-color` anywhere on the line is NO_COLOR for the whole process (logs, spinner, help).
  if (argv.includes('--no-color')) {
    argv = argv.filter((arg) => arg !== '--no-color');
    process.env.NO_COLOR = '1';
  }
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'node' });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; every other commander error was printed already.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    return exitCodeOfFailure(err, io);
  }
}

function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('spdk-agent')
    .description('Manage SPDK storage targets as accelerator resources of an OpenStack Cyborg-style control plane.')
    .version(packageVersion(), '-V, --version')
    // Taken off argv by main() before commander sees it; declared so --help lists it.
    .option('--no-color', 'no ANSI colours (also: NO_COLOR=1)')
    // Settings made before .command() are inherited by every sub-command.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => write(`spdk-agent: ${text.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(add --help for usage)');
  registerCommands(program, io);
  return program;
}
