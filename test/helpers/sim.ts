/**
 * Starting the SPDK simulator (bin/spdk-sim) from tests, benchmarks and demos, the way the agent
 * starts a real target: a separate process, its own socket in a fresh temporary directory, readiness
 * = the socket answers a raw `spdk_get_version` (any complete reply counts, so old releases with
 * other method names are ready too). Nothing here uses the project's RPC client.
 *
 * Every simulator started here is killed (SIGKILL) and its temporary directory removed when the
 * test process exits, even if a test failed halfway, and stops by itself if the test process dies
 * (--sim-watch-parent): use `handle.stop()` for a graceful stop in the test.
 *
 *   const sim = await startSim({ app: 'nvmf_tgt', pollPeriodUs: 0 });
 *   const [reply] = (await rawExchange(sim.socket, '{"jsonrpc":"2.0","method":"bdev_get_bdevs","id":1}')).replies;
 *   await sim.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simBin } from './paths.js';
import { connectUnixSocket } from './unix-socket.js';

export type SimApp = 'nvmf_tgt' | 'vhost' | 'iscsi_tgt' | 'spdk_tgt';
export type SimVersion = import('../../src/sim/versions/version-id.js').EmulatedVersion;

export interface StartSimOptions {
  /** The app to play (passed as --sim-app). Default: nvmf_tgt, or what `binary`'s name says. */
  app?: SimApp;
  /** SPDK command-line arguments (the helper adds `-r <socket>` unless `socket: null`). */
  args?: string[];
  /** Extra environment (merged over the parent's, whose SPDK_SIM_* variables are dropped). */
  env?: Record<string, string>;
  /** Socket path; default `<temp dir>/spdk.sock`. */
  socket?: string;
  emulateVersion?: SimVersion;
  /** RPC poll period in µs (SPDK: 4000). 0 answers at once: faster tests. */
  pollPeriodUs?: number;
  /** Faults as `--sim-fault` specs, e.g. ['crash-after=3', 'slow=50']. */
  faults?: string[];
  /** An SPDK JSON config, written to the temp dir and passed as `-c`. */
  jsonConfig?: object;
  /** Working directory (vhost sockets land here without -S). Default: the temp dir. */
  cwd?: string;
  /** Wait until the socket answers (default true). */
  waitReady?: boolean;
  /** Deadline for readiness, ms (default 15000). */
  readyTimeoutMs?: number;
  /**
   * Play a machine with free hugepages (a fake meminfo), so start-up succeeds without --no-huge,
   * as on a prepared host. Default true; false uses the real /proc/meminfo (unless env sets one).
   */
  hugepages?: boolean;
  /** Program to run instead of bin/spdk-sim (e.g. a symlink named nvmf_tgt from `createFakeSpdkTree`). */
  binary?: string;
}

export interface SimExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SimHandle {
  readonly socket: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The temporary directory of this simulator (socket, config, fake meminfo). */
  readonly dir: string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 10000). Resolves with the exit code (null if killed). */
  stop(timeoutMs?: number): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
  readonly exited: Promise<SimExit>;
  /** Waits until the socket answers (startSim does this unless waitReady: false). */
  waitReady(timeoutMs?: number): Promise<void>;
  /**
   * One request over a fresh connection; resolves with the reply parsed by `JSON.parse` (so
   * integers beyond 2^53 lose precision: use `rawExchange` when exact numbers matter).
   */
  call(method: string, params?: unknown, timeoutMs?: number): Promise<{ result?: unknown; error?: { code: number; message: string } }>;
}

const running = new Set<{ child: ChildProcess; shmName: string }>();
/** Temporary directories of every simulator started: removed at exit (tests may inspect them after a stop). */
const directories = new Set<string>();
let cleanupRegistered = false;

function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  // Not node:test's after(): it would turn a benchmark script into a test run. Killed sims are
  // also covered by --sim-watch-parent (a test runner that dies takes its simulators along).
  const killAll = (): void => {
    for (const entry of running) {
      if (entry.child.exitCode === null && entry.child.signalCode === null) {
        try {
          entry.child.kill('SIGKILL');
        } catch {
          // Already gone.
        }
      }
      removeTraceFile(entry);
    }
    running.clear();
    for (const dir of directories) rmSync(dir, { recursive: true, force: true });
    directories.clear();
  };
  process.on('exit', killAll);
}

