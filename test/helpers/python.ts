/**
 * Running the Python oslo.messaging peers of test/interop/py with Debian's /usr/bin/python3
 * (oslo.messaging 14; the pyenv python3 on PATH has no oslo). Peers exchange JSON lines with the
 * test on stdout. No Python process outlives its test: one-shot scripts have a timeout, servers
 * are stopped through stdin and killed if they do not exit in time (`t.after`).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import type { PrefixedBrokerObjects } from './broker.js';
import { repoRoot } from './paths.js';

export const PYTHON = '/usr/bin/python3';
export const pythonPeersDir = path.join(repoRoot, 'test', 'interop', 'py');

let probe: Promise<string | null> | null = null;

/** For `test(…, { skip: await pythonSkip() })`: false when oslo.messaging is importable. Throws under CI=true. */
export async function pythonSkip(): Promise<string | false> {
  probe ??= execa(PYTHON, ['-c', 'import oslo_messaging, kombu'], { reject: false, timeout: 60_000 }).then((r) =>
    r.exitCode === 0 ? null : `${PYTHON} cannot import oslo_messaging: ${r.stderr.split('\n').slice(-1)[0] ?? ''}`,
  );
  const reason = await probe;
  if (reason === null) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}

/**
 * oslo.messaging 18.1, the current release, in the shared peers (../shared/peers): run a peer with
 * `env: OSLO18_ENV` and `oslo18: true` in its parameters (oslo_peer.py then sets it up as 18.x
 * wants). Debian's python3-oslo.messaging (14.0.3) stays the default peer.
 */
export const oslo18Dir = path.resolve(repoRoot, '..', 'shared', 'peers', 'oslo.messaging-18.1.0');
export const OSLO18_ENV: Record<string, string> = { PYTHONPATH: oslo18Dir };

let probe18: Promise<string | null> | null = null;

/** For `test(…, { skip: await oslo18Skip() })`: false when oslo.messaging 18 imports. Throws under CI=true. */
export async function oslo18Skip(): Promise<string | false> {
  const base = await pythonSkip();
  if (base) return base;
  probe18 ??= execa(PYTHON, ['-c', 'import oslo_messaging, importlib.metadata as m; print(oslo_messaging.__file__)'], {
    reject: false,
    timeout: 60_000,
    env: OSLO18_ENV,
  }).then((r) =>
    r.exitCode === 0 && r.stdout.trim().startsWith(oslo18Dir)
      ? null
      : `oslo.messaging 18.1 is not importable from ${oslo18Dir}: ${r.stderr.split('\n').slice(-1)[0] ?? r.stdout}`,
  );
  const reason = await probe18;
  if (reason === null) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}

/**
 * oslo 18's queue manager reads /proc/<process group leader>/stat when its driver loads, and fails
 * when that leader has exited (as a CI shell that started the test runner may have): oslo 18 peers
 * run in a process group of their own, which they lead.
 */
function ownGroup(env: Record<string, string>): boolean {
  return env.PYTHONPATH === oslo18Dir;
}

/** Runs a one-shot peer with a JSON parameter and returns the JSON of its last stdout line. */
export async function runPythonPeer<T>(script: string, params: unknown, timeoutMs = 120_000, env: Record<string, string> = {}): Promise<T> {
  const result = await execa(PYTHON, [path.join(pythonPeersDir, script), JSON.stringify(params)], {
    env,
    detached: ownGroup(env),
    cwd: pythonPeersDir,
    timeout: timeoutMs,
    forceKillAfterDelay: 2000,
    reject: false,
  });
  const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1];
  if (result.exitCode !== 0 || last === undefined) {
    throw new Error(`${script} failed (exit ${String(result.exitCode)}${result.timedOut ? ', timed out' : ''}):\n${result.stderr.slice(-3000)}`);
  }
  return JSON.parse(last) as T;
}

