/**
 * The legacy-to-current method name map (contract §4.2, §4.3) with the releases each name works in.
 *
 * SPDK renamed most methods in v19.10 (the old names stayed as deprecated aliases until v22.01 and
 * were removed in v22.05), and a few before that with no alias at all. A wrapper asks for an
 * *operation*, named by its current method name; `nameCandidates` gives the names to look for,
 * newest first. Ranges marked `estimated` are not in the contract (they come from SPDK's changelog
 * and are used only in messages and docs, never to pick a name: the target's method list decides).
 */
import type { Release } from './releases.js';

export interface MethodNameSpan {
  readonly name: string;
  /** First release that accepts this name. */
  readonly since: Release;
  /** Last release that accepts it; absent while it still works. */
  readonly until?: Release;
  /** The range is not from the contract. */
  readonly estimated?: boolean;
  /**
   * Present when this old name takes parameters of another shape than the current method, so a
   * wrapper cannot call it in its place (it is listed for the map, never picked).
   */
  readonly notInterchangeable?: string;
  /** Present when the old name is a generic method that also serves other operations. */
  readonly generic?: string;
}

export interface MethodHistory {
  /** Newest first: the current name, then older ones. */
  readonly names: readonly MethodNameSpan[];
  /**
   * v17.07-era pairs that one current method replaced (`get_vhost_blk_controllers` +
   * `get_vhost_scsi_controllers`): the wrapper calls both and merges.
   */
  readonly splitInto?: readonly string[];
}

type Span = [name: string, since: Release, until?: Release, extra?: Partial<MethodNameSpan>];

function history(...spans: Span[]): MethodHistory {
  return { names: spans.map(([name, since, until, extra]) => ({ name, since, ...(until ? { until } : {}), ...extra })) };
}

const EST = { estimated: true } as const;
const GENERIC_DELETE = { generic: 'delete_bdev deletes a bdev of any module (v17.07–v19.01)' } as const;

