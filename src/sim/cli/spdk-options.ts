/**
 * SPDK's command line (contract §5.2, `lib/event/app.c` of v24.01 plus the app-specific options),
 * parsed the way `spdk_app_parse_args` does: getopt first (unknown option → exit 2), then the
 * value checks SPDK makes while parsing (`invalid memory pool size`, `unknown flag`, …, also exit 2).
 * Checks SPDK leaves to DPDK's start-up (a bad core mask, --no-huge without -s) are made at start.
 */
import { SimUsageError } from '../errors.js';
import type { AppName } from './apps.js';
import { getoptLong, type OptionSpec } from './getopt.js';
import { versionNumber, type EmulatedVersion } from '../versions/version-id.js';

export const DEFAULT_RPC_SOCKET = '/var/tmp/spdk.sock';

export interface SpdkCommandLine {
  action: 'run' | 'help' | 'version';
  rpcSocket: string;
  cpumask: string;
  memSizeMb: number | undefined;
  noHuge: boolean;
  noPci: boolean;
  waitForRpc: boolean;
  jsonConfig: string | undefined;
  jsonIgnoreInitErrors: boolean;
  /** vhost, spdk_tgt: where vhost-user sockets go (default: the working directory). */
  vhostSocketDir: string | undefined;
  /** vhost, spdk_tgt: pid file. */
  pidFile: string | undefined;
  /** iscsi_tgt -b: daemonize. */
  background: boolean;
  shmId: number | undefined;
  disableCpumaskLocks: boolean;
  tpointGroup: string | undefined;
  logFlags: string[];
  silenceNoticelog: boolean;
  mainCore: number | undefined;
  memChannels: number | undefined;
  pciAllowed: string[];
  pciBlocked: string[];
  hugeDir: string | undefined;
  singleFileSegments: boolean;
  hugeUnlink: boolean;
  iovaMode: string | undefined;
  numTraceEntries: number | undefined;
  interruptMode: boolean;
  rpcsAllowed: string[] | undefined;
  limitCoredump: boolean;
  baseVirtaddr: string | undefined;
  envContext: string | undefined;
  msgMempoolSize: number | undefined;
  lcores: string | undefined;
  vfioVfToken: string | undefined;
  noRpcServer: boolean;
  /** Warnings SPDK prints while parsing (an unreadable --json path is dropped with a warning). */
  warnings: string[];
}

interface SpdkOptionSpec extends OptionSpec {
  /** First release (YYMM) with this spelling. */
  since?: number;
  /** Last release (YYMM) with this spelling. */
  until?: number;
  apps?: readonly AppName[];
}

