/**
 * Which method names a target of each emulated release registers (contract §4), mapped to the
 * simulator's handlers, which are keyed by the v24.01 name ("canonical"); the few methods that
 * only existed under an old shape have handlers keyed `legacy:<name>`.
 *
 * v24.01/v25.09: SPDK's own tables (catalog/methods-v24.01.ts), four deprecated aliases included.
 * v17.07/v19.04: the old names of the methods the simulator implements, from the legacy map (§4.2,
 * §4.3) with the releases each existed in; before v19.07 there were no aliases, only these names.
 */
import type { AppName } from '../cli/apps.js';
import {
  ALIASES_V24_01,
  BOTH_STATES_V24_01,
  ISCSI_TGT_METHODS_V24_01,
  NVMF_TGT_METHODS_V24_01,
  SPDK_TGT_METHODS_V24_01,
  STARTUP_ONLY_V24_01,
  VHOST_METHODS_V24_01,
} from '../catalog/methods-v24.01.js';
import { RUNTIME, STARTUP, type StateMask } from '../rpc/method-table.js';
import type { VersionProfile } from './profile.js';

export interface RegisteredName {
  name: string;
  /** The handler key. */
  canonical: string;
  mask: StateMask;
  /** Set for a deprecated alias: the registered method it calls. */
  aliasOf?: string;
}

const STARTUP_ONLY = new Set(STARTUP_ONLY_V24_01);
const BOTH = new Set(BOTH_STATES_V24_01);

export function stateMaskOf(canonical: string): StateMask {
  if (BOTH.has(canonical)) return (STARTUP | RUNTIME) as StateMask;
  if (STARTUP_ONLY.has(canonical)) return STARTUP;
  return RUNTIME;
}

const CURRENT_TABLES: Record<AppName, readonly string[]> = {
  nvmf_tgt: NVMF_TGT_METHODS_V24_01,
  vhost: VHOST_METHODS_V24_01,
  iscsi_tgt: ISCSI_TGT_METHODS_V24_01,
  spdk_tgt: SPDK_TGT_METHODS_V24_01,
};

