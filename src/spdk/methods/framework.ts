/**
 * Framework and introspection methods (contract §3.1): version, method list, init state, shutdown,
 * subsystems and their config, reactor and thread statistics.
 */
import { RpcConnectionError } from '../rpc/errors.js';
import type { RpcCaller, RpcCallOptions } from '../rpc/types.js';
import { argumentOrigin, requestChecked, requireParams } from './request.js';
import { expectArray, expectBoolean, expectStringArray, isObject, namedList, objectWithArray, resultError, type CallSite } from './shape.js';
import type { ConfigEntry, FrameworkSubsystem, ReactorStats, ThreadStats } from './types.js';
import { expectVersion, type SpdkVersion } from './target-version.js';
import { InvalidArgumentError } from './errors.js';

/** The signals `spdk_kill_instance` takes by name (numeric strings are refused from v26.05). */
export const KILL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGHUP', 'SIGKILL', 'SIGUSR1'] as const;
export type KillSignal = (typeof KILL_SIGNALS)[number];

/**
 * `spdk_get_version` (v19.10+; `get_spdk_version` v19.04–v22.01). Older targets have neither:
 * `MethodUnavailableError` (use `detectVersion`, which infers a range from the method list).
 */
export async function getVersion(caller: RpcCaller, options?: RpcCallOptions): Promise<SpdkVersion> {
  return requestChecked(caller, 'spdk_get_version', undefined, options, expectVersion);
}

/**
 * `rpc_get_methods` (v19.07+; `get_rpc_methods` v17.10–v22.01; none in v17.07). `current` needs
 * v18.07, `include_aliases` v19.10. The names come back in SPDK's order, which means nothing.
 */
export async function getMethods(
  caller: RpcCaller,
  params: { current?: boolean; include_aliases?: boolean } = {},
  options?: RpcCallOptions,
): Promise<string[]> {
  const wire = { current: params.current, include_aliases: params.include_aliases };
  return requestChecked(caller, 'rpc_get_methods', wire, options, expectStringArray);
}

/**
 * `framework_wait_init` (v19.10+; `wait_subsystem_init` v19.01–v22.01): resolves `true` once the
 * target is in RUNTIME. It has no timeout of its own on the target: give `timeoutMs`.
 */
export async function waitInit(caller: RpcCaller, options?: RpcCallOptions): Promise<boolean> {
  return requestChecked(caller, 'framework_wait_init', undefined, options, expectBoolean);
}

/** `framework_start_init` (v19.10+; `start_subsystem_init` v18.07–v22.01). STARTUP state only. */
export async function startInit(caller: RpcCaller, options?: RpcCallOptions): Promise<boolean> {
  return requestChecked(caller, 'framework_start_init', undefined, options, expectBoolean);
}

/**
 * Whether the connection went away after the request could have been sent (the target exiting), as
 * opposed to never reaching the target (connect refused) or the client being closed.
 */
function closedAfterSending(err: unknown): boolean {
  return err instanceof RpcConnectionError && err.phase === 'lost';
}

/**
 * `spdk_kill_instance` (v19.10+; `kill_instance` v17.07–v22.01). The target signals itself before it
 * queues the reply, so a connection closed before the reply counts as success (as `rpc.py` does).
 * RUNTIME only: a target held in STARTUP answers -1; send it a signal instead.
 */
export async function killInstance(caller: RpcCaller, sigName: KillSignal, options?: RpcCallOptions): Promise<boolean> {
  const origin = argumentOrigin(caller, 'spdk_kill_instance');
  if (!(KILL_SIGNALS as readonly string[]).includes(sigName)) {
    throw new InvalidArgumentError({ ...origin, argument: 'sig_name', reason: `expected one of ${KILL_SIGNALS.join(', ')}, got ${String(sigName)}` });
  }
  try {
    return await requestChecked(caller, 'spdk_kill_instance', { sig_name: sigName }, options, expectBoolean);
  } catch (err) {
    if (closedAfterSending(err)) return true;
    throw err;
  }
}

/** `framework_get_subsystems` (v19.10+; `get_subsystems` v18.04–v22.01), in initialisation order. */
export async function getSubsystems(caller: RpcCaller, options?: RpcCallOptions): Promise<FrameworkSubsystem[]> {
  return requestChecked(caller, 'framework_get_subsystems', undefined, options, namedList<FrameworkSubsystem>('subsystem'));
}

/**
 * `framework_get_config` (v19.10+; `get_subsystem_config` v18.04–v22.01): the calls that rebuild
 * one subsystem, in replay order; `null` when the subsystem cannot dump its config.
 * `with_batches` needs v26.05; with it, entries that form one batch come as an array.
 */
export async function getConfig(caller: RpcCaller, params: { name: string; with_batches?: false }, options?: RpcCallOptions): Promise<ConfigEntry[] | null>;
export async function getConfig(
  caller: RpcCaller,
  params: { name: string; with_batches: true },
  options?: RpcCallOptions,
): Promise<Array<ConfigEntry | ConfigEntry[]> | null>;
export async function getConfig(
  caller: RpcCaller,
  params: { name: string; with_batches?: boolean },
  options?: RpcCallOptions,
): Promise<Array<ConfigEntry | ConfigEntry[]> | null>;
export async function getConfig(
  caller: RpcCaller,
  params: { name: string; with_batches?: boolean },
  options?: RpcCallOptions,
): Promise<Array<ConfigEntry | ConfigEntry[]> | null> {
  requireParams(caller, 'framework_get_config', params, ['name']);
  const wire = { name: params.name, with_batches: params.with_batches };
  return requestChecked(caller, 'framework_get_config', wire, options, expectConfig);
}

/** The config entries, batches as arrays; null for a subsystem that cannot dump its config. */
function expectConfig(origin: CallSite, result: unknown): Array<ConfigEntry | ConfigEntry[]> | null {
  if (result === null) return null;
  const entries = expectArray(origin, result);
  entries.forEach((entry, index) => {
    const items = Array.isArray(entry) ? entry : [entry];
    for (const item of items) {
      if (!isObject(item) || typeof item.method !== 'string') throw resultError(origin, `entry ${index} has no method`, entry);
    }
  });
  return entries as Array<ConfigEntry | ConfigEntry[]>;
}

/** `framework_get_reactors` (v20.01+). */
export async function getReactors(caller: RpcCaller, options?: RpcCallOptions): Promise<ReactorStats> {
  return requestChecked(caller, 'framework_get_reactors', undefined, options, objectWithArray<ReactorStats>('reactors'));
}

/** `thread_get_stats` (v19.07+). */
export async function getThreadStats(caller: RpcCaller, options?: RpcCallOptions): Promise<ThreadStats> {
  return requestChecked(caller, 'thread_get_stats', undefined, options, objectWithArray<ThreadStats>('threads'));
}
