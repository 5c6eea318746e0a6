/**
 * The JSON-RPC envelope check of SPDK's `parse_single_request` (v24.01), including which failures
 * still echo the id. Observed order (errors.jsonl #39–#56): a strict decode of the top-level members
 * (only jsonrpc, method, params, id; no repeats), then `jsonrpc` must be "2.0" if present, then
 * `method` must be a string — all these answer with `"id":null` — then `id` must be a string, a
 * number or null (else `"id":null`), and only then `params` must be an object, array or null, which
 * fails with the id echoed. `params: null` counts as absent. A top-level array (a batch) or scalar is
 * invalid with `"id":null`.
 *
 * The id is echoed as the raw text the client sent (`1.50`, `1e3`, a 30-digit integer).
 */
import { DUPLICATE_MEMBER, JsonFloat, isJsonObject, type JsonValue } from '../json/json-parser.js';
import type { ScannedValue } from '../../spdk/rpc/json-scanner.js';

export type Envelope =
  /** `id` is the raw id text; null for a notification (no id, or `"id":null`). */
  { kind: 'request'; method: string; params: JsonValue | undefined; id: string | null } | { kind: 'invalid'; id: string | null };

const ALLOWED = new Set(['jsonrpc', 'method', 'params', 'id']);
const INVALID_NULL: Envelope = { kind: 'invalid', id: null };

export function readEnvelope(request: JsonValue, scanned: ScannedValue): Envelope {
  if (!isJsonObject(request)) return INVALID_NULL;
  if (request[DUPLICATE_MEMBER] !== undefined) return INVALID_NULL;
  for (const key of Object.keys(request)) if (!ALLOWED.has(key)) return INVALID_NULL;
  const version = request.jsonrpc;
  if (version !== undefined && version !== '2.0') return INVALID_NULL;
  const method = request.method;
  if (typeof method !== 'string') return INVALID_NULL;
  let id: string | null = null;
  if ('id' in request) {
    const value = request.id;
    const t = typeof value;
    if (value !== null && t !== 'string' && t !== 'number' && t !== 'bigint' && !isFloat(value)) return INVALID_NULL;
    if (value !== null) id = rawMember(scanned, 'id');
  }
  let params: JsonValue | undefined;
  if ('params' in request) {
    const value = request.params!;
    if (value === null) params = undefined;
    else if (typeof value === 'object' && (Array.isArray(value) || isJsonObject(value))) params = value;
    else return { kind: 'invalid', id };
  }
  return { kind: 'request', method, params, id };
}

function isFloat(value: JsonValue | undefined): boolean {
  return value instanceof JsonFloat;
}

const ID_KEY = Buffer.from('"id"');

/** The raw text of a top-level member's value, from the scanner's spans. */
function rawMember(scanned: ScannedValue, name: string): string | null {
  const bytes = scanned.bytes;
  for (const m of scanned.members ?? []) {
    const keyLength = m.keyEnd - m.keyStart;
    let isId: boolean;
    if (keyLength === ID_KEY.length) {
      isId = bytes.compare(ID_KEY, 0, ID_KEY.length, m.keyStart, m.keyEnd) === 0;
    } else {
      // Only an escaped spelling (`"\u0069d"`) can be "id" with another length.
      const backslash = bytes.indexOf(0x5c, m.keyStart);
      isId = backslash > -1 && backslash < m.keyEnd && decodedKey(bytes, m.keyStart, m.keyEnd) === name;
    }
    if (isId) return bytes.toString('utf8', m.valueStart, m.valueEnd);
  }
  return null;
}

function decodedKey(bytes: Buffer, start: number, end: number): string | null {
  try {
    return JSON.parse(bytes.toString('utf8', start, end)) as string;
  } catch {
    return null;
  }
}
