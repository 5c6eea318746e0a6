/**
 * SPDK's parameter decoding (`spdk_json_decode_object`), which is strict: an unknown member, a
 * repeated member, a wrong type, a missing required member, a number out of range, a fraction or
 * exponent on an integer, or a negative unsigned all fail the whole decode. A few handlers decode in
 * "relaxed" mode and ignore unknown members (`relaxed: true`).
 *
 * Handlers turn a `DecodeFailure` into their own error reply: most bdev handlers answer -32603
 * "spdk_json_decode_object failed", most others -32602 "Invalid parameters".
 */
import { DUPLICATE_MEMBER, JsonFloat, isJsonObject, type JsonObject, type JsonValue } from '../json/json-parser.js';

/** Why a decode failed; never sent to the client (SPDK's replies do not say), only logged. */
export class DecodeFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DecodeFailure';
  }
}

export type Decoder<T> = (value: JsonValue, name: string) => T;

export interface Field<T, Required extends boolean> {
  readonly decode: Decoder<T>;
  readonly required: Required;
}

export type Schema = Record<string, Field<unknown, boolean>>;

export type Decoded<S extends Schema> = {
  [K in keyof S]: S[K] extends Field<infer T, true> ? T : S[K] extends Field<infer T, boolean> ? T | undefined : never;
};

export function req<T>(decode: Decoder<T>): Field<T, true> {
  return { decode, required: true };
}

export function opt<T>(decode: Decoder<T>): Field<T, false> {
  return { decode, required: false };
}

function fail(name: string, why: string): never {
  throw new DecodeFailure(`${name}: ${why}`);
}

export const str: Decoder<string> = (v, name) => (typeof v === 'string' ? v : fail(name, 'not a string'));

export const bool: Decoder<boolean> = (v, name) => (typeof v === 'boolean' ? v : fail(name, 'not a boolean'));

function integer(min: bigint, max: bigint): Decoder<number> {
  return (v, name) => {
    if (v instanceof JsonFloat) return fail(name, `${v.raw} is not an integer`);
    if (typeof v === 'number') {
      if (v < min || v > max) return fail(name, `${v} is out of range`);
      return v;
    }
    if (typeof v === 'bigint') {
      if (v < min || v > max) return fail(name, `${v} is out of range`);
      // Precision beyond 2^53 is lost here; SPDK would keep it, but no simulated size gets that big.
      return Number(v);
    }
    return fail(name, 'not a number');
  };
}

export const u8 = integer(0n, 0xffn);
export const u16 = integer(0n, 0xffffn);
export const u32 = integer(0n, 0xffffffffn);
export const u64 = integer(0n, 0xffffffffffffffffn);
export const i32 = integer(-0x80000000n, 0x7fffffffn);
export const i64 = integer(-0x8000000000000000n, 0x7fffffffffffffffn);

/** A number that may have a fraction (SPDK's `spdk_json_decode_double`-style fields). */
export const num: Decoder<number> = (v, name) => {
  if (v instanceof JsonFloat) return v.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return fail(name, 'not a number');
};

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A UUID string (`spdk_uuid_parse`), returned in lower case as SPDK prints it. */
export const uuid: Decoder<string> = (v, name) => {
  const text = str(v, name);
  return UUID_PATTERN.test(text) ? text.toLowerCase() : fail(name, 'not a UUID');
};

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

/** Any JSON value, kept as is (for members a handler reads itself). */
export const any: Decoder<JsonValue> = (v) => v;

export function arrayOf<T>(item: Decoder<T>, maxItems = Number.POSITIVE_INFINITY): Decoder<T[]> {
  return (v, name) => {
    if (!Array.isArray(v)) return fail(name, 'not an array');
    if (v.length > maxItems) return fail(name, `more than ${maxItems} items`);
    return v.map((element, i) => item(element, `${name}[${i}]`));
  };
}

export interface ObjectOptions {
  /** Ignore members the schema does not name (SPDK's relaxed decode). */
  relaxed?: boolean;
}

export function object<S extends Schema>(schema: S, options: ObjectOptions = {}): Decoder<Decoded<S>> {
  return (v, name) => decodeObject(v, schema, options, name);
}

function decodeObject<S extends Schema>(value: JsonValue, schema: S, options: ObjectOptions, name: string): Decoded<S> {
  if (!isJsonObject(value)) return fail(name, 'not an object');
  const input: JsonObject = value;
  if (input[DUPLICATE_MEMBER] !== undefined) return fail(name, `member "${input[DUPLICATE_MEMBER]}" appears twice`);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    const field = schema[key];
    if (field === undefined || !Object.hasOwn(schema, key)) {
      if (options.relaxed) continue;
      return fail(name, `unknown member "${key}"`);
    }
    out[key] = field.decode(input[key]!, name === '' ? key : `${name}.${key}`);
  }
  for (const key of Object.keys(schema)) {
    if (schema[key]!.required && !(key in out)) return fail(name, `missing required member "${key}"`);
  }
  return out as Decoded<S>;
}

/**
 * Decodes a request's `params` (undefined when absent or null). With `optional`, absent params
 * mean "all members absent" (handlers that write `if (params && decode(...))`); otherwise absent
 * params fail like any non-object.
 */
export function decodeParams<S extends Schema>(params: JsonValue | undefined, schema: S, options: ObjectOptions & { optional?: boolean } = {}): Decoded<S> {
  if (params === undefined) {
    if (options.optional) {
      for (const key of Object.keys(schema)) {
        if (schema[key]!.required) return fail('params', `missing required member "${key}"`);
      }
      return {} as Decoded<S>;
    }
    return fail('params', 'absent');
  }
  return decodeObject(params, schema, options, '');
}
