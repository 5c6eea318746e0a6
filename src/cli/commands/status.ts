/**
 * `spdk-agent status [--config FILE] [--json]`: each configured target's state as seen from here
 * and now (running, unresponsive, stopped), its pid and socket. Acts on the targets directly, no
 * daemon needed; changes nothing.
 */
import type { Command } from 'commander';
import { renderTargets, toJsonText } from '../output.js';
import { EXIT_OK, cliManager, exitWith, loadCliConfig, observed, quietLogging, runCliCommand, type ObservedStatus } from '../targets.js';
import type { CliIo } from '../io.js';

export interface StatusOptions {
  config?: string;
  json?: boolean;
}

export async function status(options: StatusOptions, io: CliIo): Promise<number> {
  return runCliCommand(io, async () => {
    quietLogging();
    const { config } = await loadCliConfig(options.config, io);
    const manager = cliManager(config);
    let targets: Array<ObservedStatus & { enabled: boolean; disabledReason?: string }>;
    try {
      targets = await Promise.all(
        manager.all().map(async (supervisor) => {
          const spec = supervisor.spec;
          const enabled = spec.enabled !== false;
          const current = enabled ? await supervisor.attach() : supervisor.status();
          return { ...observed(current), enabled, ...(spec.disabledReason !== undefined ? { disabledReason: spec.disabledReason } : {}) };
        }),
      );
    } finally {
      await Promise.all(manager.all().map((s) => s.detach()));
    }
    if (options.json) {
      io.stdout.write(toJsonText({ targets }));
    } else {
      io.stdout.write(renderTargets(targets, new Map(targets.filter((t) => !t.enabled).map((t) => [t.name, t.disabledReason ?? 'disabled']))));
    }
    return EXIT_OK;
  });
}

export function register(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('Show the state, pid and socket of each configured target.')
    .option('-c, --config <file>', 'agent configuration file (default: $SPDK_AGENT_CONFIG, then /etc/spdk-agent/agent.yaml)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { config?: string; json?: boolean }) => {
      exitWith(await status({ ...(opts.config !== undefined ? { config: opts.config } : {}), json: opts.json === true }, io));
    });
}
