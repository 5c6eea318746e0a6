/**
 * One target as the agent's `report` and `start`/`stop` methods return it: its lifecycle status
 * and, when it runs, its inventory, with snake_case keys (the callers are Python, and the SPDK
 * parts are SPDK's own snake_case already). Big counters stay `bigint`: the bus writes them as
 * exact integer literals, which Python's json reads exactly.
 */
import type { TargetStatus } from '../spdk/lifecycle/types.js';
import type { TargetInventory } from '../spdk/inventory.js';

export interface TargetStatusView {
  name: string;
  app: string;
  state: string;
  enabled: boolean;
  disabled_reason: string | null;
  /** Socket path or `host:port`. */
  socket: string;
  ownership: 'spawned' | 'adopted' | null;
  pid: number | null;
  version: string | null;
  since: string;
  /** Why the target is in its state: every state, running or not, says why. */
  state_reason: string;
  restarts: number;
  last_exit: { exit_code: number | null; signal: string | null; at: string } | null;
  last_error: string | null;
}

export interface TargetView extends TargetStatusView {
  /** Null when the target is not running or could not be read (`inventory_error`). */
  inventory: Record<string, unknown> | null;
  inventory_error: string | null;
}

export function statusView(status: TargetStatus, spec: { enabled?: boolean; disabledReason?: string }): TargetStatusView {
  return {
    name: status.name,
    app: status.app,
    state: status.state,
    enabled: spec.enabled !== false,
    disabled_reason: spec.disabledReason ?? null,
    socket: status.address,
    ownership: status.ownership ?? null,
    pid: status.pid ?? null,
    version: status.version ?? null,
    since: status.since,
    state_reason: status.reason,
    restarts: status.restarts,
    last_exit: status.lastExit ? { exit_code: status.lastExit.exitCode ?? null, signal: status.lastExit.signal ?? null, at: status.lastExit.at } : null,
    last_error: status.lastError ?? null,
  };
}

/** The inventory with snake_case section names; sections an app does not have are left out. */
export function inventoryView(inventory: TargetInventory): Record<string, unknown> {
  const view: Record<string, unknown> = {
    version: inventory.version?.reported?.text ?? (inventory.version ? `v${inventory.version.min}–v${inventory.version.max} (inferred)` : null),
    app: inventory.app,
    bdevs: inventory.bdevs,
    nvme_controllers: inventory.nvmeControllers,
  };
  if (inventory.nvmf) view.nvmf = { transports: inventory.nvmf.transports, subsystems: inventory.nvmf.subsystems };
  if (inventory.vhost) view.vhost_controllers = inventory.vhost.controllers;
  if (inventory.iscsi) view.iscsi = { target_nodes: inventory.iscsi.targetNodes, portal_groups: inventory.iscsi.portalGroups };
  if (inventory.scsiDevices !== undefined) view.scsi_devices = inventory.scsiDevices;
  if (inventory.stats) view.stats = { iostat: inventory.stats.iostat, ...(inventory.stats.nvmf !== undefined ? { nvmf: inventory.stats.nvmf } : {}) };
  view.unreadable_sections = inventory.errors.map((e) => ({ section: e.section, error: e.error.message }));
  return view;
}
