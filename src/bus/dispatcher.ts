/**
 * oslo's `RPCDispatcher.dispatch`, rule for rule, so that a Python caller gets from us exactly
 * the failure a Python server would send:
 * - endpoints are tried in order; one matches when the request's `namespace` equals its own and
 *   its version serves the requested one (`version` defaults to "1.0"; `null` never matches);
 * - in a matching endpoint, a public method (not starting with `_`) is called;
 * - a match without the method gives `NoSuchMethod`, no match at all `UnsupportedVersion`;
 * - `args` that is not an object fails as Python's `args.items()` does (AttributeError), and
 *   kwargs that do not fit the declared parameters fail with Python's own TypeError text.
 */
import type { RequestContext } from './context.js';
import { BUILTINS_MODULE, BusUsageError, DISPATCHER_MODULE, PythonException } from './errors.js';
import { isPlainObject } from './envelope.js';
import { pythonRepr, pythonStr, pythonTypeName } from './python-values.js';
import { versionIsCompatible } from './versions.js';

/** What an endpoint method learns about the request it serves. */
export interface RpcCallContext {
  /** The caller's request context (the `_context_*` keys without the prefix). */
  readonly context: Readonly<RequestContext>;
  readonly method: string;
  /** `call` when the caller waits for a reply, `cast` otherwise (including fanout casts). */
  readonly kind: 'call' | 'cast';
  readonly msgId: string | null;
  /** The caller's call-monitor timeout (`_timeout`), or null. */
  readonly clientTimeout: unknown;
  /** The queue the request came from: the topic, `<topic>.<server>`, or the fanout queue. */
  readonly queue: string;
  /** Aborted when the server stops and the grace period for calls in flight is over. */
  readonly signal: AbortSignal;
}

export type RpcHandler = (ctx: RpcCallContext, args: Record<string, unknown>) => unknown;

export interface RpcMethod {
  /** Parameter names the Python method would declare without a default, in order. */
  required?: readonly string[];
  /** Parameter names with a default. With neither list, any kwargs are accepted. */
  optional?: readonly string[];
  handler: RpcHandler;
}

export interface RpcEndpoint {
  /** The Python class name callers see in TypeError messages (Cyborg's agent: `AgentManager`). */
  className: string;
  /** oslo `Target(version=…)`; default "1.0". */
  version?: string;
  /** oslo `Target(namespace=…)`; Cyborg's endpoints have none. */
  namespace?: string | null;
  methods: Readonly<Record<string, RpcMethod | RpcHandler>>;
}

export interface ResolvedCall {
  endpoint: RpcEndpoint;
  name: string;
  method: RpcMethod;
  args: Record<string, unknown>;
}

/** oslo's ping endpoint (`rpc_ping_enabled`). */
export function pingEndpoint(): RpcEndpoint {
  return { className: 'PingEndpoint', methods: { oslo_rpc_server_ping: () => 'pong' } };
}

export const PING_METHOD = 'oslo_rpc_server_ping';

/** Throws `BusUsageError` for an endpoint the dispatcher could not serve correctly. */
export function validateEndpoint(endpoint: RpcEndpoint, index: number): void {
  const where = `endpoints[${index}]`;
  if (!isPlainObject(endpoint)) throw new BusUsageError(`${where} must be an object`);
  if (typeof endpoint.className !== 'string' || endpoint.className === '') throw new BusUsageError(`${where}.className must be a non-empty string`);
  const version = endpoint.version ?? '1.0';
  try {
    versionIsCompatible(version, version);
  } catch {
    throw new BusUsageError(`${where}.version ${JSON.stringify(version)} is not a version like "1.0"`);
  }
  if (!isPlainObject(endpoint.methods)) throw new BusUsageError(`${where}.methods must be an object of handlers`);
  for (const [name, entry] of Object.entries(endpoint.methods)) {
    const handler = typeof entry === 'function' ? entry : (entry as RpcMethod | undefined)?.handler;
    if (typeof handler !== 'function') throw new BusUsageError(`${where}.methods.${name} must be a function or { handler }`);
  }
}

/** Finds the method a request names, or throws the `PythonException` oslo would send back. */
export function resolveCall(endpoints: readonly RpcEndpoint[], body: Record<string, unknown>): ResolvedCall {
  const method = body.method;
  const args = 'args' in body ? body.args : {};
  const namespace = body.namespace ?? null;
  const version = 'version' in body ? body.version : '1.0';

  let foundCompatible = false;
  for (const endpoint of endpoints) {
    if ((endpoint.namespace ?? null) !== namespace) continue;
    if (!versionIsCompatible(endpoint.version ?? '1.0', version)) continue;
    if (typeof method !== 'string') {
      throw new PythonException({
        className: 'TypeError',
        module: BUILTINS_MODULE,
        message: `attribute name must be string, not '${pythonTypeName(method)}'`,
      });
    }
    const entry = Object.hasOwn(endpoint.methods, method) ? endpoint.methods[method] : undefined;
    if (entry !== undefined && !method.startsWith('_')) {
      const spec: RpcMethod = typeof entry === 'function' ? { handler: entry } : entry;
      if (!isPlainObject(args)) {
        throw new PythonException({
          className: 'AttributeError',
          module: BUILTINS_MODULE,
          message: `'${pythonTypeName(args)}' object has no attribute 'items'`,
        });
      }
      checkArguments(endpoint, method, spec, args);
      return { endpoint, name: method, method: spec, args };
    }
    foundCompatible = true;
  }
  if (foundCompatible) throw noSuchMethod(method);
  throw unsupportedVersion(version, method);
}

/** Python's TypeError for kwargs that do not fit `def <name>(self, ctxt, <required>, <optional>=…)`. */
function checkArguments(endpoint: RpcEndpoint, name: string, spec: RpcMethod, args: Record<string, unknown>): void {
  if (spec.required === undefined && spec.optional === undefined) return;
  const required = spec.required ?? [];
  const known = new Set([...required, ...(spec.optional ?? [])]);
  const qualified = `${endpoint.className}.${name}()`;
  const unexpected = Object.keys(args).find((key) => !known.has(key));
  if (unexpected !== undefined) {
    throw PythonException.typeError(`${qualified} got an unexpected keyword argument ${pythonRepr(unexpected)}`);
  }
  const missing = required.filter((param) => !(param in args));
  if (missing.length > 0) {
    const plural = missing.length === 1 ? 'argument' : 'arguments';
    throw PythonException.typeError(`${qualified} missing ${missing.length} required positional ${plural}: ${pythonNameList(missing)}`);
  }
}

/** Python's list of names in a TypeError: 'a', 'a' and 'b', 'a', 'b', and 'c'. */
function pythonNameList(names: readonly string[]): string {
  const quoted = names.map((n) => pythonRepr(n));
  if (quoted.length === 1) return quoted[0]!;
  if (quoted.length === 2) return `${quoted[0]} and ${quoted[1]}`;
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

export function noSuchMethod(method: unknown): PythonException {
  return new PythonException({
    className: 'NoSuchMethod',
    module: DISPATCHER_MODULE,
    message: `Endpoint does not support RPC method ${pythonStr(method)}`,
  });
}

export function unsupportedVersion(version: unknown, method: unknown): PythonException {
  return new PythonException({
    className: 'UnsupportedVersion',
    module: DISPATCHER_MODULE,
    message: `Endpoint does not support RPC version ${pythonStr(version)}. Attempted method: ${pythonStr(method)}`,
  });
}