const OPTIONS: readonly SpdkOptionSpec[] = [
  { key: 'config', short: 'c', long: ['config', 'json'], arg: true },
  { key: 'limitCoredump', short: 'd', long: ['limit-coredump'], arg: false },
  { key: 'tpointGroup', short: 'e', long: ['tpoint-group'], arg: true },
  { key: 'singleFileSegments', short: 'g', long: ['single-file-segments'], arg: false, since: 1804 },
  { key: 'help', short: 'h', long: ['help'], arg: false },
  { key: 'shmId', short: 'i', long: ['shm-id'], arg: true },
  { key: 'cpumask', short: 'm', long: ['cpumask'], arg: true },
  { key: 'memChannels', short: 'n', long: ['mem-channels'], arg: true },
  { key: 'mainCore', short: 'p', long: ['main-core'], arg: true },
  // v17.07 had no -r (RPC came from the INI [Rpc] section); accepted anyway so a 17.07 target has a socket.
  { key: 'rpcSocket', short: 'r', long: ['rpc-socket'], arg: true },
  { key: 'memSize', short: 's', long: ['mem-size'], arg: true },
  { key: 'noPci', short: 'u', long: ['no-pci'], arg: false, since: 1804 },
  { key: 'version', short: 'v', long: ['version'], arg: false, since: 2001 },
  { key: 'pciAllowed', short: 'A', long: ['pci-allowed'], arg: true, since: 2101 },
  { key: 'pciBlocked', short: 'B', long: ['pci-blocked'], arg: true, since: 1807 },
  { key: 'pciAllowed', short: 'W', long: ['pci-whitelist'], arg: true, since: 1807, until: 2010 },
  { key: 'logFlag', short: 'L', long: ['logflag'], arg: true, since: 1807 },
  { key: 'logFlag', short: 't', arg: true, until: 1804 },
  { key: 'silenceNoticelog', short: 'q', arg: false, until: 1807 },
  { key: 'hugeUnlink', short: 'R', long: ['huge-unlink'], arg: false },
  { key: 'silenceNoticelog', long: ['silence-noticelog'], arg: false, since: 1810 },
  { key: 'waitForRpc', long: ['wait-for-rpc'], arg: false, since: 1810 },
  { key: 'waitForRpc', short: 'w', arg: false, since: 1807, until: 1807 },
  { key: 'hugeDir', long: ['huge-dir'], arg: true, since: 1901 },
  { key: 'numTraceEntries', long: ['num-trace-entries'], arg: true, since: 1901 },
  { key: 'jsonIgnoreInitErrors', long: ['json-ignore-init-errors'], arg: false, since: 2004 },
  { key: 'iovaMode', long: ['iova-mode'], arg: true, since: 2007 },
  { key: 'baseVirtaddr', long: ['base-virtaddr'], arg: true, since: 1904 },
  { key: 'envContext', long: ['env-context'], arg: true, since: 2010 },
  { key: 'disableCpumaskLocks', long: ['disable-cpumask-locks'], arg: false, since: 2301 },
  { key: 'interruptMode', long: ['interrupt-mode'], arg: false, since: 2401 },
  { key: 'rpcsAllowed', long: ['rpcs-allowed'], arg: true, since: 2301 },
  { key: 'vfioVfToken', long: ['vfio-vf-token'], arg: true, since: 2201 },
  { key: 'msgMempoolSize', long: ['msg-mempool-size'], arg: true, since: 2101 },
  { key: 'lcores', long: ['lcores'], arg: true, since: 2305 },
  { key: 'noHuge', long: ['no-huge'], arg: false, since: 2401 },
  { key: 'noRpcServer', long: ['no-rpc-server'], arg: false, since: 2405 },
  // App-specific (app/vhost/vhost.c, app/spdk_tgt/spdk_tgt.c, app/iscsi_tgt/iscsi_tgt.c).
  { key: 'pidFile', short: 'f', arg: true, apps: ['vhost', 'spdk_tgt'] },
  { key: 'vhostSocketDir', short: 'S', arg: true, apps: ['vhost', 'spdk_tgt'] },
  { key: 'background', short: 'b', arg: false, apps: ['iscsi_tgt'] },
];

/** The debug log flags of a v24.01 build (`-L`); `all` enables every one. */
export const LOG_FLAGS: readonly string[] = [
  'accel',
  'accel_dsa',
  'accel_iaa',
  'accel_ioat',
  'aio',
  'app_config',
  'app_rpc',
  'bdev',
  'bdev_concat',
  'bdev_ftl',
  'bdev_malloc',
  'bdev_null',
  'bdev_nvme',
  'bdev_raid',
  'bdev_raid0',
  'bdev_raid1',
  'bdev_raid_sb',
  'blob',
  'blob_esnap',
  'blob_rw',
  'blobfs',
  'blobfs_bdev',
  'blobfs_bdev_rpc',
  'blobfs_rw',
  'ftl_core',
  'ftl_init',
  'gpt_parse',
  'idxd',
  'ioat',
  'iscsi',
  'iscsi_init',
  'json_util',
  'keyring',
  'log_rpc',
  'lvol',
  'lvol_rpc',
  'nbd',
  'notify_rpc',
  'nvme',
  'nvme_auth',
  'nvme_cuse',
  'nvme_vfio',
  'nvmf',
  'nvmf_auth',
  'nvmf_tcp',
  'opal',
  'rdma',
  'reactor',
  'rpc',
  'rpc_client',
  'scsi',
  'sock',
  'sock_posix',
  'thread',
  'trace',
  'vbdev_delay',
  'vbdev_gpt',
  'vbdev_lvol',
  'vbdev_opal',
  'vbdev_passthru',
  'vbdev_split',
  'vbdev_zone_block',
  'vfio_pci',
  'vfio_user',
  'vhost',
  'vhost_blk',
  'vhost_blk_data',
  'vhost_ring',
  'vhost_rpc',
  'vhost_scsi',
  'vhost_scsi_data',
  'vhost_scsi_queue',
  'virtio',
  'virtio_blk',
  'virtio_dev',
  'virtio_pci',
  'virtio_user',
  'virtio_vfio_user',
  'vmd',
];

