/**
 * An NVMe-oF target (lib/nvmf): transports, subsystems (the discovery subsystem included) with
 * their listeners, hosts and namespaces. Subsystems live in slots like SPDK's array, so a new one
 * takes the lowest free slot and lists there. State changes that pause a subsystem (namespaces,
 * listeners) take a moment; v24.01 refuses a second one meanwhile ("subsystem busy"), v25.09 queues.
 *
 * Listeners never bind real ports: two simulators may both "listen" on 127.0.0.1:4420.
 */
import type { Bdev, ConfigEntry } from './bdev.js';
import { DISCOVERY_NQN } from './nqn.js';

export interface ListenAddress {
  trtype: string;
  adrfam: string;
  traddr: string;
  trsvcid: string;
}

export interface Listener {
  address: ListenAddress;
  anaState: string;
  secureChannel: boolean;
}

export interface Namespace {
  nsid: number;
  bdev: Bdev;
  nguid: string | undefined;
  eui64: string | undefined;
  uuid: string | undefined;
  anagrpid: number;
}

export interface Transport {
  trtype: string;
  /** Dump order: the common options, then the transport's own, then abort_timeout_sec. */
  opts: Record<string, unknown>;
}

export class Subsystem {
  readonly listeners: Listener[] = [];
  readonly hosts: Array<{ nqn: string }> = [];
  readonly namespaces = new Map<number, Namespace>();
  /** A state change (pause/resume) is in progress. */
  busy = false;
  /** v25.09: changes waiting for the current one. */
  readonly queue: Array<() => void> = [];
  started = false;

  constructor(
    readonly nqn: string,
    readonly subtype: 'NVMe' | 'Discovery',
    public allowAnyHost: boolean,
    readonly serialNumber: string,
    readonly modelNumber: string,
    readonly maxNamespaces: number,
    readonly minCntlid: number,
    readonly maxCntlid: number,
    readonly anaReporting: boolean,
  ) {}

  sortedNamespaces(): Namespace[] {
    return [...this.namespaces.values()].sort((a, b) => a.nsid - b.nsid);
  }

  findListener(address: ListenAddress): Listener | undefined {
    return this.listeners.find((l) => sameAddress(l.address, address));
  }
}

export function sameAddress(a: ListenAddress, b: ListenAddress): boolean {
  return a.trtype === b.trtype && a.adrfam === b.adrfam && a.traddr === b.traddr && a.trsvcid === b.trsvcid;
}

export function listenerJson(address: ListenAddress, withTransportKey: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = withTransportKey ? { transport: address.trtype } : {};
  return Object.assign(out, { trtype: address.trtype, adrfam: address.adrfam, traddr: address.traddr, trsvcid: address.trsvcid });
}

export class NvmfTarget {
  readonly transports = new Map<string, Transport>();
  /** Slot array: index = subsystem id. */
  private readonly slots: Array<Subsystem | undefined> = [];
  readonly referrals: Array<{ address: ListenAddress; secureChannel: boolean; subnqn?: string }> = [];
  /** Addresses some subsystem listens on (for the "Target Listening" notice, once per address). */
  readonly listening = new Set<string>();

  constructor(
    readonly name: string,
    public maxSubsystems: number,
  ) {
    this.slots.push(new Subsystem(DISCOVERY_NQN, 'Discovery', true, '', '', 0, 0, 0, false));
  }

  get discovery(): Subsystem {
    return this.slots[0]!;
  }

  subsystem(nqn: string): Subsystem | undefined {
    return this.slots.find((s) => s?.nqn === nqn);
  }

  subsystems(): Subsystem[] {
    return this.slots.filter((s): s is Subsystem => s !== undefined);
  }

  /** Adds in the lowest free slot; false when max_subsystems slots are in use. */
  add(subsystem: Subsystem): boolean {
    let slot = this.slots.indexOf(undefined);
    if (slot < 0) {
      if (this.slots.length >= this.maxSubsystems) return false;
      slot = this.slots.length;
    }
    this.slots[slot] = subsystem;
    return true;
  }

