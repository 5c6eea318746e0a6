/**
 * Calls an operation by whichever of its names the target knows (contract §4.5).
 *
 * Per connection generation the target's method list is asked for once (`rpc_get_methods`, else
 * `get_rpc_methods`), shared by concurrent first callers. The first name of the operation found in
 * the list is called. SPDK 17.07 has neither listing method: there each name is tried, newest
 * first, moving on at -32601, and the name that worked is remembered for the generation.
 *
 * While the list is still being fetched, the current name is sent at once beside it (pipelined on
 * the same connection): on a current target the first call of a connection then costs one round
 * trip, not two. That is safe because SPDK never reused a method name for something else: a name
 * the target does not know is answered -32601 and has no effect.
 */
import { JsonRpcError } from '../rpc/errors.js';
import type { RpcCaller, RpcParams } from '../rpc/types.js';
import { detectApp } from './app.js';
import { CallBudget } from './budget.js';
import { MethodUnavailableError } from './errors.js';
import { knowledgeOf, peekKnowledge, type MethodList } from './knowledge.js';
import { allNames, nameCandidates, type Operation } from './names.js';
import { compactParams } from './shape.js';

/** The params of a call, or how to build them for the name actually called (old names differ). */
export type ParamsFor = RpcParams | undefined | ((method: string) => RpcParams | undefined | Promise<RpcParams | undefined>);

export interface Invocation<T> {
  result: T;
  /** The name that answered. */
  method: string;
}

export interface InvokeOptions {
  /** Added to the message when the operation is unavailable. */
  hint?: string;
}

function isMethodNotFound(err: unknown): err is JsonRpcError {
  return err instanceof JsonRpcError && err.isMethodNotFound;
}

/** The target's method list for the caller's current connection (fetched once per generation). */
export async function listMethods(caller: RpcCaller, budget = new CallBudget(caller.address)): Promise<MethodList> {
  return budget.wait(knowledgeOf(caller).methods, 'rpc_get_methods');
}

/** Calls `operation` under the name the target knows; rejects with `MethodUnavailableError` if none. */
export async function invoke<T>(
  caller: RpcCaller,
  operation: Operation,
  params: ParamsFor,
  budget: CallBudget,
  options: InvokeOptions = {},
): Promise<Invocation<T>> {
  const knowledge = knowledgeOf(caller);
  const candidates = nameCandidates(operation).map((span) => span.name);
  const send = async (method: string): Promise<Invocation<T>> => {
    const built = typeof params === 'function' ? await params(method) : params;
    const result = await caller.call<T>(method, compactParams(built), budget.callOptions(method));
    return { result, method };
  };

  let list = knowledge.list;
  if (list === undefined) {
    const current = candidates[0]!;
    if (!knowledge.absent.has(current)) {
      try {
        return await send(current);
      } catch (err) {
        if (!isMethodNotFound(err)) throw err;
        knowledge.absent.add(current);
      }
    }
    list = await budget.wait(knowledge.methods, 'rpc_get_methods');
  }

  const unavailable = (extra: { hint?: string; cause?: unknown } = {}): MethodUnavailableError =>
    new MethodUnavailableError({
      address: caller.address,
      operation,
      tried: candidates,
      history: allNames(operation),
      ...(list!.names ? { app: detectApp(list!.names) } : {}),
      checkedWith: list!.source === 'none' ? 'trial (the target cannot list its methods)' : list!.source,
      ...((extra.hint ?? options.hint) !== undefined ? { hint: extra.hint ?? options.hint } : {}),
      cause: extra.cause,
    });

  if (list.names !== null) {
    const names = list.names;
    const chosen = candidates.find((name) => names.has(name));
    const refusedHint = 'the target lists it but answers -32601: is it started with --rpcs-allowed?';
    if (chosen === undefined) throw unavailable();
    if (knowledge.absent.has(chosen)) throw unavailable({ hint: refusedHint });
    try {
      return await send(chosen);
    } catch (err) {
      if (!isMethodNotFound(err)) throw err;
      knowledge.absent.add(chosen);
      throw unavailable({ hint: refusedHint, cause: err });
    }
  }

  // SPDK 17.07: no list, so try each name (newest first), starting with the one that worked before.
  const remembered = knowledge.working.get(operation);
  const order = remembered ? [remembered, ...candidates.filter((name) => name !== remembered)] : candidates;
  for (const method of order) {
    if (knowledge.absent.has(method)) continue;
    try {
      const answer = await send(method);
      knowledge.working.set(operation, method);
      return answer;
    } catch (err) {
      if (!isMethodNotFound(err)) throw err;
      knowledge.absent.add(method);
    }
  }
  throw unavailable();
}

/**
 * Whether the target has `operation` under any name, without calling it: from the method list, or
 * on SPDK 17.07 from what earlier trials found (undefined when not tried yet).
 */
export async function hasOperation(caller: RpcCaller, operation: Operation, budget = new CallBudget(caller.address)): Promise<boolean | undefined> {
  const knowledge = knowledgeOf(caller);
  const list = await budget.wait(knowledge.methods, 'rpc_get_methods');
  const candidates = nameCandidates(operation).map((span) => span.name);
  if (list.names !== null) return candidates.some((name) => list.names!.has(name));
  if (knowledge.working.has(operation)) return true;
  if (candidates.every((name) => knowledge.absent.has(name))) return false;
  return undefined;
}

/** The method list if it is already known for the caller's current connection (no request made). */
export function knownMethodList(caller: RpcCaller): MethodList | undefined {
  return peekKnowledge(caller)?.list;
}
