/**
 * Checks on what a target answered and on what a caller passed, so that a reply of an unexpected
 * shape, or a wrong argument, becomes a typed error naming the method instead of a TypeError deep in
 * the agent. Only the members the catalogue itself relies on are checked; the rest of a result is
 * passed through as SPDK sent it.
 */
import type { RpcParams } from '../rpc/types.js';
import { InvalidArgumentError, SpdkResultError } from './errors.js';

export type JsonObject = Record<string, unknown>;

/** Which target and method a reply came from, for the error message (config values have an `Origin`). */
export interface CallSite {
  address: string;
  method: string;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function resultError(origin: CallSite, reason: string, value: unknown): SpdkResultError {
  return new SpdkResultError({ ...origin, reason, excerpt: excerpt(value) });
}

export function expectArray(origin: CallSite, value: unknown, what = 'the result'): unknown[] {
  if (!Array.isArray(value)) throw resultError(origin, `${what} is not an array`, value);
  return value;
}

export function expectObject(origin: CallSite, value: unknown, what = 'the result'): JsonObject {
  if (!isObject(value)) throw resultError(origin, `${what} is not an object`, value);
  return value;
}

const TYPE_WORD = { string: 'string', number: 'numeric' } as const;

/** An array of objects, each holding a member `key` of `type` (what the lists are keyed by). */
function expectKeyedObjects<T>(origin: CallSite, value: unknown, key: string, type: 'string' | 'number'): T[] {
  const items = expectArray(origin, value);
  items.forEach((item, index) => {
    if (!isObject(item)) throw resultError(origin, `element ${index} is not an object`, item);
    if (typeof item[key] !== type) throw resultError(origin, `element ${index} has no ${TYPE_WORD[type]} "${key}"`, item);
  });
  return items as T[];
}

/** An array of objects, each holding a string member `key` (the name lists are keyed by). */
export function expectNamedObjects<T>(origin: CallSite, value: unknown, key: string): T[] {
  return expectKeyedObjects<T>(origin, value, key, 'string');
}

export function expectStringArray(origin: CallSite, value: unknown, what = 'the result'): string[] {
  const items = expectArray(origin, value, what);
  const bad = items.findIndex((item) => typeof item !== 'string');
  if (bad >= 0) throw resultError(origin, `${what}: element ${bad} is not a string`, items[bad]);
  return items as string[];
}

export function expectBoolean(origin: CallSite, value: unknown): boolean {
  if (typeof value !== 'boolean') throw resultError(origin, 'the result is not a boolean', value);
  return value;
}

export function expectInteger(origin: CallSite, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw resultError(origin, 'the result is not an integer', value);
  return value;
}

/**
 * The name a `*_create` method returns: a string, or (up to v18.04) a one-element array of it.
 */
export function expectCreatedName(origin: CallSite, value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  throw resultError(origin, 'the result is neither a name nor a one-element array of a name', value);
}

/** Checks a result against a wrapper's type (normalising old shapes), or throws `SpdkResultError`. */
export type ReplyCheck<T> = (origin: CallSite, result: unknown) => T;

/** The check of a list keyed by a string member (`name`, `nqn`, `trtype`). */
export function namedList<T>(key: string): ReplyCheck<T[]> {
  return (origin, result) => expectKeyedObjects<T>(origin, result, key, 'string');
}

/** The check of a list keyed by a numeric member (`tag`, `id`, `cntlid`). */
export function numberedList<T>(key: string): ReplyCheck<T[]> {
  return (origin, result) => expectKeyedObjects<T>(origin, result, key, 'number');
}

/** The check of an object holding an array `member` (statistics: `reactors`, `threads`, `channels`). */
export function objectWithArray<T>(member: string): ReplyCheck<T> {
  return (origin, result) => {
    const object = expectObject(origin, result);
    expectArray(origin, object[member], member);
    return object as unknown as T;
  };
}

/**
 * The params to send: `undefined` members dropped (SPDK's strict decoder rejects what it does not
 * know, and the caller did not give them), and nothing at all rather than `{}` (which no-argument
 * methods reject).
 */
export function compactParams(params: RpcParams | undefined): RpcParams | undefined {
  if (params === undefined) return undefined;
  const out: RpcParams = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) out[key] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** A required text argument (a bdev name, an NQN, a controller name): a non-empty string. */
export function requireText(origin: CallSite, argument: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError({ ...origin, argument, reason: `expected a non-empty string, got ${excerpt(value)}` });
  }
  return value;
}

/** A required count or size: a non-negative safe integer or a bigint (uint64 on the wire). */
export function requireCount(origin: CallSite, argument: string, value: unknown, { positive = false } = {}): number | bigint {
  const ok =
    (typeof value === 'number' && Number.isSafeInteger(value) && (positive ? value > 0 : value >= 0)) ||
    (typeof value === 'bigint' && (positive ? value > 0n : value >= 0n));
  if (!ok) {
    const kind = positive ? 'a positive integer' : 'a non-negative integer';
    throw new InvalidArgumentError({ ...origin, argument, reason: `expected ${kind}, got ${excerpt(value)}` });
  }
  return value as number | bigint;
}

/** A required object argument (`namespace`, `listen_address`). */
export function requireObject(origin: CallSite, argument: string, value: unknown): JsonObject {
  if (!isObject(value)) throw new InvalidArgumentError({ ...origin, argument, reason: `expected an object, got ${excerpt(value)}` });
  return value;
}

/** A required integer within bounds (`scsi_target_num`, `nsid`, a tag). */
export function requireInteger(origin: CallSite, argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError({ ...origin, argument, reason: `expected an integer from ${min} to ${max}, got ${excerpt(value)}` });
  }
  return value;
}

/** A required list argument with at least one element (`portals`, `luns`, `pg_ig_maps`). */
export function requireNonEmptyArray(origin: CallSite, argument: string, value: unknown): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidArgumentError({ ...origin, argument, reason: `expected a non-empty array, got ${excerpt(value)}` });
  }
  return value;
}