const SHM_NAMES: Record<SimApp, string> = { nvmf_tgt: 'nvmf', vhost: 'vhost', iscsi_tgt: 'iscsi', spdk_tgt: 'spdk_tgt' };

/** A meminfo with 2048 free 2 MiB hugepages (4 GiB). */
export const FAKE_MEMINFO_WITH_HUGEPAGES =
  'MemTotal:       65536000 kB\nMemFree:        32768000 kB\nHugePages_Total:    2048\nHugePages_Free:     2048\nHugePages_Rsvd:        0\nHugePages_Surp:        0\nHugepagesize:       2048 kB\n';

export function makeTempDir(prefix = 'spdk-sim-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function startSim(options: StartSimOptions = {}): Promise<SimHandle> {
  registerCleanup();
  const dir = makeTempDir();
  directories.add(dir);
  const socket = options.socket ?? path.join(dir, 'spdk.sock');
  const args: string[] = ['--sim-watch-parent'];
  if (options.app) args.push('--sim-app', options.app);
  if (options.emulateVersion) args.push('--sim-emulate-version', options.emulateVersion);
  if (options.pollPeriodUs !== undefined) args.push('--sim-poll-period-us', String(options.pollPeriodUs));
  for (const fault of options.faults ?? []) args.push('--sim-fault', fault);
  args.push('-r', socket);
  if (options.jsonConfig !== undefined) {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(options.jsonConfig));
    args.push('-c', file);
  }
  args.push(...(options.args ?? []));

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SPDK_SIM_')) env[k] = v;
  if (options.hugepages !== false) {
    const meminfo = path.join(dir, 'meminfo');
    writeFileSync(meminfo, FAKE_MEMINFO_WITH_HUGEPAGES);
    env.SPDK_SIM_MEMINFO = meminfo;
  }
  Object.assign(env, options.env ?? {});

  const binary = options.binary ?? simBin;
  const child = spawn(process.execPath, [binary, ...args], { cwd: options.cwd ?? dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { child, shmName: SHM_NAMES[options.app ?? inferApp(binary) ?? 'nvmf_tgt'] };
  running.add(entry);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  let spawnError: Error | null = null;
  // 'close', not 'exit': by then stdout and stderr are fully read, so stderr() is complete.
  const exited = new Promise<SimExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (e) => {
      spawnError = e;
      resolve({ code: null, signal: null });
    });
  });
  void exited.then(() => {
    running.delete(entry);
    removeTraceFile(entry);
  });
  if (child.pid === undefined) {
    await exited;
    throw new Error(`spdk-sim could not be started (${binary}): ${spawnError === null ? err : (spawnError as Error).message}`);
  }

  const handle: SimHandle = {
    socket,
    pid: child.pid,
    process: child,
    dir,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop(timeoutMs = 10000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result.code;
    },
    waitReady: (timeoutMs = options.readyTimeoutMs ?? 15000) => waitUntilAnswering(socket, exited, () => err, timeoutMs),
    async call(method, params, timeoutMs = 10000) {
      const request = JSON.stringify(params === undefined ? { jsonrpc: '2.0', method, id: 1 } : { jsonrpc: '2.0', method, params, id: 1 });
      const { replies, closed } = await rawExchange(socket, request, { expectReplies: 1, timeoutMs });
      if (replies.length === 0) throw new Error(`no reply to ${method} (connection ${closed ? 'closed' : 'silent'})`);
      return JSON.parse(replies[0]!) as { result?: unknown; error?: { code: number; message: string } };
    },
  };
  if (options.waitReady !== false) {
    try {
      await handle.waitReady();
    } catch (e) {
      handle.kill('SIGKILL');
      await exited;
      throw e;
    }
  }
  return handle;
}

