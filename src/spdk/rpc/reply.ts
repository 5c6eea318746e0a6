/**
 * What a decoded value from the target means: a result, an error, or not a JSON-RPC response at
 * all. SPDK writes `{"jsonrpc":"2.0","id":…,"result":…}` or `{…,"error":{"code":…,"message":…}}`
 * (contract §1.3); `jsonrpc` is not checked, since nothing depends on it.
 */

export type Reply =
  | { kind: 'result'; id: unknown; result: unknown }
  | { kind: 'error'; id: unknown; code: number; message: string }
  | { kind: 'invalid'; reason: string };

export function interpretReply(value: unknown): Reply {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'invalid', reason: `expected a JSON-RPC response object, got ${Array.isArray(value) ? 'an array' : describe(value)}` };
  }
  const reply = value as Record<string, unknown>;
  if (!('id' in reply)) return { kind: 'invalid', reason: 'the response has no id' };
  if ('error' in reply && reply.error !== undefined) {
    const error = reply.error;
    if (error === null || typeof error !== 'object' || Array.isArray(error)) {
      return { kind: 'invalid', reason: `the error member is ${describe(error)}, not an object` };
    }
    const { code, message } = error as Record<string, unknown>;
    if (typeof code !== 'number' || !Number.isInteger(code)) {
      return { kind: 'invalid', reason: `the error code is ${describe(code)}, not an integer` };
    }
    return { kind: 'error', id: reply.id, code, message: typeof message === 'string' ? message : message === undefined ? '' : String(message) };
  }
  if (!('result' in reply)) return { kind: 'invalid', reason: 'the response has neither result nor error' };
  return { kind: 'result', id: reply.id, result: reply.result };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
