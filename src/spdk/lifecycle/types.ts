/**
 * The shapes the lifecycle works with: the target as configured (the part of the config it reads),
 * its states, and the event emitted on every state change.
 */

import type { RestartConfig, SpdkApp } from '../../config/types.js';

export type { SpdkApp, RestartPolicyName } from '../../config/types.js';
export type RestartPolicy = RestartConfig;

/**
 * One target as the lifecycle needs it: the members of the config's `TargetConfig` it reads, with
 * the defaulted ones optional (defaults below) so a test or a tool can describe a target briefly.
 * Every `TargetConfig` is a `TargetSpec`.
 */
export interface TargetSpec {
  name: string;
  app: SpdkApp;
  /** Unix socket path (`-r`). Exactly one of socket / tcp. */
  socket?: string;
  /** `host:port` of a bridge in front of a remote target: it can be watched, never started. */
  tcp?: string;
  /** Overrides detection. */
  binary?: string;
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** `-c` */
  jsonConfig?: string;
  /** `-m` */
  cpumask?: string;
  /** `-s`; also what the hugepage check asks for. */
  memSizeMb?: number;
  /** `-S` (vhost, spdk_tgt) */
  vhostSocketDir?: string;
  autostart?: boolean;
  adopt?: boolean;
  stopOnAgentExit?: boolean;
  /** False: neither started nor adopted (`disabledReason` says why). */
  enabled?: boolean;
  disabledReason?: string;
  restart?: Partial<RestartPolicy>;
  startTimeoutSec?: number;
  stopTimeoutSec?: number;
  rpcTimeoutSec?: number;
  /** Largest reply accepted from the target (bytes); default 256 MiB. */
  maxReplyBytes?: number;
}

export const TARGET_DEFAULTS = {
  autostart: false,
  adopt: true,
  stopOnAgentExit: false,
  startTimeoutSec: 60,
  // SPDK's own tests allow 15 s for a shutdown before they call it a failure (contract §5.4).
  stopTimeoutSec: 15,
  rpcTimeoutSec: 30,
  restart: { policy: 'on-failure', maxAttempts: 5, initialDelaySec: 1, maxDelaySec: 30, unresponsiveSec: 60 } as RestartPolicy,
} as const;

/**
 * - `stopped`: not running (never started, stopped on request, or exited cleanly and not restarted);
 * - `starting`: spawned (or being adopted), not yet answering `framework_wait_init`;
 * - `running`: the process is alive and the RPC answers;
 * - `unresponsive`: the process is alive but the RPC does not answer in time;
 * - `stopping`: a stop is in progress;
 * - `crashed`: it went away without being asked to (momentary: next is `restarting`, `failed` or `stopped`);
 * - `restarting`: waiting out the back-off delay before the next start;
 * - `failed`: a start failed, or restarts were exhausted; the operator has to act.
 */
export type TargetState = 'stopped' | 'starting' | 'running' | 'unresponsive' | 'stopping' | 'crashed' | 'restarting' | 'failed';

/** How the agent came to hold the target. */
export type Ownership = 'spawned' | 'adopted';

/** One state change; the bus layer publishes these as they are. */
export interface TargetStateEvent {
  target: string;
  from: TargetState;
  to: TargetState;
  /** Why, in words an operator reads (`exited with code 1`, `kill_instance SIGTERM`, …). */
  reason: string;
  /** ISO 8601 time of the change. */
  at: string;
  pid?: number;
  exitCode?: number;
  signal?: string;
  /** Restart attempt number, while restarting. */
  attempt?: number;
  /** Back-off delay before that attempt. */
  delayMs?: number;
}

export interface TargetStatus {
  name: string;
  app: SpdkApp;
  /** Socket path or tcp address. */
  address: string;
  state: TargetState;
  ownership?: Ownership;
  pid?: number;
  /** ISO 8601 time the current state was entered. */
  since: string;
  /** Why the target is in its state, in words an operator reads (`exited with code 1`, `no answer: …`). */
  reason: string;
  /** Restarts since the last stable run. */
  restarts: number;
  lastExit?: { exitCode?: number; signal?: string; at: string };
  lastError?: string;
  /** `SPDK v24.01 …` from `spdk_get_version`, when the target answered. */
  version?: string;
}

/** Where a start is; the CLI shows it on its spinner. */
export type StartPhase = 'checking' | 'hugepages' | 'spawning' | 'waiting-for-socket' | 'waiting-for-init' | 'adopting';
