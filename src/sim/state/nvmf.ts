/**
 * An NVMe-oF target (lib/nvmf): transports, subsystems (the discovery subsystem included) with
 * their listeners, hosts and namespaces. Subsystems live in slots like SPDK's array, so a new one
 * takes the lowest free slot and lists there. State changes that pause a subsystem (namespaces,
 * listeners) take a moment; v24.01 refuses a second one meanwhile ("subsystem busy"), v25.09 queues.
 *
 * Listeners never bind real ports: two simulators may both "listen" on 127.0.0.1:4420.
 */
import type { ReplyMembers } from '../versions/reply-members.js';
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

  /**
   * `framework_get_config nvmf`: the target's part (transports, discovery listeners, subsystems).
   * Up to v26.01 each subsystem is written whole (create, hosts, namespaces, listeners); v26.05
   * writes them by kind (every create, then every host, namespace and listener: its batches,
   * flattened).
   */
  configEntries(shape: ReplyMembers): ConfigEntry[] {
    const out: ConfigEntry[] = [];
    for (const t of this.transports.values()) out.push({ method: 'nvmf_create_transport', params: { ...t.opts } });
    for (const l of this.discovery.listeners) {
      out.push({ method: 'nvmf_subsystem_add_listener', params: { nqn: DISCOVERY_NQN, listen_address: { ...l.address }, secure_channel: l.secureChannel } });
    }
    const nvme = this.subsystems().filter((s) => s.subtype !== 'Discovery');
    const parts = nvme.map((s) => this.subsystemConfig(s, shape));
    if (shape.configByKind) {
      for (const kind of ['create', 'hosts', 'namespaces', 'listeners'] as const) for (const part of parts) out.push(...part[kind]);
    } else {
      for (const part of parts) out.push(...part.create, ...part.hosts, ...part.namespaces, ...part.listeners);
    }
    return out;
  }

  private subsystemConfig(s: Subsystem, shape: ReplyMembers): Record<'create' | 'hosts' | 'namespaces' | 'listeners', ConfigEntry[]> {
    const create: Record<string, unknown> = {
      nqn: s.nqn,
      allow_any_host: s.allowAnyHost,
      serial_number: s.serialNumber,
      model_number: s.modelNumber,
      max_namespaces: s.maxNamespaces,
      min_cntlid: s.minCntlid,
      max_cntlid: s.maxCntlid,
      ana_reporting: s.anaReporting,
    };
    if (shape.createSubsystemLimits === 'kib') Object.assign(create, { max_discard_size_kib: 0, max_write_zeroes_size_kib: 0 });
    if (shape.createSubsystemLimits === 'dmrsl') Object.assign(create, { dmrsl: DEFAULT_DMRSL, wzsl: DEFAULT_WZSL });
    if (shape.createSubsystemLimits !== 'none') Object.assign(create, { passthrough: false, enable_nssr: false });
    return {
      create: [{ method: 'nvmf_create_subsystem', params: create }],
      hosts: s.hosts.map((h) => ({ method: 'nvmf_subsystem_add_host', params: { nqn: s.nqn, host: h.nqn } })),
      namespaces: s.sortedNamespaces().map((ns) => {
        const namespace: Record<string, unknown> = { nsid: ns.nsid, bdev_name: ns.bdev.name };
        if (ns.nguid !== undefined) namespace.nguid = ns.nguid;
        if (ns.eui64 !== undefined) namespace.eui64 = ns.eui64;
        if (ns.uuid !== undefined) namespace.uuid = ns.uuid;
        if (s.anaReporting) namespace.anagrpid = ns.anagrpid;
        if (shape.nsNoAutoVisible) namespace.no_auto_visible = false;
        return { method: 'nvmf_subsystem_add_ns', params: { nqn: s.nqn, namespace } };
      }),
      listeners: s.listeners.map((l) => ({
        method: 'nvmf_subsystem_add_listener',
        params: { nqn: s.nqn, listen_address: { ...l.address }, secure_channel: l.secureChannel },
      })),
    };
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

/** v26.05's subsystem defaults (lib/nvmf/subsystem.c): 1 GiB in 512-byte blocks, 2^12 pages of 4 KiB. */
export const DEFAULT_DMRSL = 2097152;
export const DEFAULT_WZSL = 12;
const UINT32_MAX = 4294967295;
/** Members v26.05 no longer writes: the iobuf caches replace them (reply-members.ts). */
const IOBUF_REPLACED = new Set(['io_unit_size', 'num_shared_buffers', 'buf_cache_size']);

/**
 * A transport's options as `nvmf_transport_dump_opts` writes them for the emulated release: the
 * common options, the transport's own, `abort_timeout_sec`, then what later releases added
 * (reply-members.ts). `given` is what nvmf_create_transport was called with.
 */
export function transportOpts(
  shape: ReplyMembers,
  trtype: string,
  common: Record<string, unknown>,
  own: Record<string, unknown>,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { trtype };
  for (const [key, value] of Object.entries(common)) {
    if (shape.transportIobufCaches && IOBUF_REPLACED.has(key)) continue;
    out[key] = value;
    if (shape.transportIobufCaches && key === 'max_aq_depth') {
      out.iobuf_small_cache_size = given.iobuf_small_cache_size ?? UINT32_MAX;
      out.iobuf_large_cache_size = given.iobuf_large_cache_size ?? UINT32_MAX;
    }
  }
  Object.assign(out, own);
  out.abort_timeout_sec = given.abort_timeout_sec ?? 1;
  if (shape.transportAckAndWrPool) {
    out.ack_timeout = given.ack_timeout ?? 0;
    out.data_wr_pool_size = given.data_wr_pool_size ?? (trtype === 'RDMA' ? 4095 : 0);
  }
  if (shape.transportKeepAlive) {
    out.disable_command_passthru = given.disable_command_passthru ?? false;
    out.kas = given.kas ?? 100;
    out.min_kato = given.min_kato ?? 10000;
  }
  return out;
}

/** SPDK's default DH-CHAP digests and groups (module/event/subsystems/nvmf/nvmf_tgt.c), by name. */
const DHCHAP_DIGESTS = ['sha256', 'sha384', 'sha512'];
const DHCHAP_DHGROUPS = ['null', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192'];

/**
 * The `nvmf_set_config` entry of `framework_get_config nvmf` for the emulated release: v24.01's
 * members, every `admin_cmd_passthru` flag the release has, the DH-CHAP lists (24.09+) and the
 * duplicate-host policy (26.05+), SPDK's defaults where nothing was set.
 */
export function nvmfSetConfigEntry(entry: ConfigEntry, shape: ReplyMembers): ConfigEntry {
  const given = entry.params ?? {};
  const params: Record<string, unknown> = {};
  const passthruGiven = (given.admin_cmd_passthru ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (key === 'admin_cmd_passthru') {
      params.admin_cmd_passthru = Object.fromEntries(shape.adminCmdPassthru.map((flag) => [flag, passthruGiven[flag] ?? false]));
    } else if (key !== 'dhchap_digests' && key !== 'dhchap_dhgroups') {
      params[key] = value;
    }
  }
  if (shape.nvmfConfigDhchap) {
    params.dhchap_digests = given.dhchap_digests ?? DHCHAP_DIGESTS;
    params.dhchap_dhgroups = given.dhchap_dhgroups ?? DHCHAP_DHGROUPS;
  }
  if (shape.nvmfConfigDupHostPolicy) params.dup_host_policy = given.dup_host_policy ?? 'allow';
  return { method: entry.method, params };
}

/** trtype / adrfam spellings (`spdk_nvme_transport_id_parse_trtype`, case-insensitive). */
export const TRTYPE_NAMES: Readonly<Record<string, string>> = { tcp: 'TCP', rdma: 'RDMA', pcie: 'PCIe', fc: 'FC', vfiouser: 'VFIOUSER' };
export const ADRFAM_NAMES: Readonly<Record<string, string>> = { ipv4: 'IPv4', ipv6: 'IPv6', ib: 'IB', fc: 'FC', intra_host: 'INTRA_HOST' };
