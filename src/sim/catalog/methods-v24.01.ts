/**
 * The method tables of SPDK v24.01, as the real targets list them (test/fixtures/spdk/v24.01: the raw
 * `rpc_get_methods {"include_aliases":true}` replies, which keep SPDK's registration order).
 *
 * SPDK builds its method list by inserting at the head, so the order is the reverse of registration.
 * Each library registers its methods in one run, always in the same order; an app links its
 * libraries in its own order. So the captured lists are the blocks below, one per library group,
 * concatenated per app: each method is written once here. The simulator answers `rpc_get_methods`
 * in exactly this order. `iscsi_tgt` was not captured: its table is `spdk_tgt`'s without the nvmf
 * and vhost blocks (iscsi_tgt links bdev, scsi and iscsi, not nvmf or vhost).
 * Checked against methods.json by test/unit/sim/catalog.test.ts.
 */

/** The bdev modules and the accel modules they pull in (module/bdev/*, blobfs, accel/ioat, accel/error). */
const BDEV_MODULES: readonly string[] = [
  'bdev_malloc_delete',
  'bdev_malloc_create',
  'bdev_null_resize',
  'bdev_null_delete',
  'bdev_null_create',
  'bdev_opal_new_user',
  'bdev_opal_set_lock_state',
  'bdev_opal_delete',
  'bdev_opal_get_info',
  'bdev_opal_create',
  'bdev_nvme_opal_revert',
  'bdev_nvme_opal_init',
  'bdev_nvme_send_cmd',
  'bdev_nvme_get_path_iostat',
  'bdev_nvme_get_mdns_discovery_info',
  'bdev_nvme_stop_mdns_discovery',
  'bdev_nvme_start_mdns_discovery',
  'bdev_nvme_set_multipath_policy',
  'bdev_nvme_set_preferred_path',
  'bdev_nvme_get_io_paths',
  'bdev_nvme_remove_error_injection',
  'bdev_nvme_add_error_injection',
  'bdev_nvme_get_discovery_info',
  'bdev_nvme_stop_discovery',
  'bdev_nvme_start_discovery',
  'bdev_nvme_get_controller_health_info',
  'bdev_nvme_disable_controller',
  'bdev_nvme_enable_controller',
  'bdev_nvme_reset_controller',
  'bdev_nvme_get_transport_statistics',
  'bdev_nvme_apply_firmware',
  'bdev_nvme_detach_controller',
  'bdev_nvme_get_controllers',
  'bdev_nvme_attach_controller',
  'bdev_nvme_set_hotplug',
  'bdev_nvme_set_options',
  'bdev_passthru_delete',
  'bdev_passthru_create',
  'get_lvol_stores',
  'bdev_lvol_grow_lvstore',
  'bdev_lvol_get_lvols',
  'bdev_lvol_get_lvstores',
  'bdev_lvol_delete',
  'bdev_lvol_set_read_only',
  'bdev_lvol_resize',
  'bdev_lvol_decouple_parent',
  'bdev_lvol_inflate',
  'bdev_lvol_rename',
  'bdev_lvol_clone_bdev',
  'bdev_lvol_clone',
  'bdev_lvol_snapshot',
  'bdev_lvol_create',
  'bdev_lvol_delete_lvstore',
  'bdev_lvol_rename_lvstore',
  'bdev_lvol_create_lvstore',
  'bdev_raid_set_options',
  'bdev_raid_remove_base_bdev',
  'bdev_raid_add_base_bdev',
  'bdev_raid_delete',
  'bdev_raid_create',
  'bdev_raid_get_bdevs',
  'bdev_error_inject_error',
  'bdev_error_delete',
  'bdev_error_create',
  'bdev_split_delete',
  'bdev_split_create',
  'bdev_delay_delete',
  'bdev_delay_create',
  'bdev_delay_update_latency',
  'bdev_zone_block_delete',
  'bdev_zone_block_create',
  'blobfs_create',
  'blobfs_detect',
  'blobfs_set_cache_size',
  'bdev_aio_delete',
  'bdev_aio_rescan',
  'bdev_aio_create',
  'bdev_ftl_set_property',
  'bdev_ftl_get_properties',
  'bdev_ftl_get_stats',
  'bdev_ftl_unmap',
  'bdev_ftl_unload',
  'bdev_ftl_delete',
  'bdev_ftl_load',
  'bdev_ftl_create',
  'bdev_virtio_attach_controller',
  'bdev_virtio_scsi_get_devices',
  'bdev_virtio_detach_controller',
  'bdev_virtio_blk_set_hotplug',
  'accel_error_inject_error',
  'ioat_scan_accel_engine',
  'ioat_scan_accel_module',
];

