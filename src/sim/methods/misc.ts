/**
 * The smaller libraries' methods: logging, tracing, notifications, iobuf, sock, accel, vmd, env,
 * nbd, and the empty listings of modules the simulator does not model (lvol, raid, virtio).
 */
import { writeFileSync } from 'node:fs';
import { LOG_FLAGS, TPOINT_GROUPS } from '../cli/spdk-options.js';
import { APP_SHM_NAME } from '../cli/apps.js';
import { bool, opt, req, str, u64 } from '../rpc/decode.js';
import { decodeFailed, Errno, errnoFailure, invalidParams, JsonRpcCode, RpcFailure } from '../rpc/rpc-failure.js';
import type { JsonValue } from '../json/json-parser.js';
import type { Handler } from '../rpc/method-table.js';
import type { Target } from '../target.js';
import { applyOptions, decodeOr, requireNoParams, type MethodMap } from './common.js';

const LOG_LEVELS = ['ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

const ACCEL_MODULES = [
  { module: 'error', 'supported ops': ['crc32c'] },
  {
    module: 'software',
    'supported ops': [
      'copy',
      'fill',
      'dualcast',
      'compare',
      'crc32c',
      'copy_crc32c',
      'compress',
      'decompress',
      'encrypt',
      'decrypt',
      'xor',
      'dif_verify',
      'dif_generate',
      'dif_generate_copy',
    ],
  },
];

export function miscMethods(t: Target): MethodMap {
  const apply = (group: { apply(p: JsonValue | undefined): unknown }, params: JsonValue | undefined): true =>
    applyOptions(() => group.apply(params), invalidParams);

  const tpointMask = (): string => `0x${t.settings.tpointGroupMask.toString(16)}`;

  /** log_set_flag / log_clear_flag: one flag or `all`; SPDK names its failing call in the error. */
  const changeLogFlag =
    (spdkCall: string, change: (flag: string) => void): Handler =>
    (params) => {
      const p = decodeOr(params, { flag: req(str) }, invalidParams);
      if (p.flag !== 'all' && !LOG_FLAGS.includes(p.flag)) throw new RpcFailure(JsonRpcCode.InvalidParams, `${spdkCall}() failed`);
      for (const f of p.flag === 'all' ? LOG_FLAGS : [p.flag]) change(f);
      return true;
    };

  /** log_set_level / log_set_print_level: a level name in any case, stored upper case. */
  const setLogLevel =
    (spdkCall: string, set: (level: string) => void): Handler =>
    (params) => {
      const p = decodeOr(params, { level: req(str) }, invalidParams);
      const level = p.level.toUpperCase();
      if (!LOG_LEVELS.includes(level)) throw new RpcFailure(JsonRpcCode.InvalidParams, `${spdkCall}() failed`);
      set(level);
      return true;
    };

  /** trace_set_tpoint_mask / trace_clear_tpoint_mask: checked, but tracepoints are not recorded. */
  const tpointMaskChange: Handler = (params) => {
    const p = decodeOr(params, { name: req(str), tpoint_mask: req(u64) }, invalidParams);
    if (!TPOINT_GROUPS.includes(p.name)) throw invalidParams();
    return true;
  };

  return {
    log_set_flag: changeLogFlag('spdk_log_set_flag', (f) => t.settings.logFlags.add(f)),

    log_clear_flag: changeLogFlag('spdk_log_clear_flag', (f) => t.settings.logFlags.delete(f)),

    log_get_flags(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      const out: Record<string, boolean> = {};
      for (const f of LOG_FLAGS) out[f] = t.settings.logFlags.has(f);
      return out;
    },

    log_set_level: setLogLevel('spdk_log_set_level', (level) => (t.settings.logLevel = level)),

    log_get_level(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return t.settings.logLevel;
    },

    log_set_print_level: setLogLevel('spdk_log_set_print_level', (level) => (t.settings.logPrintLevel = level)),

    log_get_print_level(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return t.settings.logPrintLevel;
    },

    log_enable_timestamps(params) {
      const p = decodeOr(params, { enabled: req(bool) }, invalidParams);
      t.settings.logTimestamps = p.enabled;
      return true;
    },

    trace_enable_tpoint_group(params) {
      const p = decodeOr(params, { name: req(str) }, invalidParams);
      const i = TPOINT_GROUPS.indexOf(p.name);
      if (i < 0) throw invalidParams();
      t.settings.tpointGroupMask |= p.name === 'all' ? 0xffffn : 1n << BigInt(i);
      return true;
    },

    trace_disable_tpoint_group(params) {
      const p = decodeOr(params, { name: req(str) }, invalidParams);
      const i = TPOINT_GROUPS.indexOf(p.name);
      if (i < 0) throw invalidParams();
      t.settings.tpointGroupMask &= p.name === 'all' ? 0n : ~(1n << BigInt(i));
      return true;
    },

    trace_set_tpoint_mask: tpointMaskChange,

    trace_clear_tpoint_mask: tpointMaskChange,

    trace_get_tpoint_group_mask(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      const out: Record<string, unknown> = { tpoint_group_mask: tpointMask() };
      TPOINT_GROUPS.filter((g) => g !== 'all').forEach((g, i) => {
        out[g] = { mask: `0x${(1 << i).toString(16)}`, tpoint_mask: '0x0' };
      });
      return out;
    },

    trace_get_info(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      const shm = t.cl.shmId === undefined ? `pid${t.lifecycle.pid}` : String(t.cl.shmId);
      return { tpoint_shm_path: `/dev/shm/${APP_SHM_NAME[t.app]}_trace.${shm}`, tpoint_group_mask: tpointMask() };
    },

    notify_get_types(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return [...t.notify.types];
    },

    notify_get_notifications(params) {
      const p = decodeOr(params, { id: opt(u64), max: opt(u64) }, invalidParams, { optional: true });
      return t.notify.since(p.id ?? 0, p.max ?? 0).map((n) => ({ type: n.type, ctx: n.ctx, id: n.id }));
    },

    iobuf_set_options(params) {
      return apply(t.settings.iobuf, params);
    },

    iobuf_get_stats(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      const pool = (): Record<string, number> => ({ cache: 0, main: 0, retry: 0 });
      return ['accel', 'bdev'].map((module) => ({ module, small_pool: pool(), large_pool: pool() }));
    },

    sock_impl_get_options(params) {
      const p = decodeOr(params, { impl_name: req(str) }, invalidParams);
      const impl = t.settings.sockImpls[p.impl_name];
      if (!impl) throw invalidParams();
      const { impl_name: _name, ...options } = impl.snapshot();
      return options;
    },

    sock_impl_set_options(params) {
      const p = decodeOr(params, { impl_name: req(str) }, invalidParams, { relaxed: true });
      const impl = t.settings.sockImpls[p.impl_name];
      if (!impl) throw invalidParams();
      return apply(impl, params);
    },

    sock_set_default_impl(params) {
      const p = decodeOr(params, { impl_name: req(str) }, invalidParams);
      if (!t.settings.sockImpls[p.impl_name]) throw invalidParams();
      return apply(t.settings.sockDefaultImpl, params);
    },

    sock_get_default_impl(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return { impl_name: t.settings.sockDefaultImpl.get('impl_name') };
    },

    accel_get_module_info(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return ACCEL_MODULES.map((m) => ({ module: m.module, 'supported ops': [...m['supported ops']] }));
    },

    accel_get_opc_assignments(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      const out: Record<string, string> = {};
      for (const op of ACCEL_MODULES[1]!['supported ops']) out[op] = 'software';
      return out;
    },

    accel_get_stats(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return { sequence_executed: 0, sequence_failed: 0, operations: [], retry: { task: 0, sequence: 0, iobuf: 0, bufdesc: 0 } };
    },

    accel_set_options(params) {
      return apply(t.settings.accel, params);
    },

    accel_assign_opc(params) {
      decodeOr(params, { opname: req(str), module: req(str) }, invalidParams);
      return true;
    },

    accel_set_driver(params) {
      decodeOr(params, { name: req(str) }, invalidParams);
      throw errnoFailure(Errno.ENODEV);
    },

    accel_crypto_keys_get(params) {
      decodeOr(params, { key_name: opt(str) }, invalidParams, { optional: true });
      return [];
    },

    accel_error_inject_error(params) {
      decodeOr(params, { opcode: req(str), type: req(str), count: opt(u64), interval: opt(u64) }, invalidParams);
      return true;
    },

    ioat_scan_accel_module(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return true;
    },

    vmd_enable(params) {
      decodeOr(params, {}, invalidParams, { optional: true });
      t.settings.vmdEnabled = true;
      return true;
    },

    vmd_rescan(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return { count: 0 };
    },

    vmd_remove_device(params) {
      decodeOr(params, { addr: req(str) }, invalidParams);
      throw errnoFailure(Errno.ENODEV);
    },

    env_dpdk_get_mem_stats(params) {
      requireNoParams(params, "env_dpdk_get_mem_stats doesn't accept any parameters.\n");
      const file = '/tmp/spdk_mem_dump.txt';
      try {
        writeFileSync(file, `DPDK memory size ${t.cl.memSizeMb ?? 0} MiB\nDPDK memory size 0 MiB in use by ${APP_SHM_NAME[t.app]} (spdk-sim)\n`);
      } catch {
        throw new RpcFailure(JsonRpcCode.InternalError, 'Unable to open file for writing.\n');
      }
      return { filename: file };
    },

    nbd_get_disks(params) {
      decodeOr(params, { nbd_device: opt(str) }, invalidParams, { optional: true });
      return [];
    },

    nbd_start_disk(params) {
      decodeOr(params, { bdev_name: req(str), nbd_device: opt(str) }, invalidParams);
      // No /dev/nbd* devices on the simulated host.
      throw errnoFailure(Errno.ENODEV);
    },

    nbd_stop_disk(params) {
      decodeOr(params, { nbd_device: req(str) }, invalidParams);
      throw new RpcFailure(-Errno.ENODEV, 'No such device');
    },

    bdev_lvol_get_lvstores(params) {
      const p = decodeOr(params, { uuid: opt(str), lvs_name: opt(str) }, invalidParams, { optional: true });
      if (p.uuid !== undefined || p.lvs_name !== undefined) throw errnoFailure(Errno.ENODEV);
      return [];
    },

    bdev_lvol_get_lvols(params) {
      decodeOr(params, { lvs_uuid: opt(str), lvs_name: opt(str) }, invalidParams, { optional: true });
      return [];
    },

    bdev_raid_get_bdevs(params) {
      const p = decodeOr(params, { category: req(str) }, decodeFailed);
      if (!['all', 'online', 'configuring', 'offline'].includes(p.category)) throw decodeFailed();
      return [];
    },

    bdev_raid_set_options(params) {
      return applyOptions(() => t.settings.bdevRaid.apply(params), decodeFailed);
    },

    bdev_virtio_scsi_get_devices(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return [];
    },

    blobfs_set_cache_size(params) {
      decodeOr(params, { size_in_mb: req(u64) }, invalidParams);
      return true;
    },

    bdev_opal_get_info(params) {
      decodeOr(params, { bdev_name: req(str), password: req(str) }, invalidParams);
      throw errnoFailure(Errno.ENODEV);
    },
  };
}
