/**
 * Which physical NVMe controllers a target drives, and which of its bdevs sit on each one.
 *
 * A controller is physical when SPDK reaches it over PCIe: a `bdev_nvme_get_controllers` path with
 * trid `PCIe`, or an NVMe bdev whose `driver_specific.nvme[]` path has a `pci_address` (or a PCIe
 * trid). Controllers attached over a fabric (TCP, RDMA) belong to another host and are not this
 * node's devices. The controller data (vendor id, model, serial, firmware) comes from the bdevs'
 * `ctrlr_data`, the only place SPDK gives it.
 *
 * A bdev built on another one (an lvol on its lvstore's bdev, a split, a passthru, a crypto or
 * delay bdev) names its base in its `driver_specific.<module>` object as `base_bdev` or
 * `base_bdev_name`; such a chain is followed to the NVMe bdev at its bottom, so an export of an
 * lvol counts for the drive it lives on. A bdev over several bases (raid) belongs to no single
 * drive and is not followed.
 */
import type { Bdev, NvmeBdevPath, NvmeTransportId } from '../spdk/methods/types.js';
import type { TargetInventory } from '../spdk/inventory.js';
import { formatPciAddress, parsePciAddress, type PciAddress } from './pci-address.js';

export interface ControllerFacts {
  address: PciAddress;
  /** `0000:5e:00.0`. */
  bdf: string;
  /** SPDK's controller names (`Nvme0`), sorted. */
  names: string[];
  /** PCI vendor id, lower-case hex without `0x` (`8086`); absent when no bdev carried it. */
  vendorId?: string;
  model?: string;
  serial?: string;
  firmware?: string;
  nvmeVersion?: string;
  /** The NVMe bdevs (namespaces) of this controller, sorted. */
  bdevs: string[];
}

export interface ControllerMap {
  /** By BDF text, in BDF order. */
  controllers: Map<string, ControllerFacts>;
  /** Every bdev that ends on a physical controller (directly or through base bdevs) → its BDF. */
  backing: Map<string, string>;
  /** Things read from the target that could not be used, for a log line. */
  notes: string[];
}

const MAX_BASE_CHAIN = 16;

function isPcie(trid: NvmeTransportId | undefined): boolean {
  return typeof trid === 'object' && trid !== null && typeof trid.trtype === 'string' && trid.trtype.toLowerCase() === 'pcie';
}

/** The objects of a list read from a target; nothing when it is missing or not a list. */
function asList<T>(value: readonly T[] | null | undefined): T[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'object' && item !== null) : [];
}

function pathsOf(bdev: Bdev): NvmeBdevPath[] {
  const nvme = bdev.driver_specific?.nvme;
  if (Array.isArray(nvme)) return asList(nvme);
  return typeof nvme === 'object' && nvme !== null ? [nvme] : [];
}

/** The PCI address of a bdev's PCIe path, or null when it is not on a local controller. */
function pciOfPath(path: NvmeBdevPath): PciAddress | null {
  if (typeof path.pci_address === 'string') return parsePciAddress(path.pci_address);
  if (typeof path.trid !== 'object' || path.trid === null) return null;
  if (isPcie(path.trid) && typeof path.trid.traddr === 'string') return parsePciAddress(path.trid.traddr);
  return null;
}

function vendorHex(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(?:0x)?([0-9a-fA-F]{1,4})$/.exec(text.trim());
  return match ? match[1]!.toLowerCase().padStart(4, '0') : undefined;
}

function cleanText(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The base bdev a bdev is built on, when it names exactly one. */
function baseOf(bdev: Bdev): string | undefined {
  const specific = bdev.driver_specific;
  if (typeof specific !== 'object' || specific === null) return undefined;
  for (const [module, value] of Object.entries(specific)) {
    if (module === 'nvme' || typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const info = value as Record<string, unknown>;
    const base = info.base_bdev ?? info.base_bdev_name;
    if (typeof base === 'string' && base !== '') return base;
  }
  return undefined;
}

export function findControllers(inventory: TargetInventory): ControllerMap {
  const controllers = new Map<string, ControllerFacts>();
  const backing = new Map<string, string>();
  const notes: string[] = [];
  const factsFor = (address: PciAddress): ControllerFacts => {
    const bdf = formatPciAddress(address);
    let facts = controllers.get(bdf);
    if (!facts) {
      facts = { address, bdf, names: [], bdevs: [] };
      controllers.set(bdf, facts);
    }
    return facts;
  };

  for (const controller of asList(inventory.nvmeControllers)) {
    const path = asList(controller.ctrlrs).find((p) => isPcie(p.trid));
    if (!path) continue;
    const address = parsePciAddress(String(path.trid.traddr));
    if (!address) {
      notes.push(`NVMe controller ${controller.name}: PCIe address ${JSON.stringify(path.trid.traddr)} is not a PCI address`);
      continue;
    }
    const facts = factsFor(address);
    if (!facts.names.includes(controller.name)) facts.names.push(controller.name);
  }

  const bdevs = asList(inventory.bdevs).filter((b) => typeof b.name === 'string');
  const byName = new Map(bdevs.map((b) => [b.name, b]));
  for (const bdev of bdevs) {
    for (const path of pathsOf(bdev)) {
      const address = pciOfPath(path);
      if (!address) continue;
      const facts = factsFor(address);
      if (!facts.bdevs.includes(bdev.name)) facts.bdevs.push(bdev.name);
      backing.set(bdev.name, facts.bdf);
      // Bdevs are in name order, so the first one to carry controller data decides: stable.
      const data = path.ctrlr_data;
      if (typeof data === 'object' && data !== null && facts.vendorId === undefined) {
        const vendorId = vendorHex(data.vendor_id);
        if (vendorId) facts.vendorId = vendorId;
        const model = cleanText(data.model_number);
        if (model) facts.model = model;
        const serial = cleanText(data.serial_number);
        if (serial) facts.serial = serial;
        const firmware = cleanText(data.firmware_revision);
        if (firmware) facts.firmware = firmware;
        const version = cleanText(typeof path.vs === 'object' && path.vs !== null ? path.vs.nvme_version : undefined);
        if (version) facts.nvmeVersion = version;
      }
      break;
    }
  }

  for (const bdev of bdevs) {
    if (backing.has(bdev.name)) continue;
    const seen = new Set<string>([bdev.name]);
    let current: Bdev | undefined = bdev;
    for (let depth = 0; current && depth < MAX_BASE_CHAIN; depth++) {
      const base = baseOf(current);
      if (base === undefined || seen.has(base)) break;
      seen.add(base);
      const bdf = backing.get(base);
      if (bdf !== undefined) {
        backing.set(bdev.name, bdf);
        break;
      }
      current = byName.get(base);
    }
  }

  for (const facts of controllers.values()) {
    facts.names.sort();
    facts.bdevs.sort();
  }
  const ordered = new Map([...controllers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { controllers: ordered, backing, notes };
}
