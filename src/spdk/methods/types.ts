/**
 * Result types of the catalogue, in SPDK's own snake_case (this is the wire: contract §3).
 *
 * A member is optional when some supported version leaves it out or SPDK writes it only under a
 * condition. Members SPDK adds later pass through untyped. uint64 counters are `number | bigint`:
 * integers beyond 2^53 arrive as bigint (TSC ticks pass 2^53 after weeks of host uptime).
 */

/** A uint64 on the wire. */
export type U64 = number | bigint;

// ---------------------------------------------------------------- framework

export interface FrameworkSubsystem {
  subsystem: string;
  depends_on: string[];
}

/** One `framework_get_config` entry: a call that rebuilds part of the configuration. */
export interface ConfigEntry {
  method: string;
  params?: Record<string, unknown>;
}

export interface LightweightThread {
  name: string;
  id: number;
  cpumask: string;
  elapsed: U64;
}

export interface Reactor {
  lcore: number;
  numa_id?: number;
  tid?: number;
  busy: U64;
  idle: U64;
  in_interrupt?: boolean;
  irq?: U64;
  sys?: U64;
  usr?: U64;
  /** MHz, only when a governor is active. */
  core_freq?: number;
  lw_threads: LightweightThread[];
}

export interface ReactorStats {
  tick_rate: U64;
  pid?: number;
  reactors: Reactor[];
}

export interface ThreadStat {
  name: string;
  id: number;
  cpumask: string;
  busy: U64;
  idle: U64;
  active_pollers_count?: number;
  timed_pollers_count?: number;
  paused_pollers_count?: number;
}

export interface ThreadStats {
  tick_rate: U64;
  threads: ThreadStat[];
}

// ---------------------------------------------------------------- bdev

/**
 * Where an NVMe controller or an NVMe-oF listener is: the address part of SPDK's
 * `spdk_nvme_transport_id`, the same members in `bdev_nvme_*` and `nvmf_*` methods.
 */
export interface NvmeTransportAddress {
  /** `PCIe`, `TCP`, `RDMA`, … (any case). */
  trtype: string;
  /** `IPv4`, `IPv6`, … (fabrics). */
  adrfam?: string;
  /** A PCI address (`0000:0a:00.0`) or an IP address. */
  traddr: string;
  /** The port; needed for TCP and RDMA. */
  trsvcid?: string;
}

export interface NvmeTransportId extends NvmeTransportAddress {
  subnqn?: string;
  priority?: string;
}

export interface NvmeControllerData {
  cntlid?: number;
  /** PCI vendor id, `"0x8086"`. */
  vendor_id: string;
  model_number: string;
  serial_number: string;
  firmware_revision: string;
  subnqn?: string;
  oacs?: Record<string, number | boolean>;
  multi_ctrlr?: boolean;
  ana_reporting?: boolean;
}

/** One path of an NVMe bdev (`driver_specific.nvme[i]`). */
export interface NvmeBdevPath {
  pci_address?: string;
  trid: NvmeTransportId;
  cuse_device?: string;
  ctrlr_data: NvmeControllerData;
  vs?: { nvme_version: string };
  ns_data?: { id: number; ana_state?: string; can_share?: boolean };
  security?: { opal: boolean };
}

export interface BdevDriverSpecific {
  /** An array of paths in current SPDK; older releases wrote one object. */
  nvme?: NvmeBdevPath[] | NvmeBdevPath;
  mp_policy?: string;
  selector?: string;
  rr_min_io?: number;
  aio?: { filename: string; block_size_override?: boolean; readonly?: boolean; fallocate?: boolean; nowait?: boolean };
  lvol?: Record<string, unknown>;
  [module: string]: unknown;
}

