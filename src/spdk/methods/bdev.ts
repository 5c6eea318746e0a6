/**
 * Block devices (contract §3.2): listing, I/O statistics, malloc / null / AIO bdevs, NVMe
 * controllers.
 */
import type { RpcCaller, RpcCallOptions, RpcParams } from '../rpc/types.js';
import { CallBudget } from './budget.js';
import { InvalidArgumentError, UnsupportedParameterError } from './errors.js';
import { argumentOrigin, requestChecked, requireParams } from './request.js';
import {
  expectArray,
  expectBoolean,
  expectCreatedName,
  expectNamedObjects,
  expectObject,
  isObject,
  namedList,
  objectWithArray,
  requireCount,
  requireText,
  resultError,
  type JsonObject,
  type CallSite,
} from './shape.js';
import type { Bdev, BdevChannelIostat, BdevIoStat, BdevIostat, NvmeController, NvmeControllerPath, NvmeTransportAddress } from './types.js';
import { atLeast, describeVersion, detectVersion } from './target-version.js';

// ---------------------------------------------------------------- listing

/**
 * `bdev_get_bdevs` (v19.10+; `get_bdevs` v17.07–v22.01). With `name` (a name or any alias, the
 * UUID included from v22.05) the array holds that one bdev; `timeout` (ms) waits for it to appear.
 * An unknown name fails with -19, or -32602 up to v19.x: test with `isNotFound(err)`.
 */
export async function getBdevs(caller: RpcCaller, params: { name?: string; timeout?: number } = {}, options?: RpcCallOptions): Promise<Bdev[]> {
  const origin = argumentOrigin(caller, 'bdev_get_bdevs');
  if (params.name !== undefined) requireText(origin, 'name', params.name);
  if (params.timeout !== undefined) requireCount(origin, 'timeout', params.timeout);
  return requestChecked(caller, 'bdev_get_bdevs', { name: params.name, timeout: params.timeout }, options, namedList<Bdev>('name'));
}

// ---------------------------------------------------------------- I/O statistics

export type IostatResetMode = 'all' | 'maxmin' | 'error' | 'none';

export interface IostatParams {
  /** One bdev. */
  name?: string;
  /** Several bdevs (v26.01+ sends them as `names`; older targets take exactly one, as `name`). */
  names?: string[];
  /** Reset after reading (v25.05+; `error` v26.01+). */
  reset_mode?: IostatResetMode;
}

/**
 * The wire form of a bdev selection: `names` from v26.01 (where `name` is deprecated, and gone in
 * v26.05), `name` before, which cannot carry more than one.
 */
async function selectionParams(caller: RpcCaller, names: string[] | undefined, budget: CallBudget): Promise<RpcParams> {
  if (names === undefined) return {};
  const version = await budget.wait(detectVersion(caller), 'spdk_get_version');
  if (atLeast(version, '26.01')) return { names };
  if (names.length === 1) return { name: names[0] };
  throw new UnsupportedParameterError({
    address: caller.address,
    method: 'bdev_get_iostat',
    parameter: 'names',
    requirement: 'with more than one bdev needs SPDK v26.01 or later',
    targetVersion: describeVersion(version),
  });
}

function wantedNames(origin: CallSite, params: IostatParams): string[] | undefined {
  if (params.name !== undefined && params.names !== undefined) {
    throw new InvalidArgumentError({ ...origin, argument: 'names', reason: 'give name or names, not both' });
  }
  if (params.name !== undefined) return [requireText(origin, 'name', params.name)];
  if (params.names === undefined) return undefined;
  if (!Array.isArray(params.names) || params.names.length === 0) {
    throw new InvalidArgumentError({ ...origin, argument: 'names', reason: 'expected a non-empty array of bdev names' });
  }
  return params.names.map((name, index) => requireText(origin, `names[${index}]`, name));
}