/** Tracepoint group names accepted by `-e` besides a hex mask. */
export const TPOINT_GROUPS: readonly string[] = [
  'nvmf_rdma',
  'nvmf_tcp',
  'scsi',
  'iscsi_conn',
  'bdev',
  'nvme_pcie',
  'nvme_tcp',
  'bdev_nvme',
  'sock',
  'blob',
  'bdev_raid',
  'thread',
  'nvme_rdma',
  'ftl',
  'vhost',
  'all',
];

/** The command-line fields whose type is exactly `T`. */
type FieldsOfType<T> = {
  [K in keyof SpdkCommandLine]-?: [SpdkCommandLine[K]] extends [T] ? ([T] extends [SpdkCommandLine[K]] ? K : never) : never;
}[keyof SpdkCommandLine];
type SwitchField = FieldsOfType<boolean>;
type TextField = FieldsOfType<string> | FieldsOfType<string | undefined>;

/** Options that switch something on: the field of the same name becomes true. */
const SWITCHES: ReadonlySet<string> = new Set<SwitchField>([
  'limitCoredump',
  'singleFileSegments',
  'noPci',
  'silenceNoticelog',
  'hugeUnlink',
  'waitForRpc',
  'jsonIgnoreInitErrors',
  'disableCpumaskLocks',
  'interruptMode',
  'noHuge',
  'noRpcServer',
  'background',
]);
const isSwitch = (key: string): key is SwitchField => SWITCHES.has(key);

/** Options whose value SPDK keeps as it is given (checked later, if at all), in the field of the same name. */
const KEPT_AS_GIVEN: ReadonlySet<string> = new Set<TextField>([
  'cpumask',
  'rpcSocket',
  'hugeDir',
  'iovaMode',
  'baseVirtaddr',
  'envContext',
  'vfioVfToken',
  'lcores',
  'pidFile',
  'vhostSocketDir',
]);
const isKeptAsGiven = (key: string): key is TextField => KEPT_AS_GIVEN.has(key);

export function optionsFor(app: AppName, version: EmulatedVersion): SpdkOptionSpec[] {
  const v = versionNumber(version);
  return OPTIONS.filter(
    (o) => (o.since === undefined || v >= o.since) && (o.until === undefined || v <= o.until) && (o.apps === undefined || o.apps.includes(app)),
  );
}

export function parseSpdkCommandLine(
  program: string,
  args: readonly string[],
  app: AppName,
  version: EmulatedVersion,
  canRead: (file: string) => boolean,
): SpdkCommandLine {
  const cl: SpdkCommandLine = {
    action: 'run',
    rpcSocket: DEFAULT_RPC_SOCKET,
    cpumask: '0x1',
    memSizeMb: undefined,
    noHuge: false,
    noPci: false,
    waitForRpc: false,
    jsonConfig: undefined,
    jsonIgnoreInitErrors: false,
    vhostSocketDir: undefined,
    pidFile: undefined,
    background: false,
    shmId: undefined,
    disableCpumaskLocks: false,
    tpointGroup: undefined,
    logFlags: [],
    silenceNoticelog: false,
    mainCore: undefined,
    memChannels: undefined,
    pciAllowed: [],
    pciBlocked: [],
    hugeDir: undefined,
    singleFileSegments: false,
    hugeUnlink: false,
    iovaMode: undefined,
    numTraceEntries: undefined,
    interruptMode: false,
    rpcsAllowed: undefined,
    limitCoredump: false,
    baseVirtaddr: undefined,
    envContext: undefined,
    msgMempoolSize: undefined,
    lcores: undefined,
    vfioVfToken: undefined,
    noRpcServer: false,
    warnings: [],
  };
  for (const { key, spelling, value } of getoptLong(program, args, optionsFor(app, version))) {
    const v = value ?? '';
    if (isSwitch(key)) {
      cl[key] = true;
      continue;
    }
    if (isKeptAsGiven(key)) {
      cl[key] = v;
      continue;
    }
    switch (key) {
      case 'config':
        if (canRead(v)) cl.jsonConfig = v;
        else cl.warnings.push(`Can't read JSON configuration file '${v}'`);
        break;
      case 'tpointGroup':
        cl.tpointGroup = checkTpointGroup(v);
        break;
      case 'help':
        cl.action = 'help';
        return cl;
      case 'shmId':
        cl.shmId = parseNonNegative(v, `Invalid shared memory ID ${v}`, spelling);
        break;
      case 'memChannels':
        cl.memChannels = parseNonNegative(v, `Invalid memory channel ${v}`, spelling);
        break;
      case 'mainCore':
        cl.mainCore = parseNonNegative(v, `Invalid main core ${v}`, spelling);
        break;
      case 'memSize':
        cl.memSizeMb = parseMemSize(v);
        break;
      case 'version':
        cl.action = 'version';
        return cl;
      case 'pciAllowed':
        if (cl.pciBlocked.length > 0) throw conflict();
        cl.pciAllowed.push(v);
        break;
      case 'pciBlocked':
        if (cl.pciAllowed.length > 0) throw conflict();
        cl.pciBlocked.push(v);
        break;
      case 'logFlag':
        if (v !== 'all' && !LOG_FLAGS.includes(v)) {
          throw new SimUsageError(`unknown flag: ${v}`, { option: spelling, value: v });
        }
        cl.logFlags.push(v);
        break;
      case 'numTraceEntries': {
        const n = parseNonNegative(v, `Invalid num-trace-entries ${v}`, spelling);
        if (n !== 0 && (n & (n - 1)) !== 0) {
          throw new SimUsageError(`Invalid num-trace-entries ${v}: must be a power of 2`, { option: spelling, value: v });
        }
        cl.numTraceEntries = n;
        break;
      }
      case 'rpcsAllowed':
        cl.rpcsAllowed = v.split(',').filter((m) => m !== '');
        break;
      case 'msgMempoolSize':
        cl.msgMempoolSize = parseNonNegative(v, `Invalid message memory pool size ${v}`, spelling);
        break;
    }
  }
  if (cl.noRpcServer && cl.waitForRpc) {
    throw new SimUsageError('--wait-for-rpc and --no-rpc-server cannot be used at the same time', { option: '--wait-for-rpc' });
  }
  return cl;
}

