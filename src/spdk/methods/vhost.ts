/**
 * vhost-user controllers (contract §3.4; only the `vhost` and `spdk_tgt` apps have them). Almost
 * every vhost error is -32602 with strerror text ("No such device", "File exists");
 * `vhost_get_controllers` uses -32603.
 */
import { JsonRpcError, RpcErrorCode } from '../rpc/errors.js';
import type { RpcCaller, RpcCallOptions, RpcParams } from '../rpc/types.js';
import { CallBudget } from './budget.js';
import { MethodUnavailableError, UnsupportedParameterError } from './errors.js';
import { allNames, type Operation } from './names.js';
import { argumentOrigin, request, requestChecked, requireParams } from './request.js';
import { expectArray, expectBoolean, isObject, requireInteger, requireText, resultError, type JsonObject, type CallSite, type ReplyCheck } from './shape.js';
import type { VhostController, VhostScsiTarget } from './types.js';
import { atMost, describeVersion, detectVersion } from './target-version.js';

// ---------------------------------------------------------------- controllers

/** `vhost_create_blk_controller` (v19.10+; `construct_vhost_blk_controller` v17.07–v22.01). */
export async function createBlkController(
  caller: RpcCaller,
  params: { ctrlr: string; dev_name: string; readonly?: boolean; packed_ring?: boolean; cpumask?: string; transport?: string },
  options?: RpcCallOptions,
): Promise<boolean> {
  requireParams(caller, 'vhost_create_blk_controller', params, ['ctrlr', 'dev_name']);
  return requestChecked(caller, 'vhost_create_blk_controller', { ...params }, options, expectBoolean);
}

/**
 * `vhost_create_scsi_controller` (v19.10+; `construct_vhost_scsi_controller` v17.07–v22.01).
 * `delay` creates it stopped (start it with `vhost_start_scsi_controller`).
 */
export async function createScsiController(
  caller: RpcCaller,
  params: { ctrlr: string; cpumask?: string; delay?: boolean },
  options?: RpcCallOptions,
): Promise<boolean> {
  requireParams(caller, 'vhost_create_scsi_controller', params, ['ctrlr']);
  return requestChecked(caller, 'vhost_create_scsi_controller', { ...params }, options, expectBoolean);
}

/** Whether the target is v17.10 or older, where the SCSI target params had other names. */
async function usesDeviceParams(caller: RpcCaller, budget: CallBudget): Promise<{ old: boolean; version: string }> {
  const version = await budget.wait(detectVersion(caller), 'spdk_get_version');
  return { old: atMost(version, '17.10'), version: describeVersion(version) };
}

/**
 * `vhost_scsi_controller_add_target` (v19.10+; `add_vhost_scsi_lun` v17.07–v22.01): the SCSI target
 * number used. `scsi_target_num` -1 takes the first free slot (not on v17.x). On v17.07–v17.10 the
 * params are sent as `{ctrlr, scsi_dev_num, lun_name}` and, since those answered `true`, the number
 * asked for is returned.
 */
export async function scsiControllerAddTarget(
  caller: RpcCaller,
  params: { ctrlr: string; scsi_target_num: number; bdev_name: string },
  options?: RpcCallOptions,
): Promise<number> {
  const origin = requireParams(caller, 'vhost_scsi_controller_add_target', params, ['ctrlr']);
  requireInteger(origin, 'scsi_target_num', params.scsi_target_num, -1, 7);
  requireText(origin, 'bdev_name', params.bdev_name);
  const budget = new CallBudget(caller.address, options);
  const current = { ctrlr: params.ctrlr, scsi_target_num: params.scsi_target_num, bdev_name: params.bdev_name };
  const answer = await request(caller, 'vhost_scsi_controller_add_target', current, budget, {
    paramsFor: (method) => (method === 'add_vhost_scsi_lun' ? legacyAddParams(caller, params, budget) : current),
  });
  if (typeof answer.result === 'boolean' && answer.result && params.scsi_target_num >= 0) return params.scsi_target_num;
  if (typeof answer.result !== 'number' || !Number.isInteger(answer.result)) throw resultError(answer.origin, 'not a SCSI target number', answer.result);
  return answer.result;
}

