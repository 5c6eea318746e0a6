/**
 * The process behind a target, however the agent came to know it, behind one interface so the stop
 * and supervision code does not care:
 *
 * - `ChildProcessHandle`: spawned by this agent. Exit is the child's own `exit` event (immediate,
 *   with code and signal); signals go through the child handle, which Node refuses to use once it
 *   has reaped the child, so a reused pid can never be hit.
 * - `ForeignProcessHandle`: adopted, pid found through /proc. Liveness is `/proc/<pid>/stat` (state
 *   and start time, so a zombie counts as dead and a reused pid as gone); signals go through
 *   `signalProcess`, which checks the start time first.
 * - no handle at all: adopted, pid not visible (another pid namespace, hidepid). Only RPC reaches it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { processCondition, signalProcess, type ProcessCondition, type ProcessRef } from './process-ref.js';
import type { ExitInfo, SpawnedTarget } from './spawn.js';

export interface TargetProcess {
  readonly pid: number;
  readonly kind: 'child' | 'foreign';
  condition(): Promise<ProcessCondition>;
  /** Sends the signal if the process is still the target; false when it is not (gone, reused). */
  signal(signal: NodeJS.Signals): Promise<boolean>;
  /** Resolves true once the process has exited (or is a zombie), false at the deadline. */
  waitForExit(timeoutMs: number): Promise<boolean>;
}

export class ChildProcessHandle implements TargetProcess {
  readonly kind = 'child';

  constructor(
    readonly pid: number,
    private readonly spawned: SpawnedTarget,
    private readonly ref: ProcessRef | undefined,
    private readonly procRoot: string,
  ) {}

  get exit(): ExitInfo | undefined {
    return this.spawned.exit;
  }

  async condition(): Promise<ProcessCondition> {
    if (this.spawned.exit) return 'gone';
    return this.ref ? processCondition(this.ref, this.procRoot) : 'alive';
  }

  async signal(signal: NodeJS.Signals): Promise<boolean> {
    if (this.spawned.exit) return false;
    return this.spawned.kill(signal);
  }

  async waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.spawned.exit) return true;
    const controller = new AbortController();
    try {
      return await Promise.race([this.spawned.exited.then(() => true), delay(Math.max(0, timeoutMs), false, { signal: controller.signal })]);
    } finally {
      controller.abort();
    }
  }
}

export class ForeignProcessHandle implements TargetProcess {
  readonly kind = 'foreign';

  constructor(
    readonly ref: ProcessRef,
    private readonly procRoot: string,
    private readonly pollIntervalMs = 50,
  ) {}

  get pid(): number {
    return this.ref.pid;
  }

  condition(): Promise<ProcessCondition> {
    return processCondition(this.ref, this.procRoot);
  }

  async signal(signal: NodeJS.Signals): Promise<boolean> {
    const found = await signalProcess(this.ref, signal, this.procRoot);
    return found === 'alive' || found === 'zombie';
  }

  async waitForExit(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      if ((await this.condition()) !== 'alive') return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await delay(Math.min(this.pollIntervalMs, left));
    }
  }
}