/**
 * The trace shm file an app leaves in /dev/shm after a crash or when -e recorded events (as SPDK
 * does): tests must not leave it behind.
 */
function removeTraceFile(entry: { child: ChildProcess; shmName: string }): void {
  if (entry.child.pid === undefined) return;
  try {
    unlinkSync(`/dev/shm/${entry.shmName}_trace.pid${entry.child.pid}`);
  } catch {
    // Not there.
  }
}

function inferApp(binary: string): SimApp | undefined {
  const name = path.basename(binary);
  return name === 'nvmf_tgt' || name === 'vhost' || name === 'iscsi_tgt' || name === 'spdk_tgt' ? name : undefined;
}

const READY_PROBE = '{"jsonrpc":"2.0","method":"spdk_get_version","id":1}';

async function waitUntilAnswering(socket: string, exited: Promise<SimExit>, stderr: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: SimExit | null = null;
  void exited.then((e) => (gone = e));
  while (Date.now() < deadline) {
    if (gone !== null) {
      const g: SimExit = gone;
      throw new Error(`spdk-sim exited before answering (code ${g.code}, signal ${g.signal}):\n${stderr()}`);
    }
    const remaining = deadline - Date.now();
    try {
      const { replies } = await rawExchange(socket, READY_PROBE, { expectReplies: 1, timeoutMs: Math.min(2000, Math.max(50, remaining)) });
      if (replies.length > 0) return;
    } catch {
      // ENOENT / ECONNREFUSED: not listening yet.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`spdk-sim did not answer on ${socket} within ${timeoutMs} ms:\n${stderr()}`);
}

export interface RawExchangeOptions {
  /** Stop once this many complete replies arrived (default 1; 0 waits for close/timeout). */
  expectReplies?: number;
  /** Deadline for the whole exchange (default 5000 ms). */
  timeoutMs?: number;
  /** Resolve early when nothing arrives for this long after the last bytes (default: off). */
  idleMs?: number;
  /** Write the request in pieces: one chunk per entry, `gapMs` apart. */
  chunks?: Array<string | Buffer>;
  gapMs?: number;
  /** Half-close after writing. */
  endAfterWrite?: boolean;
}

export interface RawExchangeResult {
  /** Complete replies (each a JSON value, trailing newline kept), in arrival order. */
  replies: string[];
  /** Every byte received. */
  raw: string;
  /** The server closed the connection. */
  closed: boolean;
  /** Bytes after the last complete reply (e.g. SPDK's unterminated notification reply). */
  rest: string;
}

/**
 * Byte-exact exchange over a new Unix-socket connection: writes `request` as given (or `chunks`),
 * collects what comes back, splitting replies at SPDK's `\n`, until the expected count, close, idle
 * or deadline. Rejects only when the connection cannot be made.
 */
export function rawExchange(socket: string, request: string | Buffer, options: RawExchangeOptions = {}): Promise<RawExchangeResult> {
  const expect = options.expectReplies ?? 1;
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let raw = '';
    let closed = false;
    let settled = false;
    let idleTimer: NodeJS.Timeout | null = null;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (idleTimer) clearTimeout(idleTimer);
      conn.destroy();
      const parts = raw.split(/(?<=\n)/);
      const last = parts.length > 0 && !parts[parts.length - 1]!.endsWith('\n') ? parts.pop()! : '';
      resolve({ replies: parts, raw, closed, rest: last });
    };
    const deadline = setTimeout(finish, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => {
      const pieces = options.chunks ?? [request];
      const gap = options.gapMs ?? 0;
      let i = 0;
      const writeNext = (): void => {
        if (settled || conn.destroyed) return;
        conn.write(pieces[i++]!);
        if (i < pieces.length) setTimeout(writeNext, gap);
        else if (options.endAfterWrite) conn.end();
      };
      writeNext();
    });
    conn.on('data', (d: string) => {
      raw += d;
      if (expect > 0 && (raw.match(/\n/g)?.length ?? 0) >= expect) return finish();
      if (options.idleMs !== undefined) {
        if (idleTimer) clearTimeout(idleTimer);
        idleTimer = setTimeout(finish, options.idleMs);
      }
    });
    conn.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      if (raw === '' && (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES')) {
        settled = true;
        clearTimeout(deadline);
        reject(e);
        return;
      }
      closed = true;
      finish();
    });
    conn.on('close', () => {
      closed = true;
      finish();
    });
  });
}

