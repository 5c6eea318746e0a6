/**
 * The framework-level settings of a target and their v24.01 defaults (as `framework_get_config`
 * reports them on a fresh nvmf_tgt: bdev, nvmf and iobuf values are from the captures; the others
 * from SPDK v24.01's defaults).
 */
import { any, bool, i32, object, opt, req, str, u16, u32, u64 } from '../rpc/decode.js';
import { OptionGroup } from './option-group.js';

export class Settings {
  readonly bdev = new OptionGroup(
    'bdev_set_options',
    { bdev_io_pool_size: 65535, bdev_io_cache_size: 256, bdev_auto_examine: true, iobuf_small_cache_size: 128, iobuf_large_cache_size: 16 },
    {
      bdev_io_pool_size: opt(u32),
      bdev_io_cache_size: opt(u32),
      bdev_auto_examine: opt(bool),
      small_buf_pool_size: opt(u32),
      large_buf_pool_size: opt(u32),
      iobuf_small_cache_size: opt(u32),
      iobuf_large_cache_size: opt(u32),
    },
    { optionalParams: true },
  );

  readonly bdevRaid = new OptionGroup(
    'bdev_raid_set_options',
    { process_window_size_kb: 1024 },
    { process_window_size_kb: opt(u32) },
    { optionalParams: true },
  );

  readonly bdevNvme = new OptionGroup(
    'bdev_nvme_set_options',
    {
      action_on_timeout: 'none',
      timeout_us: 0,
      timeout_admin_us: 0,
      keep_alive_timeout_ms: 10000,
      transport_retry_count: 4,
      arbitration_burst: 0,
      low_priority_weight: 0,
      medium_priority_weight: 0,
      high_priority_weight: 0,
      nvme_adminq_poll_period_us: 10000,
      nvme_ioq_poll_period_us: 0,
      io_queue_requests: 0,
      delay_cmd_submit: true,
      bdev_retry_count: 3,
      transport_ack_timeout: 0,
      ctrlr_loss_timeout_sec: 0,
      reconnect_delay_sec: 0,
      fast_io_fail_timeout_sec: 0,
      generate_uuids: false,
      transport_tos: 0,
      io_path_stat: false,
      allow_accel_sequence: false,
    },
    {
      action_on_timeout: opt(str),
      timeout_us: opt(u64),
      timeout_admin_us: opt(u64),
      keep_alive_timeout_ms: opt(u32),
      retry_count: opt(u32),
      transport_retry_count: opt(u32),
      arbitration_burst: opt(u32),
      low_priority_weight: opt(u32),
      medium_priority_weight: opt(u32),
      high_priority_weight: opt(u32),
      nvme_adminq_poll_period_us: opt(u64),
      nvme_ioq_poll_period_us: opt(u64),
      io_queue_requests: opt(u32),
      delay_cmd_submit: opt(bool),
      bdev_retry_count: opt(i32),
      transport_ack_timeout: opt(u32),
      ctrlr_loss_timeout_sec: opt(i32),
      reconnect_delay_sec: opt(u32),
      fast_io_fail_timeout_sec: opt(u32),
      disable_auto_failback: opt(bool),
      generate_uuids: opt(bool),
      transport_tos: opt(u32),
      nvme_error_stat: opt(bool),
      rdma_srq_size: opt(u32),
      io_path_stat: opt(bool),
      allow_accel_sequence: opt(bool),
      rdma_max_cq_size: opt(u32),
      rdma_cm_event_timeout_ms: opt(u32),
      dhchap_digests: opt(any),
      dhchap_dhgroups: opt(any),
    },
    { optionalParams: true },
  );

  readonly bdevNvmeHotplug = new OptionGroup('bdev_nvme_set_hotplug', { period_us: 100000, enable: false }, { enable: req(bool), period_us: opt(u64) });

  readonly nvmfConfig = new OptionGroup(
    'nvmf_set_config',
    { discovery_filter: 'match_any', admin_cmd_passthru: { identify_ctrlr: false } },
    {
      acceptor_poll_rate: opt(u32),
      conn_sched: opt(str),
      admin_cmd_passthru: opt(object({ identify_ctrlr: opt(bool) })),
      poll_groups_mask: opt(str),
      discovery_filter: opt(str),
      dhchap_digests: opt(any),
      dhchap_dhgroups: opt(any),
    },
    { optionalParams: true },
  );

  readonly nvmfMaxSubsystems = new OptionGroup('nvmf_set_max_subsystems', { max_subsystems: 1024 }, { max_subsystems: req(u32) });

  readonly nvmfCrdt = new OptionGroup(
    'nvmf_set_crdt',
    { crdt1: 0, crdt2: 0, crdt3: 0 },
    { crdt1: opt(u16), crdt2: opt(u16), crdt3: opt(u16) },
    { optionalParams: true },
  );

