/**
 * The NVMe bdev module (module/bdev/nvme): local PCIe SSDs of the simulated machine
 * (--sim-nvme), attached and detached by RPC. PCIe access obeys -u/--no-pci and the -A/-B lists:
 * an address SPDK may not touch, or where there is no drive, is -19 "No such device". Fabrics
 * transports (TCP, RDMA) are recognised but there is nothing to connect to: also -19.
 */
import { bool, i32, opt, req, str, u32, u64 } from '../rpc/decode.js';
import { decodeFailed, Errno, errnoFailure, RpcFailure } from '../rpc/rpc-failure.js';
import { STARTUP } from '../rpc/method-table.js';
import { normaliseBdf } from '../cli/nvme-devices.js';
import { DEFAULT_HOSTNQN, type NvmeControllers, nvmeDriverSpecific, stableUuid, type NvmeController } from '../state/nvme.js';
import type { Target } from '../target.js';
import { SITES } from '../app/spdk-log.js';
import { NVME_IO_TYPES } from './bdev-io-types.js';
import { registerBdev } from './bdev-module.js';
import { applyOptions, decodeOr, later, type MethodMap } from './common.js';

const TRTYPES: Record<string, string> = { pcie: 'PCIe', rdma: 'RDMA', tcp: 'TCP', fc: 'FC', vfiouser: 'VFIOUSER', custom: 'CUSTOM' };
const ADRFAMS = ['ipv4', 'ipv6', 'ib', 'fc', 'intra_host'];

