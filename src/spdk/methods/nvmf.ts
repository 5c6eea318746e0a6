/**
 * NVMe-oF target (contract §3.3): transports, subsystems, their namespaces, listeners and hosts,
 * statistics. Every method takes an optional `tgt_name`; leave it out for the stock apps.
 */
import type { RpcCaller, RpcCallOptions } from '../rpc/types.js';
import type { Operation } from './names.js';
import { argumentOrigin, requestChecked, requireParams } from './request.js';
import {
  expectArray,
  expectBoolean,
  expectInteger,
  expectNamedObjects,
  expectObject,
  isObject,
  namedList,
  numberedList,
  requireInteger,
  requireObject,
  requireText,
  resultError,
  type JsonObject,
  type CallSite,
} from './shape.js';
import type { NvmfController, NvmfListenAddress, NvmfStats, NvmfSubsystem, NvmfTransport, NvmfTransportOptions } from './types.js';

interface TargetName {
  /** The NVMe-oF target; only for apps that run several. */
  tgt_name?: string;
}

// ---------------------------------------------------------------- transports

/** The common transport options, and those of one transport type (the target rejects the others). */
export interface CreateTransportParams extends TargetName, NvmfTransportOptions {
  /** `TCP`, `RDMA`, `VFIOUSER`, `FC`, … (`PCIe` is refused). */
  trtype: string;
  num_cqe?: number;
  max_srq_depth?: number;
  no_srq?: boolean;
  c2h_success?: boolean;
  sock_priority?: number;
  acceptor_backlog?: number;
  no_wr_batching?: boolean;
  control_msg_num?: number;
  acceptor_poll_rate?: number;
  ack_timeout?: number;
  data_wr_pool_size?: number;
  disable_command_passthru?: boolean;
  kas?: number;
  min_kato?: number;
  masked_oncs?: number;
  masked_fuses?: number;
  /** Deprecated by SPDK. */
  io_unit_size?: number;
  num_shared_buffers?: number;
  buf_cache_size?: number;
}

/**
 * `nvmf_create_transport` (v18.10+). A transport must exist before a listener of its type (v19.01+).
 * A second one of the same type fails with -32603 "Transport type 'X' already exists".
 */
export async function createTransport(caller: RpcCaller, params: CreateTransportParams, options?: RpcCallOptions): Promise<boolean> {
  requireParams(caller, 'nvmf_create_transport', params, ['trtype']);
  return requestChecked(caller, 'nvmf_create_transport', { ...params }, options, expectBoolean);
}

/** `nvmf_get_transports` (v19.10+; `get_nvmf_transports` v19.01–v22.01). `trtype` needs v21.10. */
export async function getTransports(caller: RpcCaller, params: TargetName & { trtype?: string } = {}, options?: RpcCallOptions): Promise<NvmfTransport[]> {
  const wire = { trtype: params.trtype, tgt_name: params.tgt_name };
  return requestChecked(caller, 'nvmf_get_transports', wire, options, namedList<NvmfTransport>('trtype'));
}

// ---------------------------------------------------------------- subsystems

export interface CreateSubsystemParams extends TargetName {
  nqn: string;
  serial_number?: string;
  model_number?: string;
  admin_label?: string;
  max_namespaces?: number;
  /** Default false. */
  allow_any_host?: boolean;
  ana_reporting?: boolean;
  min_cntlid?: number;
  max_cntlid?: number;
  dmrsl?: number;
  wzsl?: number;
  passthrough?: boolean;
  enable_nssr?: boolean;
}

const CONSTRUCT_HINT = 'targets older than v18.10 create subsystems only with construct_nvmf_subsystem (everything in one call), which is not wrapped';

/**
 * `nvmf_create_subsystem` (v19.10+; `nvmf_subsystem_create` v18.10–v22.01). A duplicate NQN fails with
 * -32603 "Unable to create subsystem <nqn>", the same answer as a malformed NQN.
 */
export async function createSubsystem(caller: RpcCaller, params: CreateSubsystemParams, options?: RpcCallOptions): Promise<boolean> {
  requireParams(caller, 'nvmf_create_subsystem', params, ['nqn']);
  return requestChecked(caller, 'nvmf_create_subsystem', { ...params }, options, expectBoolean, { hint: CONSTRUCT_HINT });
}

