/**
 * Everything about one target in one call, for `spdk-agent discover` and the agent's reports.
 *
 * Speed: every read is independent, so all are issued at once and pipeline on the one connection;
 * nothing waits for anything it does not need. On a connection whose method list is not known yet,
 * the reads of every application family are sent beside the list request (a target answers -32601
 * for those it lacks, which costs nothing); once the list is known only the target's families are
 * read. Discovery of a current target therefore takes one round trip of its slowest read.
 *
 * Stability: the agent compares inventories between periods, so an unchanged target must give the
 * same bytes. Lists whose SPDK order means nothing are sorted (code-unit order of the key named):
 * methods; bdevs, NVMe controllers, NVMe-oF subsystems (`nqn`), transports (`trtype`), vhost
 * controllers (`ctrlr`), iSCSI target nodes (`name`), portal groups (`tag`), SCSI devices (`id`),
 * iostat bdevs and NVMe-oF poll groups (`name`). Lists inside an object (aliases, namespaces,
 * listen addresses, hosts, paths) keep SPDK's order, which is stable for an unchanged target.
 *
 * Failures: a connection error, a timeout or an abort is fatal (thrown as is). So is any failure to
 * list bdevs (`InventoryError`): an inventory without its bdevs would read as "everything gone".
 * Any other section that fails with an answer from the target (-32601 on an odd build, a result of
 * an unexpected shape, …) is set to null and recorded in `errors`; the rest is still reported.
 */
import { AgentError } from '../util/errors.js';
import { getLogger } from '../util/log.js';
import { JsonRpcError } from './rpc/errors.js';
import type { RpcCaller, RpcCallOptions } from './rpc/types.js';
import { appFamilies, appFromFamilies, type AppFamilies, type DetectedApp } from './methods/app.js';
import * as bdev from './methods/bdev.js';
import { InvalidArgumentError, MethodUnavailableError, SpdkResultError, UnsupportedParameterError } from './methods/errors.js';
import * as iscsi from './methods/iscsi.js';
import * as nvmf from './methods/nvmf.js';
import { knownMethodList, listMethods } from './methods/resolver.js';
import { CallBudget } from './methods/budget.js';
import type {
  Bdev,
  BdevIostat,
  IscsiPortalGroup,
  IscsiTargetNode,
  NvmeController,
  NvmfStats,
  NvmfSubsystem,
  NvmfTransport,
  ScsiDevice,
  VhostController,
} from './methods/types.js';
import { detectVersion, type VersionInfo } from './methods/target-version.js';
import * as vhost from './methods/vhost.js';

const log = getLogger('spdk.inventory');

export type InventorySection =
  | 'version'
  | 'nvmeControllers'
  | 'nvmf.transports'
  | 'nvmf.subsystems'
  | 'vhost.controllers'
  | 'iscsi.targetNodes'
  | 'iscsi.portalGroups'
  | 'scsiDevices'
  | 'stats.iostat'
  | 'stats.nvmf';

/** A section that could not be read: plain data, so the inventory serialises as it is. */
export interface InventoryProblem {
  section: InventorySection;
  error: {
    /** The error class: `JsonRpcError`, `MethodUnavailableError`, `SpdkResultError`, … */
    name: string;
    /** Its stable code: `SPDK_RPC_ERROR`, `SPDK_METHOD_UNAVAILABLE`, … */
    code: string;
    message: string;
    /** The method that failed (the name sent, or the operation). */
    method?: string;
    /** SPDK's code, for a `JsonRpcError`. */
    rpcCode?: number;
  };
}

export interface TargetInventory {
  /** Null when the version could not be read (see `errors`). */
  version: VersionInfo | null;
  app: DetectedApp;
  /** Sorted. Null on SPDK 17.07, which cannot list its methods. */
  methods: string[] | null;
  bdevs: Bdev[];
  /** Null when unreadable, e.g. before v18.10 (no `get_nvme_controllers`). */
  nvmeControllers: NvmeController[] | null;
  /** Only for apps with NVMe-oF (nvmf_tgt, spdk_tgt). */
  nvmf?: { transports: NvmfTransport[] | null; subsystems: NvmfSubsystem[] | null };
  /** Only for apps with vhost (vhost, spdk_tgt). */
  vhost?: { controllers: VhostController[] | null };
  /** Only for apps with iSCSI (iscsi_tgt, spdk_tgt). */
  iscsi?: { targetNodes: IscsiTargetNode[] | null; portalGroups: IscsiPortalGroup[] | null };
  /** Only for apps with the SCSI library (vhost, iscsi_tgt, spdk_tgt). */
  scsiDevices?: ScsiDevice[] | null;
  /** Only with `stats: true`: counters change between reads, so reports with them are not stable. */
  stats?: { iostat: BdevIostat | null; nvmf?: NvmfStats | null };
  /** The sections that could not be read, in section order. */
  errors: InventoryProblem[];
}

