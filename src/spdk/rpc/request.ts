/**
 * Builds the bytes of one JSON-RPC request the way SPDK wants them, and refuses the ones SPDK
 * would choke on.
 *
 * - Always an integer id: SPDK answers a successful notification with a broken partial reply that
 *   corrupts the stream (contract §1.4).
 * - `params` left out when there are none: many no-argument methods reject even `{}` (§1.2).
 *   `undefined` members are dropped, as `rpc.py` drops `None`.
 * - Compact JSON, no delimiter: SPDK finds the end of a value by itself.
 * - Over the target's receive buffer, over its JSON value count or over its nesting depth, SPDK
 *   closes the connection without a word and every reply pending on it is lost (§1.2, §1.6),
 *   so such a request is refused here and never written.
 */
import { JsonStreamScanner } from './json-scanner.js';
import { stringifyJson } from './json.js';
import type { RpcParams } from './types.js';

/** SPDK's receive buffer up to v26.01 (256 KiB from v26.05). */
export const DEFAULT_MAX_REQUEST_BYTES = 32_768;
/** SPDK's JSON value (token) limit per request up to v26.01 (8192 from v26.05). */
export const DEFAULT_MAX_REQUEST_VALUES = 1024;
/** SPDK_JSON_MAX_NESTING_DEPTH, the same in every release. */
export const MAX_REQUEST_DEPTH = 64;

export interface RequestLimits {
  maxBytes: number;
  maxValues: number;
}

/** Why a request cannot be sent; the client turns it into an `RpcRequestError`. */
export class RequestRejection extends Error {
  constructor(
    readonly reason: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(reason);
  }
}

/** The request text for `method` with `params`, or throws `RequestRejection`. */
export function encodeRequest(id: number, method: string, params: RpcParams | undefined, limits: RequestLimits): string {
  if (typeof method !== 'string' || method === '') throw new RequestRejection('the method name must be a non-empty string');
  const paramsText = encodeParams(params);
  const head = requestHead(method);
  const text = paramsText === undefined ? `${head}${id}}` : `${head}${id},"params":${paramsText}}`;
  checkLimits(text, paramsText !== undefined, limits);
  return text;
}

/** `{"jsonrpc":"2.0","method":"<method>","id":` per method name, made once: a few names take most calls. */
const heads = new Map<string, string>();
const MAX_REMEMBERED_HEADS = 512;

function requestHead(method: string): string {
  let head = heads.get(method);
  if (head === undefined) {
    head = `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"id":`;
    if (heads.size < MAX_REMEMBERED_HEADS) heads.set(method, head);
  }
  return head;
}

function encodeParams(params: RpcParams | undefined): string | undefined {
  if (params === undefined || params === null) return undefined;
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new RequestRejection(`params must be an object of named parameters (SPDK decodes no positional params), not ${describeType(params)}`);
  }
  let text: string;
  try {
    text = stringifyJson(params);
  } catch (err) {
    throw new RequestRejection(`params cannot be written as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Undefined members (and functions) vanish in JSON; what is left may be nothing at all.
  return text === '{}' ? undefined : text;
}

function checkLimits(text: string, hasParams: boolean, limits: RequestLimits): void {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short requests need no count.
  const bytes = text.length * 3 <= limits.maxBytes ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    throw new RequestRejection(
      `the request is ${bytes} bytes, over the target's limit of ${limits.maxBytes} bytes (SPDK would drop the connection); split the work into several calls`,
      { bytes, maxBytes: limits.maxBytes },
    );
  }
  // Every JSON value takes at least one byte, and every nesting level two: small requests are fine.
  if (!hasParams || (bytes <= limits.maxValues && bytes <= 2 * MAX_REQUEST_DEPTH)) return;
  const scanner = new JsonStreamScanner({ maxDepth: MAX_REQUEST_DEPTH });
  const [result] = scanner.push(Buffer.from(text, 'utf8'));
  if (result === undefined) throw new RequestRejection('the request is not a complete JSON value');
  if (result.kind === 'error') throw new RequestRejection(`${result.reason} (SPDK would drop the connection)`, { maxDepth: MAX_REQUEST_DEPTH });
  if (result.values > limits.maxValues) {
    throw new RequestRejection(
      `the request holds ${result.values} JSON values, over the target's limit of ${limits.maxValues} (SPDK would drop the connection); split the work into several calls`,
      { values: result.values, maxValues: limits.maxValues },
    );
  }
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
