/**
 * The simulated targets the figures run against, as SPDK JSON configs (`-c`), so every figure
 * describes its inventory in one place and the Python baselines read the very same target.
 *
 * Shapes follow a storage node: two PCIe NVMe drives attached (the Cyborg devices), null bdevs
 * standing in for the rest (cheap to create by the thousand, as in the contract's own 2,000-bdev
 * measurement), NVMe-oF subsystems over TCP with namespaces on those bdevs, and a few vhost-blk
 * controllers on bdevs no subsystem uses.
 */

export interface InventoryShape {
  /** Total bdevs, the two NVMe namespaces included. */
  bdevs: number;
  subsystems: number;
  /** vhost-blk controllers (only apps with vhost: spdk_tgt, vhost). */
  vhostControllers: number;
  /** Attach the simulator's two default PCIe drives (0000:5e:00.0, 0000:af:00.0). */
  nvmeDrives: boolean;
}

export const SMALL_INVENTORY: InventoryShape = { bdevs: 10, subsystems: 2, vhostControllers: 2, nvmeDrives: true };
export const LARGE_INVENTORY: InventoryShape = { bdevs: 2000, subsystems: 200, vhostControllers: 10, nvmeDrives: true };

export const NVME_DRIVES = ['0000:5e:00.0', '0000:af:00.0'];

interface ConfigEntry {
  method: string;
  params?: Record<string, unknown>;
}

export function describeShape(shape: InventoryShape): string {
  return `${shape.bdevs} bdevs (${shape.nvmeDrives ? 'incl. 2 NVMe namespaces' : 'no NVMe'}), ${shape.subsystems} NVMe-oF subsystems, ${shape.vhostControllers} vhost controllers`;
}

/** An SPDK JSON config (`save_config` format) that builds `shape` at start-up. */
export function buildTargetConfig(shape: InventoryShape, options: { withVhost: boolean; withNvmf: boolean } = { withVhost: true, withNvmf: true }): object {
  const bdev: ConfigEntry[] = [];
  const names: string[] = [];
  if (shape.nvmeDrives) {
    NVME_DRIVES.forEach((bdf, i) => {
      bdev.push({ method: 'bdev_nvme_attach_controller', params: { name: `Nvme${i}`, trtype: 'PCIe', traddr: bdf } });
      names.push(`Nvme${i}n1`);
    });
  }
  for (let i = 0; names.length < shape.bdevs; i++) {
    const name = `Null${i}`;
    bdev.push({ method: 'bdev_null_create', params: { name, num_blocks: 262144, block_size: 512 } });
    names.push(name);
  }

  const vhostCount = options.withVhost ? shape.vhostControllers : 0;
  // The last bdevs go to vhost controllers; the rest are spread over the subsystems.
  const vhostBdevs = names.slice(names.length - vhostCount);
  const nsBdevs = names.slice(0, names.length - vhostCount);

  const nvmf: ConfigEntry[] = [];
  if (options.withNvmf && shape.subsystems > 0) {
    nvmf.push({ method: 'nvmf_create_transport', params: { trtype: 'TCP' } });
    for (let s = 0; s < shape.subsystems; s++) {
      const nqn = `nqn.2016-06.io.spdk:bench${s}`;
      nvmf.push({ method: 'nvmf_create_subsystem', params: { nqn, allow_any_host: true, serial_number: `SPDK${String(s).padStart(14, '0')}` } });
      for (let b = s; b < nsBdevs.length; b += shape.subsystems) {
        nvmf.push({ method: 'nvmf_subsystem_add_ns', params: { nqn, namespace: { bdev_name: nsBdevs[b] } } });
      }
      nvmf.push({
        method: 'nvmf_subsystem_add_listener',
        params: { nqn, listen_address: { trtype: 'TCP', adrfam: 'IPv4', traddr: '127.0.0.1', trsvcid: String(4420 + (s % 100)) } },
      });
    }
  }
  const vhost: ConfigEntry[] = vhostBdevs.map((bdevName, i) => ({
    method: 'vhost_create_blk_controller',
    params: { ctrlr: `vhost.${i}`, dev_name: bdevName },
  }));

  const subsystems: Array<{ subsystem: string; config: ConfigEntry[] }> = [{ subsystem: 'bdev', config: bdev }];
  if (nvmf.length > 0) subsystems.push({ subsystem: 'nvmf', config: nvmf });
  if (vhost.length > 0) subsystems.push({ subsystem: 'vhost_blk', config: vhost });
  return { subsystems };
}

/** A target of `count` null bdevs and nothing else (the memory figure's 10,000-bdev target). */
export function buildBdevOnlyConfig(count: number, nvmeDrives = true): object {
  return buildTargetConfig({ bdevs: count, subsystems: 0, vhostControllers: 0, nvmeDrives }, { withVhost: false, withNvmf: false });
}