export function nvmeMethods(t: Target, controllers: NvmeControllers): MethodMap {
  const pciAllowed = (bdf: string): boolean => {
    if (t.cl.noPci) return false;
    const norm = (list: string[]): string[] => list.map((a) => normaliseBdf(a) ?? a.toLowerCase());
    if (t.cl.pciAllowed.length > 0) return norm(t.cl.pciAllowed).includes(bdf);
    return !norm(t.cl.pciBlocked).includes(bdf);
  };

  const controllerJson = (c: NvmeController): Record<string, unknown> => {
    if (t.profile.flatNvmeControllers) return { name: c.name, trid: { ...c.trid } };
    const shape = t.profile.replies;
    const host: Record<string, unknown> = { nqn: c.hostnqn, addr: '', svcid: '' };
    if (shape.nvmeCtrlrNoShn) host.no_shn_notification = false;
    const ctrlr: Record<string, unknown> = { state: 'enabled', trid: { ...c.trid }, cntlid: c.cntlid, host };
    // One NUMA node here: the drives are on node 0.
    if (shape.nvmeCtrlrNumaId) ctrlr.numa_id = 0;
    return { name: c.name, ctrlrs: [ctrlr] };
  };

  const attachSchema = {
    name: req(str),
    trtype: req(str),
    traddr: req(str),
    adrfam: opt(str),
    trsvcid: opt(str),
    priority: opt(str),
    subnqn: opt(str),
    hostnqn: opt(str),
    hostaddr: opt(str),
    hostsvcid: opt(str),
    prchk_reftag: opt(bool),
    prchk_guard: opt(bool),
    hdgst: opt(bool),
    ddgst: opt(bool),
    fabrics_connect_timeout_us: opt(u64),
    multipath: opt(str),
    num_io_queues: opt(u32),
    ctrlr_loss_timeout_sec: opt(i32),
    reconnect_delay_sec: opt(u32),
    fast_io_fail_timeout_sec: opt(u32),
    psk: opt(str),
    max_bdevs: opt(u32),
  };

  return {
    bdev_nvme_attach_controller(params) {
      const p = decodeOr(params, attachSchema, decodeFailed);
      const trtype = TRTYPES[p.trtype.toLowerCase()];
      if (trtype === undefined) throw new RpcFailure(-Errno.EINVAL, `Failed to parse trtype: ${p.trtype}`);
      if (p.adrfam !== undefined && !ADRFAMS.includes(p.adrfam.toLowerCase())) throw new RpcFailure(-Errno.EINVAL, `Failed to parse adrfam: ${p.adrfam}`);
      if (p.traddr.length > 256) throw new RpcFailure(-Errno.EINVAL, `traddr too long: ${p.traddr}`);
      const multipath = p.multipath ?? 'failover';
      if (!['disable', 'failover', 'multipath'].includes(multipath)) throw new RpcFailure(-Errno.EINVAL, `Invalid multipath parameter: ${multipath}`);
      if (p.max_bdevs === 0) throw new RpcFailure(-Errno.EINVAL, 'max_bdevs cannot be zero');
      const bdf = trtype === 'PCIe' ? normaliseBdf(p.traddr) : null;
      const existing = controllers.get(p.name);
      if (existing) {
        if (multipath === 'disable') throw new RpcFailure(-Errno.EALREADY, `A controller named ${p.name} already exists and multipath is disabled`);
        if (existing.trid.traddr === bdf) throw new RpcFailure(-Errno.EALREADY, `A controller named ${p.name} already exists with the specified network path`);
        throw new RpcFailure(-Errno.EINVAL, `A controller named ${p.name} already exists, but uses a different subnqn (${existing.device.subnqn})`);
      }
      if (trtype !== 'PCIe') {
        t.log.error(SITES.bdevNvmeCreate, `No controller was found with provided trid (traddr: ${p.traddr})`);
        throw errnoFailure(Errno.ENODEV);
      }
      if (bdf !== null && controllers.byAddress(bdf)) {
        t.log.error(SITES.bdevNvmeCreate, `A controller with the provided trid (traddr: ${bdf}) already exists.`);
        throw errnoFailure(Errno.EEXIST);
      }
      const device = bdf === null ? undefined : controllers.device(bdf);
      if (bdf === null || device === undefined || !pciAllowed(bdf)) {
        t.log.error(SITES.bdevNvmeProbe, `NVMe ctrlr scan failed`);
        t.log.error(SITES.bdevNvmeCreate, `No controller was found with provided trid (traddr: ${p.traddr})`);
        throw errnoFailure(Errno.ENODEV);
      }
      const controller: NvmeController = {
        name: p.name,
        device,
        trid: { trtype: 'PCIe', traddr: bdf },
        cntlid: 0,
        hostnqn: p.hostnqn ?? DEFAULT_HOSTNQN,
        bdevs: [],
        createdSeconds: t.clock.seconds(),
      };
      const count = Math.min(device.namespaces, p.max_bdevs ?? 128);
      const blocksPerNs = Math.floor(device.sizeBytes / device.blockSize / device.namespaces);
      for (let nsid = 1; nsid <= count; nsid++) {
        const name = `${p.name}n${nsid}`;
        if (t.bdevs.taken(name)) {
          for (const b of controller.bdevs) t.bdevs.unregister(b);
          throw errnoFailure(Errno.EEXIST);
        }
        const bdev = registerBdev(t, {
          name,
          module: 'nvme',
          productName: 'NVMe disk',
          blockSize: device.blockSize,
          numBlocks: blocksPerNs,
          uuid: device.namespaceUuid || t.settings.bdevNvme.get('generate_uuids') === true ? stableUuid(`${device.serial}:ns${nsid}`) : null,
          mdSize: 0,
          mdInterleave: false,
          difType: 0,
          ioTypes: NVME_IO_TYPES,
          memoryDomains: false,
          driverSpecific: nvmeDriverSpecific(controller, nsid),
          configEntry: null,
        });
        controller.bdevs.push(bdev);
      }
      controllers.add(controller);
      const names = controller.bdevs.map((b) => b.name);
      return later(() => names, 5);
    },

    bdev_nvme_detach_controller(params) {
      const p = decodeOr(
        params,
        { name: req(str), trtype: opt(str), traddr: opt(str), adrfam: opt(str), trsvcid: opt(str), subnqn: opt(str), hostaddr: opt(str), hostsvcid: opt(str) },
        decodeFailed,
      );
      const c = controllers.get(p.name);
      if (!c) throw errnoFailure(Errno.ENODEV);
      if (p.traddr !== undefined && normaliseBdf(p.traddr) !== c.trid.traddr) throw errnoFailure(Errno.ENODEV);
      for (const bdev of c.bdevs) t.bdevs.unregister(bdev);
      controllers.remove(p.name);
      return later(() => true);
    },

    bdev_nvme_get_controllers(params) {
      const p = decodeOr(params, { name: opt(str) }, decodeFailed, { optional: true });
      if (p.name !== undefined) {
        const c = controllers.get(p.name);
        if (!c) throw new RpcFailure(-Errno.EINVAL, `Controller ${p.name} does not exist`);
        return [controllerJson(c)];
      }
      return [...controllers.all()].map(controllerJson);
    },

    bdev_nvme_set_options(params) {
      if (controllers.size > 0 && t.lifecycle.rpcState() !== STARTUP) throw errnoFailure(Errno.EPERM);
      return applyOptions(() => t.settings.bdevNvme.apply(params), decodeFailed);
    },

    bdev_nvme_set_hotplug(params) {
      return applyOptions(() => t.settings.bdevNvmeHotplug.apply(params), decodeFailed);
    },

    bdev_nvme_reset_controller(params) {
      const p = decodeOr(params, { name: req(str), cntlid: opt(u32) }, decodeFailed);
      if (!controllers.get(p.name)) throw errnoFailure(Errno.ENODEV);
      return later(() => true, 5);
    },

    bdev_nvme_get_controller_health_info(params) {
      const p = decodeOr(params, { name: req(str) }, decodeFailed);
      const c = controllers.get(p.name);
      if (!c) throw new RpcFailure(-32602, 'Invalid parameters');
      const hours = Math.floor(t.clock.seconds() / 3600);
      const reads = c.bdevs.reduce((sum, b) => sum + b.stats.total().read.ops, 0);
      const writes = c.bdevs.reduce((sum, b) => sum + b.stats.total().write.ops, 0);
      return {
        model_number: c.device.model,
        serial_number: c.device.serial,
        firmware_revision: c.device.firmware,
        traddr: c.trid.traddr,
        temperature_celsius: 38,
        available_spare_percentage: 100,
        available_spare_threshold_percentage: 10,
        percentage_used: 1,
        data_units_read: Math.floor(reads / 125),
        data_units_written: Math.floor(writes / 125),
        host_read_commands: reads,
        host_write_commands: writes,
        controller_busy_time: 0,
        power_cycles: 42,
        power_on_hours: 8760 + hours,
        unsafe_shutdowns: 3,
        media_errors: 0,
        num_err_log_entries: 0,
        warning_temperature_time_minutes: 0,
        critical_composite_temperature_time_minutes: 0,
      };
    },

    bdev_nvme_get_transport_statistics() {
      return { poll_groups: [] };
    },

    bdev_nvme_get_io_paths(params) {
      decodeOr(params, { name: opt(str) }, decodeFailed, { optional: true });
      return { poll_groups: [] };
    },

    bdev_nvme_get_discovery_info() {
      return [];
    },

    bdev_nvme_get_mdns_discovery_info() {
      return [];
    },

    framework_get_pci_devices() {
      return [...controllers.all()].map((c) => ({ address: c.trid.traddr, config_space: pciConfigSpace(c.device.vendorId) }));
    },
  };
}