const HISTORY = {
  // --- framework, app, introspection ---
  rpc_get_methods: history(['rpc_get_methods', '19.07'], ['get_rpc_methods', '17.10', '22.01']),
  spdk_get_version: history(['spdk_get_version', '19.10'], ['get_spdk_version', '19.04', '22.01']),
  spdk_kill_instance: history(['spdk_kill_instance', '19.10'], ['kill_instance', '17.07', '22.01']),
  framework_start_init: history(['framework_start_init', '19.10'], ['start_subsystem_init', '18.07', '22.01']),
  framework_wait_init: history(['framework_wait_init', '19.10'], ['wait_subsystem_init', '19.01', '22.01']),
  framework_get_subsystems: history(['framework_get_subsystems', '19.10'], ['get_subsystems', '18.04', '22.01']),
  framework_get_config: history(['framework_get_config', '19.10'], ['get_subsystem_config', '18.04', '22.01']),
  framework_monitor_context_switch: history(['framework_monitor_context_switch', '19.10'], ['context_switch_monitor', '17.10', '22.01']),
  framework_get_reactors: history(['framework_get_reactors', '20.01']),
  thread_get_stats: history(['thread_get_stats', '19.07']),
  env_dpdk_get_mem_stats: history(['env_dpdk_get_mem_stats', '20.01']),

  // --- bdev ---
  bdev_get_bdevs: history(['bdev_get_bdevs', '19.10'], ['get_bdevs', '17.07', '22.01']),
  bdev_get_iostat: history(['bdev_get_iostat', '19.10'], ['get_bdevs_iostat', '18.07', '22.01']),
  bdev_malloc_create: history(['bdev_malloc_create', '19.10'], ['construct_malloc_bdev', '17.07', '22.01']),
  bdev_malloc_delete: history(['bdev_malloc_delete', '19.10'], ['delete_malloc_bdev', '18.07', '22.01'], ['delete_bdev', '17.07', '19.01', GENERIC_DELETE]),
  bdev_null_create: history(['bdev_null_create', '19.10'], ['construct_null_bdev', '17.07', '22.01']),
  bdev_null_delete: history(['bdev_null_delete', '19.10'], ['delete_null_bdev', '18.07', '22.01'], ['delete_bdev', '17.07', '19.01', GENERIC_DELETE]),
  bdev_aio_create: history(['bdev_aio_create', '19.10'], ['construct_aio_bdev', '17.07', '22.01']),
  bdev_aio_delete: history(['bdev_aio_delete', '19.10'], ['delete_aio_bdev', '18.07', '22.01'], ['delete_bdev', '17.07', '19.01', GENERIC_DELETE]),
  bdev_nvme_attach_controller: history(['bdev_nvme_attach_controller', '19.10'], ['construct_nvme_bdev', '17.07', '22.01']),
  bdev_nvme_detach_controller: history(['bdev_nvme_detach_controller', '19.10'], ['delete_nvme_controller', '18.07', '22.01']),
  bdev_nvme_get_controllers: history(['bdev_nvme_get_controllers', '19.10'], ['get_nvme_controllers', '18.10', '22.01']),
  bdev_nvme_set_options: history(['bdev_nvme_set_options', '19.10'], ['set_bdev_nvme_options', '18.07', '22.01']),
  bdev_nvme_set_hotplug: history(['bdev_nvme_set_hotplug', '19.10'], ['set_bdev_nvme_hotplug', '18.07', '22.01']),
  bdev_set_options: history(['bdev_set_options', '19.10'], ['set_bdev_options', '18.07', '22.01']),
  bdev_set_qos_limit: history(
    ['bdev_set_qos_limit', '19.10'],
    ['set_bdev_qos_limit', '18.10', '22.01'],
    ['set_bdev_qos_limit_iops', '18.04', '18.07', { notInterchangeable: 'takes ios_per_sec only' }],
  ),
  bdev_wait_for_examine: history(['bdev_wait_for_examine', '20.10', undefined, EST]),
  bdev_lvol_get_lvstores: history(['bdev_lvol_get_lvstores', '19.10'], ['get_lvol_stores', '17.10', '25.09', EST]),

  // --- NVMe-oF ---
  nvmf_create_transport: history(['nvmf_create_transport', '18.10']),
  nvmf_get_transports: history(['nvmf_get_transports', '19.10'], ['get_nvmf_transports', '19.01', '22.01']),
  nvmf_create_subsystem: history(
    ['nvmf_create_subsystem', '19.10'],
    ['nvmf_subsystem_create', '18.10', '22.01'],
    ['construct_nvmf_subsystem', '17.07', '18.10', { notInterchangeable: 'creates the whole subsystem (listeners, hosts, namespaces) in one call' }],
  ),
  nvmf_delete_subsystem: history(['nvmf_delete_subsystem', '19.10'], ['delete_nvmf_subsystem', '17.07', '22.01']),
  nvmf_get_subsystems: history(['nvmf_get_subsystems', '19.10'], ['get_nvmf_subsystems', '17.07', '22.01']),
  nvmf_subsystem_add_ns: history(['nvmf_subsystem_add_ns', '18.04']),
  nvmf_subsystem_remove_ns: history(['nvmf_subsystem_remove_ns', '18.04', undefined, EST]),
  nvmf_subsystem_add_listener: history(['nvmf_subsystem_add_listener', '18.04']),
  nvmf_subsystem_remove_listener: history(['nvmf_subsystem_remove_listener', '18.07', undefined, EST]),
  nvmf_subsystem_add_host: history(['nvmf_subsystem_add_host', '18.04']),
  nvmf_subsystem_remove_host: history(['nvmf_subsystem_remove_host', '18.04', undefined, EST]),
  nvmf_subsystem_get_controllers: history(['nvmf_subsystem_get_controllers', '20.01', undefined, EST]),
  nvmf_get_stats: history(['nvmf_get_stats', '19.07']),
  nvmf_set_max_subsystems: history(
    ['nvmf_set_max_subsystems', '19.10'],
    ['set_nvmf_target_max_subsystems', '19.01', '22.01'],
    ['set_nvmf_target_options', '18.07', '18.10', { notInterchangeable: 'sets several target options at once' }],
  ),
  nvmf_set_config: history(['nvmf_set_config', '19.10'], ['set_nvmf_target_config', '18.07', '22.01']),

  // --- vhost ---
  vhost_create_blk_controller: history(['vhost_create_blk_controller', '19.10'], ['construct_vhost_blk_controller', '17.07', '22.01']),
  vhost_create_scsi_controller: history(['vhost_create_scsi_controller', '19.10'], ['construct_vhost_scsi_controller', '17.07', '22.01']),
  vhost_scsi_controller_add_target: history(['vhost_scsi_controller_add_target', '19.10'], ['add_vhost_scsi_lun', '17.07', '22.01']),
  vhost_scsi_controller_remove_target: history(
    ['vhost_scsi_controller_remove_target', '19.10'],
    ['remove_vhost_scsi_target', '18.01', '22.01'],
    ['remove_vhost_scsi_dev', '17.07', '17.10'],
  ),
  vhost_get_controllers: {
    ...history(['vhost_get_controllers', '19.10'], ['get_vhost_controllers', '17.10', '22.01']),
    splitInto: ['get_vhost_blk_controllers', 'get_vhost_scsi_controllers'],
  },
  vhost_delete_controller: {
    ...history(['vhost_delete_controller', '19.10'], ['remove_vhost_controller', '17.10', '22.01']),
    splitInto: ['remove_vhost_blk_controller', 'remove_vhost_scsi_controller'],
  },
  get_vhost_blk_controllers: history(['get_vhost_blk_controllers', '17.07', '17.07']),
  get_vhost_scsi_controllers: history(['get_vhost_scsi_controllers', '17.07', '17.07']),
  remove_vhost_blk_controller: history(['remove_vhost_blk_controller', '17.07', '17.07']),
  remove_vhost_scsi_controller: history(['remove_vhost_scsi_controller', '17.07', '17.07']),
  vhost_controller_set_coalescing: history(['vhost_controller_set_coalescing', '19.10'], ['set_vhost_controller_coalescing', '17.10', '22.01']),

  // --- SCSI and iSCSI ---
  scsi_get_devices: history(['scsi_get_devices', '19.10'], ['get_scsi_devices', '17.07', '22.01']),
  iscsi_get_target_nodes: history(['iscsi_get_target_nodes', '19.10'], ['get_target_nodes', '17.07', '22.01']),
  iscsi_get_portal_groups: history(['iscsi_get_portal_groups', '19.10'], ['get_portal_groups', '17.07', '22.01']),
  iscsi_get_initiator_groups: history(['iscsi_get_initiator_groups', '19.10'], ['get_initiator_groups', '17.07', '22.01', EST]),
  iscsi_create_portal_group: history(['iscsi_create_portal_group', '19.10'], ['add_portal_group', '17.07', '22.01', EST]),
  iscsi_create_initiator_group: history(['iscsi_create_initiator_group', '19.10'], ['add_initiator_group', '17.07', '22.01', EST]),
  iscsi_create_target_node: history(['iscsi_create_target_node', '19.10'], ['construct_target_node', '17.07', '22.01', EST]),
  iscsi_delete_target_node: history(['iscsi_delete_target_node', '19.10'], ['delete_target_node', '17.07', '22.01', EST]),
  iscsi_get_connections: history(['iscsi_get_connections', '19.10'], ['get_iscsi_connections', '17.07', '22.01']),
  iscsi_get_options: history(['iscsi_get_options', '19.10'], ['get_iscsi_global_params', '18.01', '22.01']),
  iscsi_set_options: history(['iscsi_set_options', '19.10'], ['set_iscsi_options', '18.07', '22.01']),

  // --- the rest of §4.2, for the map (not wrapped) ---
  net_get_interfaces: history(['net_get_interfaces', '19.10', '21.04'], ['get_interfaces', '17.07', '21.04']),
  net_interface_add_ip_address: history(['net_interface_add_ip_address', '19.10', '21.04'], ['add_ip_address', '17.07', '21.04']),
  net_interface_delete_ip_address: history(['net_interface_delete_ip_address', '19.10', '21.04'], ['delete_ip_address', '17.07', '21.04']),
  nbd_get_disks: history(['nbd_get_disks', '19.10'], ['get_nbd_disks', '18.01', '22.01']),
  nbd_start_disk: history(['nbd_start_disk', '19.10'], ['start_nbd_disk', '18.01', '22.01']),
  nbd_stop_disk: history(['nbd_stop_disk', '19.10'], ['stop_nbd_disk', '18.01', '22.01']),
  notify_get_types: history(['notify_get_types', '19.10'], ['get_notification_types', '19.04', '22.01']),
  notify_get_notifications: history(['notify_get_notifications', '19.10'], ['get_notifications', '19.04', '22.01']),
  log_set_flag: history(['log_set_flag', '19.10'], ['set_log_flag', '19.01', '22.01'], ['set_trace_flag', '17.07', '19.07']),
  log_clear_flag: history(['log_clear_flag', '19.10'], ['clear_log_flag', '19.01', '22.01'], ['clear_trace_flag', '17.07', '19.07']),
  log_get_flags: history(['log_get_flags', '19.10'], ['get_log_flags', '19.01', '22.01'], ['get_trace_flags', '17.07', '19.07']),
  log_set_level: history(['log_set_level', '19.10'], ['set_log_level', '18.01', '22.01']),
  log_get_level: history(['log_get_level', '19.10'], ['get_log_level', '18.01', '22.01']),
  log_set_print_level: history(['log_set_print_level', '19.10'], ['set_log_print_level', '18.01', '22.01']),
  log_get_print_level: history(['log_get_print_level', '19.10'], ['get_log_print_level', '18.01', '22.01']),
  trace_enable_tpoint_group: history(['trace_enable_tpoint_group', '19.10'], ['enable_tpoint_group', '19.01', '22.01']),
  trace_disable_tpoint_group: history(['trace_disable_tpoint_group', '19.10'], ['disable_tpoint_group', '19.01', '22.01']),
  trace_get_tpoint_group_mask: history(['trace_get_tpoint_group_mask', '19.10'], ['get_tpoint_group_mask', '19.01', '22.01']),
  ioat_scan_accel_module: history(
    ['ioat_scan_accel_module', '22.09'],
    ['ioat_scan_accel_engine', '20.04', '25.09'],
    ['ioat_scan_copy_engine', '19.10', '22.01'],
    ['scan_ioat_copy_engine', '18.07', '22.01'],
  ),
  vmd_enable: history(['vmd_enable', '22.09'], ['enable_vmd', '19.07', '25.09']),
} satisfies Record<string, MethodHistory>;

