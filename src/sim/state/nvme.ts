/**
 * Local NVMe SSDs attached by `bdev_nvme_attach_controller trtype=PCIe traddr=<BDF>`: each
 * namespace becomes a bdev `<name>n<nsid>` whose `driver_specific.nvme[0]` carries what real SPDK
 * reads from the drive (`nvme_namespace_info_json`, bdev_nvme.c): pci_address, trid, ctrlr_data
 * (cntlid, vendor_id, model/serial/firmware trimmed, subnqn, oacs, multi_ctrlr, ana_reporting), vs,
 * ns_data, and security when the drive supports it.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { NvmeDeviceSpec } from '../cli/nvme-devices.js';
import type { Bdev } from './bdev.js';

export interface NvmeController {
  name: string;
  device: NvmeDeviceSpec;
  trid: { trtype: 'PCIe'; traddr: string };
  cntlid: number;
  hostnqn: string;
  bdevs: Bdev[];
  createdSeconds: number;
}

/** A stable UUID from text (namespaces keep theirs across detach/attach, as real drives do). */
export function stableUuid(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const DEFAULT_HOSTNQN = `nqn.2014-08.org.nvmexpress:uuid:${stableUuid(`host:${hostname()}`)}`;

export class NvmeControllers {
  private readonly byName = new Map<string, NvmeController>();

  constructor(readonly devices: readonly NvmeDeviceSpec[]) {}

  get(name: string): NvmeController | undefined {
    return this.byName.get(name);
  }

  byAddress(traddr: string): NvmeController | undefined {
    for (const c of this.byName.values()) if (c.trid.traddr === traddr) return c;
    return undefined;
  }

  device(traddr: string): NvmeDeviceSpec | undefined {
    return this.devices.find((d) => d.bdf === traddr);
  }

  add(controller: NvmeController): void {
    this.byName.set(controller.name, controller);
  }

  remove(name: string): void {
    this.byName.delete(name);
  }

  all(): IterableIterator<NvmeController> {
    return this.byName.values();
  }

  get size(): number {
    return this.byName.size;
  }
}

/** `driver_specific` of an NVMe namespace bdev. */
export function nvmeDriverSpecific(c: NvmeController, nsid: number): Record<string, unknown> {
  const d = c.device;
  const ctrlrData: Record<string, unknown> = {
    cntlid: c.cntlid,
    vendor_id: `0x${d.vendorId.toString(16).padStart(4, '0')}`,
    model_number: d.model.trim(),
    serial_number: d.serial.trim(),
    firmware_revision: d.firmware.trim(),
  };
  if (d.subnqn !== '') ctrlrData.subnqn = d.subnqn;
  ctrlrData.oacs = { security: d.security ? 1 : 0, format: 1, firmware: 1, ns_manage: 1 };
  ctrlrData.multi_ctrlr = false;
  ctrlrData.ana_reporting = false;
  const entry: Record<string, unknown> = {
    pci_address: c.trid.traddr,
    trid: { trtype: 'PCIe', traddr: c.trid.traddr },
    ctrlr_data: ctrlrData,
    vs: { nvme_version: d.nvmeVersion },
    ns_data: { id: nsid, can_share: false },
  };
  if (d.security) entry.security = { opal: false };
  return { nvme: [entry], mp_policy: 'active_passive' };
}
