/**
 * SPDK inventories → Cyborg `DriverDevice`s (docs/inventory-mapping.md gives the reasons).
 *
 * - one device (`SSD`, control path `PCI` + Cyborg's BDF text) per physical NVMe controller a
 *   target drives; targets without one contribute nothing (the conductor's database takes only
 *   `PCI` control paths);
 * - one deployable per export on it (NVMe-oF subsystem, vhost controller, iSCSI target node),
 *   named `<reported hostname>_<BDF>_<kind>_<export>`, one accelerator each (an export is attached
 *   to one instance at a time), resource class per kind, one `trait_<TRAIT>` attribute per trait;
 * - one `TEST_PCI` attach handle per deployable whose `attach_info` names the export.
 *
 * Pure and deterministic: the same inventories (and drives of the last mapping) give the same
 * bytes, so the conductor sees the same identities from one report to the next.
 */
import { createHash } from 'node:crypto';
import type { SpdkApp } from '../config/types.js';
import type { TargetInventory } from '../spdk/inventory.js';
import type { DriverAttachHandle, DriverAttribute, DriverDeployable, DriverDevice } from './cyborg-objects.js';
import { findExports, type ExportFacts, type ExportKind } from './exports.js';
import { customName, safeResourceName, vendorTrait } from './naming.js';
import { findControllers, type ControllerFacts } from './nvme-controllers.js';
import { pciStrToJson } from './pci-address.js';
import { pythonSortedJson } from './python-json.js';

export interface MappableTarget {
  /** The configured target name. */
  name: string;
  app: SpdkApp;
  /** `SPDK v24.01 git sha1 …` as the lifecycle knows it; else taken from the inventory. */
  version?: string;
  inventory: TargetInventory;
}

export interface MappingOptions {
  /** The `hostname` of report_data: first part of every deployable name. */
  reportedHostname: string;
  /** Cyborg's `device_type` from the config (informational, in `vendor_board_info`). */
  deviceType: string;
  /** Whether the exports may be used from other hosts (adds `CUSTOM_SPDK_REMOTEABLE` to network exports). */
  remoteable: boolean;
}

export interface MappedDevice {
  /** The target that drives the controller. */
  target: string;
  bdf: string;
  device: DriverDevice;
}

export interface MappingResult {
  /** In BDF order. */
  devices: MappedDevice[];
  /** The drive each export was given to, by `exportKey`: the next mapping's `previousDrives`. */
  drives: Map<string, string>;
  /** What was read but could not be used (for a log line; no effect on the report). */
  notes: string[];
}

export const DRIVER_NAME = 'SPDK';
/** What the PCI class of an NVMe controller is called (Cyborg's SSD drivers write this). */
const NVME_CONTROLLER_CLASS = 'Non-Volatile memory controller';
const UNKNOWN = 'unknown';
/** Cyborg's limit on `attach_info` (String(255)). */
const MAX_ATTACH_INFO = 255;

export const RESOURCE_CLASSES: Readonly<Record<ExportKind, string>> = {
  nvmf: 'CUSTOM_SPDK_NVMF',
  vhost_blk: 'CUSTOM_SPDK_VHOST_BLK',
  vhost_scsi: 'CUSTOM_SPDK_VHOST_SCSI',
  iscsi: 'CUSTOM_SPDK_ISCSI',
};

/** The kind as it appears in deployable names and attach handles. */
const KIND_LABELS: Readonly<Record<ExportKind, string>> = { nvmf: 'nvmf', vhost_blk: 'vhost-blk', vhost_scsi: 'vhost-scsi', iscsi: 'iscsi' };
/** The key naming the export inside `attach_info`. */
const ATTACH_KEYS: Readonly<Record<ExportKind, string>> = { nvmf: 'nqn', vhost_blk: 'ctrlr', vhost_scsi: 'ctrlr', iscsi: 'target' };

/** Identifies an export across reports: its target, kind and own name. */
export function exportKey(target: string, kind: ExportKind, id: string): string {
  return `${target}\u0000${kind}\u0000${id}`;
}

/** The target of an `exportKey`. */
export function exportKeyTarget(key: string): string {
  return key.slice(0, key.indexOf('\u0000'));
}

/**
 * `previousDrives` (the last mapping's `drives`) keeps an export over several drives on the drive
 * it was given before, while that drive still backs it (findExports says why).
 */
export function mapTargets(
  targets: readonly MappableTarget[],
  options: MappingOptions,
  previousDrives: ReadonlyMap<string, string> = new Map(),
): MappingResult {
  const notes: string[] = [];
  const drives = new Map<string, string>();
  const byBdf = new Map<string, { target: MappableTarget; controller: ControllerFacts; exports: ExportFacts[] }>();
  const ordered = [...targets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const target of ordered) {
    const found = findControllers(target.inventory);
    notes.push(...found.notes.map((note) => `${target.name}: ${note}`));
    const exports = findExports(target.inventory, found.backing, (kind, id) => previousDrives.get(exportKey(target.name, kind, id)));
    for (const controller of found.controllers.values()) {
      const owner = byBdf.get(controller.bdf);
      if (owner) {
        // One PCIe device is claimed by one SPDK process: two targets showing it are one target
        // configured twice (same socket). Report it once.
        notes.push(`${target.name}: controller ${controller.bdf} is also reported by ${owner.target.name}; reported once, under ${owner.target.name}`);
        continue;
      }
      const onThisDrive = exports.filter((e) => e.bdf === controller.bdf);
      for (const e of onThisDrive) drives.set(exportKey(target.name, e.kind, e.id), e.bdf);
      byBdf.set(controller.bdf, { target, controller, exports: onThisDrive });
    }
  }
  const devices = [...byBdf.values()]
    .sort((a, b) => (a.controller.bdf < b.controller.bdf ? -1 : 1))
    .map(({ target, controller, exports }) => ({
      target: target.name,
      bdf: controller.bdf,
      device: deviceFor(target, controller, exports, options),
    }));
  return { devices, drives, notes };
}