function conflict(): SimUsageError {
  return new SimUsageError('-B and -A cannot be used at the same time', { option: '-A' });
}

function parseNonNegative(text: string, message: string, option: string): number {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) throw new SimUsageError(message, { option, value: text });
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > 0x7fffffff) throw new SimUsageError(message, { option, value: text });
  return n;
}

/** `spdk_parse_capacity`: MB by default; a K/M/G suffix means bytes with that unit. */
export function parseMemSize(text: string): number {
  const m = /^(\d+)([kKmMgG]?)[bB]?$/.exec(text);
  const bad = (): SimUsageError => new SimUsageError(`invalid memory pool size \`-s ${text}\``, { option: '-s', value: text });
  if (!m) throw bad();
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const mb = unit === '' ? n : unit === 'k' ? Math.floor(n / 1024) : unit === 'm' ? n : n * 1024;
  if (!Number.isSafeInteger(mb) || mb > 0x7fffffff) throw bad();
  return mb;
}

function checkTpointGroup(text: string): string {
  if (/^(0x)?[0-9a-fA-F]+$/.test(text)) return text;
  for (const part of text.split(',')) {
    const group = part.split(':')[0]!;
    if (!TPOINT_GROUPS.includes(group)) {
      throw new SimUsageError(`invalid tpoint mask ${text}`, { option: '-e', value: text });
    }
  }
  return text;
}

/** The cores of a mask (`0x3`, `3`) or list (`[0,1,8-12]`); null when SPDK/DPDK would reject it. */
export function parseCpumask(mask: string): number[] | null {
  const list = /^\[([0-9,\s-]+)\]$/.exec(mask);
  if (list) {
    const cores = new Set<number>();
    for (const item of list[1]!.split(',')) {
      const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(item);
      if (!range) return null;
      const from = Number(range[1]);
      const to = range[2] === undefined ? from : Number(range[2]);
      if (to < from || to > 1023) return null;
      for (let c = from; c <= to; c++) cores.add(c);
    }
    return cores.size === 0 ? null : [...cores].sort((a, b) => a - b);
  }
  const hex = /^(?:0x|0X)?([0-9a-fA-F]+)$/.exec(mask);
  if (!hex) return null;
  const bits = BigInt(`0x${hex[1]}`);
  const cores: number[] = [];
  for (let c = 0; c < 1024 && bits >> BigInt(c) !== 0n; c++) {
    if ((bits >> BigInt(c)) & 1n) cores.push(c);
  }
  return cores.length === 0 ? null : cores;
}
