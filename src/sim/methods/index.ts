/**
 * Puts a target's methods together: every handler module, keyed by canonical (v24.01) name, bound
 * to the names the emulated release registers (versions/method-names.ts), plus the subsystem list
 * and config writers `framework_get_config` uses. A registered name without a handler answers
 * -32603 "… is not simulated" (SPDK lists ~220 methods; the simulator models the management plane).
 */
import type { Handler } from '../rpc/method-table.js';
import { MethodTable } from '../rpc/method-table.js';
import { JsonRpcCode, RpcFailure } from '../rpc/rpc-failure.js';
import { NvmeControllers } from '../state/nvme.js';
import { nvmfSetConfigEntry } from '../state/nvmf.js';
import { ScsiDevices } from '../state/scsi.js';
import { VhostControllers } from '../state/vhost.js';
import type { ConfigEntry } from '../state/bdev.js';
import type { Target } from '../target.js';
import { registeredNames } from '../versions/method-names.js';
import { aioMethods } from './bdev-aio.js';
import { bdevCoreMethods } from './bdev-core.js';
import { mallocMethods } from './bdev-malloc.js';
import { nullMethods } from './bdev-null.js';
import { nvmeConfigEntries, nvmeMethods } from './bdev-nvme.js';
import type { MethodMap } from './common.js';
import { frameworkMethods, subsystemNames, type SubsystemInfo } from './framework.js';
import { iscsiConfigEntries, iscsiMethods, IscsiState } from './iscsi.js';
import { miscMethods } from './misc.js';
import { NvmfTargets, nvmfMethods } from './nvmf.js';
import { closeAllVhostSockets, vhostConfigEntries, vhostMethods } from './vhost.js';

export interface TargetMethods {
  table: MethodTable;
  subsystems: SubsystemInfo[];
  /** Releases what the methods hold outside the process (vhost sockets) at a clean exit. */
  close(): Promise<void>;
}

export function buildMethods(t: Target): TargetMethods {
  const nvme = new NvmeControllers(t.sim.nvmeDevices);
  const nvmf = new NvmfTargets(Number(t.settings.nvmfMaxSubsystems.get('max_subsystems')));
  const vhost = new VhostControllers();
  const scsi = new ScsiDevices();
  const iscsi = new IscsiState();

  const bdevConfig = (): ConfigEntry[] => {
    const out: ConfigEntry[] = [t.settings.bdev.configEntry(), t.settings.bdevRaid.configEntry(), ...nvmeConfigEntries(t, nvme)];
    for (const bdev of t.bdevs.all()) if (bdev.spec.configEntry) out.push(bdev.spec.configEntry);
    out.push({ method: 'bdev_wait_for_examine' });
    return out;
  };

  const configs: Record<string, () => ConfigEntry[] | null> = {
    iobuf: () => [t.settings.iobuf.configEntry()],
    sock: () => [t.settings.sockDefaultImpl.configEntry(), t.settings.sockImpls.ssl!.configEntry(), t.settings.sockImpls.posix!.configEntry()],
    vmd: () => (t.settings.vmdEnabled ? [{ method: 'vmd_enable', params: {} }] : []),
    accel: () => [t.settings.accel.configEntry()],
    bdev: bdevConfig,
    nbd: () => [],
    scheduler: () => [t.settings.scheduler.configEntry()],
    scsi: () => null,
    nvmf: () => [
      nvmfSetConfigEntry(t.settings.nvmfConfig.configEntry(), t.profile.replies),
      t.settings.nvmfMaxSubsystems.configEntry(),
      t.settings.nvmfCrdt.configEntry(),
      ...nvmf.default.configEntries(t.profile.replies),
    ],
    iscsi: () => iscsiConfigEntries(t, iscsi),
    vhost_blk: () => vhostConfigEntries(vhost, 'blk'),
    vhost_scsi: () => vhostConfigEntries(vhost, 'scsi'),
  };
  const subsystems: SubsystemInfo[] = subsystemNames(t).map((s) => ({ ...s, config: configs[s.name] ?? (() => null) }));

  let table: MethodTable | null = null;
  const handlers: MethodMap = {
    ...frameworkMethods(
      t,
      () => table!,
      () => subsystems,
    ),
    ...bdevCoreMethods(t),
    ...mallocMethods(t),
    ...nullMethods(t),
    ...aioMethods(t),
    ...nvmeMethods(t, nvme),
    ...miscMethods(t),
    ...(t.features.nvmf ? nvmfMethods(t, nvmf) : {}),
    ...(t.features.vhost ? vhostMethods(t, vhost, scsi) : {}),
    ...(t.features.iscsi ? iscsiMethods(t, iscsi, scsi) : {}),
    scsi_get_devices(params, ctx) {
      if (params !== undefined) throw new RpcFailure(JsonRpcCode.InvalidParams, `${ctx.calledAs} requires no parameters`);
      return scsi.list().map((d) => ({ id: d.id, device_name: d.name }));
    },
  };

  const notSimulated =
    (name: string): Handler =>
    () => {
      throw new RpcFailure(JsonRpcCode.InternalError, `spdk-sim: ${name} is not simulated`);
    };

  table = new MethodTable(
    registeredNames(t.app, t.profile).map((r) => ({
      name: r.name,
      handler: handlers[r.canonical] ?? notSimulated(r.name),
      mask: r.mask,
      aliasOf: r.aliasOf,
    })),
  );

  return {
    table,
    subsystems,
    close: () => closeAllVhostSockets(vhost),
  };
}
