/**
 * SCSI devices and the iSCSI target (contract §3.5): `scsi_get_devices` needs the SCSI library
 * (vhost, iscsi_tgt, spdk_tgt); the `iscsi_*` methods the iscsi_tgt or spdk_tgt apps.
 *
 * The legacy iSCSI names (`get_target_nodes`, `add_portal_group`, …) are called on old targets
 * with the current params; the contract does not record older param shapes, so none are mapped.
 */
import type { RpcCaller, RpcCallOptions } from '../rpc/types.js';
import { argumentOrigin, request, requestBoolean } from './request.js';
import {
  expectArray,
  expectNamedObjects,
  isObject,
  requireInteger,
  requireNonEmptyArray,
  requireObject,
  requireText,
  resultError,
  type Origin,
} from './shape.js';
import type { IscsiInitiatorGroup, IscsiPortalGroup, IscsiTargetNode, ScsiDevice } from './types.js';

function expectTagged<T>(origin: Origin, result: unknown): T[] {
  const items = expectArray(origin, result);
  items.forEach((item, index) => {
    if (!isObject(item) || typeof item.tag !== 'number') throw resultError(origin, `element ${index} has no numeric tag`, item);
  });
  return items as T[];
}

/** `scsi_get_devices` (v19.10+; `get_scsi_devices` v17.07–v22.01). */
export async function getScsiDevices(caller: RpcCaller, options?: RpcCallOptions): Promise<ScsiDevice[]> {
  const answer = await request(caller, 'scsi_get_devices', undefined, options);
  const devices = expectArray(answer.origin, answer.result);
  devices.forEach((device, index) => {
    if (!isObject(device) || typeof device.id !== 'number') throw resultError(answer.origin, `device ${index} has no numeric id`, device);
  });
  return devices as ScsiDevice[];
}

/** `iscsi_get_target_nodes` (v19.10+; `get_target_nodes` v17.07–v22.01). */
export async function getTargetNodes(caller: RpcCaller, options?: RpcCallOptions): Promise<IscsiTargetNode[]> {
  const answer = await request(caller, 'iscsi_get_target_nodes', undefined, options);
  return expectNamedObjects<IscsiTargetNode>(answer.origin, answer.result, 'name');
}

/** `iscsi_get_portal_groups` (v19.10+; `get_portal_groups` v17.07–v22.01). `port` is a string. */
export async function getPortalGroups(caller: RpcCaller, options?: RpcCallOptions): Promise<IscsiPortalGroup[]> {
  const answer = await request(caller, 'iscsi_get_portal_groups', undefined, options);
  return expectTagged<IscsiPortalGroup>(answer.origin, answer.result);
}

/** `iscsi_get_initiator_groups` (v19.10+; `get_initiator_groups` before). */
export async function getInitiatorGroups(caller: RpcCaller, options?: RpcCallOptions): Promise<IscsiInitiatorGroup[]> {
  const answer = await request(caller, 'iscsi_get_initiator_groups', undefined, options);
  return expectTagged<IscsiInitiatorGroup>(answer.origin, answer.result);
}

export interface CreatePortalGroupParams {
  tag: number;
  portals: Array<{ host: string; port: string }>;
  private?: boolean;
  /** Do not listen until `iscsi_start_portal_group`. */
  wait?: boolean;
}

/** `iscsi_create_portal_group` (v19.10+; `add_portal_group` before). */
export async function createPortalGroup(caller: RpcCaller, params: CreatePortalGroupParams, options?: RpcCallOptions): Promise<boolean> {
  const origin = argumentOrigin(caller, 'iscsi_create_portal_group');
  requireObject(origin, 'params', params);
  requireInteger(origin, 'tag', params.tag, 1, 0x7fffffff);
  requireNonEmptyArray(origin, 'portals', params.portals);
  params.portals.forEach((portal, index) => {
    requireObject(origin, `portals[${index}]`, portal);
    requireText(origin, `portals[${index}].host`, portal.host);
    requireText(origin, `portals[${index}].port`, portal.port);
  });
  return requestBoolean(caller, 'iscsi_create_portal_group', { ...params, portals: params.portals.map((p) => ({ ...p })) }, options);
}