/** A logical operation, named by its current SPDK method name. */
export type Operation = keyof typeof HISTORY;

export const METHOD_HISTORY: Readonly<Record<Operation, MethodHistory>> = HISTORY;

const CURRENT_BY_NAME: ReadonlyMap<string, Operation> = (() => {
  const map = new Map<string, Operation>();
  for (const [operation, entry] of Object.entries(HISTORY) as Array<[Operation, MethodHistory]>) {
    for (const span of entry.names) {
      // delete_bdev serves three operations: it maps to none of them in particular.
      if (span.generic) continue;
      if (!map.has(span.name)) map.set(span.name, operation);
    }
  }
  return map;
})();

/** The names a wrapper may call for `operation`, newest first (never the not-interchangeable ones). */
export function nameCandidates(operation: Operation): readonly MethodNameSpan[] {
  return METHOD_HISTORY[operation].names.filter((span) => span.notInterchangeable === undefined);
}

/** Every name `operation` ever had, newest first, including the not-interchangeable ones. */
export function allNames(operation: Operation): readonly MethodNameSpan[] {
  return METHOD_HISTORY[operation].names;
}

/** The current name of any known name (`get_bdevs` → `bdev_get_bdevs`); undefined when unknown. */
export function currentName(name: string): Operation | undefined {
  return CURRENT_BY_NAME.get(name);
}

/** Whether `name` is an operation of this catalogue. */
export function isOperation(name: string): name is Operation {
  return Object.hasOwn(HISTORY, name);
}

/** `get_bdevs (v17.07–v22.01)`, `bdev_get_bdevs (v19.10+)`; `≈` marks an estimated range. */
export function describeSpan(span: MethodNameSpan): string {
  const mark = span.estimated ? '≈' : '';
  const range = span.until === undefined ? `v${span.since}+` : span.until === span.since ? `v${span.since}` : `v${span.since}–v${span.until}`;
  return `${span.name} (${mark}${range})`;
}
