/**
 * `spdk-agent status [--config FILE] [--json]`: each configured target's state as seen from here
 * and now (running, unresponsive, stopped), its pid and socket. Acts on the targets directly, no
 * daemon needed; changes nothing.
 */
import type { Command } from 'commander';
import { renderTargets, toJsonText } from '../output.js';
import { EXIT_OK, exitWith, observed } from '../targets.js';
import { configOption, disabledReasons, observeAll, runWithTargets, targetCommand, type TargetCommandOptions } from '../target-session.js';
import type { CliIo } from '../io.js';

export interface StatusOptions extends TargetCommandOptions {
  json?: boolean;
}

export async function status(options: StatusOptions, io: CliIo): Promise<number> {
  return runWithTargets(io, options, async (manager) => {
    const targets = await observeAll(manager, async (supervisor, enablement) => {
      const current = enablement.enabled ? await supervisor.attach() : supervisor.status();
      return { ...observed(current), ...enablement };
    });
    if (options.json) {
      io.stdout.write(toJsonText({ targets }));
    } else {
      io.stdout.write(renderTargets(targets, disabledReasons(targets)));
    }
    return EXIT_OK;
  });
}

export function register(program: Command, io: CliIo): void {
  targetCommand(program, 'status', 'Show the state, pid and socket of each configured target.')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: StatusOptions) => {
      exitWith(await status({ ...configOption(opts), json: opts.json === true }, io));
    });
}
