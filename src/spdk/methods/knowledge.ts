/**
 * What the catalogue has learnt about one target over one connection: its method list, its
 * version, and (on SPDK 17.07, which cannot list its methods) which names worked. Valid for one
 * `RpcCaller.generation`: after a reconnect the target may be another process, even another SPDK.
 *
 * Kept beside the caller in a WeakMap, so wrappers stay plain functions of `(caller, …)` and a
 * dropped client takes its knowledge with it.
 */
import { JsonRpcError } from '../rpc/errors.js';
import type { RpcCaller } from '../rpc/types.js';
import { getLogger } from '../../util/log.js';
import type { Operation } from './names.js';
import { expectStringArray } from './shape.js';
import type { VersionInfo } from './releases.js';

const log = getLogger('spdk.methods');

/** The two methods that list a target's methods, newest first (contract §3.1, §4.5). */
export const LISTING_METHODS = ['rpc_get_methods', 'get_rpc_methods'] as const;

export interface MethodList {
  /** The method that answered, or `none` when the target has neither (SPDK 17.07). */
  readonly source: (typeof LISTING_METHODS)[number] | 'none';
  /** Every method the target registered (both states, aliases not included); null with `none`. */
  readonly names: ReadonlySet<string> | null;
}

export class TargetKnowledge {
  /** The connection generation this knowledge belongs to (final once the listing has settled). */
  generation: number;
  /** Set as soon as the listing answered. */
  list: MethodList | undefined;
  readonly methods: Promise<MethodList>;
  /** The version lookup, started by the first caller that needs it. */
  version: Promise<VersionInfo> | undefined;
  /** Names that answered -32601 on this connection. */
  readonly absent = new Set<string>();
  /** On a target that cannot list its methods: the name that worked for each operation. */
  readonly working = new Map<Operation, string>();

  constructor(caller: RpcCaller, onFailure: () => void) {
    this.generation = caller.generation;
    this.methods = listMethodsOnce(caller, this);
    this.methods.then((list) => {
      this.list = list;
      // The first call of a lazily connecting client opens the connection it was answered on.
      this.generation = caller.generation;
    }, onFailure);
  }
}

async function listMethodsOnce(caller: RpcCaller, knowledge: TargetKnowledge): Promise<MethodList> {
  for (const method of LISTING_METHODS) {
    try {
      // No params: the complete list, whatever the state (`current` would hide RUNTIME methods in
      // STARTUP), and no `include_aliases` (unknown before v19.10; current names are listed anyway).
      const result = await caller.call(method);
      const names = expectStringArray({ address: caller.address, method }, result);
      log.debug('method list', { address: caller.address, method, count: names.length });
      return { source: method, names: new Set(names) };
    } catch (err) {
      if (!(err instanceof JsonRpcError && err.isMethodNotFound)) throw err;
      knowledge.absent.add(method);
    }
  }
  log.info('target cannot list its methods (SPDK 17.07?): names are found by trial', { address: caller.address });
  return { source: 'none', names: null };
}

const byCaller = new WeakMap<RpcCaller, TargetKnowledge>();

/** The knowledge for the caller's current connection, if there is any (nothing is requested). */
export function peekKnowledge(caller: RpcCaller): TargetKnowledge | undefined {
  const known = byCaller.get(caller);
  // A lookup in flight is shared even if the generation moved on: its answer can only come from
  // the connection that is current when it arrives.
  if (known && (known.list === undefined || known.generation === caller.generation)) return known;
  return undefined;
}

/**
 * The knowledge for the caller's current connection, starting the method-list lookup when there is
 * none yet. Concurrent first callers get the same entry, so they share one listing request.
 */
export function knowledgeOf(caller: RpcCaller): TargetKnowledge {
  const known = peekKnowledge(caller);
  if (known) return known;
  const fresh: TargetKnowledge = new TargetKnowledge(caller, () => {
    // A failed lookup (timeout, lost connection) is not remembered: the next call asks again.
    if (byCaller.get(caller) === fresh) byCaller.delete(caller);
  });
  byCaller.set(caller, fresh);
  return fresh;
}

/** Forgets everything about the caller's target (tests; a lifecycle that knows the target changed). */
export function forgetTarget(caller: RpcCaller): void {
  byCaller.delete(caller);
}
