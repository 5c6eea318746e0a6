/**
 * `spdk-agent discover [--config FILE] [--json]`: what SPDK is installed (where, which version),
 * what runs (each configured target's state, pid, socket) and the inventory of each running target
 * (bdevs, NVMe controllers with their PCI addresses, NVMe-oF subsystems, vhost controllers, iSCSI
 * nodes). Needs no broker and no daemon; changes nothing.
 *
 * Exit 0 whenever it could look, even with SPDK absent or a target unreachable (those are answers);
 * 2 on a bad config.
 */
import type { Command } from 'commander';
import { errorMessage } from '../../util/errors.js';
import { collectInventory, type TargetInventory } from '../../spdk/inventory.js';
import type { TargetSupervisor } from '../../spdk/lifecycle/supervisor.js';
import { renderInstallation, renderInventory, renderTargets, toJsonText } from '../output.js';
import { EXIT_OK, cliManager, exitWith, loadCliConfig, observed, quietLogging, runCliCommand, type ObservedStatus } from '../targets.js';
import type { CliIo } from '../io.js';

export interface DiscoverOptions {
  config?: string;
  json?: boolean;
  /** Deadline for one target's inventory. */
  timeoutSec?: number;
}

export interface DiscoveredTarget extends ObservedStatus {
  enabled: boolean;
  disabledReason?: string;
  /** Null when the target is not running, disabled, or its inventory failed (see `inventoryError`). */
  inventory: TargetInventory | null;
  inventoryError?: { code?: string; message: string };
}

export async function discover(options: DiscoverOptions, io: CliIo): Promise<number> {
  return runCliCommand(io, async () => {
    quietLogging();
    const { config } = await loadCliConfig(options.config, io);
    const manager = cliManager(config);
    const installation = await manager.installation();
    const timeoutMs = (options.timeoutSec ?? 10) * 1000;
    let targets: DiscoveredTarget[];
    try {
      targets = await Promise.all(manager.all().map((supervisor) => discoverTarget(supervisor, timeoutMs)));
    } finally {
      await Promise.all(manager.all().map((s) => s.detach()));
    }

    if (options.json) {
      io.stdout.write(toJsonText({ installation, targets }));
      return EXIT_OK;
    }
    const disabled = new Map(targets.filter((t) => !t.enabled).map((t) => [t.name, t.disabledReason ?? 'disabled']));
    let text = `${renderInstallation(installation)}\n${renderTargets(targets, disabled)}`;
    for (const target of targets) {
      if (target.inventory) text += `\n${renderInventory(target.name, target.inventory)}`;
      else if (target.inventoryError) text += `\n${target.name}: inventory unreadable: ${target.inventoryError.message}\n`;
    }
    io.stdout.write(text);
    return EXIT_OK;
  });
}

async function discoverTarget(supervisor: TargetSupervisor, timeoutMs: number): Promise<DiscoveredTarget> {
  const spec = supervisor.spec;
  const enabled = spec.enabled !== false;
  const base = { enabled, ...(spec.disabledReason !== undefined ? { disabledReason: spec.disabledReason } : {}) };
  if (!enabled) return { ...observed(supervisor.status()), ...base, inventory: null };
  const status = await supervisor.attach();
  if (status.state !== 'running') return { ...observed(status), ...base, inventory: null };
  try {
    const inventory = await collectInventory(supervisor.caller, { timeoutMs });
    return { ...observed(supervisor.status()), ...base, inventory };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      ...observed(supervisor.status()),
      ...base,
      inventory: null,
      inventoryError: { ...(typeof code === 'string' ? { code } : {}), message: errorMessage(err) },
    };
  }
}

export function register(program: Command, io: CliIo): void {
  program
    .command('discover')
    .description('Show the SPDK installation, the configured targets and the inventory of each running one.')
    .option('-c, --config <file>', 'agent configuration file (default: $SPDK_AGENT_CONFIG, then /etc/spdk-agent/agent.yaml)')
    .option('--json', 'print JSON (exact big integers) instead of tables')
    .action(async (opts: { config?: string; json?: boolean }) => {
      exitWith(await discover({ ...(opts.config !== undefined ? { config: opts.config } : {}), json: opts.json === true }, io));
    });
}