  remove(subsystem: Subsystem): void {
    const slot = this.slots.indexOf(subsystem);
    if (slot > 0) this.slots[slot] = undefined;
    while (this.slots.length > 1 && this.slots[this.slots.length - 1] === undefined) this.slots.pop();
  }

  /** `framework_get_config nvmf`: the target's part (transports, discovery listeners, subsystems). */
  configEntries(): ConfigEntry[] {
    const out: ConfigEntry[] = [];
    for (const t of this.transports.values()) out.push({ method: 'nvmf_create_transport', params: { ...t.opts } });
    for (const l of this.discovery.listeners) {
      out.push({ method: 'nvmf_subsystem_add_listener', params: { nqn: DISCOVERY_NQN, listen_address: { ...l.address }, secure_channel: l.secureChannel } });
    }
    for (const s of this.subsystems()) {
      if (s.subtype === 'Discovery') continue;
      out.push({
        method: 'nvmf_create_subsystem',
        params: {
          nqn: s.nqn,
          allow_any_host: s.allowAnyHost,
          serial_number: s.serialNumber,
          model_number: s.modelNumber,
          max_namespaces: s.maxNamespaces,
          min_cntlid: s.minCntlid,
          max_cntlid: s.maxCntlid,
          ana_reporting: s.anaReporting,
        },
      });
      for (const h of s.hosts) out.push({ method: 'nvmf_subsystem_add_host', params: { nqn: s.nqn, host: h.nqn } });
      for (const ns of s.sortedNamespaces()) {
        const namespace: Record<string, unknown> = { nsid: ns.nsid, bdev_name: ns.bdev.name };
        if (ns.nguid !== undefined) namespace.nguid = ns.nguid;
        if (ns.eui64 !== undefined) namespace.eui64 = ns.eui64;
        if (ns.uuid !== undefined) namespace.uuid = ns.uuid;
        if (s.anaReporting) namespace.anagrpid = ns.anagrpid;
        out.push({ method: 'nvmf_subsystem_add_ns', params: { nqn: s.nqn, namespace } });
      }
      for (const l of s.listeners) {
        out.push({ method: 'nvmf_subsystem_add_listener', params: { nqn: s.nqn, listen_address: { ...l.address }, secure_channel: l.secureChannel } });
      }
    }
    return out;
  }
}

/** Transport defaults as `nvmf_get_transports` dumps them (TCP captured, RDMA from SPDK's source). */
export const TRANSPORT_DEFAULTS: Readonly<Record<string, { common: Record<string, unknown>; own: Record<string, unknown> }>> = {
  TCP: {
    common: {
      max_queue_depth: 128,
      max_io_qpairs_per_ctrlr: 127,
      in_capsule_data_size: 4096,
      max_io_size: 131072,
      io_unit_size: 131072,
      max_aq_depth: 128,
      num_shared_buffers: 511,
      buf_cache_size: 4294967295,
      dif_insert_or_strip: false,
      zcopy: false,
    },
    own: { c2h_success: true, sock_priority: 0 },
  },
  RDMA: {
    common: {
      max_queue_depth: 128,
      max_io_qpairs_per_ctrlr: 127,
      in_capsule_data_size: 4096,
      max_io_size: 131072,
      io_unit_size: 8192,
      max_aq_depth: 128,
      num_shared_buffers: 4095,
      buf_cache_size: 4294967295,
      dif_insert_or_strip: false,
      zcopy: false,
    },
    own: { max_srq_depth: 4096, no_srq: false, acceptor_backlog: 100, no_wr_batching: false },
  },
};

/** trtype / adrfam spellings (`spdk_nvme_transport_id_parse_trtype`, case-insensitive). */
export const TRTYPE_NAMES: Readonly<Record<string, string>> = { tcp: 'TCP', rdma: 'RDMA', pcie: 'PCIe', fc: 'FC', vfiouser: 'VFIOUSER' };
export const ADRFAM_NAMES: Readonly<Record<string, string>> = { ipv4: 'IPv4', ipv6: 'IPv6', ib: 'IB', fc: 'FC', intra_host: 'INTRA_HOST' };
