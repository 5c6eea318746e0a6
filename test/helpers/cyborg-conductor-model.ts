/**
 * What Cyborg's conductor (Zed, `cyborg/conductor/manager.py` at tag 8.0.0, and the Placement
 * client it calls, `cyborg/common/placement_client.py`) does with a `report_data`, modelled from
 * reading that code, so a sequence of the agent's reports can be checked for what it leaves in the
 * conductor's database and in Placement. Written here, not copied: the same diff order (devices
 * deleted, added, then the same ones; deployables by name; attributes by key; attach handles by
 * attach_info), the same Placement calls, and Placement's own rules where they bite (provider names
 * unique, a provider with allocations cannot be deleted, inventory totals of at least 1, trait and
 * resource class names `CUSTOM_[A-Z0-9_]+`). A failure is thrown out of `reportData` as the
 * conductor's would be (after whatever it had already changed), or logged and swallowed where the
 * conductor swallows it (a trait still in use elsewhere cannot be deleted: 409).
 *
 * `problems()` lists every way the database and Placement disagree: what a report sequence must
 * never leave behind.
 */
import { createHash } from 'node:crypto';
import type { DriverDeployable, DriverDevice } from '../../src/agent/cyborg-objects.js';

const CUSTOM_NAME = /^CUSTOM_[A-Z0-9_]+$/;
const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** Python's `str(uuid.uuid3(uuid.NAMESPACE_DNS, name))`. */
export function uuid3(name: string): string {
  const hash = createHash('md5')
    .update(Buffer.from(NAMESPACE_DNS.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x30;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class PlacementError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`Placement ${status}: ${message}`);
  }
}

interface Provider {
  uuid: string;
  name: string;
  parent: string | null;
  inventory: Map<string, number>;
  traits: Set<string>;
  /** Units allocated to instances, by resource class. */
  allocations: Map<string, number>;
  /** Bumped on every change: a report that deletes and re-creates a provider shows up here. */
  createdAt: number;
}

export class PlacementModel {
  readonly providers = new Map<string, Provider>();
  readonly traits = new Set<string>();
  readonly resourceClasses = new Set<string>();
  readonly swallowed: string[] = [];
  private creations = 0;

  addRoot(name: string): string {
    const uuid = uuid3(`root:${name}`);
    this.providers.set(uuid, { uuid, name, parent: null, inventory: new Map(), traits: new Set(), allocations: new Map(), createdAt: ++this.creations });
    return uuid;
  }

  rootNamed(name: string): string {
    for (const p of this.providers.values()) if (p.name === name && p.parent === null) return p.uuid;
    throw new PlacementError(404, `PlacementResourceProviderNotFound: ${name}`);
  }

  ensureProvider(uuid: string, name: string, parent: string): string {
    if (this.providers.has(uuid)) return uuid;
    for (const p of this.providers.values())
      if (p.name === name) throw new PlacementError(409, `ResourceProviderCreationFailed: the name ${name} is taken by ${p.uuid}`);
    if (!this.providers.has(parent)) throw new PlacementError(400, `ResourceProviderCreationFailed: no parent ${parent}`);
    this.providers.set(uuid, { uuid, name, parent, inventory: new Map(), traits: new Set(), allocations: new Map(), createdAt: ++this.creations });
    return uuid;
  }

  ensureResourceClass(name: string): void {
    if (!CUSTOM_NAME.test(name) || name.length > 255) throw new PlacementError(400, `InvalidResourceClass: ${name}`);
    this.resourceClasses.add(name);
  }

  updateInventory(uuid: string, resourceClass: string, total: number): void {
    const p = this.get(uuid);
    if (!Number.isInteger(total) || total < 1) throw new PlacementError(400, `inventory of ${p.name}: total ${total} is less than the minimum of 1`);
    if (!this.resourceClasses.has(resourceClass)) throw new PlacementError(400, `unknown resource class ${resourceClass}`);
    for (const [rc, used] of p.allocations) {
      if (used > 0 && (rc !== resourceClass || used > total)) throw new PlacementError(409, `InventoryInUse: ${p.name} has ${used} ${rc} allocated`);
    }
    p.inventory = new Map([[resourceClass, total]]);
  }

