/** The four SPDK applications the simulator can play. */

export const APP_NAMES = ['nvmf_tgt', 'vhost', 'iscsi_tgt', 'spdk_tgt'] as const;
export type AppName = (typeof APP_NAMES)[number];

export function isAppName(name: string): name is AppName {
  return (APP_NAMES as readonly string[]).includes(name);
}

/** SPDK's `opts.name` per app: used in shared-memory and trace file names (`/dev/shm/nvmf_trace.pid…`). */
export const APP_SHM_NAME: Readonly<Record<AppName, string>> = {
  nvmf_tgt: 'nvmf',
  vhost: 'vhost',
  iscsi_tgt: 'iscsi',
  spdk_tgt: 'spdk_tgt',
};

/** Which functional areas each app links (contract §3: nvmf_tgt has no vhost/iscsi, …). */
export interface AppFeatures {
  nvmf: boolean;
  vhost: boolean;
  iscsi: boolean;
  scsi: boolean;
}

export const APP_FEATURES: Readonly<Record<AppName, AppFeatures>> = {
  nvmf_tgt: { nvmf: true, vhost: false, iscsi: false, scsi: false },
  vhost: { nvmf: false, vhost: true, iscsi: false, scsi: true },
  iscsi_tgt: { nvmf: false, vhost: false, iscsi: true, scsi: true },
  spdk_tgt: { nvmf: true, vhost: true, iscsi: true, scsi: true },
};