/** The first 256 bytes of PCI config space as hex, with the vendor id and the NVMe class code. */
function pciConfigSpace(vendorId: number): string {
  const bytes = new Uint8Array(256);
  bytes[0] = vendorId & 0xff;
  bytes[1] = vendorId >> 8;
  bytes[0x0a] = 0x08; // subclass: non-volatile memory controller
  bytes[0x0b] = 0x01; // class: mass storage
  bytes[0x09] = 0x02; // prog-if: NVMe
  return Buffer.from(bytes).toString('hex');
}

/** The module's part of `framework_get_config bdev`: options, controllers, then hotplug. */
export function nvmeConfigEntries(t: Target, controllers: NvmeControllers): Array<{ method: string; params?: Record<string, unknown> }> {
  const out: Array<{ method: string; params?: Record<string, unknown> }> = [t.settings.bdevNvme.configEntry()];
  for (const c of controllers.all()) {
    out.push({
      method: 'bdev_nvme_attach_controller',
      params: {
        name: c.name,
        trtype: 'PCIe',
        traddr: c.trid.traddr,
        hostnqn: c.hostnqn,
        prchk_reftag: false,
        prchk_guard: false,
        ctrlr_loss_timeout_sec: 0,
        reconnect_delay_sec: 0,
        fast_io_fail_timeout_sec: 0,
      },
    });
  }
  out.push(t.settings.bdevNvmeHotplug.configEntry());
  return out;
}