/** The one stats shape: v18.07–v19.04 answered `[{tick_rate}, bdev, …]`. */
export function normaliseIostat(origin: CallSite, result: unknown): BdevIostat {
  if (Array.isArray(result)) {
    const [head, ...bdevs] = result;
    if (!isObject(head) || head.tick_rate === undefined) throw resultError(origin, 'the array form does not start with {tick_rate}', head);
    const out: BdevIostat = { tick_rate: head.tick_rate as BdevIostat['tick_rate'], bdevs: expectNamedObjects<BdevIoStat>(origin, bdevs, 'name') };
    if (head.ticks !== undefined) out.ticks = head.ticks as BdevIostat['ticks'];
    return out;
  }
  const stats = expectObject(origin, result);
  if (stats.tick_rate === undefined) throw resultError(origin, 'no tick_rate', result);
  expectNamedObjects<BdevIoStat>(origin, stats.bdevs, 'name');
  return stats as unknown as BdevIostat;
}

/**
 * `bdev_get_iostat` (v19.10+; `get_bdevs_iostat` v18.07–v22.01), always as
 * `{tick_rate, ticks?, bdevs}` (the v18.07–v19.04 array is converted; `ticks` exists from v20.01).
 * Selecting bdevs needs the target's version (`name` vs `names`), looked up once per connection.
 */
export async function getIostat(caller: RpcCaller, params: IostatParams = {}, options?: RpcCallOptions): Promise<BdevIostat> {
  const origin = argumentOrigin(caller, 'bdev_get_iostat');
  const budget = new CallBudget(caller.address, options);
  const selection = await selectionParams(caller, wantedNames(origin, params), budget);
  return requestChecked(caller, 'bdev_get_iostat', { ...selection, reset_mode: params.reset_mode }, budget, normaliseIostat);
}

/** `bdev_get_iostat` with `per_channel` (v23.01+): one bdev's counters per I/O channel. */
export async function getChannelIostat(
  caller: RpcCaller,
  params: { name: string; reset_mode?: IostatResetMode },
  options?: RpcCallOptions,
): Promise<BdevChannelIostat> {
  const origin = argumentOrigin(caller, 'bdev_get_iostat');
  const name = requireText(origin, 'name', params?.name);
  const budget = new CallBudget(caller.address, options);
  const selection = await selectionParams(caller, [name], budget);
  const wire = { ...selection, per_channel: true, reset_mode: params.reset_mode };
  return requestChecked(caller, 'bdev_get_iostat', wire, budget, objectWithArray<BdevChannelIostat>('channels'));
}

// ---------------------------------------------------------------- malloc, null, AIO

export interface MallocCreateParams {
  num_blocks: number | bigint;
  /** A multiple of 512. */
  block_size: number;
  /** v17.10+; auto-named `Malloc<N>` when left out. */
  name?: string;
  /** v18.04+. */
  uuid?: string;
  optimal_io_boundary?: number;
  md_size?: 0 | 8 | 16 | 32 | 64 | 128;
  md_interleave?: boolean;
  dif_type?: 0 | 1 | 2 | 3;
  dif_is_head_of_md?: boolean;
  physical_block_size?: number;
  dif_pi_format?: number;
  numa_id?: number;
}

function checkGeometry(origin: CallSite, params: { num_blocks: unknown; block_size: unknown }): void {
  requireCount(origin, 'num_blocks', params.num_blocks, { positive: true });
  requireCount(origin, 'block_size', params.block_size, { positive: true });
}

/**
 * `bdev_malloc_create` (v19.10+; `construct_malloc_bdev` v17.07–v22.01): the bdev's name (a string
 * also where v18.04 and older answered `["Malloc0"]`). -17 when the name is taken.
 */
export async function mallocCreate(caller: RpcCaller, params: MallocCreateParams, options?: RpcCallOptions): Promise<string> {
  const origin = requireParams(caller, 'bdev_malloc_create', params);
  checkGeometry(origin, params);
  if (params.name !== undefined) requireText(origin, 'name', params.name);
  return requestChecked(caller, 'bdev_malloc_create', { ...params }, options, expectCreatedName);
}