  readonly iobuf = new OptionGroup(
    'iobuf_set_options',
    { small_pool_count: 8192, large_pool_count: 1024, small_bufsize: 8192, large_bufsize: 135168 },
    { small_pool_count: opt(u64), large_pool_count: opt(u64), small_bufsize: opt(u32), large_bufsize: opt(u32) },
    { optionalParams: true },
  );

  readonly accel = new OptionGroup(
    'accel_set_options',
    { small_cache_size: 128, large_cache_size: 16, task_count: 2048, sequence_count: 2048, buf_count: 2048 },
    { small_cache_size: opt(u32), large_cache_size: opt(u32), task_count: opt(u32), sequence_count: opt(u32), buf_count: opt(u32) },
    { optionalParams: true },
  );

  readonly sockDefaultImpl = new OptionGroup('sock_set_default_impl', { impl_name: 'posix' }, { impl_name: req(str) });

  readonly sockImpls: Record<string, OptionGroup> = {
    ssl: sockImpl('ssl', 4096),
    posix: sockImpl('posix', 2097152),
  };

  readonly scheduler = new OptionGroup(
    'framework_set_scheduler',
    { name: 'static', period: 1000000 },
    {
      name: req(str),
      period: opt(u64),
      load_limit: opt(u32),
      core_limit: opt(u32),
      core_busy: opt(u32),
    },
  );

  readonly iscsi = new OptionGroup(
    'iscsi_set_options',
    {
      node_base: 'iqn.2016-06.io.spdk',
      max_sessions: 128,
      max_connections_per_session: 2,
      max_queue_depth: 64,
      default_time2wait: 2,
      default_time2retain: 20,
      first_burst_length: 8192,
      immediate_data: true,
      allow_duplicated_isid: false,
      error_recovery_level: 0,
      nop_timeout: 60,
      nop_in_interval: 30,
      disable_chap: false,
      require_chap: false,
      mutual_chap: false,
      chap_group: 0,
      max_large_datain_per_connection: 64,
      max_r2t_per_connection: 4,
      pdu_pool_size: 36864,
      immediate_data_pool_size: 16384,
      data_out_pool_size: 2048,
    },
    {
      auth_file: opt(str),
      node_base: opt(str),
      nop_timeout: opt(i32),
      nop_in_interval: opt(i32),
      no_discovery_auth: opt(bool),
      req_discovery_auth: opt(bool),
      req_discovery_auth_mutual: opt(bool),
      discovery_auth_group: opt(i32),
      disable_chap: opt(bool),
      require_chap: opt(bool),
      mutual_chap: opt(bool),
      chap_group: opt(i32),
      max_sessions: opt(u32),
      max_queue_depth: opt(u32),
      max_connections_per_session: opt(u32),
      default_time2wait: opt(u32),
      default_time2retain: opt(u32),
      first_burst_length: opt(u32),
      immediate_data: opt(bool),
      error_recovery_level: opt(u32),
      allow_duplicated_isid: opt(bool),
      max_large_datain_per_connection: opt(u32),
      max_r2t_per_connection: opt(u32),
      pdu_pool_size: opt(u32),
      immediate_data_pool_size: opt(u32),
      data_out_pool_size: opt(u32),
    },
    { optionalParams: true },
  );

  vmdEnabled = false;
  cpumaskLocks = true;
  logFlags = new Set<string>();
  logLevel = 'NOTICE';
  logPrintLevel = 'INFO';
  logTimestamps = true;
  contextSwitchMonitor = true;
  tpointGroupMask = 0n;
  qdSamplingPeriods = new Map<string, number>();
}

function sockImpl(name: string, buffer: number): OptionGroup {
  return new OptionGroup(
    'sock_impl_set_options',
    {
      impl_name: name,
      recv_buf_size: buffer,
      send_buf_size: buffer,
      enable_recv_pipe: true,
      enable_quickack: false,
      enable_placement_id: 0,
      enable_zerocopy_send_server: name === 'posix',
      enable_zerocopy_send_client: false,
      zerocopy_threshold: 0,
      tls_version: 0,
      enable_ktls: false,
    },
    {
      impl_name: req(str),
      recv_buf_size: opt(u32),
      send_buf_size: opt(u32),
      enable_recv_pipe: opt(bool),
      enable_quickack: opt(bool),
      enable_placement_id: opt(u32),
      enable_zerocopy_send_server: opt(bool),
      enable_zerocopy_send_client: opt(bool),
      zerocopy_threshold: opt(u32),
      tls_version: opt(u32),
      enable_ktls: opt(bool),
      psk_key: opt(str),
      psk_identity: opt(str),
    },
  );
}
