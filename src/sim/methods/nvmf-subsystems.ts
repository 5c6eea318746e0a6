/**
 * NVMe-oF subsystem methods (lib/nvmf/nvmf_rpc.c, v24.01 behaviour as captured in nvmf_tgt.jsonl
 * and errors.jsonl): most failures are -32602 "Invalid parameters" whatever the cause (unknown
 * subsystem, unknown bdev, nsid in use, bad listen address, missing transport), a duplicate or
 * invalid NQN is -32603 "Unable to create subsystem <nqn>", and changes that pause the subsystem
 * answer asynchronously.
 */
import type { JsonValue } from '../json/json-parser.js';
import type { Handler } from '../rpc/method-table.js';
import { any, bool, num, object, opt, req, str, u16, u32 } from '../rpc/decode.js';
import { Errno, errnoFailure, internalError, invalidParams, JsonRpcCode, RpcFailure } from '../rpc/rpc-failure.js';
import { nqnProblem, DISCOVERY_NQN } from '../state/nqn.js';
import { listenerJson, Subsystem } from '../state/nvmf.js';
import type { Target } from '../target.js';
import { SITES } from '../app/spdk-log.js';
import { decodeOr, later, type MethodMap } from './common.js';
import { addressSchema, DEFAULT_MAX_NAMESPACES, DEFAULT_MODEL, DEFAULT_SERIAL, DEFAULT_TARGET, type NvmfSupport, type NvmfTargets } from './nvmf-support.js';

