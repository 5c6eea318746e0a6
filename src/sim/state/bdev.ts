/**
 * A block device as SPDK's bdev layer keeps it, and its `bdev_get_bdevs` entry (`rpc_dump_bdev_info`
 * in lib/bdev/bdev_rpc.c, v24.01 member order as captured). The entry is rendered once and cached:
 * listing 10,000 bdevs is then one join, not 10,000 serialisations.
 */
import { RawJson, toJson } from '../json/json-writer.js';
import { BdevIoStats } from './io-stats.js';
import type { Random } from './random.js';
import type { ReplyMembers } from '../versions/reply-members.js';

export type BdevModule = 'malloc' | 'null' | 'aio' | 'nvme';

export type ClaimType = 'exclusive_write' | 'read_many_write_one' | 'read_many_write_none' | 'read_many_write_shared';

export interface BdevClaim {
  /** Who claimed it (nvmf, …), for messages. */
  by: string;
  type: ClaimType;
}

/** `supported_io_types`, in SPDK v24.01's order. */
export interface IoTypes {
  read: boolean;
  write: boolean;
  unmap: boolean;
  write_zeroes: boolean;
  flush: boolean;
  reset: boolean;
  compare: boolean;
  compare_and_write: boolean;
  abort: boolean;
  nvme_admin: boolean;
  nvme_io: boolean;
}

/** One `framework_get_config` entry. */
export interface ConfigEntry {
  method: string;
  params?: Record<string, unknown>;
}

export interface BdevSpec {
  name: string;
  module: BdevModule;
  productName: string;
  /** Bytes per block as the bdev reports it (data + interleaved metadata). */
  blockSize: number;
  numBlocks: number;
  /** Null means SPDK has no UUID for it (an NVMe namespace without one): no `uuid`, no alias. */
  uuid: string | null;
  mdSize: number;
  mdInterleave: boolean;
  difType: number;
  ioTypes: IoTypes;
  /** Malloc bdevs live in accel-visible memory: `memory_domains` is reported. */
  memoryDomains: boolean;
  /** The module's `driver_specific` content. */
  driverSpecific: unknown;
  /** The entry `framework_get_config bdev` writes for this bdev (null: the module writes it). */
  configEntry: ConfigEntry | null;
}

export const RATE_LIMIT_KEYS = ['rw_ios_per_sec', 'rw_mbytes_per_sec', 'r_mbytes_per_sec', 'w_mbytes_per_sec'] as const;
export type RateLimits = Record<(typeof RATE_LIMIT_KEYS)[number], number>;

const MEMORY_DOMAINS = new RawJson('[{"dma_device_id":"SPDK_ACCEL_DMA_DEVICE","dma_device_type":2}]');
/** v26.05 no longer names the DMA device (reply-members.ts). */
const MEMORY_DOMAINS_2605 = new RawJson('[{"dma_device_type":2}]');

/**
 * The I/O types beyond v24.01's eleven that a module supports (its `io_type_supported`, v26.01),
 * listed from v24.09 on: malloc does zero-copy and copy; null, aio and the emulated NVMe drives
 * (no metadata, no Copy command, no NSSR) none of them.
 */
const MORE_IO_TYPES: Readonly<Record<BdevModule, readonly string[]>> = { malloc: ['zcopy', 'copy'], null: [], aio: [], nvme: [] };

export class Bdev {
  readonly name: string;
  readonly module: BdevModule;
  readonly spec: BdevSpec;
  readonly stats: BdevIoStats;
  claim: BdevClaim | null = null;
  /** Consumers holding the bdev open to export it (namespaces, vhost controllers, LUNs). */
  users = 0;
  /** Users that belong to the NVMe-oF target: their I/O channels live on its poll groups. */
  nvmfUsers = 0;
  readonly rateLimits: RateLimits = { rw_ios_per_sec: 0, rw_mbytes_per_sec: 0, r_mbytes_per_sec: 0, w_mbytes_per_sec: 0 };
  private cached: RawJson | null = null;

  constructor(
    spec: BdevSpec,
    random: Random,
    tickRate: number,
    private readonly shape: ReplyMembers,
  ) {
    this.spec = spec;
    this.name = spec.name;
    this.module = spec.module;
    this.stats = new BdevIoStats(random, tickRate);
  }

  get uuid(): string | null {
    return this.spec.uuid;
  }

  /** Names it can be looked up by besides its name (v22.05+: the UUID when it differs). */
  get aliases(): string[] {
    return this.spec.uuid !== null && this.spec.uuid !== this.name ? [this.spec.uuid] : [];
  }

  get exported(): boolean {
    return this.users > 0;
  }

  setClaim(claim: BdevClaim | null): void {
    this.claim = claim;
    this.cached = null;
  }

  setRateLimits(limits: Partial<RateLimits>): void {
    Object.assign(this.rateLimits, limits);
    this.cached = null;
  }

  /** The spec changed (a resize): render the entry again next time. */
  invalidate(): void {
    this.cached = null;
  }

  /** The `bdev_get_bdevs` entry. */
  info(): RawJson {
    if (this.cached === null) this.cached = new RawJson(toJson(this.render()));
    return this.cached;
  }

  private render(): Record<string, unknown> {
    const s = this.spec;
    const out: Record<string, unknown> = {
      name: s.name,
      aliases: this.aliases,
      product_name: s.productName,
      block_size: s.blockSize,
      num_blocks: s.numBlocks,
    };
    const shape = this.shape;
    if (shape.bdevPreferredSizes) {
      // Set by modules that know them (an NVMe namespace with NOIOB/optperf, a null bdev given them); 0 otherwise.
      for (const key of PREFERRED_SIZES) out[key] = 0;
    }
    if (s.uuid !== null) out.uuid = s.uuid;
    // Only NVMe bdevs know their NUMA node (the drive's); one node here.
    if (shape.bdevNumaId && s.module === 'nvme') out.numa_id = 0;
    if (s.mdSize > 0) {
      out.md_size = s.mdSize;
      out.md_interleave = s.mdInterleave;
      out.dif_type = s.difType;
      if (s.difType !== 0) {
        out.dif_is_head_of_md = false;
        out.enabled_dif_check_types = { reftag: s.difType !== 3, apptag: false, guard: true };
        // SPDK_DIF_PI_FORMAT_16: the 16-bit guard the emulated formats use.
        if (shape.bdevDifPiFormat) out.dif_pi_format = 0;
      }
    }
    out.assigned_rate_limits = { ...this.rateLimits };
    out.claimed = this.claim !== null;
    if (this.claim !== null) out.claim_type = this.claim.type;
    out.zoned = false;
    out.supported_io_types = shape.ioTypes === null ? { ...s.ioTypes } : this.allIoTypes(shape.ioTypes);
    if (s.memoryDomains) out.memory_domains = shape.memoryDomainDeviceId ? MEMORY_DOMAINS : MEMORY_DOMAINS_2605;
    out.driver_specific = s.driverSpecific;
    return out;
  }

  /** v24.09+: every I/O type of the release's enum, in its order. */
  private allIoTypes(names: readonly string[]): Record<string, boolean> {
    const known = this.spec.ioTypes as unknown as Record<string, boolean>;
    const more = MORE_IO_TYPES[this.module];
    const out: Record<string, boolean> = {};
    for (const name of names) out[name] = known[name] ?? more.includes(name);
    return out;
  }
}

const PREFERRED_SIZES = [
  'preferred_write_alignment',
  'preferred_write_granularity',
  'optimal_write_size',
  'preferred_unmap_alignment',
  'preferred_unmap_granularity',
] as const;
