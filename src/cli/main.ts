/**
 * The `spdk-agent` command line. `bin/spdk-agent` calls `main(process.argv)` and uses the result as
 * the exit code.
 *
 * Each command lives in its own module under `commands/` and exports a `register(program, io)`
 * function; adding a command is one entry in `COMMANDS`. Only the module of the command being run
 * is loaded (all of them for `--help` or an unknown command): `spdk-agent rpc` should not pay for
 * the YAML, schema and AMQP libraries of the daemon's commands. Commander never exits the process
 * itself (`exitOverride`): its errors come back here and become exit code 2.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { errorMessage } from '../util/errors.js';
import { CliUsageError } from './errors.js';
import { CommandExit, ExitCode, processIo, type CliIo } from './io.js';

/** What a command module exports: adds its sub-command to the program. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

export interface CommandEntry {
  /** The sub-command's name, as typed after `spdk-agent`. */
  name: string;
  /** Loads the module that registers it. */
  load: () => Promise<{ register: RegisterCommand }>;
}

/** The commands of `spdk-agent`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'rpc', load: () => import('./commands/rpc.js') },
  { name: 'discover', load: () => import('./commands/discover.js') },
  { name: 'start', load: () => import('./commands/start.js') },
  { name: 'stop', load: () => import('./commands/stop.js') },
  { name: 'status', load: () => import('./commands/status.js') },
  { name: 'run', load: () => import('./commands/run.js') },
  { name: 'doctor', load: () => import('./commands/doctor.js') },
  { name: 'config', load: () => import('./commands/config.js') },
  { name: 'demo', load: () => import('./commands/demo.js') },
];

/** Runs the command line; resolves with the process exit code. `argv` is `process.argv`-shaped. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // `--no-color` anywhere on the line is NO_COLOR for the whole process (logs, spinner, help).
  if (argv.includes('--no-color')) {
    argv = argv.filter((arg) => arg !== '--no-color');
    process.env.NO_COLOR = '1';
  }
  const program = await buildProgram(io, argv[2]);
  try {
    await program.parseAsync(argv, { from: 'node' });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; every other commander error was printed already.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (err instanceof CommandExit) return err.exitCode;
    if (err instanceof CliUsageError) {
      io.stderr.write(`spdk-agent: ${err.message}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
}

async function buildProgram(io: CliIo, commandName: string | undefined): Promise<Command> {
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
  const chosen = COMMANDS.filter((c) => c.name === commandName);
  for (const entry of chosen.length > 0 ? chosen : COMMANDS) (await entry.load()).register(program, io);
  return program;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch (err) {
    return `unknown (${errorMessage(err)})`;
  }
}