  addTraits(uuid: string, names: string[]): void {
    for (const name of names) {
      if (!CUSTOM_NAME.test(name) || name.length > 255) throw new PlacementError(400, `Failed to create trait ${name}`);
      this.traits.add(name);
    }
    const p = this.get(uuid);
    for (const name of names) p.traits.add(name);
  }

  /** `delete_trait_by_name`: off the provider, then deleted everywhere (409 if in use: logged, swallowed). */
  deleteTrait(uuid: string, name: string): void {
    this.get(uuid).traits.delete(name);
    const users = [...this.providers.values()].filter((p) => p.traits.has(name));
    if (users.length > 0) this.swallowed.push(`409 deleting trait ${name}: used by ${users.map((p) => p.name).join(', ')}`);
    else this.traits.delete(name);
  }

  /** `_delete_provider_and_sub_providers`. */
  deleteProvider(uuid: string): void {
    const p = this.providers.get(uuid);
    if (!p) return; // 404 is fine
    for (const [rc, used] of p.allocations) if (used > 0) throw new PlacementError(409, `ResourceProviderInUse: ${p.name} has ${used} ${rc} allocated`);
    for (const child of [...this.providers.values()].filter((c) => c.parent === uuid)) this.deleteProvider(child.uuid);
    this.providers.delete(uuid);
  }

  /** An instance takes one unit of the provider's resource class (as Nova's scheduler would). */
  allocate(uuid: string): void {
    const p = this.get(uuid);
    const [rc, total] = [...p.inventory][0] ?? [];
    if (rc === undefined || (p.allocations.get(rc) ?? 0) >= total!) throw new PlacementError(409, `nothing left on ${p.name}`);
    p.allocations.set(rc, (p.allocations.get(rc) ?? 0) + 1);
  }

  get(uuid: string): Provider {
    const p = this.providers.get(uuid);
    if (!p) throw new PlacementError(404, `PlacementResourceProviderNotFound: ${uuid}`);
    return p;
  }
}

interface DbDeployable {
  name: string;
  numAccelerators: number;
  attributes: Map<string, string>;
  handles: Map<string, string>;
}

interface DbDevice {
  cpidInfo: string;
  fields: Pick<DriverDevice, 'vendor' | 'model' | 'type' | 'std_board_info' | 'vendor_board_info'>;
  deployables: Map<string, DbDeployable>;
}

export class ConductorModel {
  /** host → cpid_info → device. */
  readonly db = new Map<string, Map<string, DbDevice>>();
  readonly placement = new PlacementModel();

  constructor(hosts: string[]) {
    for (const host of hosts) {
      this.placement.addRoot(host);
      this.db.set(host, new Map());
    }
  }

  /** `report_data(context, hostname, driver_device_list)`; throws what the conductor would raise. */
  reportData(host: string, reported: readonly DriverDevice[]): void {
    const devices = this.db.get(host) ?? new Map<string, DbDevice>();
    this.db.set(host, devices);
    const stubCpids = new Set(reported.filter((d) => d.stub).map((d) => d.controlpath_id.cpid_info));
    const newCpids = reported.map((d) => d.controlpath_id.cpid_info);
    const oldCpids = [...devices.keys()];
    const same = new Set(newCpids.filter((c) => oldCpids.includes(c) && !stubCpids.has(c)));
    const added = new Set(newCpids.filter((c) => !same.has(c) && !stubCpids.has(c)));
    const deleted = new Set(oldCpids.filter((c) => !same.has(c) && !stubCpids.has(c)));
    const hostRp = this.placement.rootNamed(host);
    for (const cpid of deleted) {
      const old = devices.get(cpid)!;
      for (const dep of old.deployables.values()) this.placement.deleteProvider(uuid3(dep.name));
      devices.delete(cpid);
    }
    for (const cpid of added) {
      const fresh = reported[newCpids.indexOf(cpid)]!;
      const record: DbDevice = { cpidInfo: cpid, fields: fieldsOf(fresh), deployables: new Map() };
      for (const dep of fresh.deployable_list) record.deployables.set(dep.name, dbDeployable(dep));
      devices.set(cpid, record);
      try {
        for (const dep of fresh.deployable_list) this.reportDeployable(dep, hostRp);
      } catch {
        // "Failed to add device": the device and its providers are removed again.
        devices.delete(cpid);
        for (const dep of fresh.deployable_list) this.placement.deleteProvider(uuid3(dep.name));
      }
    }
    for (const cpid of same) {
      const fresh = reported[newCpids.indexOf(cpid)]!;
      const record = devices.get(cpid)!;
      record.fields = fieldsOf(fresh);
      this.diffDeployables(record, fresh.deployable_list, hostRp);
    }
  }