/** `nvmf_delete_subsystem` (v19.10+; `delete_nvmf_subsystem` v17.07–v22.01); resolves once destroyed. */
export async function deleteSubsystem(caller: RpcCaller, params: TargetName & { nqn: string }, options?: RpcCallOptions): Promise<boolean> {
  requireParams(caller, 'nvmf_delete_subsystem', params, ['nqn']);
  return requestChecked(caller, 'nvmf_delete_subsystem', { nqn: params.nqn, tgt_name: params.tgt_name }, options, expectBoolean);
}

/** Listen addresses carry a duplicate `transport` key up to v24.01; the current shape has only `trtype`. */
function normaliseListenAddress(origin: CallSite, value: unknown): NvmfListenAddress {
  if (!isObject(value)) throw resultError(origin, 'a listen address is not an object', value);
  const { transport, ...address } = value;
  if (address.trtype === undefined && typeof transport === 'string') address.trtype = transport;
  if (typeof address.trtype !== 'string') throw resultError(origin, 'a listen address has no trtype', value);
  return address as unknown as NvmfListenAddress;
}

export function normaliseSubsystems(origin: CallSite, result: unknown): NvmfSubsystem[] {
  return expectNamedObjects<JsonObject>(origin, result, 'nqn').map((entry) => {
    const addresses = entry.listen_addresses;
    if (addresses === undefined) return { ...entry, listen_addresses: [] } as unknown as NvmfSubsystem;
    const listen_addresses = expectArray(origin, addresses, `listen_addresses of ${String(entry.nqn)}`).map((a) => normaliseListenAddress(origin, a));
    return { ...entry, listen_addresses } as unknown as NvmfSubsystem;
  });
}

/**
 * `nvmf_get_subsystems` (v19.10+; `get_nvmf_subsystems` v17.07–v22.01), the discovery subsystem
 * included. Listen addresses are normalised to `{trtype, adrfam, traddr, trsvcid}` (the pre-v24.05
 * `transport` twin is dropped). An unknown `nqn` fails with -19 (v24.01) or -32602.
 */
export async function getSubsystems(caller: RpcCaller, params: TargetName & { nqn?: string } = {}, options?: RpcCallOptions): Promise<NvmfSubsystem[]> {
  if (params.nqn !== undefined) requireText(argumentOrigin(caller, 'nvmf_get_subsystems'), 'nqn', params.nqn);
  return requestChecked(caller, 'nvmf_get_subsystems', { nqn: params.nqn, tgt_name: params.tgt_name }, options, normaliseSubsystems);
}

// ---------------------------------------------------------------- namespaces

/** The largest namespace id (0xffffffff means all namespaces). */
const NSID_MAX = 0xfffffffe;

export interface NamespaceParams {
  bdev_name: string;
  /** Assigned by the target when left out. */
  nsid?: number;
  nguid?: string;
  eui64?: string;
  uuid?: string;
  ptpl_file?: string;
  anagrpid?: number;
  no_auto_visible?: boolean;
}

/**
 * `nvmf_subsystem_add_ns` (v18.04+): the namespace id used. An unknown bdev, an nsid in use or a
 * claimed bdev all fail with -32602 "Invalid parameters". The subsystem is paused meanwhile; a
 * second change to it in flight fails with -32603 "subsystem busy, retry later." on v24.01.
 */
export async function subsystemAddNs(
  caller: RpcCaller,
  params: TargetName & { nqn: string; namespace: NamespaceParams },
  options?: RpcCallOptions,
): Promise<number> {
  const origin = requireParams(caller, 'nvmf_subsystem_add_ns', params, ['nqn']);
  const namespace = requireObject(origin, 'namespace', params.namespace);
  requireText(origin, 'namespace.bdev_name', namespace.bdev_name);
  if (namespace.nsid !== undefined) requireInteger(origin, 'namespace.nsid', namespace.nsid, 1, NSID_MAX);
  const wire = { nqn: params.nqn, namespace: { ...params.namespace }, tgt_name: params.tgt_name };
  return requestChecked(caller, 'nvmf_subsystem_add_ns', wire, options, expectInteger);
}

/** `nvmf_subsystem_remove_ns`. */
export async function subsystemRemoveNs(caller: RpcCaller, params: TargetName & { nqn: string; nsid: number }, options?: RpcCallOptions): Promise<boolean> {
  const origin = requireParams(caller, 'nvmf_subsystem_remove_ns', params, ['nqn']);
  requireInteger(origin, 'nsid', params.nsid, 1, NSID_MAX);
  const wire = { nqn: params.nqn, nsid: params.nsid, tgt_name: params.tgt_name };
  return requestChecked(caller, 'nvmf_subsystem_remove_ns', wire, options, expectBoolean);
}

