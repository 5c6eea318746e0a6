/**
 * A copy of a call's params fit to travel in an error: `JsonRpcError` keeps the params for the
 * operator, and errors end up in log lines (`toJSON`). SPDK takes secrets as plain params: TLS PSKs
 * (`psk`), DH-HMAC-CHAP keys (`dhchap_key`, `dhchap_ctrlr_key`), iSCSI CHAP secrets (`secret`,
 * `msecret`), crypto keys (`accel_crypto_key_create` `key`, `key2`). Their values become '***'.
 */
import type { RpcParams } from './types.js';

const SECRET_NAME = /secret|passw|passphrase|psk|dhchap|token|credential|(^|_)key\d*$/i;
const REDACTED = '***';
const MAX_DEPTH = 64;

export function redactSecretParams(params: RpcParams | undefined): RpcParams | undefined {
  if (params === undefined || params === null || typeof params !== 'object') return params;
  return redact(params, 0) as RpcParams;
}

function redact(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_NAME.test(key) && v !== undefined && v !== null && v !== '' ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
