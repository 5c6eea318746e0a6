/** Small helpers shared by the method modules. */
import type { JsonValue } from '../json/json-parser.js';
import { DecodeFailure, decodeParams, type Decoded, type ObjectOptions, type Schema } from '../rpc/decode.js';
import type { Handler } from '../rpc/method-table.js';
import { JsonRpcCode, RpcFailure } from '../rpc/rpc-failure.js';
import type { Target } from '../target.js';

export type MethodMap = Record<string, Handler>;

/** Many SPDK handlers reject any `params`, even `{}` (contract §1.2). */
export function requireNoParams(params: JsonValue | undefined, message: string): void {
  if (params !== undefined) throw new RpcFailure(JsonRpcCode.InvalidParams, message);
}

/** Decodes params; a failure becomes the handler's own error reply. */
export function decodeOr<S extends Schema>(
  params: JsonValue | undefined,
  schema: S,
  onFailure: () => RpcFailure,
  options: ObjectOptions & { optional?: boolean } = {},
): Decoded<S> {
  try {
    return decodeParams(params, schema, options);
  } catch (err) {
    if (err instanceof DecodeFailure) throw onFailure();
    throw err;
  }
}

/**
 * A `*_set_options` call: applies the params to an option group; any failure (a decode failure, or
 * a check the caller makes in `apply`) becomes the method's own error reply.
 */
export function applyOptions(apply: () => unknown, onFailure: () => RpcFailure): true {
  try {
    apply();
  } catch {
    throw onFailure();
  }
  return true;
}

/** Malloc/null/aio create answered `["Name"]` up to v18.04, `"Name"` since. */
export function createResult(target: Target, name: string): unknown {
  return target.profile.createResultIsArray ? [name] : name;
}

/** Completes on a later turn of the event loop, like SPDK handlers that finish on another thread. */
export function later<T>(work: () => T, delayMs = 0): Promise<T> {
  return new Promise((resolve, reject) => {
    const run = (): void => {
      try {
        resolve(work());
      } catch (err) {
        reject(err);
      }
    };
    if (delayMs > 0) setTimeout(run, delayMs);
    else setImmediate(run);
  });
}
