/**
 * The hugepage check DPDK makes at start (without --no-huge): enough free hugepage memory for what
 * the app asks (`-s` MB pre-reserved, or at least one page when -s is absent). The machine's state
 * comes from /proc/meminfo, or from the file SPDK_SIM_MEMINFO/--sim-meminfo names, so a test can
 * play a machine with or without hugepages.
 */
import { readFileSync } from 'node:fs';

export interface HugepageInfo {
  /** Page size in kB (Hugepagesize). */
  pageSizeKb: number;
  total: number;
  free: number;
}

/** Reads HugePages_Total/HugePages_Free/Hugepagesize; null when the file cannot be read. */
export function readHugepageInfo(path: string): HugepageInfo | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { pageSizeKb: field('Hugepagesize') || 2048, total: field('HugePages_Total'), free: field('HugePages_Free') };
}

export type HugepageVerdict = { ok: true } | { ok: false; lines: string[] };

/**
 * Judges the machine as DPDK would and returns the EAL lines DPDK prints when it fails
 * (`modernEal`: DPDK ≥ 20.11 wording; older DPDK names the sysfs directory).
 */
export function checkHugepages(info: HugepageInfo | null, memSizeMb: number | undefined, modernEal: boolean): HugepageVerdict {
  const pageKb = info?.pageSizeKb ?? 2048;
  const freeMb = info ? Math.floor((info.free * pageKb) / 1024) : 0;
  if (info === null || info.total === 0 || info.free === 0) {
    const lines = modernEal
      ? [`EAL: No available ${pageKb} kB hugepages reported`, 'EAL: FATAL: Cannot get hugepage information.', 'EAL: Cannot get hugepage information.']
      : [
          `EAL: No free hugepages reported in hugepages-${pageKb}kB`,
          'EAL: No available hugepages reported in hugepages-1048576kB',
          'EAL: FATAL: Cannot get hugepage information.',
          'EAL: Cannot get hugepage information.',
        ];
    return { ok: false, lines };
  }
  if (memSizeMb !== undefined && memSizeMb > freeMb) {
    return {
      ok: false,
      lines: [
        `EAL: Not enough memory available! Requested: ${memSizeMb}MB, available: ${freeMb}MB`,
        'EAL: FATAL: Cannot init memory',
        'EAL: Cannot init memory',
      ],
    };
  }
  return { ok: true };
}
