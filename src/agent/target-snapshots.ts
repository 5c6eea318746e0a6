/**
 * What one configured target looks like now: its lifecycle status and, when it runs, its
 * inventory, read within its own deadline (snapshot-store.ts reads all targets at once and shares
 * the reads).
 */
import { errorMessage } from '../util/errors.js';
import { collectInventory, type TargetInventory } from '../spdk/inventory.js';
import type { RpcCaller } from '../spdk/rpc/types.js';
import type { TargetSpec, TargetStatus } from '../spdk/lifecycle/types.js';
import type { TargetSnapshot } from './registration-builder.js';

/** The part of a `TargetSupervisor` read here. */
export interface SnapshotSource {
  readonly spec: Pick<TargetSpec, 'name' | 'app' | 'enabled' | 'rpcTimeoutSec'>;
  status(): TargetStatus;
  readonly caller: RpcCaller;
}

export interface SnapshotOptions {
  /** Also read the I/O statistics (for the `report` method; never for report_data). */
  stats?: boolean;
  /** Upper bound for one target's inventory; the target's own rpcTimeoutSec when lower. */
  timeoutMs: number;
}

export interface DetailedSnapshot extends TargetSnapshot {
  status: TargetStatus;
}

export async function snapshotOf(source: SnapshotSource, options: SnapshotOptions): Promise<DetailedSnapshot> {
  const status = source.status();
  const base = {
    name: source.spec.name,
    app: source.spec.app,
    state: status.state,
    status,
    ...(status.version !== undefined ? { version: status.version } : {}),
  };
  if (status.state !== 'running') return { ...base, inventory: null };
  const ownLimit = (source.spec.rpcTimeoutSec ?? Infinity) * 1000;
  let inventory: TargetInventory;
  try {
    inventory = await collectInventory(source.caller, { timeoutMs: Math.min(options.timeoutMs, ownLimit), stats: options.stats === true });
  } catch (err) {
    return { ...base, inventory: null, inventoryError: errorMessage(err) };
  }
  // The state may have moved on while reading; the inventory read is still what the target had.
  return { ...base, inventory };
}
