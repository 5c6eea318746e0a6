/**
 * Stopping a target, escalating within one overall deadline (`stopTimeoutSec`, 15 s by default: the
 * budget SPDK's own tests give a shutdown, contract §5.4):
 *
 *   1. `spdk_kill_instance SIGTERM` over RPC (the graceful way: SPDK tears down its subsystems and
 *      removes its socket); wait until half the budget has passed;
 *   2. SIGTERM (for a target that did not get or could not take the RPC: one held in STARTUP by
 *      `--wait-for-rpc` answers -1, a hung one does not answer); wait until 80 % of the budget;
 *   3. SIGKILL (SPDK ignores a second SIGTERM, and a teardown stuck on a VM or a fabric never ends);
 *      wait for the rest of the budget, at least a second; then remove the socket and `.lock` it
 *      leaves behind.
 *
 * `force` goes straight to SIGKILL. A process that is already gone (or whose pid now names someone
 * else) is never signalled. The result says how the target went; a process that survives SIGKILL
 * (uninterruptible sleep in the kernel) gives a `TargetStopError`.
 */
import { getLogger, type Logger } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import { JsonRpcError } from '../rpc/errors.js';
import { TargetStopError } from './errors.js';
import type { FrameworkCalls, LifecycleRpcClient } from './rpc-link.js';
import { removeStaleSocketFiles } from './socket-files.js';
import type { TargetProcess } from './target-process.js';

export interface StopRequest {
  target: string;
  /** Undefined when the pid is not visible: only the RPC can stop it then. */
  process: TargetProcess | undefined;
  /** Undefined when the target has no RPC path the agent can use. */
  client: LifecycleRpcClient | undefined;
  calls: FrameworkCalls;
  socketPath: string | undefined;
  timeoutMs: number;
  force?: boolean;
  /** Known to be held in STARTUP (`--wait-for-rpc`): kill_instance would answer -1. */
  inStartup?: boolean;
  /** Waits for the RPC socket to stop answering, for a target without a visible pid. */
  waitForSocketGone?: (timeoutMs: number) => Promise<boolean>;
  logger?: Logger;
}

export type StopMethod = 'already-gone' | 'kill_instance' | 'SIGTERM' | 'SIGKILL';

export interface StopOutcome {
  method: StopMethod;
  /** What was sent, in order: `kill_instance SIGTERM`, `SIGTERM`, `SIGKILL`. */
  sent: string[];
  /** Stale files removed after a SIGKILL. */
  removedFiles: string[];
}

export async function stopTarget(request: StopRequest): Promise<StopOutcome> {
  const log = request.logger ?? getLogger('spdk.lifecycle');
  const started = Date.now();
  const deadline = started + request.timeoutMs;
  const termAt = started + request.timeoutMs * 0.5;
  const killAt = Math.min(started + request.timeoutMs * 0.8, deadline - 1000);
  const sent: string[] = [];
  const proc = request.process;
  const left = (until: number): number => Math.max(0, until - Date.now());

  if (proc && (await proc.condition()) !== 'alive') return { method: 'already-gone', sent, removedFiles: [] };

  if (!request.force) {
    if (request.client && !request.inStartup) {
      try {
        await request.calls.killInstance(request.client, 'SIGTERM', Math.max(1, Math.min(5000, left(termAt))));
        sent.push('kill_instance SIGTERM');
      } catch (err) {
        // -1: held in STARTUP; anything else: not answering. Either way the signal path follows.
        const why = err instanceof JsonRpcError && err.isWrongState ? 'the target is still in STARTUP' : errorMessage(err);
        log.info('spdk_kill_instance did not work, using signals', { target: request.target, reason: why });
      }
      if (sent.length > 0) {
        const gone = proc ? await proc.waitForExit(left(termAt)) : await request.waitForSocketGone?.(left(deadline));
        if (gone) return { method: 'kill_instance', sent, removedFiles: [] };
      }
    }
    if (!proc) {
      throw new TargetStopError({
        target: request.target,
        detail:
          sent.length > 0
            ? `still answering ${request.timeoutMs / 1000} s after spdk_kill_instance, and its pid is not visible to the agent, so no signal can be sent`
            : 'it does not take spdk_kill_instance and its pid is not visible to the agent, so no signal can be sent',
        signalsSent: sent,
        timeoutSec: request.timeoutMs / 1000,
      });
    }
    if (await proc.signal('SIGTERM')) {
      sent.push('SIGTERM');
      if (await proc.waitForExit(left(killAt))) return { method: 'SIGTERM', sent, removedFiles: [] };
    } else {
      return { method: lastStep(sent), sent, removedFiles: [] };
    }
  }

  if (!proc) {
    throw new TargetStopError({
      target: request.target,
      detail: 'its pid is not visible to the agent, so it cannot be killed',
      timeoutSec: request.timeoutMs / 1000,
    });
  }
  if (!(await proc.signal('SIGKILL'))) return { method: lastStep(sent), sent, removedFiles: [] };
  sent.push('SIGKILL');
  log.warn('target killed with SIGKILL', { target: request.target, pid: proc.pid, after: sent.slice(0, -1) });
  if (!(await proc.waitForExit(Math.max(1000, left(deadline))))) {
    throw new TargetStopError({
      target: request.target,
      pid: proc.pid,
      detail: `pid ${proc.pid} is still there after ${sent.join(', ')} (stuck in the kernel?)`,
      signalsSent: sent,
      timeoutSec: request.timeoutMs / 1000,
    });
  }
  const removedFiles = request.socketPath ? await removeStaleSocketFiles(request.socketPath, Math.max(1000, left(deadline))) : [];
  return { method: 'SIGKILL', sent, removedFiles };
}

/** The step that made a target go, when it went between two steps. */
function lastStep(sent: readonly string[]): StopMethod {
  if (sent.includes('SIGTERM')) return 'SIGTERM';
  if (sent.length > 0) return 'kill_instance';
  return 'already-gone';
}

/** The reason of the `stopped` event, in an operator's words. */
export function describeStopOutcome(outcome: StopOutcome, forced: boolean): string {
  switch (outcome.method) {
    case 'already-gone':
      return 'stop requested; it was already gone';
    case 'kill_instance':
      return 'stopped by spdk_kill_instance SIGTERM';
    case 'SIGTERM':
      return 'stopped by SIGTERM';
    case 'SIGKILL':
      return forced
        ? 'killed with SIGKILL (forced stop)'
        : `killed with SIGKILL: no exit in time after ${outcome.sent.slice(0, -1).join(', ') || 'the graceful steps'}`;
  }
}
