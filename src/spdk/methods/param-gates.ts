/**
 * Parameters that exist only in some releases (contract §4.4, §8.13). SPDK decodes params strictly:
 * one a target does not know fails the whole call with a vague -32602/-32603. So before sending an
 * optional parameter listed here, the wrapper checks the detected version and refuses with a clear
 * `UnsupportedParameterError` when the target is not certainly recent (or old) enough.
 *
 * Only parameters the caller gave are checked, so calls without them never wait for the version.
 */
import type { RpcCaller, RpcParams } from '../rpc/types.js';
import type { CallBudget } from './budget.js';
import { UnsupportedParameterError } from './errors.js';
import { knowledgeOf, type MethodList } from './knowledge.js';
import { allNames, type Operation } from './names.js';
import { compareReleases, newestRelease, type Release } from './releases.js';
import { atLeast, atMost, describeVersion, detectVersion, type VersionInfo } from './target-version.js';

export interface ParamGate {
  since?: Release;
  /** The last release that accepts it. */
  until?: Release;
}

export const PARAM_GATES: Partial<Record<Operation, Readonly<Record<string, ParamGate>>>> = {
  rpc_get_methods: { current: { since: '18.07' }, include_aliases: { since: '19.10' } },
  bdev_get_iostat: {
    name: { until: '26.01' },
    names: { since: '26.01' },
    per_channel: { since: '23.01' },
    reset_mode: { since: '25.05' },
  },
  framework_get_config: { with_batches: { since: '26.05' } },
  bdev_malloc_create: { name: { since: '17.10' }, uuid: { since: '18.04' } },
  nvmf_get_transports: { trtype: { since: '21.10' } },
};

function requirementOf(gate: ParamGate): string {
  if (gate.since && gate.until) return `exists from SPDK v${gate.since} to v${gate.until}`;
  if (gate.since) return `needs SPDK v${gate.since} or later`;
  return `was removed after SPDK v${gate.until}`;
}

/** Throws `UnsupportedParameterError` for the first given param the version does not certainly know. */
export function assertParamsKnown(address: string, operation: Operation, params: RpcParams | undefined, version: VersionInfo): void {
  const gates = PARAM_GATES[operation];
  if (!gates || !params) return;
  for (const [parameter, value] of Object.entries(params)) {
    const gate = gates[parameter];
    if (value === undefined || !gate) continue;
    if (!passes(gate, version)) {
      throw new UnsupportedParameterError({
        address,
        method: operation,
        parameter,
        requirement: requirementOf(gate),
        targetVersion: describeVersion(version),
      });
    }
  }
}

/** Whether any param given is version-gated (then the version must be known before sending). */
export function hasGatedParams(operation: Operation, params: RpcParams | undefined): boolean {
  const gates = PARAM_GATES[operation];
  if (!gates || !params) return false;
  return Object.entries(params).some(([key, value]) => value !== undefined && gates[key] !== undefined);
}

/**
 * The oldest release the target can be, judging by the names of `operation` it lists: a target
 * listing `bdev_malloc_create` (v19.10+) knows every parameter that v19.10 knew.
 */
function listedFloor(operation: Operation, list: MethodList): Release | undefined {
  if (list.names === null) return undefined;
  const listed = allNames(operation).filter((span) => list.names!.has(span.name));
  return listed.reduce<Release | undefined>((floor, span) => (floor === undefined || compareReleases(span.since, floor) > 0 ? span.since : floor), undefined);
}

function passes(gate: ParamGate, version: VersionInfo): boolean {
  return (!gate.since || atLeast(version, gate.since)) && (!gate.until || atMost(version, gate.until));
}

/**
 * Checks the given params against the target's version. Most gates are settled by the method list
 * alone (the names it lists say how recent it is at least); the version is looked up (once per
 * connection) only for the others.
 */
export async function checkParams(caller: RpcCaller, operation: Operation, params: RpcParams | undefined, budget: CallBudget): Promise<void> {
  if (!hasGatedParams(operation, params)) return;
  const gates = PARAM_GATES[operation]!;
  const list = await budget.wait(knowledgeOf(caller).methods, 'rpc_get_methods');
  const floor = listedFloor(operation, list);
  if (floor !== undefined) {
    const bound: VersionInfo = { source: 'inferred', min: floor, max: newestRelease() };
    const open = Object.entries(params!).filter(
      ([key, value]) => value !== undefined && gates[key] && !(gates[key]!.until === undefined && passes(gates[key]!, bound)),
    );
    if (open.length === 0) return;
  }
  const version = await budget.wait(detectVersion(caller), 'spdk_get_version');
  const min = floor !== undefined && compareReleases(floor, version.min) > 0 ? floor : version.min;
  assertParamsKnown(caller.address, operation, params, { ...version, min });
}