export interface NullCreateParams {
  name: string;
  num_blocks: number | bigint;
  block_size: number;
  uuid?: string;
  physical_block_size?: number;
  md_size?: number;
  dif_type?: number;
  dif_pi_format?: number;
  dif_is_head_of_md?: boolean;
  preferred_write_granularity?: number;
  preferred_write_alignment?: number;
  optimal_write_size?: number;
  preferred_unmap_granularity?: number;
  preferred_unmap_alignment?: number;
}

/** `bdev_null_create` (v19.10+; `construct_null_bdev` v17.07–v22.01): the name, as for malloc. */
export async function nullCreate(caller: RpcCaller, params: NullCreateParams, options?: RpcCallOptions): Promise<string> {
  const origin = requireParams(caller, 'bdev_null_create', params);
  checkGeometry(origin, params);
  requireText(origin, 'name', params.name);
  return requestChecked(caller, 'bdev_null_create', { ...params }, options, expectCreatedName);
}

export interface AioCreateParams {
  name: string;
  /** A file or block device on the target's host. */
  filename: string;
  /** Detected when left out. */
  block_size?: number;
  readonly?: boolean;
  fallocate?: boolean;
  uuid?: string;
  nowait?: boolean;
}

/** `bdev_aio_create` (v19.10+; `construct_aio_bdev` v17.07–v22.01): the name, once examined. */
export async function aioCreate(caller: RpcCaller, params: AioCreateParams, options?: RpcCallOptions): Promise<string> {
  const origin = requireParams(caller, 'bdev_aio_create', params, ['name', 'filename']);
  if (params.block_size !== undefined) requireCount(origin, 'block_size', params.block_size, { positive: true });
  return requestChecked(caller, 'bdev_aio_create', { ...params }, options, expectCreatedName);
}

type DeleteOperation = 'bdev_malloc_delete' | 'bdev_null_delete' | 'bdev_aio_delete';

async function deleteBdev(caller: RpcCaller, operation: DeleteOperation, params: { name: string }, options?: RpcCallOptions): Promise<boolean> {
  requireParams(caller, operation, params, ['name']);
  return requestChecked(caller, operation, { name: params.name }, options, expectBoolean);
}

/**
 * `bdev_malloc_delete` (v19.10+; `delete_malloc_bdev` v18.07–v22.01; on older targets the generic
 * `delete_bdev`, which deletes a bdev of any module). -19 when there is no such malloc bdev.
 */
export function mallocDelete(caller: RpcCaller, params: { name: string }, options?: RpcCallOptions): Promise<boolean> {
  return deleteBdev(caller, 'bdev_malloc_delete', params, options);
}

/** `bdev_null_delete`, as `mallocDelete` (`delete_null_bdev` v18.07–v22.01, `delete_bdev` before). */
export function nullDelete(caller: RpcCaller, params: { name: string }, options?: RpcCallOptions): Promise<boolean> {
  return deleteBdev(caller, 'bdev_null_delete', params, options);
}

/** `bdev_aio_delete`, as `mallocDelete` (`delete_aio_bdev` v18.07–v22.01, `delete_bdev` before). */
export function aioDelete(caller: RpcCaller, params: { name: string }, options?: RpcCallOptions): Promise<boolean> {
  return deleteBdev(caller, 'bdev_aio_delete', params, options);
}

/** `bdev_wait_for_examine`: resolves once every bdev has been examined. */
export async function waitForExamine(caller: RpcCaller, options?: RpcCallOptions): Promise<boolean> {
  return requestChecked(caller, 'bdev_wait_for_examine', undefined, options, expectBoolean);
}

// ---------------------------------------------------------------- NVMe