/** lib/iscsi. */
const ISCSI: readonly string[] = [
  'iscsi_set_options',
  'iscsi_get_auth_groups',
  'iscsi_auth_group_remove_secret',
  'iscsi_auth_group_add_secret',
  'iscsi_delete_auth_group',
  'iscsi_create_auth_group',
  'iscsi_set_discovery_auth',
  'iscsi_get_options',
  'iscsi_target_node_request_logout',
  'iscsi_target_node_set_redirect',
  'iscsi_target_node_set_auth',
  'iscsi_target_node_add_lun',
  'iscsi_get_connections',
  'iscsi_portal_group_set_auth',
  'iscsi_start_portal_group',
  'iscsi_delete_portal_group',
  'iscsi_create_portal_group',
  'iscsi_get_portal_groups',
  'iscsi_delete_target_node',
  'iscsi_target_node_remove_pg_ig_maps',
  'iscsi_target_node_add_pg_ig_maps',
  'iscsi_create_target_node',
  'iscsi_get_target_nodes',
  'iscsi_delete_initiator_group',
  'iscsi_initiator_group_remove_initiators',
  'iscsi_initiator_group_add_initiators',
  'iscsi_create_initiator_group',
  'iscsi_get_initiator_groups',
];

/** lib/nvmf. */
const NVMF: readonly string[] = [
  'nvmf_set_crdt',
  'nvmf_set_config',
  'nvmf_set_max_subsystems',
  'nvmf_subsystem_get_listeners',
  'nvmf_subsystem_get_qpairs',
  'nvmf_subsystem_get_controllers',
  'nvmf_get_stats',
  'nvmf_get_transports',
  'nvmf_create_transport',
  'nvmf_get_targets',
  'nvmf_delete_target',
  'nvmf_create_target',
  'nvmf_subsystem_allow_any_host',
  'nvmf_subsystem_remove_host',
  'nvmf_subsystem_add_host',
  'nvmf_subsystem_remove_ns',
  'nvmf_subsystem_add_ns',
  'nvmf_subsystem_listener_set_ana_state',
  'nvmf_discovery_get_referrals',
  'nvmf_discovery_remove_referral',
  'nvmf_discovery_add_referral',
  'nvmf_subsystem_remove_listener',
  'nvmf_subsystem_add_listener',
  'nvmf_delete_subsystem',
  'nvmf_create_subsystem',
  'nvmf_get_subsystems',
];

/** lib/env_dpdk. */
const ENV_DPDK: readonly string[] = ['env_dpdk_get_mem_stats'];

/** lib/nbd. */
const NBD: readonly string[] = ['nbd_get_disks', 'nbd_stop_disk', 'nbd_start_disk'];

/** lib/vhost (vhost-user and virtio-blk transports). */
const VHOST: readonly string[] = [
  'virtio_blk_create_transport',
  'virtio_blk_get_transports',
  'vhost_controller_set_coalescing',
  'vhost_get_controllers',
  'vhost_delete_controller',
  'vhost_create_blk_controller',
  'vhost_scsi_controller_remove_target',
  'vhost_scsi_controller_add_target',
  'vhost_start_scsi_controller',
  'vhost_create_scsi_controller',
];

/** lib/event and lib/init: threads, reactors, scheduler, log, cpumask locks, framework start-up. */
const EVENT: readonly string[] = [
  'thread_set_cpumask',
  'framework_get_scheduler',
  'framework_set_scheduler',
  'framework_get_reactors',
  'thread_get_io_channels',
  'thread_get_pollers',
  'thread_get_stats',
  'framework_monitor_context_switch',
  'spdk_kill_instance',
  'log_enable_timestamps',
  'log_get_flags',
  'log_clear_flag',
  'log_set_flag',
  'log_get_level',
  'log_set_level',
  'log_get_print_level',
  'log_set_print_level',
  'framework_enable_cpumask_locks',
  'framework_disable_cpumask_locks',
  'framework_wait_init',
  'framework_start_init',
];

/** lib/scsi. */
const SCSI: readonly string[] = ['scsi_get_devices'];

