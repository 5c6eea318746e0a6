/**
 * Which SPDK application a target is, from its method list (contract §3: `nvmf_tgt` has no vhost or
 * iscsi methods, `vhost` no nvmf or iscsi, `iscsi_tgt` no nvmf or vhost, `spdk_tgt` all of them).
 * Old names count too, so a v18.x target is recognised as well as a v25.x one.
 */

import type { SpdkApp } from '../../config/types.js';

/** The app a running target is, told by its method list: one of the four, or `unknown`. */
export type DetectedApp = SpdkApp | 'unknown';

/** The method families that tell the applications apart. */
export interface AppFamilies {
  nvmf: boolean;
  vhost: boolean;
  iscsi: boolean;
  /** The SCSI library (vhost-scsi, iSCSI): `scsi_get_devices`. */
  scsi: boolean;
}

const FAMILY_MARKERS: Readonly<Record<keyof AppFamilies, readonly string[]>> = {
  nvmf: ['nvmf_get_subsystems', 'get_nvmf_subsystems', 'nvmf_create_subsystem', 'nvmf_subsystem_create', 'construct_nvmf_subsystem'],
  vhost: [
    'vhost_get_controllers',
    'get_vhost_controllers',
    'get_vhost_blk_controllers',
    'get_vhost_scsi_controllers',
    'vhost_create_blk_controller',
    'construct_vhost_blk_controller',
  ],
  iscsi: ['iscsi_get_target_nodes', 'get_target_nodes', 'iscsi_get_portal_groups', 'get_portal_groups'],
  scsi: ['scsi_get_devices', 'get_scsi_devices'],
};

function asSet(methods: Iterable<string>): ReadonlySet<string> {
  return methods instanceof Set ? (methods as ReadonlySet<string>) : new Set(methods);
}

export function appFamilies(methods: Iterable<string>): AppFamilies {
  const names = asSet(methods);
  const has = (family: keyof AppFamilies): boolean => FAMILY_MARKERS[family].some((name) => names.has(name));
  return { nvmf: has('nvmf'), vhost: has('vhost'), iscsi: has('iscsi'), scsi: has('scsi') };
}

/** The application behind a method list; `spdk_tgt` when more than one target family is present. */
export function detectApp(methods: Iterable<string>): DetectedApp {
  return appFromFamilies(appFamilies(methods));
}

export function appFromFamilies(families: Pick<AppFamilies, 'nvmf' | 'vhost' | 'iscsi'>): DetectedApp {
  const count = Number(families.nvmf) + Number(families.vhost) + Number(families.iscsi);
  if (count > 1) return 'spdk_tgt';
  if (families.nvmf) return 'nvmf_tgt';
  if (families.vhost) return 'vhost';
  if (families.iscsi) return 'iscsi_tgt';
  return 'unknown';
}