/** [old name, canonical handler, first release, last release] (YYMM). */
const OLD_NAMES: ReadonlyArray<readonly [string, string, number, number]> = [
  ['get_rpc_methods', 'rpc_get_methods', 1710, 2201],
  ['get_spdk_version', 'spdk_get_version', 1904, 2201],
  ['kill_instance', 'spdk_kill_instance', 1707, 2201],
  ['start_subsystem_init', 'framework_start_init', 1807, 2201],
  ['wait_subsystem_init', 'framework_wait_init', 1901, 2201],
  ['get_subsystems', 'framework_get_subsystems', 1804, 2201],
  ['get_subsystem_config', 'framework_get_config', 1804, 2201],
  ['context_switch_monitor', 'framework_monitor_context_switch', 1710, 2201],
  ['get_bdevs', 'bdev_get_bdevs', 1707, 2201],
  ['get_bdevs_iostat', 'bdev_get_iostat', 1807, 2201],
  ['construct_malloc_bdev', 'bdev_malloc_create', 1707, 2201],
  ['delete_malloc_bdev', 'bdev_malloc_delete', 1807, 2201],
  ['construct_null_bdev', 'bdev_null_create', 1707, 2201],
  ['delete_null_bdev', 'bdev_null_delete', 1807, 2201],
  ['construct_aio_bdev', 'bdev_aio_create', 1707, 2201],
  ['delete_aio_bdev', 'bdev_aio_delete', 1807, 2201],
  ['delete_bdev', 'legacy:delete_bdev', 1707, 1901],
  ['construct_nvme_bdev', 'bdev_nvme_attach_controller', 1707, 2201],
  ['delete_nvme_controller', 'bdev_nvme_detach_controller', 1807, 2201],
  ['get_nvme_controllers', 'bdev_nvme_get_controllers', 1810, 2201],
  ['set_bdev_nvme_options', 'bdev_nvme_set_options', 1807, 2201],
  ['set_bdev_nvme_hotplug', 'bdev_nvme_set_hotplug', 1807, 2201],
  ['set_bdev_options', 'bdev_set_options', 1807, 2201],
  ['set_bdev_qos_limit', 'bdev_set_qos_limit', 1810, 2201],
  ['construct_nvmf_subsystem', 'legacy:construct_nvmf_subsystem', 1707, 1810],
  ['nvmf_subsystem_create', 'nvmf_create_subsystem', 1810, 2201],
  ['delete_nvmf_subsystem', 'nvmf_delete_subsystem', 1707, 2201],
  ['get_nvmf_subsystems', 'nvmf_get_subsystems', 1707, 2201],
  ['get_nvmf_transports', 'nvmf_get_transports', 1901, 2201],
  ['set_nvmf_target_max_subsystems', 'nvmf_set_max_subsystems', 1901, 2201],
  ['set_nvmf_target_config', 'nvmf_set_config', 1807, 2201],
  ['construct_vhost_blk_controller', 'vhost_create_blk_controller', 1707, 2201],
  ['construct_vhost_scsi_controller', 'vhost_create_scsi_controller', 1707, 2201],
  ['add_vhost_scsi_lun', 'vhost_scsi_controller_add_target', 1707, 2201],
  ['remove_vhost_scsi_dev', 'legacy:remove_vhost_scsi_dev', 1707, 1710],
  ['remove_vhost_scsi_target', 'vhost_scsi_controller_remove_target', 1801, 2201],
  ['get_vhost_blk_controllers', 'legacy:get_vhost_blk_controllers', 1707, 1707],
  ['get_vhost_scsi_controllers', 'legacy:get_vhost_scsi_controllers', 1707, 1707],
  ['get_vhost_controllers', 'vhost_get_controllers', 1710, 2201],
  ['remove_vhost_blk_controller', 'legacy:remove_vhost_controller', 1707, 1707],
  ['remove_vhost_scsi_controller', 'legacy:remove_vhost_controller', 1707, 1707],
  ['remove_vhost_controller', 'vhost_delete_controller', 1710, 2201],
  ['set_vhost_controller_coalescing', 'vhost_controller_set_coalescing', 1710, 2201],
  ['get_scsi_devices', 'scsi_get_devices', 1707, 2201],
  ['get_target_nodes', 'iscsi_get_target_nodes', 1707, 2201],
  ['get_portal_groups', 'iscsi_get_portal_groups', 1707, 2201],
  ['add_portal_group', 'iscsi_create_portal_group', 1707, 2201],
  ['delete_portal_group', 'iscsi_delete_portal_group', 1707, 2201],
  ['add_initiator_group', 'iscsi_create_initiator_group', 1707, 2201],
  ['delete_initiator_group', 'iscsi_delete_initiator_group', 1707, 2201],
  ['get_initiator_groups', 'iscsi_get_initiator_groups', 1707, 2201],
  ['add_initiators_to_initiator_group', 'iscsi_initiator_group_add_initiators', 1801, 2201],
  ['delete_initiators_from_initiator_group', 'iscsi_initiator_group_remove_initiators', 1801, 2201],
  ['construct_target_node', 'iscsi_create_target_node', 1707, 2201],
  ['delete_target_node', 'iscsi_delete_target_node', 1707, 2201],
  ['target_node_add_lun', 'iscsi_target_node_add_lun', 1801, 2201],
  ['add_pg_ig_maps', 'iscsi_target_node_add_pg_ig_maps', 1710, 2201],
  ['delete_pg_ig_maps', 'iscsi_target_node_remove_pg_ig_maps', 1710, 2201],
  ['get_iscsi_connections', 'iscsi_get_connections', 1707, 2201],
  ['get_iscsi_global_params', 'iscsi_get_options', 1801, 2201],
  ['set_iscsi_options', 'iscsi_set_options', 1807, 2201],
  ['get_nbd_disks', 'nbd_get_disks', 1801, 2201],
  ['start_nbd_disk', 'nbd_start_disk', 1801, 2201],
  ['stop_nbd_disk', 'nbd_stop_disk', 1801, 2201],
  ['get_notification_types', 'notify_get_types', 1904, 2201],
  ['get_notifications', 'notify_get_notifications', 1904, 2201],
  ['set_trace_flag', 'log_set_flag', 1707, 1810],
  ['clear_trace_flag', 'log_clear_flag', 1707, 1810],
  ['get_trace_flags', 'log_get_flags', 1707, 1810],
  ['set_log_flag', 'log_set_flag', 1901, 2201],
  ['clear_log_flag', 'log_clear_flag', 1901, 2201],
  ['get_log_flags', 'log_get_flags', 1901, 2201],
  ['set_log_level', 'log_set_level', 1801, 2201],
  ['get_log_level', 'log_get_level', 1801, 2201],
  ['set_log_print_level', 'log_set_print_level', 1801, 2201],
  ['get_log_print_level', 'log_get_print_level', 1801, 2201],
  ['get_lvol_stores', 'bdev_lvol_get_lvstores', 1710, 2201],
];

