/**
 * Fault injection: the ways a real target misbehaves that the agent must survive. Each fault is one
 * `--sim-fault <name>[=<value>]` (repeatable) or an item of SPDK_SIM_FAULTS (comma/space separated).
 *
 * Request counts are over all connections, counting every complete JSON value the server handles.
 */
import { SimOptionError } from '../errors.js';

export const START_REFUSALS = ['socket-in-use', 'no-hugepages', 'core-locked', 'dpdk-version', 'socket-dir'] as const;
export type StartRefusal = (typeof START_REFUSALS)[number];

export type Fault =
  /** Serve N requests, then die on the next one like a crash: no reply, no cleanup. */
  | { kind: 'crash-after'; requests: number }
  /** Serve N requests, then go silent: alive, connections open, nothing read, nothing answered. */
  | { kind: 'hang-after'; requests: number }
  /** Delay every reply by this many ms. */
  | { kind: 'slow'; ms: number }
  /** The reply to request N+1 is random bytes (once). */
  | { kind: 'garbage-after'; requests: number }
  /** The reply to request N+1 is cut in half, no newline (once). */
  | { kind: 'truncate-after'; requests: number }
  /** Refuse to start with SPDK's text for this reason. */
  | { kind: 'refuse-start'; reason: StartRefusal }
  /** SIGTERM/SIGINT (and spdk_kill_instance) start a shutdown that never ends: only SIGKILL stops it. */
  | { kind: 'ignore-sigterm' }
  /** Initialisation takes this long before the app is ready. */
  | { kind: 'slow-start'; ms: number }
  /** Die like a crash this many ms after start. */
  | { kind: 'exit-after'; ms: number }
  /** The reply to request N+1 begins and never ends: result bytes stream out until the client goes. */
  | { kind: 'endless-reply-after'; requests: number }
  /** The reply to request N+1 is complete, valid and 8 MiB long (past a client's lowered limit). */
  | { kind: 'oversize-reply-after'; requests: number }
  /** The reply to request N+1 carries an id nobody asked with (once). */
  | { kind: 'unknown-id-after'; requests: number }
  /** The reply to request N+1 has its "result" key twice (once). */
  | { kind: 'duplicate-key-after'; requests: number }
  /** Half the reply to request N+1 is sent, then the connection is closed (once). */
  | { kind: 'disconnect-mid-reply-after'; requests: number };

export const FAULT_NAMES = [
  'crash-after',
  'hang-after',
  'slow',
  'garbage-after',
  'truncate-after',
  'refuse-start',
  'ignore-sigterm',
  'slow-start',
  'exit-after',
  'endless-reply-after',
  'oversize-reply-after',
  'unknown-id-after',
  'duplicate-key-after',
  'disconnect-mid-reply-after',
] as const;

type CountedFault = Extract<Fault, { requests: number } | { ms: number }>;

/** The faults whose value is a whole number, and what it counts (the member it is stored in). */
const COUNTED_FAULTS: { readonly [K in CountedFault['kind']]: Exclude<keyof Extract<Fault, { kind: K }>, 'kind'> } = {
  'crash-after': 'requests',
  'hang-after': 'requests',
  slow: 'ms',
  'garbage-after': 'requests',
  'truncate-after': 'requests',
  'slow-start': 'ms',
  'exit-after': 'ms',
  'endless-reply-after': 'requests',
  'oversize-reply-after': 'requests',
  'unknown-id-after': 'requests',
  'duplicate-key-after': 'requests',
  'disconnect-mid-reply-after': 'requests',
};

const isCounted = (name: string): name is CountedFault['kind'] => Object.hasOwn(COUNTED_FAULTS, name);

export function parseFault(spec: string, source: string): Fault {
  const eq = spec.indexOf('=');
  const name = (eq < 0 ? spec : spec.slice(0, eq)).trim();
  const value = eq < 0 ? undefined : spec.slice(eq + 1).trim();
  if (isCounted(name)) {
    if (value === undefined || !/^\d+$/.test(value)) {
      throw new SimOptionError(`${source}: fault '${name}' needs a whole number, as in ${name}=3`, { option: source, value: spec });
    }
    return { kind: name, [COUNTED_FAULTS[name]]: Number(value) } as CountedFault;
  }
  switch (name) {
    case 'ignore-sigterm':
      if (value !== undefined) throw new SimOptionError(`${source}: fault 'ignore-sigterm' takes no value`, { option: source, value: spec });
      return { kind: 'ignore-sigterm' };
    case 'refuse-start':
      if (value === undefined || !(START_REFUSALS as readonly string[]).includes(value)) {
        throw new SimOptionError(`${source}: fault 'refuse-start' needs one of ${START_REFUSALS.join(', ')}`, { option: source, value: spec });
      }
      return { kind: 'refuse-start', reason: value as StartRefusal };
    default:
      throw new SimOptionError(`${source}: unknown fault '${name}' (known: ${FAULT_NAMES.join(', ')})`, { option: source, value: spec });
  }
}

/** SPDK_SIM_FAULTS: faults separated by commas, semicolons or whitespace. */
export function parseFaultList(text: string, source: string): Fault[] {
  return text
    .split(/[\s,;]+/)
    .filter((s) => s !== '')
    .map((s) => parseFault(s, source));
}
