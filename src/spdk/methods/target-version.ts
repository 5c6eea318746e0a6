/**
 * The target's SPDK version: parsed from `spdk_get_version` (v19.10+) or `get_spdk_version`
 * (v19.04–v22.01), or, on older targets that have neither, inferred as a range of releases from
 * the method list (contract §4.5). Detected once per connection generation, like the method list.
 */
import type { RpcCaller, RpcCallOptions } from '../rpc/types.js';
import { CallBudget } from './budget.js';
import { MethodUnavailableError } from './errors.js';
import { knowledgeOf, type MethodList, type TargetKnowledge } from './knowledge.js';
import {
  compareReleases,
  newestRelease,
  OLDEST_RELEASE,
  previousRelease,
  RELEASES,
  releaseOf,
  type Release,
  type SpdkVersion,
  type VersionInfo,
} from './releases.js';
import { invoke } from './resolver.js';
import { isObject, resultError, type CallSite } from './shape.js';

export type { SpdkVersion, VersionInfo } from './releases.js';

const VERSION_TEXT = /^(?:SPDK\s+)?v?(\d+)\.(\d+)(?:\.(\d+))?(\S*?)(?:\s+git sha1\s+([0-9a-fA-F]+))?\s*$/;

/** Parses a version string such as `SPDK v26.09-pre git sha1 3230130e6`; undefined if it is not one. */
export function parseVersionText(text: string): SpdkVersion | undefined {
  const match = VERSION_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor, patch, suffix, commit] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: patch === undefined ? 0 : Number(patch),
    suffix: suffix ?? '',
    ...(commit ? { commit } : {}),
    text,
  };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Parses the result of `spdk_get_version` / `get_spdk_version`: `fields` when they are complete,
 * else the `version` text. Undefined when neither makes sense.
 */
export function parseVersionResult(result: unknown): SpdkVersion | undefined {
  if (!isObject(result) || typeof result.version !== 'string') return undefined;
  const text = result.version;
  const fields = result.fields;
  if (isObject(fields) && isCount(fields.major) && isCount(fields.minor) && isCount(fields.patch)) {
    return {
      major: fields.major,
      minor: fields.minor,
      patch: fields.patch,
      suffix: typeof fields.suffix === 'string' ? fields.suffix : '',
      ...(typeof fields.commit === 'string' && fields.commit !== '' ? { commit: fields.commit } : {}),
      text,
    };
  }
  return parseVersionText(text);
}

/** The parsed version of a `spdk_get_version` / `get_spdk_version` result, or `SpdkResultError`. */
export function expectVersion(origin: CallSite, result: unknown): SpdkVersion {
  const version = parseVersionResult(result);
  if (!version) throw resultError(origin, 'no SPDK version in it', result);
  return version;
}

/**
 * Names whose presence or absence bounds the release of a target that cannot report its version.
 * `everyApp` marks methods every application registers, so that their absence means something.
 */
const MARKERS: ReadonlyArray<{ name: string; since?: Release; until?: Release; everyApp: boolean }> = [
  { name: 'get_subsystems', since: '18.04', everyApp: true },
  { name: 'start_subsystem_init', since: '18.07', everyApp: true },
  { name: 'get_bdevs_iostat', since: '18.07', everyApp: true },
  { name: 'wait_subsystem_init', since: '19.01', everyApp: true },
  { name: 'get_spdk_version', since: '19.04', everyApp: true },
  { name: 'rpc_get_methods', since: '19.07', everyApp: true },
  { name: 'bdev_get_bdevs', since: '19.10', everyApp: false },
  { name: 'delete_bdev', since: '17.07', until: '19.01', everyApp: true },
  { name: 'get_nvme_controllers', since: '18.10', everyApp: false },
  { name: 'get_luns', until: '17.10', everyApp: false },
  { name: 'remove_vhost_scsi_dev', until: '17.10', everyApp: false },
  { name: 'remove_vhost_scsi_target', since: '18.01', everyApp: false },
  { name: 'construct_nvmf_subsystem', until: '18.10', everyApp: false },
  { name: 'nvmf_subsystem_add_ns', since: '18.04', everyApp: false },
  { name: 'nvmf_create_transport', since: '18.10', everyApp: false },
  { name: 'get_nvmf_transports', since: '19.01', everyApp: false },
];

