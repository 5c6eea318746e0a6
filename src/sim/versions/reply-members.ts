/**
 * The members SPDK releases after v24.01 add to (or drop from) the replies the agent reads, read
 * from SPDK's own JSON writers at each tag (`git show vYY.MM:<file>`, the function named). The
 * simulator writes its replies as v24.01 does (checked byte for byte against real captures) and
 * applies these changes for the release it emulates; docs/simulator.md has the same table, and a
 * test checks that every entry here is in it.
 *
 * Only what a release changed is listed: a release absent from a row kept the row's members.
 * There is no v25.01 (SPDK went from v24.09 to v25.05).
 */

export interface MemberChange {
  /** The release that made the change (YYMM). */
  since: number;
  /** The reply (method, and where in it). */
  reply: string;
  added: readonly string[];
  removed: readonly string[];
  /** SPDK's file and the function that writes the members. */
  source: string;
}

export const MEMBER_CHANGES: readonly MemberChange[] = [
  {
    since: 2405,
    reply: 'framework_get_reactors: reactors[]',
    added: ['irq', 'sys', 'usr'],
    removed: [],
    source: 'lib/event/app_rpc.c _rpc_framework_get_reactors',
  },
  {
    since: 2405,
    reply: 'nvmf_get_transports[] and framework_get_config nvmf_create_transport params',
    added: ['ack_timeout', 'data_wr_pool_size'],
    removed: [],
    source: 'lib/nvmf/transport.c nvmf_transport_dump_opts',
  },
  {
    since: 2405,
    reply: 'nvmf_get_subsystems: listen_addresses[]',
    added: [],
    removed: ['transport'],
    source: 'lib/nvmf/nvmf_rpc.c dump_nvmf_subsystem',
  },
  {
    since: 2405,
    reply: 'framework_get_config nvmf: nvmf_subsystem_add_ns params.namespace',
    added: ['no_auto_visible'],
    removed: [],
    source: 'lib/nvmf/nvmf.c nvmf_write_nvme_subsystem_config',
  },
  {
    since: 2409,
    reply: 'framework_get_config nvmf: nvmf_set_config params',
    added: ['dhchap_digests', 'dhchap_dhgroups'],
    removed: [],
    source: 'module/event/subsystems/nvmf/nvmf_tgt.c nvmf_subsystem_write_config_json',
  },
  {
    since: 2409,
    reply: 'bdev_get_bdevs[]',
    added: [
      'numa_id (NVMe bdevs)',
      'dif_pi_format (with DIF)',
      'supported_io_types: every I/O type of enum spdk_bdev_io_type, in its order (nvme_io_md, zcopy, get_zone_info, zone_management, zone_append, seek_hole, seek_data, copy, nvme_iov_md)',
    ],
    removed: [],
    source: 'lib/bdev/bdev_rpc.c rpc_dump_bdev_info, include/spdk/bdev.h enum spdk_bdev_io_type',
  },
  {
    since: 2409,
    reply: 'framework_get_reactors: reactors[]',
    added: ['tid'],
    removed: [],
    source: 'lib/event/app_rpc.c _rpc_framework_get_reactors',
  },
  {
    since: 2409,
    reply: 'bdev_nvme_get_controllers: ctrlrs[]',
    added: ['numa_id'],
    removed: [],
    source: 'module/bdev/nvme/bdev_nvme.c nvme_ctrlr_info_json',
  },
  {
    since: 2509,
    reply: 'bdev_get_bdevs[]',
    added: [
      'preferred_write_alignment',
      'preferred_write_granularity',
      'optimal_write_size',
      'preferred_unmap_alignment',
      'preferred_unmap_granularity',
      'supported_io_types.nvme_nssr',
    ],
    removed: [],
    source: 'lib/bdev/bdev_rpc.c rpc_dump_bdev_info, include/spdk/bdev.h enum spdk_bdev_io_type',
  },
  {
    since: 2509,
    reply: 'framework_get_config nvmf: nvmf_set_config params.admin_cmd_passthru',
    added: ['vendor_specific'],
    removed: [],
    source: 'module/event/subsystems/nvmf/nvmf_tgt.c nvmf_subsystem_write_config_json',
  },
  {
    since: 2601,
    reply: 'framework_get_config nvmf: nvmf_set_config params.admin_cmd_passthru',
    added: ['identify_uuid_list', 'get_log_page', 'get_set_features', 'sanitize', 'security_send_recv', 'fw_update', 'nvme_mi'],
    removed: [],
    source: 'module/event/subsystems/nvmf/nvmf_tgt.c nvmf_subsystem_write_config_json',
  },
  {
    since: 2605,
    reply: 'framework_get_config nvmf: nvmf_set_config params',
    added: ['dup_host_policy'],
    removed: [],
    source: 'module/event/subsystems/nvmf/nvmf_tgt.c nvmf_subsystem_write_config_json',
  },
  {
    since: 2601,
    reply: 'bdev_get_bdevs[]',
    added: ['supported_io_types.write_uncorrectable'],
    removed: [],
    source: 'include/spdk/bdev.h enum spdk_bdev_io_type',
  },
  {
    since: 2601,
    reply: 'nvmf_get_transports[] and framework_get_config nvmf_create_transport params',
    added: ['disable_command_passthru', 'kas', 'min_kato'],
    removed: [],
    source: 'lib/nvmf/transport.c nvmf_transport_dump_opts',
  },
  {
    since: 2601,
    reply: 'nvmf_get_subsystems[]',
    added: ['passthrough'],
    removed: [],
    source: 'lib/nvmf/nvmf_rpc.c dump_nvmf_subsystem',
  },
  {
    since: 2601,
    reply: 'framework_get_config nvmf: nvmf_create_subsystem params',
    added: ['max_discard_size_kib', 'max_write_zeroes_size_kib', 'passthrough', 'enable_nssr'],
    removed: [],
    source: 'lib/nvmf/nvmf.c nvmf_write_nvme_subsystem_config',
  },
  {
    since: 2605,
    reply: 'framework_get_config nvmf: nvmf_create_subsystem params',
    added: ['dmrsl', 'wzsl'],
    removed: ['max_discard_size_kib', 'max_write_zeroes_size_kib'],
    source: 'lib/nvmf/nvmf.c nvmf_write_create_subsystem_config',
  },
  {
    since: 2605,
    reply: 'bdev_get_bdevs[]: memory_domains[]',
    added: [],
    removed: ['dma_device_id'],
    source: 'lib/bdev/bdev_rpc.c rpc_dump_bdev_info',
  },
  {
    since: 2605,
    reply: 'framework_get_reactors: reactors[]',
    added: ['numa_id'],
    removed: [],
    source: 'lib/event/app_rpc.c _rpc_framework_get_reactors',
  },
  {
    since: 2605,
    reply: 'nvmf_get_transports[] and framework_get_config nvmf_create_transport params',
    added: ['iobuf_small_cache_size', 'iobuf_large_cache_size'],
    removed: ['io_unit_size', 'num_shared_buffers', 'buf_cache_size'],
    source: 'lib/nvmf/transport.c nvmf_transport_dump_opts',
  },
  {
    since: 2605,
    reply: 'nvmf_get_subsystems[]',
    added: ['dmrsl', 'wzsl'],
    removed: [],
    source: 'lib/nvmf/nvmf_rpc.c dump_nvmf_subsystem',
  },
  {
    since: 2605,
    reply: 'framework_get_config nvmf: order',
    added: [
      'the subsystems written by kind, all nvmf_create_subsystem first, then hosts, namespaces, namespace hosts, listeners (batches, flattened unless with_batches: true)',
    ],
    removed: [],
    source: 'lib/nvmf/nvmf.c spdk_nvmf_tgt_write_config_json, lib/init/subsystem_rpc.c',
  },
  {
    since: 2605,
    reply: 'bdev_nvme_get_controllers: ctrlrs[]',
    added: ['no_shn_notification'],
    removed: [],
    source: 'module/bdev/nvme/bdev_nvme.c nvme_ctrlr_info_json',
  },
];

