/**
 * `spdk-agent stop NAME [--force] [--config FILE]`: stops one configured target, whoever started it
 * (spdk_kill_instance, then SIGTERM, then SIGKILL within stopTimeoutSec; `--force`: SIGKILL at
 * once). A target that is not running is not an error; stale socket files it left are removed.
 *
 * Exit 0: stopped or not running. 1: it would not stop. 2: bad config or unknown target name.
 */
import type { Command } from 'commander';
import { errorMessage } from '../../util/errors.js';
import type { StopOutcome } from '../../spdk/lifecycle/stop-procedure.js';
import {
  CliFailure,
  EXIT_FAILED,
  EXIT_OK,
  cliManager,
  findTarget,
  loadCliConfig,
 
  quietLogging,
  runCliCommand,
  exitWith,
} from '../targets.js';
import type { CliIo } from '../io.js';

export interface StopCommandOptions {
  config?: string;
  force?: boolean;
}

export async function stop(name: string, options: StopCommandOptions, io: CliIo): Promise<number> {
  return runCliCommand(io, async () => {
    quietLogging();
    const { config } = await loadCliConfig(options.config, io);
    const manager = cliManager(config);
    const supervisor = findTarget(manager, name);
    let outcome: StopOutcome;
    try {
      outcome = await supervisor.stop({ force: options.force === true });
    } catch (err) {
      throw new CliFailure(errorMessage(err), EXIT_FAILED);
    } finally {
      await supervisor.detach();
    }
    const removed = outcome.removedFiles.length > 0 ? `; removed stale ${outcome.removedFiles.join(', ')}` : '';
    if (outcome.method === 'already-gone') io.stdout.write(`${name}: not running${removed}\n`);
    else io.stdout.write(`${name}: stopped (${outcome.sent.join(', then ')})${removed}\n`);
    return EXIT_OK;
  });
}

export function register(program: Command, io: CliIo): void {
  program
    .command('stop')
    .description('Stop a configured target (spdk_kill_instance, then SIGTERM, then SIGKILL).')
    .argument('<name>', 'the target name, as in the configuration')
    .option('-c, --config <file>', 'agent configuration file (default: $SPDK_AGENT_CONFIG, then /etc/spdk-agent/agent.yaml)')
    .option('-f, --force', 'send SIGKILL at once')
    .action(async (name: string, opts: { config?: string; force?: boolean }) => {
      exitWith(await stop(name, { ...(opts.config !== undefined ? { config: opts.config } : {}), force: opts.force === true }, io));
    });
}
