/**
 * What the NVMe-oF methods share (lib/nvmf/nvmf_rpc.c): the targets, target lookup by `tgt_name`,
 * listen-address parsing as `rpc_listen_address_to_trid`, the pause/resume of a subsystem around
 * a change (v24.01: a second change meanwhile is "busy"; v25.09 queues it), namespace release and
 * hot-removal, and the `nvmf_get_subsystems` entry.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { object, opt, req, str } from '../rpc/decode.js';
import { JsonRpcCode, RpcFailure } from '../rpc/rpc-failure.js';
import type { Bdev } from '../state/bdev.js';
import { ADRFAM_NAMES, DEFAULT_DMRSL, DEFAULT_WZSL, listenerJson, NvmfTarget, TRTYPE_NAMES, type ListenAddress, type Subsystem } from '../state/nvmf.js';
import type { Target } from '../target.js';

export const DEFAULT_TARGET = 'nvmf_tgt';
export const DEFAULT_SERIAL = '00000000000000000000';
export const DEFAULT_MODEL = 'SPDK bdev Controller';
export const DEFAULT_MAX_NAMESPACES = 32;

export class NvmfTargets {
  readonly targets = new Map<string, NvmfTarget>();

  constructor(maxSubsystems: number) {
    this.targets.set(DEFAULT_TARGET, new NvmfTarget(DEFAULT_TARGET, maxSubsystems));
  }

  get default(): NvmfTarget {
    return this.targets.get(DEFAULT_TARGET)!;
  }
}

export const addressSchema = object({ trtype: req(str), adrfam: opt(str), traddr: req(str), trsvcid: opt(str) });

export type NvmfSupport = ReturnType<typeof nvmfSupport>;

export function nvmfSupport(t: Target, nvmf: NvmfTargets) {
  const target = (name: string | undefined): NvmfTarget => {
    const found = nvmf.targets.get(name ?? DEFAULT_TARGET);
    if (!found) throw new RpcFailure(JsonRpcCode.InvalidParams, 'Unable to find a target.');
    return found;
  };

  /** `rpc_listen_address_to_trid`: null when SPDK would reject the address. */
  const toAddress = (raw: { trtype: string; adrfam?: string; traddr: string; trsvcid?: string }): ListenAddress | null => {
    const trtype = TRTYPE_NAMES[raw.trtype.toLowerCase()];
    const adrfam = raw.adrfam === undefined ? 'IPv4' : ADRFAM_NAMES[raw.adrfam.toLowerCase()];
    if (trtype === undefined || adrfam === undefined) return null;
    if (raw.traddr.length > 256) return null;
    return { trtype, adrfam, traddr: raw.traddr, trsvcid: raw.trsvcid ?? '' };
  };

  /** Whether the transport could listen there (a valid literal and port), as the listen call judges. */
  const listenable = (a: ListenAddress): boolean => {
    if (a.trtype === 'TCP' || a.trtype === 'RDMA') {
      if (!/^\d{1,5}$/.test(a.trsvcid) || Number(a.trsvcid) > 65535) return false;
      if (a.adrfam === 'IPv4') return isIPv4(a.traddr);
      if (a.adrfam === 'IPv6') return isIPv6(a.traddr);
      return false;
    }
    return true;
  };

  /**
   * Runs a change that pauses the subsystem: v24.01 refuses while another is in flight (with
   * `busyError`), v25.09 queues it. The work runs once the subsystem is "paused".
   */
  const pausedChange = <T>(s: Subsystem, busyError: () => RpcFailure, work: () => T): Promise<T> => {
    const run = (resolve: (v: T) => void, reject: (e: unknown) => void): void => {
      s.busy = true;
      setImmediate(() => {
        try {
          resolve(work());
        } catch (err) {
          reject(err);
        } finally {
          s.busy = false;
          const next = s.queue.shift();
          if (next) next();
        }
      });
    };
    if (s.busy && !t.profile.queueSubsystemChanges) return Promise.reject(busyError());
    return new Promise<T>((resolve, reject) => {
      if (s.busy) s.queue.push(() => run(resolve, reject));
      else run(resolve, reject);
    });
  };

  const releaseNamespace = (bdev: Bdev): void => {
    bdev.users--;
    bdev.nvmfUsers--;
    if (bdev.nvmfUsers === 0) bdev.setClaim(null);
  };

  // Deleting a bdev hot-removes the namespaces that use it (errors.jsonl #27).
  t.bdevs.onRemove((bdev) => {
    for (const tgt of nvmf.targets.values()) {
      for (const s of tgt.subsystems()) {
        for (const ns of s.namespaces.values()) {
          if (ns.bdev === bdev) {
            s.namespaces.delete(ns.nsid);
            releaseNamespace(bdev);
          }
        }
      }
    }
  });

  const subsystemJson = (s: Subsystem): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      nqn: s.nqn,
      subtype: s.subtype,
      listen_addresses: s.listeners.map((l) => listenerJson(l.address, t.profile.listenerTransportKey)),
      allow_any_host: s.allowAnyHost,
      hosts: s.hosts.map((h) => ({ nqn: h.nqn })),
    };
    if (s.subtype === 'NVMe') {
      out.serial_number = s.serialNumber;
      out.model_number = s.modelNumber;
      if (s.maxNamespaces > 0) out.max_namespaces = s.maxNamespaces;
      if (t.profile.replies.subsystemPassthrough) out.passthrough = false;
      out.min_cntlid = s.minCntlid;
      out.max_cntlid = s.maxCntlid;
      if (t.profile.replies.subsystemDmrslWzsl) {
        // v26.05's defaults (lib/nvmf/subsystem.c): 1 GiB in 512-byte blocks, 2^12 4-KiB pages.
        out.dmrsl = DEFAULT_DMRSL;
        out.wzsl = DEFAULT_WZSL;
      }
      out.namespaces = s.sortedNamespaces().map((ns) => {
        const n: Record<string, unknown> = { nsid: ns.nsid, bdev_name: ns.bdev.name, name: ns.bdev.name };
        if (ns.nguid !== undefined) n.nguid = ns.nguid;
        if (ns.eui64 !== undefined) n.eui64 = ns.eui64;
        if (ns.uuid !== undefined) n.uuid = ns.uuid;
        if (s.anaReporting) n.anagrpid = ns.anagrpid;
        return n;
      });
    }
    return out;
  };

  return { target, toAddress, listenable, pausedChange, releaseNamespace, subsystemJson };
}
