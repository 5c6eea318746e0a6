/**
 * `spdk-agent stop NAME [--force] [--config FILE]`: stops one configured target, whoever started it
 * (spdk_kill_instance, then SIGTERM, then SIGKILL within stopTimeoutSec; `--force`: SIGKILL at
 * once). A target that is not running is not an error; stale socket files it left are removed.
 *
 * Exit 0: stopped or not running. 1: it would not stop. 2: bad config or unknown target name.
 */
import { EXIT_OK } from '../targets.js';
import { toJsonText } from '../output.js';
import { operate, runWithTarget } from '../target-session.js';
import type { TargetCommandOptions } from '../config-sources.js';
import type { CliIo } from '../io.js';

export interface StopCommandOptions extends TargetCommandOptions {
  force?: boolean;
  /** Print the outcome as JSON on stdout. */
  json?: boolean;
}

export async function stop(name: string, options: StopCommandOptions, io: CliIo): Promise<number> {
  return runWithTarget(io, name, options, async (supervisor) => {
    const outcome = await operate(supervisor, () => supervisor.stop({ force: options.force === true }));
    if (options.json) {
      io.stdout.write(
        toJsonText({ ok: true, target: name, wasRunning: outcome.method !== 'already-gone', signalsSent: outcome.sent, removedFiles: outcome.removedFiles }),
      );
      return EXIT_OK;
    }
    const removed = outcome.removedFiles.length > 0 ? `; removed stale ${outcome.removedFiles.join(', ')}` : '';
    if (outcome.method === 'already-gone') io.stdout.write(`${name}: not running${removed}\n`);
    else io.stdout.write(`${name}: stopped (${outcome.sent.join(', then ')})${removed}\n`);
    return EXIT_OK;
  });
}
