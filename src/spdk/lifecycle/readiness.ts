/**
 * Waiting for a just-started target to be ready, with one deadline for the whole wait (contract
 * §5.8): first until its socket accepts (a missing file or a refused connect means "not yet"), then
 * until `framework_wait_init` returns (RUNTIME: on v24.05+ the socket appears before init is done,
 * so "connects" is not "ready"). A target started with `--wait-for-rpc` never reaches RUNTIME on its
 * own; it is ready once it answers (any answer to a request).
 *
 * The wait ends early, without waiting out the deadline, when the process exits (its own error
 * lines explain why) or when the start is cancelled.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { MethodUnavailableError } from '../methods/errors.js';
import type { FrameworkCalls, LifecycleRpcClient } from './rpc-link.js';
import type { StartPhase } from './types.js';

export interface ReadinessRequest {
  client: LifecycleRpcClient;
  calls: FrameworkCalls;
  /** `Date.now()` value by which the target must be ready. */
  deadline: number;
  waitForRpc: boolean;
  /** Settles when the process is known to be gone. */
  processGone: Promise<unknown>;
  signal?: AbortSignal;
  onPhase?: (phase: StartPhase) => void;
  /** Pause between connect attempts. */
  pollIntervalMs?: number;
}

export type ReadinessOutcome =
  | { ready: true; version: string | undefined }
  | { ready: false; why: 'exited' | 'timeout' | 'aborted'; phase: StartPhase; lastError: unknown };

type Interrupt = 'exited' | 'timeout' | 'aborted';

export async function waitUntilReady(request: ReadinessRequest): Promise<ReadinessOutcome> {
  const { client, calls } = request;
  const poll = request.pollIntervalMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<Interrupt>((resolve) => {
    request.processGone.then(
      () => resolve('exited'),
      () => resolve('exited'),
    );
    timer = setTimeout(() => resolve('timeout'), Math.max(0, request.deadline - Date.now()));
    if (request.signal) {
      onAbort = () => resolve('aborted');
      if (request.signal.aborted) onAbort();
      else request.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  /** Runs `op` unless the wait is interrupted first; the op's late failure is swallowed. */
  const attempt = async <T>(op: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | Interrupt> => {
    const running = op().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    return Promise.race([running, interrupted]);
  };
  const pause = async (): Promise<Interrupt | undefined> => {
    const controller = new AbortController();
    const result = await Promise.race([delay(poll, undefined, { signal: controller.signal }).catch(() => undefined), interrupted]);
    controller.abort();
    return result;
  };
  const remainingMs = (): number => Math.max(1, request.deadline - Date.now());

  let phase: StartPhase = 'waiting-for-socket';
  let lastError: unknown;
  try {
    request.onPhase?.(phase);
    for (;;) {
      const result = await attempt(() => client.connect());
      if (typeof result === 'string') return { ready: false, why: result, phase, lastError };
      if (result.ok) break;
      lastError = result.error;
      const stop = await pause();
      if (stop) return { ready: false, why: stop, phase, lastError };
    }

    phase = 'waiting-for-init';
    request.onPhase?.(phase);
    for (;;) {
      const result = await attempt(() => (request.waitForRpc ? calls.ping(client, remainingMs()) : calls.waitInit(client, remainingMs())));
      if (typeof result === 'string') return { ready: false, why: result, phase, lastError };
      if (result.ok) break;
      lastError = result.error;
      if (result.error instanceof MethodUnavailableError) {
        // SPDK before v19.01 has no framework_wait_init; there the socket appears only after init,
        // so a target that answers is ready.
        const answered = await attempt(() => calls.ping(client, remainingMs()));
        if (typeof answered === 'string') return { ready: false, why: answered, phase, lastError };
        if (answered.ok) break;
        lastError = answered.error;
      }
      // A dropped connection (the client reconnects on the next call) or an error answer (SPDK's
      // only one here is out of memory for the request context): ask again after a pause.
      const stop = await pause();
      if (stop) return { ready: false, why: stop, phase, lastError };
    }

    const version = await attempt(() => calls.version(client, Math.min(remainingMs(), 5000)));
    return { ready: true, version: typeof version !== 'string' && version.ok ? version.value : undefined };
  } finally {
    clearTimeout(timer);
    if (onAbort) request.signal?.removeEventListener('abort', onAbort);
  }
}