  private findDeployableByName(name: string): DbDeployable {
    const found = [...this.db.values()].flatMap((devices) => [...devices.values()]).flatMap((d) => (d.deployables.has(name) ? [d.deployables.get(name)!] : []));
    if (found.length !== 1) throw new Error(`Deployable.get_by_name(${name}): ${found.length} rows`);
    return found[0]!;
  }

  /** `get_placement_needed_info_and_report`. */
  private reportDeployable(dep: DriverDeployable, hostRp: string): void {
    const rc = dep.attribute_list.find((a) => a.key === 'rc')?.value;
    if (rc === undefined) throw new Error(`IndexError: deployable ${dep.name} has no rc attribute`);
    const traits = dep.attribute_list.filter((a) => a.key.startsWith('trait')).map((a) => a.value);
    this.placement.ensureResourceClass(rc);
    const rp = this.placement.ensureProvider(uuid3(dep.name), dep.name, hostRp);
    this.placement.updateInventory(rp, rc, dep.num_accelerators);
    this.placement.addTraits(rp, traits);
    this.findDeployableByName(dep.name);
  }

  private diffDeployables(device: DbDevice, fresh: readonly DriverDeployable[], hostRp: string): void {
    const newNames = fresh.map((d) => d.name);
    const oldNames = [...device.deployables.keys()];
    const same = newNames.filter((n) => oldNames.includes(n));
    for (const name of oldNames.filter((n) => !same.includes(n))) {
      device.deployables.delete(name);
      this.placement.deleteProvider(uuid3(name));
    }
    for (const name of new Set(newNames.filter((n) => !same.includes(n)))) {
      const dep = fresh[newNames.indexOf(name)]!;
      device.deployables.set(name, dbDeployable(dep));
      try {
        this.reportDeployable(dep, hostRp);
      } catch {
        device.deployables.delete(name);
        this.placement.deleteProvider(uuid3(name));
      }
    }
    for (const name of new Set(same)) {
      const dep = fresh[newNames.indexOf(name)]!;
      const record = device.deployables.get(name)!;
      const rp = uuid3(name);
      if (record.numAccelerators !== dep.num_accelerators) {
        record.numAccelerators = dep.num_accelerators;
        const rc = dep.attribute_list.filter((a) => a.key === 'rc')[0];
        if (!rc) throw new Error(`IndexError: deployable ${name} has no rc attribute`);
        this.placement.updateInventory(rp, rc.value, record.numAccelerators);
      }
      this.diffAttributes(record, dep, rp);
      const newInfos = dep.attach_handle_list.map((h) => h.attach_info);
      for (const info of [...record.handles.keys()]) if (!newInfos.includes(info)) record.handles.delete(info);
      for (const h of dep.attach_handle_list) record.handles.set(h.attach_info, h.attach_type);
    }
  }