export interface InventoryOptions {
  /** Also read `bdev_get_iostat` (and `nvmf_get_stats` on NVMe-oF apps). */
  stats?: boolean;
  /** Deadline for the whole collection, in ms; the client's default per call when absent. */
  timeoutMs?: number;
  /** Gives up the collection (reads already sent may still run on the target). */
  signal?: AbortSignal;
}

export class InventoryError extends AgentError {
  readonly section: string;

  constructor(options: { address: string; section: string; cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`inventory of ${options.address}: cannot read ${options.section}: ${reason}`, {
      code: 'SPDK_INVENTORY_FAILED',
      context: { address: options.address, section: options.section },
      cause: options.cause,
    });
    this.section = options.section;
  }
}

/** An answer from the target that spoils one section, not the whole inventory. */
function isSectionFailure(err: unknown): boolean {
  return (
    err instanceof JsonRpcError ||
    err instanceof MethodUnavailableError ||
    err instanceof SpdkResultError ||
    err instanceof UnsupportedParameterError ||
    err instanceof InvalidArgumentError
  );
}

function problemOf(section: InventorySection, err: AgentError): InventoryProblem {
  const error: InventoryProblem['error'] = { name: err.name, code: err.code, message: err.message };
  const method = err.context.method;
  if (typeof method === 'string') error.method = method;
  if (err instanceof JsonRpcError) error.rpcCode = err.rpcCode;
  return { section, error };
}

/** What one read gave: a value, a recorded failure, or "the target has no such method". */
type Outcome<T> = { value: T } | { failed: InventoryProblem; unavailable: boolean };

async function read<T>(section: InventorySection, work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await work() };
  } catch (err) {
    if (!isSectionFailure(err)) throw err;
    return { failed: problemOf(section, err as AgentError), unavailable: err instanceof MethodUnavailableError };
  }
}

function byKey<T>(key: (item: T) => string | number): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function sorted<T>(items: T[], key: (item: T) => string | number): T[] {
  return [...items].sort(byKey(key));
}

type Family = keyof Pick<AppFamilies, 'nvmf' | 'vhost' | 'iscsi' | 'scsi'>;

/**
 * Reads one target: version, application, methods, bdevs, NVMe controllers, and the sections of
 * the application's families (decided from its method list, or on SPDK 17.07, which has none, from
 * which reads the target answered).
 */
