/**
 * Is a target there that the agent did not spawn? Before every start (so a running target is
 * adopted and never started twice), for `attach`, and afterwards, to tell when an adopted target
 * has gone (the agent gets no exit event for a process that is not its child).
 */
import type { Logger } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { FrameworkCalls, LifecycleRpcClient } from './rpc-link.js';
import type { TargetProcess } from './target-process.js';
import { probeSocket } from './socket-files.js';
import { findSocketOwner } from './socket-owner.js';

/**
 * - `answering`: the RPC answers (with its version, when it could be read);
 * - `silent`: a live process holds the socket, but does not answer in time;
 * - `none`: nothing there (no socket file, a stale one nobody listens on, or a tcp address that
 *   does not answer).
 */
export type ExistingTarget =
  | { kind: 'answering'; owner: { pid: number } | undefined; version: string | undefined }
  | { kind: 'silent'; owner: { pid: number } }
  | { kind: 'none' };

export async function findExistingTarget(options: {
  /** The Unix socket; undefined for a tcp target (then only an answer counts). */
  socket: string | undefined;
  client: LifecycleRpcClient;
  calls: FrameworkCalls;
  timeoutMs: number;
  procRoot: string;
  logger: Logger;
}): Promise<ExistingTarget> {
  const { socket } = options;
  if (socket !== undefined && (await probeSocket(socket)).kind !== 'listening') return { kind: 'none' };
  const owner = socket !== undefined ? await findSocketOwner(socket, options.procRoot) : undefined;
  try {
    await options.calls.ping(options.client, options.timeoutMs);
  } catch (err) {
    options.logger.debug('the socket accepts but the target does not answer', { error: errorMessage(err) });
    return owner ? { kind: 'silent', owner } : { kind: 'none' };
  }
  const version = await options.calls.version(options.client, options.timeoutMs).catch(() => undefined);
  return { kind: 'answering', owner, version };
}

/**
 * Why an adopted target is gone, or undefined while it is there: its process (when its pid is
 * known: gone, a zombie, or the pid reused), else its socket (missing, or nobody listening).
 * Undefined too when there is nothing to tell by (a tcp target without a pid).
 */
export async function adoptedGoneReason(process: TargetProcess | undefined, socket: string | undefined): Promise<string | undefined> {
  if (process) {
    const condition = await process.condition();
    switch (condition) {
      case 'alive':
        return undefined;
      case 'reused':
        return `pid ${process.pid} now belongs to another process`;
      case 'zombie':
        return `process ${process.pid} exited (zombie)`;
      case 'gone':
        return `process ${process.pid} is gone`;
    }
  }
  if (socket === undefined) return undefined;
  const probe = await probeSocket(socket);
  if (probe.kind === 'missing') return 'its socket is gone';
  if (probe.kind === 'refused') return 'its socket is no longer served';
  return undefined;
}

/**
 * Waits until nothing serves the target any more (for a target whose pid is not visible, the only
 * sign that a stop worked): its socket stops accepting, or, for a tcp target, stops answering.
 */
export async function waitUntilNotServed(options: {
  socket: string | undefined;
  client: LifecycleRpcClient;
  calls: FrameworkCalls;
  timeoutMs: number;
}): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.socket !== undefined) {
      if ((await probeSocket(options.socket)).kind !== 'listening') return true;
    } else {
      try {
        await options.calls.ping(options.client, 1000);
      } catch {
        return true;
      }
    }
    if (Date.now() >= deadline) return false;
    await delay(100);
  }
}