/** Methods whose name never changed, with the first release that had them. */
const UNCHANGED_SINCE: ReadonlyArray<readonly [string, number]> = [
  ['nvmf_subsystem_add_ns', 1804],
  ['nvmf_subsystem_remove_ns', 1804],
  ['nvmf_subsystem_add_listener', 1804],
  ['nvmf_subsystem_remove_listener', 1810],
  ['nvmf_subsystem_add_host', 1804],
  ['nvmf_subsystem_remove_host', 1804],
  ['nvmf_subsystem_allow_any_host', 1804],
  ['nvmf_create_transport', 1810],
  ['vhost_start_scsi_controller', 1901],
];

function area(canonical: string): 'nvmf' | 'vhost' | 'iscsi' | 'scsi' | 'common' {
  const name = canonical.replace(/^legacy:/, '');
  if (name.startsWith('nvmf_') || name.includes('nvmf_subsystem')) return 'nvmf';
  if (name.includes('vhost')) return 'vhost';
  if (name.startsWith('iscsi_')) return 'iscsi';
  if (name === 'scsi_get_devices') return 'scsi';
  return 'common';
}

const APP_AREAS: Record<AppName, ReadonlySet<string>> = {
  nvmf_tgt: new Set(['common', 'nvmf']),
  vhost: new Set(['common', 'vhost', 'scsi']),
  iscsi_tgt: new Set(['common', 'iscsi', 'scsi']),
  spdk_tgt: new Set(['common', 'nvmf', 'vhost', 'iscsi', 'scsi']),
};

export function registeredNames(app: AppName, profile: VersionProfile): RegisteredName[] {
  if (profile.number >= 2401) {
    return CURRENT_TABLES[app].map((name) => {
      const target = ALIASES_V24_01[name];
      return target === undefined
        ? { name, canonical: name, mask: stateMaskOf(name) }
        : { name, canonical: target, mask: stateMaskOf(target), aliasOf: target };
    });
  }
  const v = profile.number;
  const areas = APP_AREAS[app];
  const out: RegisteredName[] = [];
  for (const [name, canonical, from, until] of OLD_NAMES) {
    if (v < from || v > until || !areas.has(area(canonical))) continue;
    out.push({ name, canonical, mask: canonical.startsWith('legacy:') ? RUNTIME : stateMaskOf(canonical) });
  }
  for (const [name, since] of UNCHANGED_SINCE) {
    if (v >= since && areas.has(area(name))) out.push({ name, canonical: name, mask: stateMaskOf(name) });
  }
  // SPDK lists the most recently registered first.
  return out.reverse();
}
