/**
 * What changes with the emulated SPDK release (contract §4, §1.8, §5): the version string, DPDK's,
 * whether RPC states exist, when the socket appears, and the result shapes of §4.4; `replies` holds
 * the members each release adds to (or drops from) the replies the agent reads, taken from SPDK's
 * JSON writers at each tag (reply-members.ts, and the table in docs/simulator.md). Method names
 * are in method-names.ts. Everything not listed here behaves as v24.01.
 */
import { replyMembersFor, type ReplyMembers } from './reply-members.js';
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
  /** Members of the replies that differ from v24.01's (reply-members.ts). */
  replies: ReplyMembers;
}

const PROFILES: Record<EmulatedVersion, { versionString: string; fields: VersionFields; dpdk: string }> = {
  '17.07': { versionString: 'SPDK v17.07 git sha1 8f9ad8d3d', fields: { major: 17, minor: 7, patch: 0, suffix: '', commit: '8f9ad8d3d' }, dpdk: '17.05.0' },
  '19.04': { versionString: 'SPDK v19.04 git sha1 e0bb5f3a5', fields: { major: 19, minor: 4, patch: 0, suffix: '', commit: 'e0bb5f3a5' }, dpdk: '19.02.0' },
  '24.01': { versionString: 'SPDK v24.01 git sha1 0786843e99', fields: { major: 24, minor: 1, patch: 0, suffix: '', commit: '0786843e99' }, dpdk: '22.11.4' },
  // The commits are the tags' (git rev-parse --short=10 vYY.MM); the DPDK releases are the ones
  // SPDK's CHANGELOG names (25.09: 25.07, 26.01 and 26.05: 25.11; 24.05 to 25.05 name none after
  // 24.01's 22.11, so 24.01's is kept).
  '24.05': { versionString: 'SPDK v24.05 git sha1 40a5c21897', fields: { major: 24, minor: 5, patch: 0, suffix: '', commit: '40a5c21897' }, dpdk: '22.11.4' },
  '24.09': { versionString: 'SPDK v24.09 git sha1 19524ad453', fields: { major: 24, minor: 9, patch: 0, suffix: '', commit: '19524ad453' }, dpdk: '22.11.4' },
  '25.05': { versionString: 'SPDK v25.05 git sha1 665a10525b', fields: { major: 25, minor: 5, patch: 0, suffix: '', commit: '665a10525b' }, dpdk: '22.11.4' },
  '25.09': { versionString: 'SPDK v25.09 git sha1 a2f2a0b279', fields: { major: 25, minor: 9, patch: 0, suffix: '', commit: 'a2f2a0b279' }, dpdk: '25.07.0' },
  '26.01': { versionString: 'SPDK v26.01 git sha1 2ef883ef96', fields: { major: 26, minor: 1, patch: 0, suffix: '', commit: '2ef883ef96' }, dpdk: '25.11.0' },
  '26.05': { versionString: 'SPDK v26.05 git sha1 d519b163cb', fields: { major: 26, minor: 5, patch: 0, suffix: '', commit: 'd519b163cb' }, dpdk: '25.11.0' },
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
    replies: replyMembersFor(n),
  };
}
