/**
 * The methods a target answers: name → handler, with SPDK's state mask (STARTUP 0x1, RUNTIME 0x2)
 * and, for deprecated aliases, the method they call. Built per app and emulated version; the order
 * is the order `rpc_get_methods` lists them in.
 */
import type { JsonValue } from '../json/json-parser.js';

export const STARTUP = 0x1;
export const RUNTIME = 0x2;
export type StateMask = 0x1 | 0x2 | 0x3;

export interface CallContext {
  /** The name the client used (an alias or legacy name, or the method itself). */
  readonly calledAs: string;
  /** Identifies the connection, for log lines. */
  readonly connectionId: number;
}

/**
 * What a handler returns: the result (any JSON-able value, `bigint`s and `RawJson` included), a
 * promise of one (answered when it settles, possibly out of order), or `NO_REPLY`. Errors are
 * thrown (or rejected) as `RpcFailure`.
 */
export type Handler = (params: JsonValue | undefined, ctx: CallContext) => unknown;

/** The handler sent no reply and never will (spdk_kill_instance SIGKILL). */
export const NO_REPLY: unique symbol = Symbol('no reply');

export interface MethodEntry {
  /** The registered name. */
  readonly name: string;
  readonly handler: Handler;
  readonly mask: StateMask;
  /** For a deprecated alias: the method it calls (its mask and handler are that method's). */
  readonly aliasOf?: string;
}

export class MethodTable {
  private readonly byName = new Map<string, MethodEntry>();

  constructor(private readonly entries: readonly MethodEntry[]) {
    for (const entry of entries) this.byName.set(entry.name, entry);
  }

  get(name: string): MethodEntry | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** `rpc_get_methods`: aliases only when asked; with `currentState`, only methods callable now. */
  list(options: { includeAliases: boolean; currentState?: number }): string[] {
    const out: string[] = [];
    for (const entry of this.entries) {
      if (entry.aliasOf !== undefined && !options.includeAliases) continue;
      if (options.currentState !== undefined && (entry.mask & options.currentState) === 0) continue;
      out.push(entry.name);
    }
    return out;
  }
}
