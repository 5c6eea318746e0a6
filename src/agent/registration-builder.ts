/**
 * What a registration (`report_data`) tells the conductor: the device list, from what each target
 * looks like now, and the call's arguments (`reportDataArguments`).
 *
 * A target that is read (running, inventory in hand) contributes its devices as they are. A target
 * that is only briefly away — crashed and about to be restarted, starting, not answering, or whose
 * inventory could not be read this time — contributes the devices it had when last read, with
 * `stub: true`: the conductor then leaves them as they are, instead of deleting their Placement
 * providers (and the allocations on them) only to create them again seconds later. A target that
 * is stopped, failed or disabled contributes nothing: its devices are gone.
 */
import { createHash } from 'node:crypto';
import type { SpdkApp } from '../config/types.js';
import type { TargetInventory } from '../spdk/inventory.js';
import type { TargetState } from '../spdk/lifecycle/types.js';
import { devicePrimitive, type CyborgPrimitive, type DriverDevice } from './cyborg-objects.js';
import { exportKeyTarget, mapTargets, type MappedDevice, type MappingOptions } from './inventory-mapping.js';

export interface TargetSnapshot {
  name: string;
  app: SpdkApp;
  state: TargetState;
  version?: string;
  /** Null when the target was not read (not running) or could not be read (`inventoryError`). */
  inventory: TargetInventory | null;
  inventoryError?: string;
}

export interface BuiltRegistration {
  /** What report_data carries, in BDF order. */
  devices: DriverDevice[];
  /** Which target each device comes from (same order as `devices`). */
  sources: Array<{ target: string; bdf: string; stub: boolean }>;
  /** A digest of the devices: equal for byte-equal reports. */
  fingerprint: string;
  /** Targets whose last known devices were sent as stubs. */
  stubbedTargets: string[];
  notes: string[];
}

/** States from which a target is expected back on its own (or is there but unreadable). */
const AWAY_FOR_NOW: ReadonlySet<TargetState> = new Set<TargetState>(['starting', 'restarting', 'crashed', 'unresponsive', 'running']);

/** The keyword arguments of Cyborg's `ConductorAPI.report_data(context, hostname, driver_device_list)`. */
export interface ReportDataArguments extends Record<string, unknown> {
  hostname: string;
  driver_device_list: CyborgPrimitive[];
}

/** The `report_data` arguments, built here and nowhere else: the hostname and each device as an oslo versioned-object primitive. */
export function reportDataArguments(hostname: string, devices: readonly DriverDevice[]): ReportDataArguments {
  return { hostname, driver_device_list: devices.map(devicePrimitive) };
}

export class RegistrationBuilder {
  private readonly lastKnown = new Map<string, MappedDevice[]>();
  /** The drive each export was given to in the last report (inventory-mapping.ts, `drives`). */
  private drives = new Map<string, string>();

  constructor(private readonly options: MappingOptions) {}

  build(snapshots: readonly TargetSnapshot[]): BuiltRegistration {
    const readable = snapshots.filter((s): s is TargetSnapshot & { inventory: TargetInventory } => s.inventory !== null);
    const mapped = mapTargets(
      readable.map((s) => ({ name: s.name, app: s.app, inventory: s.inventory, ...(s.version !== undefined ? { version: s.version } : {}) })),
      this.options,
      this.drives,
    );
    // Exports of targets away for now keep their drives for when they are read again.
    const away = new Set(snapshots.filter((s) => s.inventory === null && AWAY_FOR_NOW.has(s.state)).map((s) => s.name));
    for (const [key, bdf] of this.drives) if (away.has(exportKeyTarget(key)) && !mapped.drives.has(key)) mapped.drives.set(key, bdf);
    this.drives = mapped.drives;
    for (const snapshot of readable)
      this.lastKnown.set(
        snapshot.name,
        mapped.devices.filter((d) => d.target === snapshot.name),
      );

    const entries = mapped.devices.map((d) => ({ ...d, stub: false }));
    const present = new Set(entries.map((e) => e.bdf));
    const stubbedTargets: string[] = [];
    for (const snapshot of snapshots) {
      if (snapshot.inventory !== null) continue;
      if (!AWAY_FOR_NOW.has(snapshot.state)) {
        this.lastKnown.delete(snapshot.name);
        continue;
      }
      const known = (this.lastKnown.get(snapshot.name) ?? []).filter((d) => !present.has(d.bdf));
      if (known.length === 0) continue;
      stubbedTargets.push(snapshot.name);
      for (const d of known) {
        entries.push({ ...d, device: { ...d.device, stub: true }, stub: true });
        present.add(d.bdf);
      }
    }
    // Targets no longer configured are forgotten.
    const names = new Set(snapshots.map((s) => s.name));
    for (const name of [...this.lastKnown.keys()]) if (!names.has(name)) this.lastKnown.delete(name);

    entries.sort((a, b) => (a.bdf < b.bdf ? -1 : a.bdf > b.bdf ? 1 : 0));
    const devices = entries.map((e) => e.device);
    return {
      devices,
      sources: entries.map((e) => ({ target: e.target, bdf: e.bdf, stub: e.stub })),
      fingerprint: fingerprintOf(devices),
      stubbedTargets,
      notes: mapped.notes,
    };
  }
}

export function fingerprintOf(devices: readonly DriverDevice[]): string {
  return createHash('sha256')
    .update(JSON.stringify(devices.map(devicePrimitive)))
    .digest('hex');
}