function later(a: Release, b: Release): Release {
  return compareReleases(a, b) >= 0 ? a : b;
}

function earlier(a: Release, b: Release): Release {
  return compareReleases(a, b) <= 0 ? a : b;
}

function nextRelease(release: Release): Release {
  return RELEASES.find((candidate) => compareReleases(candidate, release) > 0) ?? release;
}

/** The releases a target with this method list can be (null list: no listing method, so v17.07). */
export function inferVersionRange(list: MethodList): { min: Release; max: Release } {
  if (list.names === null) return { min: OLDEST_RELEASE, max: OLDEST_RELEASE };
  let min: Release = list.source === 'get_rpc_methods' ? '17.10' : OLDEST_RELEASE;
  let max: Release = newestRelease();
  for (const marker of MARKERS) {
    const present = list.names.has(marker.name) || list.source === marker.name;
    if (present) {
      if (marker.since) min = later(min, marker.since);
      if (marker.until) max = earlier(max, marker.until);
    } else if (marker.everyApp) {
      // Absent from every app: the target predates the method, or (when it was removed) postdates it.
      if (marker.since && compareReleases(marker.since, OLDEST_RELEASE) > 0) {
        max = earlier(max, previousRelease(marker.since) ?? OLDEST_RELEASE);
      } else if (marker.until) {
        min = later(min, nextRelease(marker.until));
      }
    }
  }
  // Contradicting markers (a filtered or unusual build): trust the evidence of presence.
  if (compareReleases(min, max) > 0) max = min;
  return { min, max };
}

/** `SPDK v24.01 git sha1 0786843e99`, or `SPDK v17.10–v19.01 (inferred from its methods)`. */
export function describeVersion(info: VersionInfo): string {
  if (info.reported) return info.reported.text;
  const range = info.min === info.max ? `v${info.min}` : `v${info.min}–v${info.max}`;
  return `SPDK ${range} (inferred from its methods)`;
}

async function lookupVersion(caller: RpcCaller, knowledge: TargetKnowledge): Promise<VersionInfo> {
  try {
    const { result, method } = await invoke<unknown>(caller, 'spdk_get_version', undefined, new CallBudget(caller.address));
    const reported = expectVersion({ address: caller.address, method }, result);
    const release = releaseOf(reported.major, reported.minor);
    return { source: 'reported', reported, min: release, max: release };
  } catch (err) {
    if (!(err instanceof MethodUnavailableError)) throw err;
    return { source: 'inferred', ...inferVersionRange(await knowledge.methods) };
  }
}

/** The target's version for the caller's current connection (looked up once per generation). */
export async function detectVersion(caller: RpcCaller, options?: RpcCallOptions): Promise<VersionInfo> {
  const knowledge = knowledgeOf(caller);
  if (!knowledge.version) {
    const lookup = lookupVersion(caller, knowledge);
    knowledge.version = lookup;
    lookup.catch(() => {
      // Not remembered: the next caller asks again.
      if (knowledge.version === lookup) knowledge.version = undefined;
    });
  }
  return new CallBudget(caller.address, options).wait(knowledge.version, 'spdk_get_version');
}

/** Whether the target is certainly at `release` or later. */
export function atLeast(info: VersionInfo, release: Release): boolean {
  return compareReleases(info.min, release) >= 0;
}

/** Whether the target is certainly at `release` or older. */
export function atMost(info: VersionInfo, release: Release): boolean {
  return compareReleases(info.max, release) <= 0;
}
