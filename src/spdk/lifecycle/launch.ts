/**
 * Launching a target: from its config to a process that answers, or to a `TargetStartError` that
 * says why not in SPDK's own words.
 *
 *   binary (explicit, else detected) → hugepages → spawn → socket accepts → framework_wait_init
 *
 * One deadline (`startTimeoutSec`) covers the wait. A process that is not ready in time, or whose
 * start is cancelled, is stopped (SIGTERM, then SIGKILL) before the error is thrown: nothing
 * half-started is left behind.
 */
import type { Logger } from '../../util/log.js';
import { getLogger } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import { binaryFor, type SpdkInstallation } from '../install/detect.js';
import { buildCommandLine, memoryRequest } from './command-line.js';
import { TargetNotStartableError, TargetStartError, type StartFailureReason } from './errors.js';
import { ensureHugepages, type HugepagePaths } from './hugepages.js';
import { captureProcessRef } from './process-ref.js';
import { waitUntilReady } from './readiness.js';
import type { FrameworkCalls, LifecycleRpcClient } from './rpc-link.js';
import { describeExit, spawnTarget, type ExitInfo, type OutputMode, type SpawnedTarget } from './spawn.js';
import { stopTarget } from './stop-procedure.js';
import { ChildProcessHandle } from './target-process.js';
import { TARGET_DEFAULTS, type StartPhase, type TargetSpec } from './types.js';

export interface HugepagePolicy {
  allocate: boolean;
  useSetupScript: boolean;
  paths?: HugepagePaths;
  setupTimeoutMs?: number;
}

export interface LaunchRequest {
  spec: TargetSpec;
  installation: SpdkInstallation;
  hugepages: HugepagePolicy;
  client: LifecycleRpcClient;
  calls: FrameworkCalls;
  output: OutputMode;
  cwd?: string;
  procRoot: string;
  signal: AbortSignal;
  onPhase: (phase: StartPhase) => void;
  /** Told as soon as the process exists, before it is ready, so a stop can reach it meanwhile. */
  onSpawned: (process: ChildProcessHandle, spawned: SpawnedTarget) => void;
  logger: Logger;
}

export interface LaunchedTarget {
  process: ChildProcessHandle;
  spawned: SpawnedTarget;
  /** From `spdk_get_version`, when it answered. */
  version: string | undefined;
}

export async function launchTarget(request: LaunchRequest): Promise<LaunchedTarget> {
  const { spec, installation, signal } = request;
  const args = buildCommandLine(spec);
  const memory = memoryRequest(args);
  const binary = binaryFor(installation, spec);
  if (binary === undefined) {
    throw new TargetNotStartableError({
      target: spec.name,
      detail: `no ${spec.app} binary found (set spdk.sourceDir, spdk.prefix or the target's binary)`,
      searched: installation.searched,
    });
  }

  request.onPhase('hugepages');
  await ensureHugepages({
    target: spec.name,
    request: memory,
    allocate: request.hugepages.allocate,
    method: {
      useSetupScript: request.hugepages.useSetupScript,
      ...(installation.setupScript !== undefined ? { setupScript: installation.setupScript } : {}),
      ...(request.hugepages.setupTimeoutMs !== undefined ? { timeoutMs: request.hugepages.setupTimeoutMs } : {}),
    },
    ...(request.hugepages.paths ? { paths: request.hugepages.paths } : {}),
    ...(installation.version ? { spdkVersion: installation.version } : {}),
  });
  if (signal.aborted) throw abortedError(spec);

  request.onPhase('spawning');
  const startTimeoutMs = (spec.startTimeoutSec ?? TARGET_DEFAULTS.startTimeoutSec) * 1000;
  const deadline = Date.now() + startTimeoutMs;
  const spawned = await spawnTarget({
    target: spec.name,
    binary,
    args,
    ...(spec.env ? { env: spec.env } : {}),
    ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
    output: request.output,
    logger: getLogger('spdk.target'),
  });
  const failure = (reason: StartFailureReason, detail: string, exit: ExitInfo | undefined, lines: string[], cause?: unknown): TargetStartError =>
    new TargetStartError({
      target: spec.name,
      reason,
      detail,
      lastLines: lines,
      ...(exit?.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
      ...(exit?.signal !== undefined ? { signal: exit.signal } : {}),
      binary,
      args,
      ...(spec.socket !== undefined ? { socket: spec.socket } : {}),
      ...(spawned.pid !== undefined ? { pid: spawned.pid } : {}),
      cause,
    });
  if (spawned.pid === undefined) {
    const exit = await spawned.exited;
    throw failure('spawn-failed', `cannot execute ${binary}: ${errorMessage(exit.spawnError)}`, exit, [], exit.spawnError);
  }
  const process = new ChildProcessHandle(spawned.pid, spawned, await captureProcessRef(spawned.pid, request.procRoot), request.procRoot);
  request.onSpawned(process, spawned);
  request.logger.info('target spawned', { pid: spawned.pid, binary, args });

  const outcome = await waitUntilReady({
    client: request.client,
    calls: request.calls,
    deadline,
    waitForRpc: memory.waitForRpc,
    processGone: spawned.exited,
    signal,
    onPhase: request.onPhase,
  });
  if (outcome.ready) return { process, spawned, version: outcome.version };

  if (outcome.why === 'exited') {
    const exit = await spawned.exited;
    throw failure('exited', `${spec.app} exited during start-up (${describeExit(exit)})`, exit, await spawned.recentLines(40));
  }
  // Not ready in time, or cancelled: the half-started process must not linger.
  const lines = await spawned.recentLines(40);
  await killHalfStarted(request, process);
  if (outcome.why === 'aborted') throw abortedError(spec);
  const waited = outcome.phase === 'waiting-for-socket' ? 'its socket to accept connections' : 'framework_wait_init';
  const last = outcome.lastError ? `; last error: ${errorMessage(outcome.lastError)}` : '';
  throw failure('timeout', `not ready within ${startTimeoutMs / 1000} s (waited for ${waited}${last})`, spawned.exit, lines, outcome.lastError);
}

async function killHalfStarted(request: LaunchRequest, process: ChildProcessHandle): Promise<void> {
  try {
    await stopTarget({
      target: request.spec.name,
      process,
      client: undefined,
      calls: request.calls,
      socketPath: request.spec.socket,
      timeoutMs: (request.spec.stopTimeoutSec ?? TARGET_DEFAULTS.stopTimeoutSec) * 1000,
      logger: request.logger,
    });
  } catch (err) {
    request.logger.error('could not kill a target that failed to start', { pid: process.pid, error: errorMessage(err) });
  }
}

export function abortedError(spec: TargetSpec): TargetStartError {
  return new TargetStartError({
    target: spec.name,
    reason: 'aborted',
    detail: 'cancelled by a stop request',
    ...(spec.socket !== undefined ? { socket: spec.socket } : {}),
  });
}
