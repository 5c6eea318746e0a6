/**
 * SCSI devices and the iSCSI target (contract §3.5): `scsi_get_devices` needs the SCSI library
 * (vhost, iscsi_tgt, spdk_tgt); the `iscsi_*` methods the iscsi_tgt or spdk_tgt apps.
 *
 * The legacy iSCSI names (`get_target_nodes`, `add_portal_group`, …) are called on old targets
 * with the current params; the contract does not record older param shapes, so none are mapped.
 */
import type { RpcCaller, RpcCallOptions } from '../rpc/types.js';
import { requestChecked, requireParams } from './request.js';
import { expectBoolean, namedList, numberedList, requireInteger, requireNonEmptyArray, requireObject, requireText } from './shape.js';
import type { IscsiInitiatorGroup, IscsiPortalGroup, IscsiTargetNode, ScsiDevice } from './types.js';

/** `scsi_get_devices` (v19.10+; `get_scsi_devices` v17.07–v22.01). */
export function getScsiDevices(caller: RpcCaller, options?: RpcCallOptions): Promise<ScsiDevice[]> {
  return requestChecked(caller, 'scsi_get_devices', undefined, options, numberedList<ScsiDevice>('id'));
}

/** `iscsi_get_target_nodes` (v19.10+; `get_target_nodes` v17.07–v22.01). */
export function getTargetNodes(caller: RpcCaller, options?: RpcCallOptions): Promise<IscsiTargetNode[]> {
  return requestChecked(caller, 'iscsi_get_target_nodes', undefined, options, namedList<IscsiTargetNode>('name'));
}

/** `iscsi_get_portal_groups` (v19.10+; `get_portal_groups` v17.07–v22.01). `port` is a string. */
export function getPortalGroups(caller: RpcCaller, options?: RpcCallOptions): Promise<IscsiPortalGroup[]> {
  return requestChecked(caller, 'iscsi_get_portal_groups', undefined, options, numberedList<IscsiPortalGroup>('tag'));
}

/** `iscsi_get_initiator_groups` (v19.10+; `get_initiator_groups` before). */
export function getInitiatorGroups(caller: RpcCaller, options?: RpcCallOptions): Promise<IscsiInitiatorGroup[]> {
  return requestChecked(caller, 'iscsi_get_initiator_groups', undefined, options, numberedList<IscsiInitiatorGroup>('tag'));
}

/** The largest portal or initiator group tag. */
const TAG_MAX = 0x7fffffff;

export interface CreatePortalGroupParams {
  tag: number;
  portals: Array<{ host: string; port: string }>;
  private?: boolean;
  /** Do not listen until `iscsi_start_portal_group`. */
  wait?: boolean;
}

/** `iscsi_create_portal_group` (v19.10+; `add_portal_group` before). */
export async function createPortalGroup(caller: RpcCaller, params: CreatePortalGroupParams, options?: RpcCallOptions): Promise<boolean> {
  const origin = requireParams(caller, 'iscsi_create_portal_group', params);
  requireInteger(origin, 'tag', params.tag, 1, TAG_MAX);
  requireNonEmptyArray(origin, 'portals', params.portals);
  params.portals.forEach((portal, index) => {
    requireObject(origin, `portals[${index}]`, portal);
    requireText(origin, `portals[${index}].host`, portal.host);
    requireText(origin, `portals[${index}].port`, portal.port);
  });
  const wire = { ...params, portals: params.portals.map((portal) => ({ ...portal })) };
  return requestChecked(caller, 'iscsi_create_portal_group', wire, options, expectBoolean);
}

/** `iscsi_create_initiator_group` (v19.10+; `add_initiator_group` before). */
export async function createInitiatorGroup(
  caller: RpcCaller,
  params: { tag: number; initiators: string[]; netmasks: string[] },
  options?: RpcCallOptions,
): Promise<boolean> {
  const origin = requireParams(caller, 'iscsi_create_initiator_group', params);
  requireInteger(origin, 'tag', params.tag, 1, TAG_MAX);
  for (const list of ['initiators', 'netmasks'] as const) {
    requireNonEmptyArray(origin, list, params[list]).forEach((value, index) => {
      requireText(origin, `${list}[${index}]`, value);
    });
  }
  const wire = { tag: params.tag, initiators: [...params.initiators], netmasks: [...params.netmasks] };
  return requestChecked(caller, 'iscsi_create_initiator_group', wire, options, expectBoolean);
}

/** A node as `iscsi_get_target_nodes` lists it, with the alias and queue depth required. */
export interface CreateTargetNodeParams extends IscsiTargetNode {
  /** The node name; SPDK prefixes it with its node base (`iqn.2016-06.io.spdk:`) unless it is a full IQN. */
  name: string;
  alias_name: string;
  queue_depth: number;
}

/** `iscsi_create_target_node` (v19.10+; `construct_target_node` before). */
export async function createTargetNode(caller: RpcCaller, params: CreateTargetNodeParams, options?: RpcCallOptions): Promise<boolean> {
  const origin = requireParams(caller, 'iscsi_create_target_node', params, ['name', 'alias_name']);
  requireInteger(origin, 'queue_depth', params.queue_depth, 1, 0xffff);
  requireNonEmptyArray(origin, 'pg_ig_maps', params.pg_ig_maps);
  params.pg_ig_maps.forEach((map, index) => {
    requireObject(origin, `pg_ig_maps[${index}]`, map);
    requireInteger(origin, `pg_ig_maps[${index}].pg_tag`, map.pg_tag, 1, TAG_MAX);
    requireInteger(origin, `pg_ig_maps[${index}].ig_tag`, map.ig_tag, 1, TAG_MAX);
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
  return requestChecked(caller, 'iscsi_create_target_node', wire, options, expectBoolean);
}

/** `iscsi_delete_target_node` (v19.10+; `delete_target_node` before): `name` is the full IQN. */
export async function deleteTargetNode(caller: RpcCaller, params: { name: string }, options?: RpcCallOptions): Promise<boolean> {
  requireParams(caller, 'iscsi_delete_target_node', params, ['name']);
  return requestChecked(caller, 'iscsi_delete_target_node', { name: params.name }, options, expectBoolean);
}