/** One request of a Python client peer (rpc_client.py, cyborg_api_client.py), prepared as oslo's `client.prepare(...)`. */
export interface PythonCallOp {
  kind: 'call' | 'cast' | 'fanout';
  method: string;
  args?: Record<string, unknown>;
  server?: string;
  version?: string;
  timeout?: number;
  /** rpc_client.py only. */
  namespace?: string;
  /** rpc_client.py only. */
  call_monitor_timeout?: number;
  /** rpc_client.py only: the request context (default: a request id and is_admin). */
  context?: Record<string, unknown>;
  /** rpc_client.py only: publish the message twice, as a redelivery would. */
  twice?: boolean;
}

/** What the Python caller saw for one op: its result, or what oslo_peer.describe_exception says of what it raised. */
export interface PythonCallOutcome {
  ok: boolean;
  result?: unknown;
  raised?: string;
  module?: string;
  is_RemoteError?: boolean;
  exc_type?: string | null;
  value?: string | null;
  isinstance_PlacementResourceProviderNotFound?: boolean;
  kwargs?: Record<string, unknown> | null;
  str_first_line?: string;
}

/**
 * Runs the Python client peer `script` on `ops`, sent to `topic` on the scope's broker and
 * exchange, and returns one outcome per op, in order; its reply queue is deleted with the scope.
 */
export async function runPythonCalls(script: string, scope: PrefixedBrokerObjects, topic: string, ops: readonly PythonCallOp[]): Promise<PythonCallOutcome[]> {
  const out = await runPythonPeer<{ results: PythonCallOutcome[]; reply_q: string | null }>(script, { url: scope.url, exchange: scope.exchange, topic, ops });
  scope.trackQueue(out.reply_q);
  assert.equal(out.results.length, ops.length, 'one outcome per op');
  return out.results;
}

export type PeerEvent = Record<string, unknown> & { event: string };

/** A long-running peer (rpc_server.py): its events, and a clean stop. */
export class PythonPeer {
  readonly events: PeerEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly exited: Promise<unknown>;
  private stderrTail = '';

  private constructor(private readonly proc: ResultPromise) {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as PeerEvent);
      } catch {
        this.events.push({ event: 'unparsed', line });
      }
      for (const listener of this.listeners) listener();
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    this.exited = proc.then(
      () => undefined,
      () => undefined,
    );
    void this.exited.then(() => {
      for (const listener of this.listeners) listener();
    });
  }

  /** Starts `script` with `params`; it is stopped (then killed) after the test in any case. */
  static async start(t: TestContext, script: string, params: unknown, readyTimeoutMs = 60_000, env: Record<string, string> = {}): Promise<PythonPeer> {
    const proc = execa(PYTHON, [path.join(pythonPeersDir, script), JSON.stringify(params)], {
      env,
      detached: ownGroup(env),
      cwd: pythonPeersDir,
      stdin: 'pipe',
      buffer: false,
      reject: false,
      timeout: 10 * 60_000,
      forceKillAfterDelay: 2000,
    });
    const peer = new PythonPeer(proc);
    t.after(() => peer.stop());
    await peer.waitForEvent('ready', readyTimeoutMs);
    return peer;
  }

  /** The first event named `name` whose fields satisfy `match` (waits for it). */
  async waitForEvent(name: string, timeoutMs = 30_000, match: (e: PeerEvent) => boolean = () => true): Promise<PeerEvent> {
    const found = (): PeerEvent | undefined => this.events.find((e) => e.event === name && match(e));
    const already = found();
    if (already) return already;
    return new Promise<PeerEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`the Python peer sent no "${name}" event within ${timeoutMs} ms; stderr:\n${this.stderrTail}`));
      }, timeoutMs);
      const check = (): void => {
        const event = found();
        if (event) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(event);
        } else if (this.proc.exitCode !== null) {
          clearTimeout(timer);
          this.listeners.delete(check);
          reject(new Error(`the Python peer exited (${String(this.proc.exitCode)}) before a "${name}" event; stderr:\n${this.stderrTail}`));
        }
      };
      this.listeners.add(check);
    });
  }

  served(method: string): PeerEvent[] {
    return this.events.filter((e) => e.event === 'served' && e.method === method);
  }

  /** Asks the peer to stop (it deletes its fanout queue, as oslo does), kills it if it lingers. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.killed) return;
    try {
      this.proc.stdin?.end('stop\n');
    } catch {
      // stdin already closed
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  get stderr(): string {
    return this.stderrTail;
  }
}