export function nvmfSubsystemMethods(t: Target, nvmf: NvmfTargets, support: NvmfSupport): MethodMap {
  const { target, toAddress, listenable, pausedChange, releaseNamespace, subsystemJson } = support;

  /** The subsystem a call names (`nqn`, `tgt_name`); -32602 when there is none, or for `nvmeOnly` calls the discovery one. */
  const subsystem = (p: { nqn: string; tgt_name?: string }, nvmeOnly = false): Subsystem => {
    const s = target(p.tgt_name).subsystem(p.nqn);
    if (!s || (nvmeOnly && s.subtype === 'Discovery')) throw invalidParams();
    return s;
  };

  const noConnections: Handler = (params) => {
    subsystem(decodeOr(params, { nqn: req(str), tgt_name: opt(str) }, invalidParams));
    return [];
  };

  return {
    nvmf_create_subsystem(params) {
      const p = decodeOr(
        params,
        {
          nqn: req(str),
          serial_number: opt(str),
          model_number: opt(str),
          tgt_name: opt(str),
          max_namespaces: opt(u32),
          allow_any_host: opt(bool),
          ana_reporting: opt(bool),
          min_cntlid: opt(u16),
          max_cntlid: opt(u16),
          max_discard_size_kib: opt(num),
          max_write_zeroes_size_kib: opt(num),
        },
        invalidParams,
      );
      const tgt = nvmf.targets.get(p.tgt_name ?? DEFAULT_TARGET);
      if (!tgt) throw new RpcFailure(JsonRpcCode.InternalError, `Unable to find target ${p.tgt_name}`);
      const unable = (): RpcFailure => new RpcFailure(JsonRpcCode.InternalError, `Unable to create subsystem ${p.nqn}`);
      const problem = nqnProblem(p.nqn);
      if (problem !== null) {
        t.log.error(SITES.nvmfNqn, problem);
        throw unable();
      }
      if (tgt.subsystem(p.nqn) || p.nqn === DISCOVERY_NQN) {
        t.log.error(SITES.nvmfNqn, `Subsystem NQN '${p.nqn}' already exists`);
        throw unable();
      }
      const serial = p.serial_number ?? DEFAULT_SERIAL;
      if (serial.length > 20 || !/^[\x20-\x7e]*$/.test(serial)) throw new RpcFailure(JsonRpcCode.InvalidParams, `Invalid SN ${serial}`);
      const model = p.model_number ?? DEFAULT_MODEL;
      if (model.length > 40 || !/^[\x20-\x7e]*$/.test(model)) throw new RpcFailure(JsonRpcCode.InvalidParams, `Invalid MN ${model}`);
      const minCntlid = p.min_cntlid ?? 1;
      const maxCntlid = p.max_cntlid ?? 0xffef;
      if (minCntlid < 1 || maxCntlid > 0xffef || minCntlid > maxCntlid) {
        throw new RpcFailure(JsonRpcCode.InvalidParams, `Invalid cntlid range [${minCntlid}-${maxCntlid}]`);
      }
      const s = new Subsystem(
        p.nqn,
        'NVMe',
        p.allow_any_host ?? false,
        serial,
        model,
        p.max_namespaces || DEFAULT_MAX_NAMESPACES,
        minCntlid,
        maxCntlid,
        p.ana_reporting ?? false,
      );
      tgt.maxSubsystems = Number(t.settings.nvmfMaxSubsystems.get('max_subsystems'));
      if (!tgt.add(s)) throw unable();
      // Answered once the subsystem has started.
      return later(() => {
        s.started = true;
        return true;
      });
    },

    nvmf_delete_subsystem(params) {
      const p = decodeOr(params, { nqn: req(str), tgt_name: opt(str) }, invalidParams);
      const tgt = target(p.tgt_name);
      const s = tgt.subsystem(p.nqn);
      if (!s || s.subtype === 'Discovery') throw invalidParams();
      if (s.busy && !t.profile.queueSubsystemChanges) throw new RpcFailure(JsonRpcCode.InternalError, 'Unable to change state on subsystem. rc=-16');
      tgt.remove(s);
      for (const ns of s.namespaces.values()) releaseNamespace(ns.bdev);
      s.namespaces.clear();
      return later(() => true);
    },

    nvmf_get_subsystems(params) {
      const p = decodeOr(params, { nqn: opt(str), tgt_name: opt(str) }, invalidParams, { optional: true });
      const tgt = target(p.tgt_name);
      if (p.nqn !== undefined) {
        const s = tgt.subsystem(p.nqn);
        if (!s) throw errnoFailure(Errno.ENODEV);
        return [subsystemJson(s)];
      }
      return tgt.subsystems().map(subsystemJson);
    },

    nvmf_subsystem_add_ns(params) {
      const p = decodeOr(
        params,
        {
          nqn: req(str),
          namespace: req(
            object({
              bdev_name: req(str),
              nsid: opt(u32),
              nguid: opt(str),
              eui64: opt(str),
              uuid: opt(str),
              ptpl_file: opt(str),
              anagrpid: opt(u32),
              no_auto_visible: opt(bool),
            }),
          ),
          tgt_name: opt(str),
        },
        invalidParams,
      );
      const s = subsystem(p, true);
      const ns = p.namespace;
      const nguid = ns.nguid?.replace(/-/g, '').toUpperCase();
      if (nguid !== undefined && !/^[0-9A-F]{32}$/.test(nguid)) throw invalidParams();
      const eui64 = ns.eui64?.replace(/-/g, '').toUpperCase();
      if (eui64 !== undefined && !/^[0-9A-F]{16}$/.test(eui64)) throw invalidParams();
      if (ns.uuid !== undefined && !/^[0-9a-fA-F-]{36}$/.test(ns.uuid)) throw invalidParams();
      const busy = (): RpcFailure => new RpcFailure(JsonRpcCode.InternalError, 'subsystem busy, retry later.\n');
      return pausedChange(s, busy, () => {
        const bdev = t.bdevs.get(ns.bdev_name);
        if (!bdev) throw invalidParams();
        let nsid = ns.nsid ?? 0;
        if (nsid === 0) {
          nsid = 1;
          while (s.namespaces.has(nsid)) nsid++;
        }
        if (nsid > s.maxNamespaces || s.namespaces.has(nsid)) throw invalidParams();
        if (bdev.claim !== null) throw invalidParams();
        bdev.setClaim({ by: 'nvmf', type: 'exclusive_write' });
        bdev.users++;
        bdev.nvmfUsers++;
        const uuid = ns.uuid?.toLowerCase() ?? bdev.uuid ?? undefined;
        s.namespaces.set(nsid, {
          nsid,
          bdev,
          nguid: nguid ?? (bdev.uuid === null ? undefined : bdev.uuid.replace(/-/g, '').toUpperCase()),
          eui64,
          uuid,
          anagrpid: ns.anagrpid ?? nsid,
        });
        return nsid;
      });
    },

    nvmf_subsystem_remove_ns(params) {
      const p = decodeOr(params, { nqn: req(str), nsid: req(u32), tgt_name: opt(str) }, invalidParams);
      const s = subsystem(p, true);
      return pausedChange(s, internalError, () => {
        const ns = s.namespaces.get(p.nsid);
        if (!ns) throw invalidParams();
        s.namespaces.delete(p.nsid);
        releaseNamespace(ns.bdev);
        return true;
      });
    },

    nvmf_subsystem_add_listener(params) {
      const p = decodeOr(
        params,
        { nqn: req(str), listen_address: req(addressSchema), tgt_name: opt(str), secure_channel: opt(bool), ana_state: opt(str), sock_impl: opt(str) },
        invalidParams,
        { relaxed: true },
      );
      const tgt = target(p.tgt_name);
      const s = tgt.subsystem(p.nqn);
      if (!s) throw invalidParams();
      const address = toAddress(p.listen_address);
      if (address === null) throw invalidParams();
      if (p.ana_state !== undefined && !['optimized', 'non_optimized', 'inaccessible'].includes(p.ana_state)) throw invalidParams();
      if (p.secure_channel && s.allowAnyHost) throw new RpcFailure(JsonRpcCode.InternalError, "Cannot establish secure channel, when 'allow_any_host' is set");
      return pausedChange(s, internalError, () => {
        if (!tgt.transports.has(address.trtype)) {
          t.log.error(
            SITES.nvmfTransportMissing,
            `Unable to find ${address.trtype} transport. The transport must be created first also make sure it is properly registered.`,
          );
          throw invalidParams();
        }
        if (!listenable(address) || s.findListener(address)) throw invalidParams();
        s.listeners.push({ address, anaState: p.ana_state ?? 'optimized', secureChannel: p.secure_channel ?? false });
        const key = `${address.trtype}/${address.traddr}/${address.trsvcid}`;
        if (!tgt.listening.has(key) && address.trtype === 'TCP') {
          t.log.notice(SITES.nvmfTcpListen, `*** NVMe/TCP Target Listening on ${address.traddr} port ${address.trsvcid} ***`);
        }
        tgt.listening.add(key);
        return true;
      });
    },

    nvmf_subsystem_remove_listener(params) {
      const p = decodeOr(params, { nqn: req(str), listen_address: req(addressSchema), tgt_name: opt(str) }, invalidParams, { relaxed: true });
      const s = subsystem(p);
      const address = toAddress(p.listen_address);
      if (address === null) throw invalidParams();
      return pausedChange(s, internalError, () => {
        const listener = s.findListener(address);
        if (!listener) throw invalidParams();
        s.listeners.splice(s.listeners.indexOf(listener), 1);
        return true;
      });
    },

    nvmf_subsystem_listener_set_ana_state(params) {
      const p = decodeOr(
        params,
        { nqn: req(str), listen_address: req(addressSchema), ana_state: req(str), anagrpid: opt(u32), tgt_name: opt(str) },
        invalidParams,
      );
      const s = target(p.tgt_name).subsystem(p.nqn);
      const address = toAddress(p.listen_address);
      if (!s || address === null || !['optimized', 'non_optimized', 'inaccessible'].includes(p.ana_state)) throw invalidParams();
      return pausedChange(s, internalError, () => {
        const listener = s.findListener(address);
        if (!listener) throw invalidParams();
        listener.anaState = p.ana_state;
        return true;
      });
    },

    nvmf_subsystem_get_listeners(params) {
      const p = decodeOr(params, { nqn: req(str), tgt_name: opt(str) }, invalidParams);
      const s = subsystem(p);
      return s.listeners.map((l) => {
        const out: Record<string, unknown> = { address: listenerJson(l.address, false) };
        if (s.anaReporting) out.ana_states = [...s.namespaces.values()].map((ns) => ({ ana_group: ns.anagrpid, ana_state: l.anaState }));
        return out;
      });
    },

    // No host ever connects: no controllers, no queue pairs.
    nvmf_subsystem_get_controllers: noConnections,

    nvmf_subsystem_get_qpairs: noConnections,

    nvmf_subsystem_add_host(params) {
      const p = decodeOr(
        params,
        { nqn: req(str), host: req(str), tgt_name: opt(str), psk: opt(str), dhchap_key: opt(str), dhchap_ctrlr_key: opt(str) },
        invalidParams,
      );
      const s = subsystem(p);
      const problem = nqnProblem(p.host);
      if (problem !== null) {
        t.log.error(SITES.nvmfNqn, problem);
        throw internalError();
      }
      if (!s.hosts.some((h) => h.nqn === p.host)) s.hosts.push({ nqn: p.host });
      return true;
    },

    nvmf_subsystem_remove_host(params) {
      const p = decodeOr(params, { nqn: req(str), host: req(str), tgt_name: opt(str) }, invalidParams);
      const s = subsystem(p);
      const i = s.hosts.findIndex((h) => h.nqn === p.host);
      if (i < 0) throw internalError();
      s.hosts.splice(i, 1);
      return true;
    },

    nvmf_subsystem_allow_any_host(params) {
      const p = decodeOr(params, { nqn: req(str), allow_any_host: req(bool), tgt_name: opt(str) }, invalidParams);
      subsystem(p).allowAnyHost = p.allow_any_host;
      return true;
    },

    'legacy:construct_nvmf_subsystem'(params: JsonValue | undefined) {
      const p = decodeOr(
        params,
        {
          nqn: req(str),
          listen_addresses: opt(any),
          hosts: opt(any),
          allow_any_host: opt(bool),
          serial_number: opt(str),
          namespaces: opt(any),
          core: opt(num),
          mode: opt(str),
          max_namespaces: opt(u32),
          pci_address: opt(any),
        },
        invalidParams,
      );
      const tgt = nvmf.default;
      if (nqnProblem(p.nqn) !== null || tgt.subsystem(p.nqn)) throw invalidParams();
      const s = new Subsystem(
        p.nqn,
        'NVMe',
        p.allow_any_host ?? false,
        p.serial_number ?? DEFAULT_SERIAL,
        DEFAULT_MODEL,
        DEFAULT_MAX_NAMESPACES,
        1,
        0xffef,
        false,
      );
      if (!tgt.add(s)) throw invalidParams();
      return true;
    },
  };
}