/** The bdev layer and the libraries under it: notify, accel, vmd, sock, iobuf, the PCI listing, init's config dump, trace. */
const BDEV_AND_BASE: readonly string[] = [
  'bdev_get_histogram',
  'bdev_enable_histogram',
  'bdev_set_qos_limit',
  'bdev_set_qd_sampling_period',
  'bdev_get_bdevs',
  'bdev_reset_iostat',
  'bdev_get_iostat',
  'bdev_examine',
  'bdev_wait_for_examine',
  'bdev_set_options',
  'notify_get_notifications',
  'notify_get_types',
  'accel_get_engine_info',
  'accel_get_stats',
  'accel_set_options',
  'accel_set_driver',
  'accel_crypto_key_destroy',
  'accel_crypto_keys_get',
  'accel_crypto_key_create',
  'accel_assign_opc',
  'accel_get_module_info',
  'accel_get_opc_assignments',
  'enable_vmd',
  'vmd_rescan',
  'vmd_remove_device',
  'vmd_enable',
  'sock_set_default_impl',
  'sock_impl_set_options',
  'sock_impl_get_options',
  'iobuf_get_stats',
  'iobuf_set_options',
  'framework_get_pci_devices',
  'framework_get_config',
  'framework_get_subsystems',
  'trace_get_info',
  'trace_get_tpoint_group_mask',
  'trace_disable_tpoint_group',
  'trace_enable_tpoint_group',
  'trace_clear_tpoint_mask',
  'trace_set_tpoint_mask',
];

/** lib/rpc itself. */
const RPC: readonly string[] = ['spdk_get_version', 'rpc_get_methods'];

/** nvmf_tgt, aliases included (captured). */
export const NVMF_TGT_METHODS_V24_01: readonly string[] = [...BDEV_MODULES, ...NVMF, ...EVENT, ...ENV_DPDK, ...NBD, ...BDEV_AND_BASE, ...RPC];

/** vhost, aliases placed as in spdk_tgt (the plain list was captured). */
export const VHOST_METHODS_V24_01: readonly string[] = [...BDEV_MODULES, ...VHOST, ...EVENT, ...SCSI, ...NBD, ...BDEV_AND_BASE, ...ENV_DPDK, ...RPC];

/** spdk_tgt, aliases included (captured). */
export const SPDK_TGT_METHODS_V24_01: readonly string[] = [
  ...BDEV_MODULES,
  ...ISCSI,
  ...NVMF,
  ...ENV_DPDK,
  ...NBD,
  ...VHOST,
  ...EVENT,
  ...SCSI,
  ...BDEV_AND_BASE,
  ...RPC,
];

/** iscsi_tgt (derived, see above): spdk_tgt's order without its NVMF and VHOST blocks. */
export const ISCSI_TGT_METHODS_V24_01: readonly string[] = [...BDEV_MODULES, ...ISCSI, ...ENV_DPDK, ...NBD, ...EVENT, ...SCSI, ...BDEV_AND_BASE, ...RPC];

/** The deprecated aliases still registered in v24.01 (and v25.09), with the method each calls. */
export const ALIASES_V24_01: Readonly<Record<string, string>> = {
  accel_get_engine_info: 'accel_get_module_info',
  enable_vmd: 'vmd_enable',
  get_lvol_stores: 'bdev_lvol_get_lvstores',
  ioat_scan_accel_engine: 'ioat_scan_accel_module',
};

/** Callable only before framework_start_init (captured on nvmf_tgt; iscsi_set_options from SPDK's source). */
export const STARTUP_ONLY_V24_01: readonly string[] = [
  'accel_assign_opc',
  'accel_set_driver',
  'accel_set_options',
  'bdev_set_options',
  'framework_start_init',
  'ioat_scan_accel_module',
  'iobuf_set_options',
  'nvmf_set_config',
  'nvmf_set_crdt',
  'nvmf_set_max_subsystems',
  'sock_impl_set_options',
  'sock_set_default_impl',
  'vmd_enable',
  'iscsi_set_options',
];

/** Callable in STARTUP and RUNTIME (captured on nvmf_tgt). Everything else is RUNTIME-only. */
export const BOTH_STATES_V24_01: readonly string[] = [
  'bdev_nvme_set_options',
  'bdev_raid_set_options',
  'blobfs_set_cache_size',
  'framework_disable_cpumask_locks',
  'framework_enable_cpumask_locks',
  'framework_set_scheduler',
  'framework_wait_init',
  'log_clear_flag',
  'log_get_flags',
  'log_get_level',
  'log_get_print_level',
  'log_set_flag',
  'log_set_level',
  'log_set_print_level',
  'rpc_get_methods',
  'sock_impl_get_options',
  'spdk_get_version',
  'trace_clear_tpoint_mask',
  'trace_disable_tpoint_group',
  'trace_enable_tpoint_group',
  'trace_get_info',
  'trace_get_tpoint_group_mask',
  'trace_set_tpoint_mask',
];