function deviceFor(target: MappableTarget, controller: ControllerFacts, exports: readonly ExportFacts[], options: MappingOptions): DriverDevice {
  const version = target.version ?? target.inventory.version?.reported?.text;
  const deployables = exports.map((e) => deployableFor(e, controller, options)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    vendor: controller.vendorId ?? UNKNOWN,
    model: (controller.model ?? UNKNOWN).slice(0, 255),
    type: 'SSD',
    std_board_info: pythonSortedJson({
      controller: NVME_CONTROLLER_CLASS,
      ...(controller.vendorId !== undefined ? { vendor_id: controller.vendorId } : {}),
      ...(controller.model !== undefined ? { model_number: controller.model } : {}),
      ...(controller.serial !== undefined ? { serial_number: controller.serial } : {}),
      ...(controller.firmware !== undefined ? { firmware_revision: controller.firmware } : {}),
      ...(controller.nvmeVersion !== undefined ? { nvme_version: controller.nvmeVersion } : {}),
    }),
    vendor_board_info: pythonSortedJson({
      device_type: options.deviceType,
      remoteable: options.remoteable,
      spdk_app: target.app,
      spdk_target: target.name,
      ...(version !== undefined ? { spdk_version: version } : {}),
    }),
    controlpath_id: { cpid_type: 'PCI', cpid_info: pciStrToJson(controller.address) },
    deployable_list: deployables,
    stub: false,
  };
}

function deployableFor(exp: ExportFacts, controller: ControllerFacts, options: MappingOptions): DriverDeployable {
  const attributes: DriverAttribute[] = [{ key: 'rc', value: RESOURCE_CLASSES[exp.kind] }];
  for (const trait of traitsFor(exp, controller, options)) attributes.push({ key: traitKey(trait), value: trait });
  return {
    name: safeResourceName([options.reportedHostname, controller.bdf, KIND_LABELS[exp.kind], exp.id]),
    num_accelerators: 1,
    attribute_list: attributes,
    attach_handle_list: [attachHandleFor(exp)],
    driver_name: DRIVER_NAME,
  };
}

/** Cyborg's attribute key column holds 255 characters. */
const MAX_ATTRIBUTE_KEY = 255;

/**
 * The attribute key of a trait: `trait_<TRAIT>`, depending on that trait alone. Cyborg's conductor
 * diffs attributes by key and takes only keys starting with `trait` for traits; with numbered keys
 * (`trait0..N`) one trait added or removed shifted every later key, and the conductor's
 * remove-old/add-new steps left Placement with the wrong traits. A name too long for the column
 * keeps its start and ends with a digest of the whole, so it stays unique.
 */
export function traitKey(trait: string): string {
  const key = `trait_${trait}`;
  if (key.length <= MAX_ATTRIBUTE_KEY) return key;
  const digest = sha256Hex(trait).slice(0, 16);
  return `${key.slice(0, MAX_ATTRIBUTE_KEY - digest.length - 1)}_${digest}`;
}

/** Sorted and without repeats: the same traits give the same attribute list, byte for byte. */
function traitsFor(exp: ExportFacts, controller: ControllerFacts, options: MappingOptions): string[] {
  const traits = new Set<string>(['CUSTOM_SPDK']);
  if (exp.kind === 'nvmf') for (const transport of exp.transports) traits.add(customName('SPDK', 'NVMF', transport));
  else if (exp.kind === 'vhost_blk' || exp.kind === 'vhost_scsi') for (const transport of exp.transports) traits.add(customName('SPDK', transport));
  if (controller.vendorId !== undefined) traits.add(vendorTrait(controller.vendorId));
  if (options.remoteable && (exp.kind === 'nvmf' || exp.kind === 'iscsi')) traits.add('CUSTOM_SPDK_REMOTEABLE');
  return [...traits].sort();
}

/**
 * Nova turns only `PCI` and `MDEV` handles into guest devices, and a `PCI` handle would have Nova
 * pass the SPDK-owned controller itself through to the guest. `TEST_PCI` is stored and bound by
 * Cyborg and ignored by Nova; its `attach_info` names the export, for plumbing on the node.
 */
function attachHandleFor(exp: ExportFacts): DriverAttachHandle {
  const key = ATTACH_KEYS[exp.kind];
  let info = pythonSortedJson({ type: exp.kind, [key]: exp.id });
  if (info.length > MAX_ATTACH_INFO) info = pythonSortedJson({ type: exp.kind, [`${key}_sha256`]: sha256Hex(exp.id) });
  return { attach_type: 'TEST_PCI', attach_info: info, in_use: false };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
