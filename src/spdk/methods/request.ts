/**
 * The one path every wrapper takes to the target: version-gated params checked, the name resolved,
 * the call made within the caller's deadline.
 */
import type { RpcCaller, RpcCallOptions, RpcParams } from '../rpc/types.js';
import { CallBudget } from './budget.js';
import type { Operation } from './names.js';
import { checkParams } from './param-gates.js';
import { invoke, type Invocation, type InvokeOptions, type ParamsFor } from './resolver.js';
import { requireObject, requireText, type CallSite, type ReplyCheck } from './shape.js';

export interface RequestExtra extends InvokeOptions {
  /** Builds the params for the name actually called, when an old name takes other keys. */
  paramsFor?: (method: string) => RpcParams | undefined | Promise<RpcParams | undefined>;
}

export interface Answer<T> extends Invocation<T> {
  /** For result checks: the target and the name that answered. */
  origin: CallSite;
}

/**
 * Calls `operation` with `params` (in current-name form; `paramsFor` adapts them to an old name
 * when that name takes other keys). A `CallBudget` instead of options continues a deadline that
 * earlier steps of the same wrapper call already used.
 */
export async function request<T = unknown>(
  caller: RpcCaller,
  operation: Operation,
  params: RpcParams | undefined,
  options: RpcCallOptions | CallBudget | undefined,
  extra: RequestExtra = {},
): Promise<Answer<T>> {
  const budget = options instanceof CallBudget ? options : new CallBudget(caller.address, options);
  await checkParams(caller, operation, params, budget);
  const spec: ParamsFor = extra.paramsFor ?? params;
  const answer = await invoke<T>(caller, operation, spec, budget, extra);
  return { ...answer, origin: { address: caller.address, method: answer.method } };
}

/** Where errors about arguments are attributed before any name is resolved. */
export function argumentOrigin(caller: RpcCaller, operation: Operation): CallSite {
  return { address: caller.address, method: operation };
}

/**
 * The argument check a wrapper taking a params object starts with: an object, its `texts` members
 * non-empty strings (names, NQNs). Returns the origin for the wrapper's further checks.
 */
export function requireParams(caller: RpcCaller, operation: Operation, params: unknown, texts: readonly string[] = []): CallSite {
  const origin = argumentOrigin(caller, operation);
  const object = requireObject(origin, 'params', params);
  for (const member of texts) requireText(origin, member, object[member]);
  return origin;
}

/** `request`, its result passed through `check` with the name that answered as the origin. */
export async function requestChecked<T>(
  caller: RpcCaller,
  operation: Operation,
  params: RpcParams | undefined,
  options: RpcCallOptions | CallBudget | undefined,
  check: ReplyCheck<T>,
  extra: RequestExtra = {},
): Promise<T> {
  const answer = await request(caller, operation, params, options, extra);
  return check(answer.origin, answer.result);
}