// ---------------------------------------------------------------- listeners

export type ListenAddressParams = NvmfListenAddress;

function checkListener(caller: RpcCaller, operation: Operation, params: { nqn: string; listen_address: ListenAddressParams }): void {
  const origin = requireParams(caller, operation, params, ['nqn']);
  const address = requireObject(origin, 'listen_address', params.listen_address);
  requireText(origin, 'listen_address.trtype', address.trtype);
  requireText(origin, 'listen_address.traddr', address.traddr);
}

/**
 * `nvmf_subsystem_add_listener` (v18.04+). A listener that exists already, a transport not created
 * and a port in use all fail with -32602 "Invalid parameters".
 */
export async function subsystemAddListener(
  caller: RpcCaller,
  params: TargetName & {
    nqn: string;
    listen_address: ListenAddressParams;
    secure_channel?: boolean;
    ana_state?: 'optimized' | 'non_optimized' | 'inaccessible';
    sock_impl?: string;
    numa_id?: number;
  },
  options?: RpcCallOptions,
): Promise<boolean> {
  checkListener(caller, 'nvmf_subsystem_add_listener', params);
  const wire = { ...params, listen_address: { ...params.listen_address } };
  return requestChecked(caller, 'nvmf_subsystem_add_listener', wire, options, expectBoolean);
}

/** `nvmf_subsystem_remove_listener`. */
export async function subsystemRemoveListener(
  caller: RpcCaller,
  params: TargetName & { nqn: string; listen_address: ListenAddressParams },
  options?: RpcCallOptions,
): Promise<boolean> {
  checkListener(caller, 'nvmf_subsystem_remove_listener', params);
  const wire = { nqn: params.nqn, listen_address: { ...params.listen_address }, tgt_name: params.tgt_name };
  return requestChecked(caller, 'nvmf_subsystem_remove_listener', wire, options, expectBoolean);
}

// ---------------------------------------------------------------- hosts

/** `nvmf_subsystem_add_host` (v18.04+): lets the host NQN connect. `psk`/`dhchap_*` name keyring keys. */
export async function subsystemAddHost(
  caller: RpcCaller,
  params: TargetName & { nqn: string; host: string; psk?: string; dhchap_key?: string; dhchap_ctrlr_key?: string },
  options?: RpcCallOptions,
): Promise<boolean> {
  requireParams(caller, 'nvmf_subsystem_add_host', params, ['nqn', 'host']);
  return requestChecked(caller, 'nvmf_subsystem_add_host', { ...params }, options, expectBoolean);
}

/** `nvmf_subsystem_remove_host`. */
export async function subsystemRemoveHost(caller: RpcCaller, params: TargetName & { nqn: string; host: string }, options?: RpcCallOptions): Promise<boolean> {
  requireParams(caller, 'nvmf_subsystem_remove_host', params, ['nqn', 'host']);
  const wire = { nqn: params.nqn, host: params.host, tgt_name: params.tgt_name };
  return requestChecked(caller, 'nvmf_subsystem_remove_host', wire, options, expectBoolean);
}

// ---------------------------------------------------------------- state and statistics

/** `nvmf_subsystem_get_controllers`: the hosts' controllers connected to one subsystem. */
export async function subsystemGetControllers(caller: RpcCaller, params: TargetName & { nqn: string }, options?: RpcCallOptions): Promise<NvmfController[]> {
  requireParams(caller, 'nvmf_subsystem_get_controllers', params, ['nqn']);
  const wire = { nqn: params.nqn, tgt_name: params.tgt_name };
  return requestChecked(caller, 'nvmf_subsystem_get_controllers', wire, options, numberedList<NvmfController>('cntlid'));
}

/** `nvmf_get_stats` (v19.07+): counters per poll group. */
export async function getStats(caller: RpcCaller, params: TargetName = {}, options?: RpcCallOptions): Promise<NvmfStats> {
  return requestChecked(caller, 'nvmf_get_stats', { tgt_name: params.tgt_name }, options, (origin, result) => {
    const stats = expectObject(origin, result);
    expectNamedObjects(origin, stats.poll_groups, 'name');
    return stats as unknown as NvmfStats;
  });
}
