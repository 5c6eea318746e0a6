/**
 * `spdk-agent discover [--config FILE] [--json]`: what SPDK is installed (where, which version),
 * what runs (each configured target's state, pid, socket) and the inventory of each running target
 * (bdevs, NVMe controllers with their PCI addresses, NVMe-oF subsystems, vhost controllers, iSCSI
 * nodes). Needs no broker and no daemon; changes nothing.
 *
 * Exit 0 whenever it could look, even with SPDK absent or a target unreachable (those are answers);
 * 2 on a bad config.
 */
import { errorMessage } from '../../util/errors.js';
import { collectInventory, type TargetInventory } from '../../spdk/inventory.js';
import type { TargetSupervisor } from '../../spdk/lifecycle/supervisor.js';
import { renderInstallation, renderInventory, renderTargets, toJsonText } from '../output.js';
import { EXIT_OK, observed, type ObservedStatus } from '../targets.js';
import { disabledReasons, observeAll, runWithTargets, type Enablement } from '../target-session.js';
import type { TargetCommandOptions } from '../config-sources.js';
import type { CliIo } from '../io.js';

export interface DiscoverOptions extends TargetCommandOptions {
  json?: boolean;
  /** Deadline for one target's inventory. */
  timeoutSec?: number;
}

export interface DiscoveredTarget extends ObservedStatus, Enablement {
  /** Null when the target is not running, disabled, or its inventory failed (see `inventoryError`). */
  inventory: TargetInventory | null;
  inventoryError?: { code?: string; message: string };
}

export async function discover(options: DiscoverOptions, io: CliIo): Promise<number> {
  return runWithTargets(io, options, async (manager) => {
    const installation = await manager.installation();
    const timeoutMs = (options.timeoutSec ?? 10) * 1000;
    const targets = await observeAll(manager, (supervisor, enablement) => discoverTarget(supervisor, enablement, timeoutMs));

    if (options.json) {
      io.stdout.write(toJsonText({ installation, targets }));
      return EXIT_OK;
    }
    let text = `${renderInstallation(installation)}\n${renderTargets(targets, disabledReasons(targets))}`;
    for (const target of targets) {
      if (target.inventory) text += `\n${renderInventory(target.name, target.inventory)}`;
      else if (target.inventoryError) text += `\n${target.name}: inventory unreadable: ${target.inventoryError.message}\n`;
    }
    io.stdout.write(text);
    return EXIT_OK;
  });
}

async function discoverTarget(supervisor: TargetSupervisor, enablement: Enablement, timeoutMs: number): Promise<DiscoveredTarget> {
  if (!enablement.enabled) return { ...observed(supervisor.status()), ...enablement, inventory: null };
  const status = await supervisor.attach().catch(() => supervisor.status());
  if (status.state !== 'running') return { ...observed(status), ...enablement, inventory: null };
  try {
    const inventory = await collectInventory(supervisor.caller, { timeoutMs });
    return { ...observed(supervisor.status()), ...enablement, inventory };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      ...observed(supervisor.status()),
      ...enablement,
      inventory: null,
      inventoryError: { ...(typeof code === 'string' ? { code } : {}), message: errorMessage(err) },
    };
  }
}