async function legacyAddParams(
  caller: RpcCaller,
  params: { ctrlr: string; scsi_target_num: number; bdev_name: string },
  budget: CallBudget,
): Promise<RpcParams> {
  const { old, version } = await usesDeviceParams(caller, budget);
  if (!old) return { ctrlr: params.ctrlr, scsi_target_num: params.scsi_target_num, bdev_name: params.bdev_name };
  if (params.scsi_target_num < 0) {
    throw new UnsupportedParameterError({
      address: caller.address,
      method: 'vhost_scsi_controller_add_target',
      parameter: 'scsi_target_num',
      requirement: '-1 (first free slot) needs SPDK v18.01 or later',
      targetVersion: version,
    });
  }
  return { ctrlr: params.ctrlr, scsi_dev_num: params.scsi_target_num, lun_name: params.bdev_name };
}

/**
 * `vhost_scsi_controller_remove_target` (v19.10+; `remove_vhost_scsi_target` v18.01–v22.01;
 * `remove_vhost_scsi_dev` v17.07–v17.10, sent as `{ctrlr, scsi_dev_num}`).
 */
export async function scsiControllerRemoveTarget(
  caller: RpcCaller,
  params: { ctrlr: string; scsi_target_num: number },
  options?: RpcCallOptions,
): Promise<boolean> {
  const origin = requireParams(caller, 'vhost_scsi_controller_remove_target', params, ['ctrlr']);
  requireInteger(origin, 'scsi_target_num', params.scsi_target_num, 0, 7);
  const current = { ctrlr: params.ctrlr, scsi_target_num: params.scsi_target_num };
  return requestChecked(caller, 'vhost_scsi_controller_remove_target', current, options, expectBoolean, {
    paramsFor: (method) => (method === 'remove_vhost_scsi_dev' ? { ctrlr: params.ctrlr, scsi_dev_num: params.scsi_target_num } : current),
  });
}

// ---------------------------------------------------------------- listing

type Backend = 'block' | 'scsi';

function normaliseScsiTarget(origin: CallSite, value: unknown): VhostScsiTarget {
  if (!isObject(value)) throw resultError(origin, 'a SCSI target is not an object', value);
  const { device_name, luns, lun_name, ...rest } = value;
  // One LUN per device then; some renderings of the old list name it flat as `lun_name`.
  const list = luns !== undefined ? expectArray(origin, luns, 'luns') : typeof lun_name === 'string' ? [{ id: 0, name: lun_name }] : [];
  const target: JsonObject = {
    ...rest,
    luns: list.map((lun) => {
      if (!isObject(lun)) throw resultError(origin, 'a LUN is not an object', lun);
      const { name, ...lunRest } = lun;
      return { ...lunRest, bdev_name: lunRest.bdev_name ?? name };
    }),
  };
  const targetName = rest.target_name ?? device_name;
  if (targetName !== undefined) target.target_name = targetName;
  return target as unknown as VhostScsiTarget;
}

/**
 * The current shape of a controller. v17.07's `get_vhost_scsi_controllers` wrote
 * `{ctrlr, cpu_mask, scsi_devs: [{scsi_dev_num, id, device_name, luns: [{id, name}]}]}` (SPDK's early
 * vhost_rpc.c), and its blk twin `{ctrlr, cpu_mask, bdev, readonly}` (inferred); flat
 * `{scsi_dev_num, lun_name}` devices and `cpumask` are read too. `backend` says which list an entry
 * came from.
 */
export function normaliseController(origin: CallSite, value: unknown, backend?: Backend): VhostController {
  if (!isObject(value) || typeof value.ctrlr !== 'string') throw resultError(origin, 'a controller has no ctrlr name', value);
  if (isObject(value.backend_specific)) return value as unknown as VhostController;
  const { cpu_mask, scsi_devs, bdev, readonly, ...rest } = value;
  const out: JsonObject = { ...rest, cpumask: rest.cpumask ?? cpu_mask };
  if (backend === 'scsi' || Array.isArray(scsi_devs)) {
    const targets = scsi_devs === undefined ? [] : expectArray(origin, scsi_devs, 'scsi_devs');
    out.backend_specific = { scsi: targets.map((target) => normaliseScsiTarget(origin, target)) };
  } else if (backend === 'block' || bdev !== undefined) {
    out.backend_specific = { block: { readonly: readonly === true, bdev: typeof bdev === 'string' ? bdev : null } };
  } else {
    out.backend_specific = {};
  }
  return out as unknown as VhostController;
}

/** The check of a controller list: each entry in the current shape (`backend`: which v17.07 list). */
function controllerList(backend?: Backend): ReplyCheck<VhostController[]> {
  return (origin, result) => expectArray(origin, result).map((entry) => normaliseController(origin, entry, backend));
}