/** What the simulator's writers ask: which of the changes above apply to the emulated release. */
export interface ReplyMembers {
  reactorProcStat: boolean;
  reactorTid: boolean;
  reactorNumaId: boolean;
  transportAckAndWrPool: boolean;
  transportKeepAlive: boolean;
  transportIobufCaches: boolean;
  nsNoAutoVisible: boolean;
  bdevNumaId: boolean;
  bdevDifPiFormat: boolean;
  bdevPreferredSizes: boolean;
  /** Null: v24.01's eleven named I/O types; else every type of the release's enum, in order. */
  ioTypes: readonly string[] | null;
  memoryDomainDeviceId: boolean;
  nvmeCtrlrNumaId: boolean;
  nvmeCtrlrNoShn: boolean;
  subsystemPassthrough: boolean;
  subsystemDmrslWzsl: boolean;
  /** nvmf_create_subsystem's limits in framework_get_config: none, in KiB (26.01), as dmrsl/wzsl (26.05). */
  createSubsystemLimits: 'none' | 'kib' | 'dmrsl';
  configByKind: boolean;
  /** nvmf_set_config in framework_get_config: the DH-CHAP lists (24.09), `dup_host_policy` (26.05). */
  nvmfConfigDhchap: boolean;
  nvmfConfigDupHostPolicy: boolean;
  /** nvmf_set_config's `admin_cmd_passthru` members, in SPDK's order. */
  adminCmdPassthru: readonly string[];
}

