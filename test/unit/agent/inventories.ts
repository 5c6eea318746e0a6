/**
 * Target inventories for the mapping tests, in the shapes SPDK v24.01 writes them (the NVMe bdev's
 * `driver_specific.nvme[]` as `bdev_nvme_dump_info_json` writes it; malloc bdevs, subsystems and
 * listeners as in the real captures of test/fixtures/spdk/v24.01).
 */
import type { TargetInventory } from '../../../src/spdk/inventory.js';
import type { Bdev, IscsiTargetNode, NvmeController, NvmfSubsystem, VhostController } from '../../../src/spdk/methods/types.js';

export interface DriveSpec {
  bdf: string;
  vendorId?: string;
  model?: string;
  serial?: string;
  firmware?: string;
}

/** The namespace bdev `<controller>n1` of a PCIe drive. */
export function nvmeBdev(name: string, drive: DriveSpec): Bdev {
  return {
    name,
    aliases: [],
    product_name: 'NVMe disk',
    block_size: 512,
    num_blocks: 7501476528,
    claimed: false,
    driver_specific: {
      nvme: [
        {
          pci_address: drive.bdf,
          trid: { trtype: 'PCIe', traddr: drive.bdf },
          ctrlr_data: {
            cntlid: 0,
            vendor_id: drive.vendorId ?? '0x8086',
            model_number: drive.model ?? 'INTEL SSDPF2KX038TZ',
            serial_number: drive.serial ?? 'PHAC1234006R3P8CGN',
            firmware_revision: drive.firmware ?? 'JCV10100',
          },
          vs: { nvme_version: '1.4' },
          ns_data: { id: 1, can_share: false },
        },
      ],
      mp_policy: 'active_passive',
    },
  };
}

/** A namespace of a controller reached over a fabric (another host's drive). */
export function fabricBdev(name: string, traddr: string): Bdev {
  return {
    name,
    product_name: 'NVMe disk',
    block_size: 512,
    num_blocks: 1000,
    driver_specific: {
      nvme: [
        {
          trid: { trtype: 'TCP', adrfam: 'IPv4', traddr, trsvcid: '4420', subnqn: 'nqn.2016-06.io.spdk:remote' },
          ctrlr_data: { vendor_id: '0x1b36', model_number: 'SPDK bdev Controller', serial_number: 'SPDK01', firmware_revision: '24.01' },
        },
      ],
    },
  };
}

export function mallocBdev(name: string): Bdev {
  return { name, aliases: [], product_name: 'Malloc disk', block_size: 512, num_blocks: 2048, claimed: false, driver_specific: {} };
}

/** An lvol on `baseBdev` (SPDK's `driver_specific.lvol.base_bdev`). */
export function lvolBdev(name: string, baseBdev: string): Bdev {
  return {
    name,
    product_name: 'Logical Volume',
    block_size: 512,
    num_blocks: 4096,
    driver_specific: {
      lvol: { lvol_store_uuid: '9c2a7d1f-5f3e-4c9b-8a8f-0d7e0f3c1a11', base_bdev: baseBdev, thin_provision: false, snapshot: false, clone: false },
    },
  };
}

export function pcieController(name: string, bdf: string): NvmeController {
  return { name, ctrlrs: [{ state: 'enabled', trid: { trtype: 'PCIe', traddr: bdf }, cntlid: 0 }] };
}

export function fabricController(name: string, traddr: string): NvmeController {
  return {
    name,
    ctrlrs: [{ state: 'enabled', trid: { trtype: 'TCP', adrfam: 'IPv4', traddr, trsvcid: '4420', subnqn: 'nqn.2016-06.io.spdk:remote' }, cntlid: 1 }],
  };
}

export function subsystem(nqn: string, bdevs: string[], trtypes: string[] = ['TCP']): NvmfSubsystem {
  return {
    nqn,
    subtype: 'NVMe',
    listen_addresses: trtypes.map((trtype, i) => ({ trtype, adrfam: 'IPv4', traddr: '127.0.0.1', trsvcid: String(4420 + i) })),
    allow_any_host: true,
    hosts: [],
    serial_number: 'SPDK00000000000001',
    model_number: 'SPDK bdev Controller',
    max_namespaces: 32,
    namespaces: bdevs.map((bdev, i) => ({ nsid: i + 1, bdev_name: bdev, name: bdev })),
  };
}

export const discoverySubsystem: NvmfSubsystem = {
  nqn: 'nqn.2014-08.org.nvmexpress.discovery',
  subtype: 'Discovery',
  listen_addresses: [],
  allow_any_host: true,
  hosts: [],
};

export function vhostBlk(ctrlr: string, bdev: string): VhostController {
  return {
    ctrlr,
    cpumask: '0x1',
    delay_base_us: 0,
    iops_threshold: 60000,
    socket: `/var/tmp/${ctrlr}`,
    backend_specific: { block: { readonly: false, bdev, transport: 'vhost_user_blk' } },
  };
}

export function vhostScsi(ctrlr: string, luns: string[]): VhostController {
  return {
    ctrlr,
    cpumask: '0x1',
    socket: `/var/tmp/${ctrlr}`,
    backend_specific: { scsi: luns.map((bdev, i) => ({ scsi_dev_num: i, id: i, target_name: `Target ${i}`, luns: [{ id: 0, bdev_name: bdev }] })) },
  };
}

export function iscsiNode(name: string, luns: string[]): IscsiTargetNode {
  return { name, alias_name: name, pg_ig_maps: [{ pg_tag: 1, ig_tag: 1 }], luns: luns.map((bdev, i) => ({ bdev_name: bdev, lun_id: i })) };
}

export function inventory(parts: Partial<TargetInventory> & { bdevs: Bdev[] }): TargetInventory {
  return {
    version: {
      source: 'reported',
      reported: { major: 24, minor: 1, patch: 0, suffix: '', commit: '0786843e99', text: 'SPDK v24.01 git sha1 0786843e99' },
      min: '24.01',
      max: '24.01',
    },
    app: 'nvmf_tgt',
    methods: null,
    nvmeControllers: [],
    errors: [],
    ...parts,
  };
}