export async function collectInventory(caller: RpcCaller, options: InventoryOptions = {}): Promise<TargetInventory> {
  const callOptions: RpcCallOptions = {};
  if (options.timeoutMs !== undefined) callOptions.timeoutMs = options.timeoutMs;
  if (options.signal !== undefined) callOptions.signal = options.signal;

  // Known families skip the reads the app cannot answer; unknown ones (first read of a connection)
  // are all attempted, beside the list request.
  const known = knownMethodList(caller);
  const knownFamilies = known?.names ? appFamilies(known.names) : undefined;
  const wanted = (family: Family): boolean => knownFamilies === undefined || knownFamilies[family];

  const skipped = Promise.resolve(undefined);
  const methodsRead = listMethods(caller, new CallBudget(caller.address, callOptions));
  const versionRead = read('version', () => detectVersion(caller, callOptions));
  const bdevsRead = bdev.getBdevs(caller, {}, callOptions).catch((err: unknown) => {
    if (isSectionFailure(err)) throw new InventoryError({ address: caller.address, section: 'bdevs', cause: err });
    throw err;
  });
  const controllersRead = read('nvmeControllers', () => bdev.nvmeGetControllers(caller, {}, callOptions));
  const transportsRead = wanted('nvmf') ? read('nvmf.transports', () => nvmf.getTransports(caller, {}, callOptions)) : skipped;
  const subsystemsRead = wanted('nvmf') ? read('nvmf.subsystems', () => nvmf.getSubsystems(caller, {}, callOptions)) : skipped;
  const vhostRead = wanted('vhost') ? read('vhost.controllers', () => vhost.getControllers(caller, {}, callOptions)) : skipped;
  const nodesRead = wanted('iscsi') ? read('iscsi.targetNodes', () => iscsi.getTargetNodes(caller, callOptions)) : skipped;
  const portalsRead = wanted('iscsi') ? read('iscsi.portalGroups', () => iscsi.getPortalGroups(caller, callOptions)) : skipped;
  const scsiRead = wanted('scsi') ? read('scsiDevices', () => iscsi.getScsiDevices(caller, callOptions)) : skipped;
  const iostatRead = options.stats ? read('stats.iostat', () => bdev.getIostat(caller, {}, callOptions)) : skipped;
  const nvmfStatsRead = options.stats && wanted('nvmf') ? read('stats.nvmf', () => nvmf.getStats(caller, {}, callOptions)) : skipped;

  const [list, version, bdevs, controllers, transports, subsystems, vhostControllers, nodes, portals, scsi, iostat, nvmfStats] = await Promise.all([
    methodsRead,
    versionRead,
    bdevsRead,
    controllersRead,
    transportsRead,
    subsystemsRead,
    vhostRead,
    nodesRead,
    portalsRead,
    scsiRead,
    iostatRead,
    nvmfStatsRead,
  ]);

  // Which families the target has: its method list says; without one (SPDK 17.07), a family is
  // present when one of its reads got anything but "no such method".
  const answered = (...outcomes: Array<Outcome<unknown> | undefined>): boolean =>
    outcomes.some((outcome) => outcome !== undefined && !('failed' in outcome && outcome.unavailable));
  const families: Record<Family, boolean> = list.names
    ? appFamilies(list.names)
    : {
        nvmf: answered(transports, subsystems),
        vhost: answered(vhostControllers),
        iscsi: answered(nodes, portals),
        scsi: answered(scsi),
      };

  const errors: InventoryProblem[] = [];
  const take = <T>(outcome: Outcome<T> | undefined): T | null => {
    if (outcome === undefined) return null;
    if ('value' in outcome) return outcome.value;
    errors.push(outcome.failed);
    return null;
  };

  const inventory: TargetInventory = {
    version: take(version),
    app: appFromFamilies(families),
    methods: list.names ? [...list.names].sort() : null,
    bdevs: sorted(bdevs, (b) => b.name),
    nvmeControllers: mapNull(take(controllers), (items) => sorted(items, (c) => c.name)),
    errors,
  };
  if (families.nvmf) {
    inventory.nvmf = {
      transports: mapNull(take(transports), (items) => sorted(items, (t) => t.trtype)),
      subsystems: mapNull(take(subsystems), (items) => sorted(items, (s) => s.nqn)),
    };
  }
  if (families.vhost) inventory.vhost = { controllers: mapNull(take(vhostControllers), (items) => sorted(items, (c) => c.ctrlr)) };
  if (families.iscsi) {
    inventory.iscsi = {
      targetNodes: mapNull(take(nodes), (items) => sorted(items, (n) => n.name)),
      portalGroups: mapNull(take(portals), (items) => sorted(items, (p) => p.tag)),
    };
  }
  if (families.scsi) inventory.scsiDevices = mapNull(take(scsi), (items) => sorted(items, (d) => d.id));
  if (options.stats) {
    inventory.stats = { iostat: mapNull(take(iostat), (stats) => ({ ...stats, bdevs: sorted(stats.bdevs, (b) => b.name) })) };
    if (families.nvmf) {
      inventory.stats.nvmf = mapNull(take(nvmfStats), (stats) => ({ ...stats, poll_groups: sorted(stats.poll_groups, (g) => g.name) }));
    }
  }
  if (errors.length > 0) log.debug('inventory sections not read', { address: caller.address, sections: errors.map((e) => e.section) });
  return inventory;
}

function mapNull<T, R>(value: T | null, map: (value: T) => R): R | null {
  return value === null ? null : map(value);
}