export interface Bdev {
  name: string;
  /** Since v22.05 this also holds the lowercase UUID when it differs from the name. */
  aliases?: string[];
  product_name: string;
  block_size: number;
  num_blocks: U64;
  uuid?: string;
  preferred_write_alignment?: number;
  preferred_write_granularity?: number;
  optimal_write_size?: number;
  preferred_unmap_alignment?: number;
  preferred_unmap_granularity?: number;
  numa_id?: number;
  md_size?: number;
  md_interleave?: boolean;
  dif_type?: number;
  dif_is_head_of_md?: boolean;
  enabled_dif_check_types?: { reftag: boolean; apptag: boolean; guard: boolean };
  dif_pi_format?: number;
  assigned_rate_limits?: { rw_ios_per_sec: U64; rw_mbytes_per_sec: U64; r_mbytes_per_sec: U64; w_mbytes_per_sec: U64 };
  claimed?: boolean;
  claim_type?: string;
  zoned?: boolean;
  zone_size?: U64;
  max_open_zones?: number;
  optimal_open_zones?: number;
  supported_io_types?: Record<string, boolean>;
  memory_domains?: Array<{ dma_device_type: number | string; dma_device_id?: string }>;
  driver_specific?: BdevDriverSpecific;
}

/** I/O counters of one bdev (or one channel); all cumulative. */
export interface BdevIoCounters {
  bytes_read: U64;
  num_read_ops: U64;
  bytes_written: U64;
  num_write_ops: U64;
  bytes_unmapped?: U64;
  num_unmap_ops?: U64;
  bytes_copied?: U64;
  num_copy_ops?: U64;
  read_latency_ticks?: U64;
  max_read_latency_ticks?: U64;
  min_read_latency_ticks?: U64;
  write_latency_ticks?: U64;
  max_write_latency_ticks?: U64;
  min_write_latency_ticks?: U64;
  unmap_latency_ticks?: U64;
  max_unmap_latency_ticks?: U64;
  min_unmap_latency_ticks?: U64;
  copy_latency_ticks?: U64;
  max_copy_latency_ticks?: U64;
  min_copy_latency_ticks?: U64;
  /** Only when there were errors: count per NVMe-style status name. */
  io_error?: Record<string, U64>;
  queue_depth_polling_period?: U64;
  queue_depth?: U64;
  io_time?: U64;
  weighted_io_time?: U64;
  driver_specific?: Record<string, unknown>;
}

export interface BdevIoStat extends BdevIoCounters {
  name: string;
}

/** `bdev_get_iostat`, normalised: v18.07–v19.04's array form becomes this object. */
export interface BdevIostat {
  tick_rate: U64;
  /** The TSC when the stats were read (v20.01+; absent before). */
  ticks?: U64;
  bdevs: BdevIoStat[];
}

/** `bdev_get_iostat` with `per_channel` (v23.01+). */
export interface BdevChannelIostat {
  tick_rate: U64;
  ticks?: U64;
  name: string;
  channels: Array<BdevIoCounters & { thread_id: number }>;
}

/** One path of an NVMe controller (`bdev_nvme_get_controllers` → `ctrlrs[i]`). */
export interface NvmeControllerPath {
  state?: string;
  trid: NvmeTransportId;
  cntlid?: number;
  host?: { nqn: string; addr: string; svcid: string; no_shn_notification?: boolean };
  numa_id?: number;
  cuse_device?: string;
  alternate_trids?: NvmeTransportId[];
}

/** `bdev_nvme_get_controllers`, normalised: ≤ v21.10's flat entries become one `ctrlrs` path each. */
export interface NvmeController {
  name: string;
  ctrlrs: NvmeControllerPath[];
}

// ---------------------------------------------------------------- NVMe-oF

export type NvmfListenAddress = NvmeTransportAddress;

export interface NvmfHost {
  nqn: string;
  psk?: string;
  dhchap_key?: string;
  dhchap_ctrlr_key?: string;
}

export interface NvmfNamespace {
  nsid: number;
  bdev_name: string;
  /** The older duplicate of `bdev_name`; still written. */
  name?: string;
  nguid?: string;
  eui64?: string;
  uuid?: string;
  anagrpid?: number;
}

