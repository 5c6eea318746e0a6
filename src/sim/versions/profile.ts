/**
 * What changes with the emulated SPDK release (contract §4, §1.8, §5): the version string, DPDK's,
 * whether RPC states exist, when the socket appears, and the result shapes of §4.4. Method names
 * are in method-names.ts. Everything not listed here behaves as v24.01.
 */
import { versionNumber, type EmulatedVersion } from './version-id.js';

export interface VersionFields {
  major: number;
  minor: number;
  patch: number;
  suffix: string;
  commit: string;
}

export interface VersionProfile {
  id: EmulatedVersion;
  /** YYMM, for comparisons. */
  number: number;
  /** `spdk_get_version.version`, `-v`, the banner. */
  versionString: string;
  fields: VersionFields;
  dpdkVersion: string;
  /** STARTUP/RUNTIME states and --wait-for-rpc (v18.07+). */
  hasRpcStates: boolean;
  /** v24.05+: the socket is created (paused) before subsystems initialise. */
  socketBeforeInit: boolean;
  /** ≤ v24.01: --json silently cancels --wait-for-rpc. */
  jsonCancelsWaitForRpc: boolean;
  /** ≤ v18.04: malloc/null/aio create answer `["Malloc0"]`. */
  createResultIsArray: boolean;
  /** v18.07–v19.04: bdev_get_iostat answers `[{"tick_rate":N}, …bdevs]`. */
  iostatIsArray: boolean;
  /** < v22.01: bdev_nvme_get_controllers answers flat objects (no `ctrlrs`). */
  flatNvmeControllers: boolean;
  /** ≤ v24.01: nvmf listen addresses repeat the trtype as `transport`. */
  listenerTransportKey: boolean;
  /** v25.09: concurrent changes to one subsystem queue instead of failing "subsystem busy". */
  queueSubsystemChanges: boolean;
  /** ≤ v19.x: an unknown bdev name is -32602 "Invalid parameters" (later -19). */
  unknownBdevIsInvalidParams: boolean;
  /** v17.07: subsystems come whole from construct_nvmf_subsystem; no transports RPC. */
  legacyNvmfModel: boolean;
  /** DPDK ≥ 20.11 words its hugepage errors differently. */
  modernEal: boolean;
  /** `rpc_get_methods` params accepted: none (< v18.07), `current`, `current`+`include_aliases` (v19.10+). */
  methodListParams: 'none' | 'current' | 'current+aliases';
}

const PROFILES: Record<EmulatedVersion, { versionString: string; fields: VersionFields; dpdk: string }> = {
  '17.07': { versionString: 'SPDK v17.07 git sha1 8f9ad8d3d', fields: { major: 17, minor: 7, patch: 0, suffix: '', commit: '8f9ad8d3d' }, dpdk: '17.05.0' },
  '19.04': { versionString: 'SPDK v19.04 git sha1 e0bb5f3a5', fields: { major: 19, minor: 4, patch: 0, suffix: '', commit: 'e0bb5f3a5' }, dpdk: '19.02.0' },
  '24.01': { versionString: 'SPDK v24.01 git sha1 0786843e99', fields: { major: 24, minor: 1, patch: 0, suffix: '', commit: '0786843e99' }, dpdk: '22.11.4' },
  '25.09': { versionString: 'SPDK v25.09 git sha1 1b7c0a9d4', fields: { major: 25, minor: 9, patch: 0, suffix: '', commit: '1b7c0a9d4' }, dpdk: '25.07.0' },
};

export function profileFor(id: EmulatedVersion): VersionProfile {
  const n = versionNumber(id);
  const p = PROFILES[id];
  return {
    id,
    number: n,
    versionString: p.versionString,
    fields: p.fields,
    dpdkVersion: p.dpdk,
    hasRpcStates: n >= 1807,
    socketBeforeInit: n >= 2405,
    jsonCancelsWaitForRpc: n <= 2401,
    createResultIsArray: n <= 1804,
    iostatIsArray: n >= 1807 && n <= 1904,
    flatNvmeControllers: n < 2201,
    listenerTransportKey: n <= 2401,
    queueSubsystemChanges: n >= 2509,
    unknownBdevIsInvalidParams: n < 2001,
    legacyNvmfModel: n < 1804,
    modernEal: n >= 2101,
    methodListParams: n < 1807 ? 'none' : n < 1910 ? 'current' : 'current+aliases',
  };
}