  private diffAttributes(record: DbDeployable, dep: DriverDeployable, rp: string): void {
    this.findDeployableByName(record.name);
    const fresh = new Map<string, string>();
    for (const a of dep.attribute_list) if (!fresh.has(a.key)) fresh.set(a.key, a.value);
    const oldKeys = [...record.attributes.keys()];
    for (const key of oldKeys.filter((k) => !fresh.has(k))) {
      this.placement.deleteTrait(rp, record.attributes.get(key)!);
      record.attributes.delete(key);
    }
    for (const [key, value] of fresh) {
      if (oldKeys.includes(key)) continue;
      record.attributes.set(key, value);
      this.placement.addTraits(rp, [value]);
    }
    for (const key of oldKeys.filter((k) => fresh.has(k))) {
      const before = record.attributes.get(key)!;
      const after = fresh.get(key)!;
      if (before === after) continue;
      record.attributes.set(key, after);
      if (key.startsWith('trait')) {
        this.placement.deleteTrait(rp, before);
        this.placement.addTraits(rp, [after]);
      }
      if (key.startsWith('rc')) {
        this.placement.ensureResourceClass(after);
        this.placement.updateInventory(rp, after, record.numAccelerators);
      }
    }
  }

  /** Every way the database and Placement disagree for `host` (empty: consistent). */
  problems(host: string): string[] {
    const out: string[] = [];
    const hostRp = this.placement.rootNamed(host);
    const expected = new Map<string, DbDeployable>();
    for (const device of this.db.get(host)?.values() ?? []) {
      for (const dep of device.deployables.values()) expected.set(uuid3(dep.name), dep);
    }
    for (const [uuid, dep] of expected) {
      const p = this.placement.providers.get(uuid);
      if (!p) {
        out.push(`deployable ${dep.name} has no resource provider`);
        continue;
      }
      if (p.parent !== hostRp) out.push(`${dep.name}: provider under ${p.parent}, not the host's`);
      if (p.name !== dep.name) out.push(`${dep.name}: provider named ${p.name}`);
      const rc = dep.attributes.get('rc');
      const inventory = [...p.inventory].map(([k, v]) => `${k}=${v}`).join(',');
      if (inventory !== `${rc}=${dep.numAccelerators}`) out.push(`${dep.name}: inventory ${inventory}, database ${rc}=${dep.numAccelerators}`);
      const traits = [...dep.attributes].filter(([k]) => k.startsWith('trait')).map(([, v]) => v);
      const have = [...p.traits].sort().join(' ');
      const want = [...new Set(traits)].sort().join(' ');
      if (have !== want) out.push(`${dep.name}: Placement traits [${have}], database [${want}]`);
    }
    for (const p of this.placement.providers.values()) {
      if (p.parent === hostRp && !expected.has(p.uuid)) out.push(`provider ${p.name} has no deployable`);
    }
    return out;
  }

  /** The deployables of `host` as the database holds them: name → trait values, sorted. */
  deployables(host: string): Map<string, { device: string; traits: string[]; attachInfos: string[] }> {
    const out = new Map<string, { device: string; traits: string[]; attachInfos: string[] }>();
    for (const device of this.db.get(host)?.values() ?? []) {
      for (const dep of device.deployables.values()) {
        out.set(dep.name, {
          device: device.cpidInfo,
          traits: [...dep.attributes]
            .filter(([k]) => k.startsWith('trait'))
            .map(([, v]) => v)
            .sort(),
          attachInfos: [...dep.handles.keys()],
        });
      }
    }
    return out;
  }
}

function fieldsOf(d: DriverDevice): DbDevice['fields'] {
  return { vendor: d.vendor, model: d.model, type: d.type, std_board_info: d.std_board_info, vendor_board_info: d.vendor_board_info };
}

function dbDeployable(dep: DriverDeployable): DbDeployable {
  const attributes = new Map<string, string>();
  for (const a of dep.attribute_list) attributes.set(a.key, a.value);
  return {
    name: dep.name,
    numAccelerators: dep.num_accelerators,
    attributes,
    handles: new Map(dep.attach_handle_list.map((h) => [h.attach_info, h.attach_type])),
  };
}