const SPLIT_LISTS: ReadonlyArray<[Operation, Backend]> = [
  ['get_vhost_blk_controllers', 'block'],
  ['get_vhost_scsi_controllers', 'scsi'],
];

/** Rethrows `first` widened with the v17.07 names that were also tried. */
function splitUnavailable(first: MethodUnavailableError, split: Operation[], cause: unknown): MethodUnavailableError {
  return new MethodUnavailableError({
    address: first.address,
    operation: first.operation,
    tried: [...first.tried, ...split],
    history: [...allNames(first.operation as Operation), ...split.flatMap((operation) => allNames(operation))],
    ...(typeof first.context.app === 'string' ? { app: first.context.app } : {}),
    checkedWith: String(first.context.checkedWith),
    cause,
  });
}

/** v17.07: both lists, merged (blk first, then scsi), filtered by name here since they take no params. */
async function listSplit(caller: RpcCaller, name: string | undefined, budget: CallBudget, first: MethodUnavailableError): Promise<VhostController[]> {
  let lists: VhostController[][];
  try {
    lists = await Promise.all(SPLIT_LISTS.map(([operation, backend]) => requestChecked(caller, operation, undefined, budget, controllerList(backend))));
  } catch (err) {
    if (err instanceof MethodUnavailableError)
      throw splitUnavailable(
        first,
        SPLIT_LISTS.map(([operation]) => operation),
        err,
      );
    throw err;
  }
  const all = lists.flat();
  if (name === undefined) return all;
  const found = all.filter((controller) => controller.ctrlr === name);
  if (found.length === 0) {
    // What a current target answers for an unknown name, so that isNotFound() works the same.
    throw new JsonRpcError({
      address: caller.address,
      method: 'get_vhost_blk_controllers',
      params: { name },
      rpcCode: RpcErrorCode.ENODEV,
      rpcMessage: `No such device (no controller ${name} in get_vhost_blk_controllers / get_vhost_scsi_controllers)`,
    });
  }
  return found;
}

/**
 * `vhost_get_controllers` (v19.10+; `get_vhost_controllers` v17.10–v22.01; on v17.07 the merge of
 * `get_vhost_blk_controllers` and `get_vhost_scsi_controllers`), in the current shape. An unknown
 * `name` fails with -32603 "No such device" (-19 on v17.07, raised here): test with `isNotFound`.
 */
export async function getControllers(caller: RpcCaller, params: { name?: string } = {}, options?: RpcCallOptions): Promise<VhostController[]> {
  if (params.name !== undefined) requireText(argumentOrigin(caller, 'vhost_get_controllers'), 'name', params.name);
  const budget = new CallBudget(caller.address, options);
  try {
    return await requestChecked(caller, 'vhost_get_controllers', { name: params.name }, budget, controllerList());
  } catch (err) {
    if (!(err instanceof MethodUnavailableError)) throw err;
    return listSplit(caller, params.name, budget, err);
  }
}

/**
 * `vhost_delete_controller` (v19.10+; `remove_vhost_controller` v17.10–v22.01; on v17.07
 * `remove_vhost_blk_controller` or `remove_vhost_scsi_controller`, picked by looking the controller
 * up). Waits while a VM is still connected: give a generous `timeoutMs`.
 */
export async function deleteController(caller: RpcCaller, params: { ctrlr: string }, options?: RpcCallOptions): Promise<boolean> {
  requireParams(caller, 'vhost_delete_controller', params, ['ctrlr']);
  const ctrlr = params.ctrlr;
  const budget = new CallBudget(caller.address, options);
  try {
    return await requestChecked(caller, 'vhost_delete_controller', { ctrlr }, budget, expectBoolean);
  } catch (err) {
    if (!(err instanceof MethodUnavailableError)) throw err;
    const split: Operation[] = ['remove_vhost_blk_controller', 'remove_vhost_scsi_controller'];
    const [controller] = await listSplit(caller, ctrlr, budget, err);
    const kind: Backend = controller!.backend_specific.scsi !== undefined ? 'scsi' : 'block';
    try {
      return await requestChecked(caller, kind === 'scsi' ? split[1]! : split[0]!, { ctrlr }, budget, expectBoolean);
    } catch (removeError) {
      if (removeError instanceof MethodUnavailableError) throw splitUnavailable(err, split, removeError);
      throw removeError;
    }
  }
}
