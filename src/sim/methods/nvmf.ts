/**
 * NVMe-oF target methods (lib/nvmf/nvmf_rpc.c): transports, targets, stats, discovery referrals and
 * the STARTUP-time settings; the subsystem methods are in nvmf-subsystems.ts.
 */
import { bool, num, opt, req, str, u16, u32 } from '../rpc/decode.js';
import { Errno, errnoFailure, invalidParams, JsonRpcCode, RpcFailure } from '../rpc/rpc-failure.js';
import { listenerJson, NvmfTarget, TRANSPORT_DEFAULTS, TRTYPE_NAMES, transportOpts } from '../state/nvmf.js';
import type { Target } from '../target.js';
import { SITES } from '../app/spdk-log.js';
import { applyOptions, decodeOr, later, requireNoParams, type MethodMap } from './common.js';
import { addressSchema, nvmfSupport, type NvmfTargets } from './nvmf-support.js';
import { nvmfSubsystemMethods } from './nvmf-subsystems.js';

export { NvmfTargets } from './nvmf-support.js';

export function nvmfMethods(t: Target, nvmf: NvmfTargets): MethodMap {
  const support = nvmfSupport(t, nvmf);
  const { target, toAddress, releaseNamespace } = support;
  const transportSchema = {
    trtype: req(str),
    tgt_name: opt(str),
    max_queue_depth: opt(u16),
    max_io_qpairs_per_ctrlr: opt(u16),
    in_capsule_data_size: opt(u32),
    max_io_size: opt(u32),
    io_unit_size: opt(u32),
    max_aq_depth: opt(u32),
    num_shared_buffers: opt(u32),
    buf_cache_size: opt(u32),
    dif_insert_or_strip: opt(bool),
    abort_timeout_sec: opt(u32),
    zcopy: opt(bool),
    acceptor_poll_rate: opt(u32),
    ack_timeout: opt(u32),
    data_wr_pool_size: opt(u32),
    disable_command_passthru: opt(bool),
    kas: opt(u16),
    min_kato: opt(u32),
    iobuf_small_cache_size: opt(u32),
    iobuf_large_cache_size: opt(u32),
    c2h_success: opt(bool),
    sock_priority: opt(u32),
    control_msg_num: opt(u32),
    max_srq_depth: opt(u32),
    no_srq: opt(bool),
    acceptor_backlog: opt(num),
    no_wr_batching: opt(bool),
  };

  return {
    ...nvmfSubsystemMethods(t, nvmf, support),
    nvmf_create_transport(params) {
      const p = decodeOr(params, transportSchema, invalidParams, { relaxed: true });
      const tgt = target(p.tgt_name);
      const trtype = TRTYPE_NAMES[p.trtype.toLowerCase()];
      const defaults = trtype === undefined ? undefined : TRANSPORT_DEFAULTS[trtype];
      if (trtype === undefined || defaults === undefined) {
        throw new RpcFailure(JsonRpcCode.InvalidParams, `Invalid transport type '${p.trtype}'`);
      }
      if (tgt.transports.has(trtype)) throw new RpcFailure(JsonRpcCode.InternalError, `Transport type '${p.trtype}' already exists`);
      const given = p as Record<string, unknown>;
      const pick = (defaultsPart: Record<string, unknown>): Record<string, unknown> => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(defaultsPart)) out[k] = given[k] ?? v;
        return out;
      };
      const opts = transportOpts(t.profile.replies, trtype, pick(defaults.common), pick(defaults.own), given);
      tgt.transports.set(trtype, { trtype, opts });
      t.log.notice(trtype === 'TCP' ? SITES.nvmfTcpCreate : SITES.nvmfRdmaCreate, `*** ${trtype} Transport Init ***`);
      return later(() => true);
    },

    nvmf_get_transports(params) {
      const p = decodeOr(params, { trtype: opt(str), tgt_name: opt(str) }, invalidParams, { optional: true });
      const tgt = target(p.tgt_name);
      const all = [...tgt.transports.values()];
      if (p.trtype === undefined) return all.map((tr) => tr.opts);
      const match = all.find((tr) => tr.trtype.toLowerCase() === p.trtype!.toLowerCase());
      if (!match) throw errnoFailure(Errno.ENODEV);
      return [match.opts];
    },

    nvmf_get_stats(params) {
      const p = decodeOr(params, { tgt_name: opt(str) }, invalidParams, { optional: true });
      const tgt = target(p.tgt_name);
      return {
        tick_rate: t.tickRate,
        poll_groups: t.threads.pollGroups().map((thread) => ({
          name: thread.name,
          admin_qpairs: 0,
          io_qpairs: 0,
          current_admin_qpairs: 0,
          current_io_qpairs: 0,
          pending_bdev_io: 0,
          completed_nvme_io: 0,
          transports: [...tgt.transports.keys()].map((trtype) => ({ trtype })),
        })),
      };
    },

    nvmf_get_targets(params) {
      requireNoParams(params, 'nvmf_get_targets requires no parameters');
      return [...nvmf.targets.keys()];
    },

    nvmf_create_target(params) {
      const p = decodeOr(params, { name: req(str), max_subsystems: opt(u32), discovery_filter: opt(str) }, invalidParams);
      if (nvmf.targets.has(p.name)) throw new RpcFailure(JsonRpcCode.InvalidParams, 'Target already exists.');
      nvmf.targets.set(p.name, new NvmfTarget(p.name, p.max_subsystems || Number(t.settings.nvmfMaxSubsystems.get('max_subsystems'))));
      return p.name;
    },

    nvmf_delete_target(params) {
      const p = decodeOr(params, { name: req(str) }, invalidParams);
      const tgt = nvmf.targets.get(p.name);
      if (!tgt) throw new RpcFailure(JsonRpcCode.InvalidParams, "The specified target doesn't exist, cannot delete it.");
      for (const s of tgt.subsystems()) for (const ns of s.namespaces.values()) releaseNamespace(ns.bdev);
      nvmf.targets.delete(p.name);
      return later(() => true);
    },

    nvmf_discovery_add_referral(params) {
      const p = decodeOr(params, { address: req(addressSchema), subnqn: opt(str), secure_channel: opt(bool), tgt_name: opt(str) }, invalidParams);
      const tgt = target(p.tgt_name);
      const address = toAddress(p.address);
      if (address === null) throw invalidParams();
      tgt.referrals.push({ address, secureChannel: p.secure_channel ?? false, subnqn: p.subnqn });
      return true;
    },

    nvmf_discovery_remove_referral(params) {
      const p = decodeOr(params, { address: req(addressSchema), subnqn: opt(str), tgt_name: opt(str) }, invalidParams);
      const tgt = target(p.tgt_name);
      const address = toAddress(p.address);
      const i = address === null ? -1 : tgt.referrals.findIndex((r) => JSON.stringify(r.address) === JSON.stringify(address));
      if (i < 0) throw invalidParams();
      tgt.referrals.splice(i, 1);
      return true;
    },

    nvmf_discovery_get_referrals(params) {
      const p = decodeOr(params, { tgt_name: opt(str) }, invalidParams, { optional: true });
      return target(p.tgt_name).referrals.map((r) => ({ address: listenerJson(r.address, false), secure_channel: r.secureChannel }));
    },

    nvmf_set_max_subsystems(params) {
      return applyOptions(() => t.settings.nvmfMaxSubsystems.apply(params), invalidParams);
    },

    nvmf_set_config(params) {
      return applyOptions(() => t.settings.nvmfConfig.apply(params), invalidParams);
    },

    nvmf_set_crdt(params) {
      return applyOptions(() => t.settings.nvmfCrdt.apply(params), invalidParams);
    },
  };
}