/** `enum spdk_bdev_io_type` (include/spdk/bdev.h), READ to the last, as of v24.01. */
const IO_TYPES_2401 = [
  'read',
  'write',
  'unmap',
  'flush',
  'reset',
  'nvme_admin',
  'nvme_io',
  'nvme_io_md',
  'write_zeroes',
  'zcopy',
  'get_zone_info',
  'zone_management',
  'zone_append',
  'compare',
  'compare_and_write',
  'abort',
  'seek_hole',
  'seek_data',
  'copy',
  'nvme_iov_md',
] as const;

/** The changes of `MEMBER_CHANGES` in force at release `n` (YYMM). */
export function replyMembersFor(n: number): ReplyMembers {
  return {
    reactorProcStat: n >= 2405,
    reactorTid: n >= 2409,
    reactorNumaId: n >= 2605,
    transportAckAndWrPool: n >= 2405,
    transportKeepAlive: n >= 2601,
    transportIobufCaches: n >= 2605,
    nsNoAutoVisible: n >= 2405,
    bdevNumaId: n >= 2409,
    bdevDifPiFormat: n >= 2409,
    bdevPreferredSizes: n >= 2509,
    ioTypes: n < 2409 ? null : [...IO_TYPES_2401, ...(n >= 2509 ? ['nvme_nssr'] : []), ...(n >= 2601 ? ['write_uncorrectable'] : [])],
    memoryDomainDeviceId: n < 2605,
    nvmeCtrlrNumaId: n >= 2409,
    nvmeCtrlrNoShn: n >= 2605,
    subsystemPassthrough: n >= 2601,
    subsystemDmrslWzsl: n >= 2605,
    createSubsystemLimits: n >= 2605 ? 'dmrsl' : n >= 2601 ? 'kib' : 'none',
    configByKind: n >= 2605,
    nvmfConfigDhchap: n >= 2409,
    nvmfConfigDupHostPolicy: n >= 2605,
    adminCmdPassthru: [
      'identify_ctrlr',
      ...(n >= 2601 ? ['identify_uuid_list', 'get_log_page', 'get_set_features', 'sanitize', 'security_send_recv', 'fw_update', 'nvme_mi'] : []),
      ...(n >= 2509 ? ['vendor_specific'] : []),
    ],
  };
}