/**
 * A fake SPDK installation whose app binaries are symlinks to bin/spdk-sim, so the simulator plays
 * the app its name says (node keeps the link's name in argv[1]). Layouts: a source tree
 * (`<root>/build/bin/<app>`, SPDK ≥ 20.07) or an installed prefix (`<root>/bin/<app>`).
 * Returns the directory holding the links.
 */
export function createFakeSpdkTree(root: string, layout: 'source' | 'prefix' = 'source'): string {
  const binDir = layout === 'source' ? path.join(root, 'build', 'bin') : path.join(root, 'bin');
  mkdirSync(binDir, { recursive: true });
  for (const app of ['nvmf_tgt', 'vhost', 'iscsi_tgt', 'spdk_tgt']) symlinkSync(simBin, path.join(binDir, app));
  return binDir;
}

/**
 * A long-lived raw connection for byte-level tests: write whatever, then read replies line by line
 * (SPDK ends each with `\n`), read until the line goes quiet, or wait for the server to close.
 * Every wait has a deadline; a timed-out read returns what arrived (the test asserts on it).
 */
export class SimConnection {
  private buffer = '';
  private isClosed = false;
  private wake: (() => void) | null = null;

  private constructor(private readonly conn: ReturnType<typeof connect>) {
    conn.setEncoding('utf8');
    conn.on('data', (d: string) => {
      this.buffer += d;
      this.notify();
    });
    conn.on('close', () => {
      this.isClosed = true;
      this.notify();
    });
    conn.on('error', () => {
      this.isClosed = true;
      this.notify();
    });
  }

  static async open(socket: string, timeoutMs = 5000): Promise<SimConnection> {
    return new SimConnection(await connectUnixSocket(socket, timeoutMs));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Bytes received and not yet read. */
  get pending(): string {
    return this.buffer;
  }

  write(data: string | Buffer): void {
    if (!this.isClosed) this.conn.write(data);
  }

  end(): void {
    this.conn.end();
  }

  close(): void {
    this.conn.destroy();
    this.isClosed = true;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private waitForChange(untilMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.wake = null;
          resolve();
        },
        Math.max(0, untilMs - Date.now()),
      );
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Up to `count` complete lines (with their `\n`); fewer if the deadline passes or the server closes. */
  async readLines(count: number, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.buffer.split(/(?<=\n)/).filter((l) => l.endsWith('\n'));
      if (lines.length >= count || this.isClosed || Date.now() >= deadline) {
        const taken = lines.slice(0, count);
        this.buffer = this.buffer.slice(taken.join('').length);
        return taken;
      }
      await this.waitForChange(deadline);
    }
  }

  /** Everything that arrives until nothing came for `idleMs` (or the deadline, or a close). */
  async readUntilIdle(idleMs: number, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = this.buffer.length;
    let quietSince = Date.now();
    while (!this.isClosed && Date.now() < deadline && Date.now() - quietSince < idleMs) {
      await this.waitForChange(Math.min(deadline, quietSince + idleMs));
      if (this.buffer.length !== last) {
        last = this.buffer.length;
        quietSince = Date.now();
      }
    }
    const text = this.buffer;
    this.buffer = '';
    return text;
  }

  /** Resolves true once the server closed the connection, false at the deadline. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isClosed && Date.now() < deadline) await this.waitForChange(deadline);
    return this.isClosed;
  }
}

/** Whether something answers `spdk_get_version` on `socket` within 2 s. */
export async function socketAnswers(socket: string): Promise<boolean> {
  try {
    const { replies } = await rawExchange(socket, '{"jsonrpc":"2.0","method":"spdk_get_version","id":1}', { timeoutMs: 2000 });
    return replies.length > 0;
  } catch {
    return false;
  }
}