/** `iscsi_create_initiator_group` (v19.10+; `add_initiator_group` before). */
export async function createInitiatorGroup(
  caller: RpcCaller,
  params: { tag: number; initiators: string[]; netmasks: string[] },
  options?: RpcCallOptions,
): Promise<boolean> {
  const origin = argumentOrigin(caller, 'iscsi_create_initiator_group');
  requireObject(origin, 'params', params);
  requireInteger(origin, 'tag', params.tag, 1, 0x7fffffff);
  for (const list of ['initiators', 'netmasks'] as const) {
    requireNonEmptyArray(origin, list, params[list]).forEach((value, index) => requireText(origin, `${list}[${index}]`, value));
  }
  return requestBoolean(
    caller,
    'iscsi_create_initiator_group',
    { tag: params.tag, initiators: [...params.initiators], netmasks: [...params.netmasks] },
    options,
  );
}

export interface CreateTargetNodeParams {
  /** The node name; SPDK prefixes it with its node base (`iqn.2016-06.io.spdk:`) unless it is a full IQN. */
  name: string;
  alias_name: string;
  pg_ig_maps: Array<{ pg_tag: number; ig_tag: number }>;
  luns: Array<{ bdev_name: string; lun_id: number }>;
  queue_depth: number;
  disable_chap?: boolean;
  require_chap?: boolean;
  mutual_chap?: boolean;
  chap_group?: number;
  header_digest?: boolean;
  data_digest?: boolean;
}

/** `iscsi_create_target_node` (v19.10+; `construct_target_node` before). */
export async function createTargetNode(caller: RpcCaller, params: CreateTargetNodeParams, options?: RpcCallOptions): Promise<boolean> {
  const origin = argumentOrigin(caller, 'iscsi_create_target_node');
  requireObject(origin, 'params', params);
  requireText(origin, 'name', params.name);
  requireText(origin, 'alias_name', params.alias_name);
  requireInteger(origin, 'queue_depth', params.queue_depth, 1, 0xffff);
  requireNonEmptyArray(origin, 'pg_ig_maps', params.pg_ig_maps);
  params.pg_ig_maps.forEach((map, index) => {
    requireObject(origin, `pg_ig_maps[${index}]`, map);
    requireInteger(origin, `pg_ig_maps[${index}].pg_tag`, map.pg_tag, 1, 0x7fffffff);
    requireInteger(origin, `pg_ig_maps[${index}].ig_tag`, map.ig_tag, 1, 0x7fffffff);
  });
  requireNonEmptyArray(origin, 'luns', params.luns);
  params.luns.forEach((lun, index) => {
    requireObject(origin, `luns[${index}]`, lun);
    requireText(origin, `luns[${index}].bdev_name`, lun.bdev_name);
    requireInteger(origin, `luns[${index}].lun_id`, lun.lun_id, 0, 0xffff);
  });
  const wire = {
    ...params,
    pg_ig_maps: params.pg_ig_maps.map((map) => ({ ...map })),
    luns: params.luns.map((lun) => ({ ...lun })),
  };
  return requestBoolean(caller, 'iscsi_create_target_node', wire, options);
}

/** `iscsi_delete_target_node` (v19.10+; `delete_target_node` before): `name` is the full IQN. */
export async function deleteTargetNode(caller: RpcCaller, params: { name: string }, options?: RpcCallOptions): Promise<boolean> {
  const name = requireText(argumentOrigin(caller, 'iscsi_delete_target_node'), 'name', params?.name);
  return requestBoolean(caller, 'iscsi_delete_target_node', { name }, options);
}
