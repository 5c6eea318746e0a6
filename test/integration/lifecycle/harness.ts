/**
 * Shared set-up for the lifecycle (and target CLI) integration tests: a fake SPDK tree whose apps are the simulator,
 * supervisors with short probe timings, targets "started by someone else", and cleanup that leaves
 * no simulator behind even when an assertion fails (every pid spawned is SIGKILLed in `t.after`
 * and, as a last resort, when the test process exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { detectSpdk } from '../../../src/spdk/install/index.js';
import { TargetSupervisor, type SupervisorOptions } from '../../../src/spdk/lifecycle/supervisor.js';
import type { TargetSpec, TargetState, TargetStateEvent } from '../../../src/spdk/lifecycle/types.js';
import { parseProcessStat, readProcessStat } from '../../../src/spdk/lifecycle/proc.js';
import { SpdkRpcClient } from '../../../src/spdk/rpc/client.js';
import { fakeSpdkTreeFor, type FakeSpdkTree, type FakeTreeOptions } from '../../helpers/fake-spdk-tree.js';

/** Every process a test started or adopted, with its start time, for the last-resort kill. */
const tracked = new Map<number, number | undefined>();

/** The start time of `pid` (field 22 of /proc/<pid>/stat), read synchronously for the exit hook. */
function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return parseProcessStat(stat)?.startTime;
  } catch {
    return undefined;
  }
}

/** SIGKILLs `pid` only if it is still the process that was tracked (pids get reused). */
function killIfSame(pid: number): void {
  const recorded = tracked.get(pid);
  tracked.delete(pid);
  const now = startTimeOf(pid);
  if (now === undefined || recorded === undefined || now !== recorded) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  // What a SIGKILLed SPDK leaves in /dev/shm (the simulator does too): the test's to clean.
  for (const name of ['nvmf', 'vhost', 'iscsi', 'spdk_tgt']) rmSync(`/dev/shm/${name}_trace.pid${pid}`, { force: true });
}

process.on('exit', () => {
  for (const pid of [...tracked.keys()]) killIfSame(pid);
});

/** Remembers a pid to SIGKILL at the end of the test file, whatever happens. */
export function trackPid(pid: number | undefined): void {
  if (pid !== undefined && !tracked.has(pid)) tracked.set(pid, startTimeOf(pid));
}

export async function killTracked(pid: number): Promise<void> {
  if (!tracked.has(pid)) trackPid(pid);
  killIfSame(pid);
}

export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readProcessStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** A fake source tree for the test (removed after it). */
export function fakeTree(t: TestContext, options: Partial<FakeTreeOptions> = {}): Promise<FakeSpdkTree> {
  return fakeSpdkTreeFor(t, { layout: 'source', ...options });
}

/** A unique socket path inside the tree's directory (short enough for sun_path). */
export function socketIn(tree: FakeSpdkTree, name = 'tgt'): string {
  return path.join(tree.dir, `${name}-${randomBytes(3).toString('hex')}.sock`);
}

export function spec(tree: FakeSpdkTree, overrides: Partial<TargetSpec> = {}): TargetSpec {
  return {
    name: 'nvmf0',
    app: 'nvmf_tgt',
    socket: socketIn(tree),
    args: ['--no-huge', '-s', '256'],
    startTimeoutSec: 20,
    stopTimeoutSec: 6,
    restart: { policy: 'never', maxAttempts: 0, initialDelaySec: 0.05, maxDelaySec: 1 },
    ...overrides,
  };
}

/**
 * A supervisor over the fake tree, with quick probes; stopped (forced) and detached after the test,
 * and every pid it ever held tracked for the last-resort kill.
 */
export function supervisor(t: TestContext, tree: FakeSpdkTree, target: TargetSpec, options: Partial<SupervisorOptions> = {}): TargetSupervisor {
  const sup = new TargetSupervisor(target, {
    installation: () => detectSpdk({ ...(tree.layout === 'prefix' ? { prefix: tree.root } : { sourceDir: tree.root }), searchPath: false, targets: [target] }),
    hugepages: { allocate: false, useSetupScript: true, paths: tree.hugepagePaths },
    healthIntervalMs: 200,
    healthTimeoutMs: 1000,
    goneCheckMs: 1000,
    ...options,
  });
  sup.on('state', (event) => trackPid(event.pid));
  t.after(async () => {
    const pid = sup.pid;
    await sup.stop({ force: true }).catch(() => undefined);
    await sup.detach();
    if (pid !== undefined) await killTracked(pid);
  });
  return sup;
}

/** Collects the state events of a supervisor, and waits for one. */
export class EventLog {
  readonly events: TargetStateEvent[] = [];
  private waiters: Array<{ match: (e: TargetStateEvent) => boolean; resolve: (e: TargetStateEvent) => void }> = [];

  constructor(source: { on(event: 'state', listener: (e: TargetStateEvent) => void): unknown }) {
    source.on('state', (event) => {
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(event)) return true;
        w.resolve(event);
        return false;
      });
    });
  }

  /** Transitions so far as `from→to`. */
  transitions(): string[] {
    return this.events.map((e) => `${e.from}→${e.to}`);
  }

  /** The next (or an already seen, from index `since`) event entering `state`; rejects after `timeoutMs`. */
  async waitFor(state: TargetState, timeoutMs = 15_000, since = 0): Promise<TargetStateEvent> {
    const seen = this.events.slice(since).find((e) => e.to === state);
    if (seen) return seen;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${state}" state within ${timeoutMs} ms; saw ${this.transitions().join(', ')}`)), timeoutMs);
      this.waiters.push({
        match: (e) => e.to === state,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }
}

export interface ForeignTarget {
  pid: number;
  child: ChildProcess;
  socket: string;
  /** stderr so far. */
  stderr(): string;
}

/**
 * Starts an app of the tree the way an operator or systemd would (not through the lifecycle) and
 * waits until it answers; killed after the test.
 */
export async function startForeign(
  t: TestContext,
  tree: FakeSpdkTree,
  options: { app?: 'nvmf_tgt' | 'vhost' | 'iscsi_tgt' | 'spdk_tgt'; socket?: string; args?: string[]; env?: Record<string, string> } = {},
): Promise<ForeignTarget> {
  const socket = options.socket ?? socketIn(tree, 'foreign');
  const child = spawn(tree.appPath(options.app ?? 'nvmf_tgt'), ['-r', socket, '--no-huge', '-s', '256', ...(options.args ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await once(child, 'spawn');
  trackPid(child.pid);
  t.after(() => killTracked(child.pid!));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new SpdkRpcClient({ address: socket, timeoutMs: 2000, connectTimeoutMs: 1000 });
    try {
      await client.call('spdk_get_version');
      break;
    } catch (err) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`foreign target exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`foreign target not answering: ${String(err)}; ${stderr}`);
      await delay(50);
    } finally {
      await client.close();
    }
  }
  return { pid: child.pid!, child, socket, stderr: () => stderr };
}

/** Answers `spdk_get_version` on `socket` within a short deadline? */
export async function answers(socket: string): Promise<boolean> {
  const client = new SpdkRpcClient({ address: socket, timeoutMs: 2000, connectTimeoutMs: 1000 });
  try {
    await client.call('spdk_get_version');
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}