/** `nvmf_get_subsystems` entry, normalised: listen addresses lose the pre-v24.05 `transport` twin. */
export interface NvmfSubsystem {
  nqn: string;
  subtype: 'Discovery' | 'NVMe' | string;
  listen_addresses: NvmfListenAddress[];
  allow_any_host?: boolean;
  hosts: NvmfHost[];
  serial_number?: string;
  model_number?: string;
  admin_label?: string;
  max_namespaces?: number;
  passthrough?: boolean;
  min_cntlid?: number;
  max_cntlid?: number;
  dmrsl?: number;
  wzsl?: number;
  ana_reporting?: boolean;
  namespaces?: NvmfNamespace[];
  /** v17.07 only. */
  core?: number;
  mode?: string;
  pci_address?: string;
}

/**
 * The options every NVMe-oF transport has (SPDK's `spdk_nvmf_transport_opts`): what
 * `nvmf_create_transport` takes and `nvmf_get_transports` reports back.
 */
export interface NvmfTransportOptions {
  max_queue_depth?: number;
  max_io_qpairs_per_ctrlr?: number;
  in_capsule_data_size?: number;
  max_io_size?: number;
  max_aq_depth?: number;
  iobuf_small_cache_size?: number;
  iobuf_large_cache_size?: number;
  dif_insert_or_strip?: boolean;
  zcopy?: boolean;
  abort_timeout_sec?: number;
}

/** `nvmf_get_transports` entry: common options plus transport-specific keys. */
export interface NvmfTransport extends NvmfTransportOptions {
  trtype: string;
  [option: string]: unknown;
}

export interface NvmfPollGroupStats {
  name: string;
  admin_qpairs: U64;
  io_qpairs: U64;
  current_admin_qpairs?: U64;
  current_io_qpairs?: U64;
  current_unassociated_qpairs?: U64;
  pending_bdev_io?: U64;
  completed_nvme_io?: U64;
  transports: Array<{ trtype: string; [counter: string]: unknown }>;
}

export interface NvmfStats {
  tick_rate: U64;
  poll_groups: NvmfPollGroupStats[];
}

/** `nvmf_subsystem_get_controllers` entry. */
export interface NvmfController {
  cntlid: number;
  hostnqn: string;
  hostid?: string;
  num_io_qpairs?: number;
  [member: string]: unknown;
}

// ---------------------------------------------------------------- vhost

export interface VhostSession {
  vid: number;
  id: number;
  name: string;
  started: boolean;
  max_queues: number;
  inflight_task_cnt?: number;
}

export interface VhostScsiTarget {
  scsi_dev_num: number;
  id: number;
  target_name: string;
  luns: Array<{ id: number; bdev_name: string }>;
}

/** `vhost_get_controllers` entry, normalised (v17.07's two lists are merged into this shape). */
export interface VhostController {
  ctrlr: string;
  cpumask: string;
  delay_base_us?: number;
  iops_threshold?: number;
  /** The vhost-user socket path (v18.07+). */
  socket?: string;
  /** v23.05+. */
  sessions?: VhostSession[];
  backend_specific: {
    /** `bdev` is null after the bdev was hot-removed. */
    block?: { readonly: boolean; bdev: string | null; transport?: string };
    scsi?: VhostScsiTarget[];
    [backend: string]: unknown;
  };
}

// ---------------------------------------------------------------- SCSI / iSCSI

export interface ScsiDevice {
  id: number;
  device_name: string;
}

export interface IscsiTargetNode {
  name: string;
  alias_name?: string;
  pg_ig_maps: Array<{ pg_tag: number; ig_tag: number }>;
  luns: Array<{ bdev_name: string; lun_id: number }>;
  queue_depth?: number;
  disable_chap?: boolean;
  require_chap?: boolean;
  mutual_chap?: boolean;
  chap_group?: number;
  header_digest?: boolean;
  data_digest?: boolean;
}

export interface IscsiPortalGroup {
  tag: number;
  /** `port` is a string on the wire. */
  portals: Array<{ host: string; port: string }>;
  private?: boolean;
}

export interface IscsiInitiatorGroup {
  tag: number;
  initiators: string[];
  netmasks: string[];
}