export interface NvmeAttachParams extends NvmeTransportAddress {
  /** The controller name; its bdevs are `<name>n<nsid>`. */
  name: string;
  priority?: string;
  subnqn?: string;
  hostnqn?: string;
  hostaddr?: string;
  hostsvcid?: string;
  prchk_reftag?: boolean;
  prchk_guard?: boolean;
  hdgst?: boolean;
  ddgst?: boolean;
  fabrics_connect_timeout_us?: number;
  multipath?: 'disable' | 'failover' | 'multipath';
  num_io_queues?: number;
  ctrlr_loss_timeout_sec?: number;
  reconnect_delay_sec?: number;
  fast_io_fail_timeout_sec?: number;
  psk?: string;
  max_bdevs?: number;
  dhchap_key?: string;
  dhchap_ctrlr_key?: string;
  allow_unrecognized_csi?: boolean;
  multipath_opts?: { policy?: string; selector?: string; min_io?: number };
  disable_sq_flow_control?: boolean;
}

/**
 * `bdev_nvme_attach_controller` (v19.10+; `construct_nvme_bdev` v17.07–v22.01): the names of the
 * bdevs created. May take seconds (fabrics connect, examine): give a generous `timeoutMs`.
 * Most options are recent; the target rejects those it does not know.
 */
export async function nvmeAttachController(caller: RpcCaller, params: NvmeAttachParams, options?: RpcCallOptions): Promise<string[]> {
  requireParams(caller, 'bdev_nvme_attach_controller', params, ['name', 'trtype', 'traddr']);
  return requestChecked(caller, 'bdev_nvme_attach_controller', { ...params }, options, expectBdevNames);
}

/** The bdevs an attach created: a list of names, or one name as a string. */
function expectBdevNames(origin: CallSite, result: unknown): string[] {
  if (typeof result === 'string') return [result];
  const names = expectArray(origin, result);
  if (names.some((name) => typeof name !== 'string')) throw resultError(origin, 'not a list of bdev names', result);
  return names as string[];
}

/** With transport members: detach only that path of a multipath controller. */
export interface NvmeDetachParams extends Partial<NvmeTransportAddress> {
  name: string;
  subnqn?: string;
  hostaddr?: string;
  hostsvcid?: string;
}

/** `bdev_nvme_detach_controller` (v19.10+; `delete_nvme_controller` v18.07–v22.01). */
export async function nvmeDetachController(caller: RpcCaller, params: NvmeDetachParams, options?: RpcCallOptions): Promise<boolean> {
  requireParams(caller, 'bdev_nvme_detach_controller', params, ['name']);
  return requestChecked(caller, 'bdev_nvme_detach_controller', { ...params }, options, expectBoolean);
}

/**
 * One controller per name, its paths in `ctrlrs` (v22.01+). v18.10–v21.10 wrote one flat object
 * per path (`{name, trid, cntlid, …}`); those are grouped by name in the order they came.
 */
export function normaliseNvmeControllers(origin: CallSite, result: unknown): NvmeController[] {
  const entries = expectNamedObjects<JsonObject>(origin, result, 'name');
  const out: NvmeController[] = [];
  const byName = new Map<string, NvmeController>();
  for (const entry of entries) {
    const name = entry.name as string;
    if (Array.isArray(entry.ctrlrs)) {
      const controller = entry as unknown as NvmeController;
      out.push(controller);
      byName.set(name, controller);
      continue;
    }
    const { name: _name, ...path } = entry;
    if (!isObject(path.trid)) throw resultError(origin, `controller ${name} has neither ctrlrs nor trid`, entry);
    let controller = byName.get(name);
    if (!controller) {
      controller = { name, ctrlrs: [] };
      byName.set(name, controller);
      out.push(controller);
    }
    controller.ctrlrs.push(path as unknown as NvmeControllerPath);
  }
  return out;
}

/**
 * `bdev_nvme_get_controllers` (v19.10+; `get_nvme_controllers` v18.10–v22.01), always as
 * `[{name, ctrlrs: [path, …]}]`. An unknown name fails with -22 "Controller X does not exist".
 */
export async function nvmeGetControllers(caller: RpcCaller, params: { name?: string } = {}, options?: RpcCallOptions): Promise<NvmeController[]> {
  if (params.name !== undefined) requireText(argumentOrigin(caller, 'bdev_nvme_get_controllers'), 'name', params.name);
  return requestChecked(caller, 'bdev_nvme_get_controllers', { name: params.name }, options, normaliseNvmeControllers);
}
