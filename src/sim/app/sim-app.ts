/**
 * One run of a simulated SPDK app, in SPDK's order (lib/event/app.c, contract §1.8 and §5):
 * banner → environment (hugepages, cores) → reactors → [v24.05+: RPC socket, paused] → JSON config
 * STARTUP part → either wait in STARTUP for framework_start_init (--wait-for-rpc) or initialise →
 * JSON config RUNTIME part → [≤ v24.01: RPC socket created only now, so "socket answers" = ready].
 *
 * Shutdown (SIGTERM/SIGINT, spdk_kill_instance, a config error): queued replies go out, the RPC
 * server closes (connections dropped, socket and lock removed), subsystems wind down, exit. A second
 * signal is ignored. A crash (fault injection, SIGKILL) cleans up nothing.
 */
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { APP_SHM_NAME, type AppName } from '../cli/apps.js';
import type { SimOptions } from '../cli/sim-options.js';
import type { SpdkCommandLine } from '../cli/spdk-options.js';
import type { JsonValue } from '../json/json-parser.js';
import { parseJson } from '../json/json-parser.js';
import { buildMethods, type TargetMethods } from '../methods/index.js';
import { Dispatcher, type ReplyChannel } from '../rpc/dispatcher.js';
import { readEnvelope } from '../rpc/envelope.js';
import { RUNTIME, STARTUP } from '../rpc/method-table.js';
import { JsonRpcCode, RpcFailure, STATE_MESSAGES } from '../rpc/rpc-failure.js';
import type { SimRpcConnection } from '../rpc/sim-rpc-connection.js';
import { SimRpcServer } from '../rpc/sim-rpc-server.js';
import { Target, type Lifecycle } from '../target.js';
import type { VersionProfile } from '../versions/profile.js';
import type { ScannedValue } from '../../spdk/rpc/json-scanner.js';
import { getLogger } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import { TickClock } from './clock.js';
import { crash, FaultPlan, OVERSIZE_REPLY_BYTES } from './faults-runtime.js';
import { readJsonConfig, runConfigPass, type CallOutcome, type ConfigEntryCall } from './json-config.js';
import { releaseLock } from './lock-file.js';
import { listenRpc } from './rpc-listen.js';
import { SITES, SpdkLog } from './spdk-log.js';
import { checkEnvironment } from './startup-checks.js';
import { isUtf8 } from 'node:buffer';

const log = getLogger('sim.app');

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface AppIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SimApp implements Lifecycle {
  readonly pid = process.pid;
  private readonly spdkLog: SpdkLog;
  private readonly faults: FaultPlan;
  private readonly clock: TickClock;
  private state = STARTUP;
  private initWaiters: Array<() => void> = [];
  private initStarted = false;
  private shuttingDown = false;
  private exitCode = 0;
  private resolveExit: (code: number) => void = () => undefined;
  private server: SimRpcServer | null = null;
  private lockPath: string | null = null;
  private methods: TargetMethods | null = null;
  private target: Target | null = null;
  private dispatcher: Dispatcher | null = null;
  private configEntries: ConfigEntryCall[] = [];
  private requests = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private traceFile: string | null = null;
  private readonly onSignal = (signal: NodeJS.Signals): void => this.signal(signal);

  constructor(
    private readonly app: AppName,
    private readonly profile: VersionProfile,
    private readonly cl: SpdkCommandLine,
    private readonly sim: SimOptions,
    io: AppIo,
  ) {
    this.spdkLog = new SpdkLog(io.stderr, cl.silenceNoticelog);
    this.faults = new FaultPlan(sim.faults);
    this.clock = new TickClock(sim.tickRate, sim.ticksStart);
  }

  /** Runs until the app stops; resolves with the exit code. */
  run(): Promise<number> {
    const exited = new Promise<number>((resolve) => (this.resolveExit = resolve));
    process.on('SIGTERM', this.onSignal);
    process.on('SIGINT', this.onSignal);
    this.start().catch((err: unknown) => {
      log.error('simulator start failed unexpectedly', { error: errorMessage(err) });
      this.spdkLog.error(SITES.appStart, `spdk-sim internal error: ${errorMessage(err)}`);
      void this.stop(1);
    });
    return exited.finally(() => {
      process.off('SIGTERM', this.onSignal);
      process.off('SIGINT', this.onSignal);
    });
  }

  // ---- Lifecycle (what handlers see) ----

  rpcState(): number | null {
    return this.profile.hasRpcStates ? this.state : null;
  }

  whenInitialized(): Promise<void> {
    if (this.state === RUNTIME) return Promise.resolve();
    return new Promise((resolve) => this.initWaiters.push(resolve));
  }

  startInit(): Promise<void> {
    if (this.initStarted) return Promise.reject(new RpcFailure(JsonRpcCode.InvalidState, STATE_MESSAGES.tooLate));
    return this.initialize().then((ok) => {
      if (!ok) throw new RpcFailure(JsonRpcCode.InternalError, 'framework_initialization failed');
    });
  }

  signal(name: string): void {
    switch (name) {
      case 'SIGTERM':
      case 'SIGINT':
        if (this.faults.ignoreSigterm) {
          log.debug('signal ignored (fault ignore-sigterm)', { signal: name });
          return;
        }
        void this.stop(0);
        return;
      case 'SIGKILL':
      case 'SIGHUP':
        process.kill(process.pid, name);
        return;
      default:
        // SIGQUIT/SIGUSR1 would dump core or wake Node's inspector: the process dies as a crash.
        crash('SIGKILL');
    }
  }

  // ---- Start-up ----

  private async start(): Promise<void> {
    const { cl, profile, spdkLog } = this;
    for (const warning of cl.warnings) spdkLog.warn(SITES.appParseArgs, warning);
    spdkLog.bare(`Starting ${profile.versionString} / DPDK ${profile.dpdkVersion} initialization...`);
    spdkLog.bare(`[ DPDK EAL parameters: ${this.ealParameters()} ]`);

    const env = checkEnvironment({ cl, profile, meminfoPath: this.sim.meminfoPath, refusal: this.faults.refusal });
    if (!env.ok) {
      env.print(spdkLog);
      return this.finish(1);
    }
    spdkLog.notice(SITES.appStart, `Total cores available: ${env.cores.length}`);
    this.setupTrace();
    if (cl.pidFile !== undefined && !this.writePidFile(cl.pidFile)) {
      this.cleanupTrace();
      return this.finish(1);
    }
    for (const core of env.cores) spdkLog.notice(SITES.reactorRun, `Reactor started on core ${core}`);

    const target = new Target(this.app, profile, cl, this.sim, env.cores, this.clock, spdkLog, this);
    this.target = target;
    this.methods = buildMethods(target);
    this.dispatcher = new Dispatcher(this.methods.table, this, spdkLog, cl.rpcsAllowed ? new Set(cl.rpcsAllowed) : undefined);
    if (this.sim.watchParent) {
      // process.ppid is fixed at start-up in Node 20: ask whether the parent still exists.
      const parent = process.ppid;
      this.timers.push(
        setInterval(() => {
          if (!processExists(parent)) void this.stop(0);
        }, 250),
      );
    }
    if (this.faults.exitAfterMs !== undefined) {
      this.timers.push(setTimeout(() => crash(this.sim.crashSignal), this.faults.exitAfterMs));
    }
    if (!cl.noRpcServer) {
      this.server = new SimRpcServer({
        socketPath: cl.rpcSocket,
        pollPeriodUs: this.sim.pollPeriodUs,
        replyDelayMs: this.faults.replyDelayMs,
        handleValue: (connection, value) => this.handleValue(connection, value),
      });
    }
    // v24.05+: the socket exists during initialisation but nobody is served.
    if (profile.socketBeforeInit && !(await this.openSocket(true))) return;

    if (this.faults.slowStartMs > 0) await delay(this.faults.slowStartMs);
    if (this.shuttingDown) return;

    if (cl.jsonConfig !== undefined) {
      const entries = readJsonConfig(cl.jsonConfig, spdkLog);
      if (entries === null) return this.stop(1);
      this.configEntries = entries;
      if (!(await this.configPass(profile.hasRpcStates ? 'startup' : 'all'))) return this.stop(1);
      if (this.shuttingDown) return;
    }
    const waitForRpc = cl.waitForRpc && profile.hasRpcStates && !(cl.jsonConfig !== undefined && profile.jsonCancelsWaitForRpc);
    if (waitForRpc) {
      await this.openSocket(false);
      return;
    }
    if (!(await this.initialize())) return this.stop(1);
    if (this.shuttingDown) return;
    await this.openSocket(false);
  }

  /** Subsystem initialisation, then the config's RUNTIME part. False on a config error. */
  private async initialize(): Promise<boolean> {
    this.initStarted = true;
    this.server?.pause();
    await delay(10);
    this.state = RUNTIME;
    const ok = this.configEntries.length === 0 || !this.profile.hasRpcStates ? true : await this.configPass('runtime');
    if (!this.shuttingDown) this.server?.resume();
    const waiters = this.initWaiters;
    this.initWaiters = [];
    // After the caller's own reply (framework_start_init answers before the framework_wait_init it released).
    setImmediate(() =>
      waiters.forEach((w) => {
        w();
      }),
    );
    return ok;
  }

  /** Creates the RPC socket (once); `paused` for v24.05+'s silent socket during init. */
  private async openSocket(paused: boolean): Promise<boolean> {
    // A signal during start-up: never create the socket after the stop began.
    if (this.shuttingDown) return false;
    if (this.server === null || this.lockPath !== null) {
      if (!paused) this.server?.resume();
      return true;
    }
    if (paused) this.server.pause();
    const outcome = await listenRpc(this.cl.rpcSocket, this.server, this.spdkLog, this.profile, this.faults.refusal);
    if (outcome.ok && this.shuttingDown) {
      // Stopped while binding: undo what the bind created.
      await this.server.close();
      releaseLock(outcome.lockPath);
      return false;
    }
    if (!outcome.ok) {
      this.server = null;
      await this.stop(1);
      return false;
    }
    this.lockPath = outcome.lockPath;
    if (!paused) this.server.resume();
    return true;
  }

  private configPass(pass: 'startup' | 'runtime' | 'all'): Promise<boolean> {
    return runConfigPass(this.configEntries, pass, {
      table: this.methods!.table,
      linked: new Set(this.methods!.subsystems.map((s) => s.name)),
      call: (method, params) => this.callInternally(method, params),
      log: this.spdkLog,
      ignoreErrors: this.cl.jsonIgnoreInitErrors,
    });
  }

  /** A config entry as an RPC through the dispatcher, answered on a private channel. */
  private callInternally(method: string, params: JsonValue | undefined): Promise<CallOutcome> {
    return new Promise((resolve) => {
      const channel: ReplyChannel = {
        id: 0,
        send: (text) => {
          if (!text.startsWith('{"jsonrpc":"2.0","id":0,"error":')) return resolve({});
          const reply = parseJson(text) as { error: { code: number; message: string } };
          resolve({ error: { code: reply.error.code, message: reply.error.message } });
        },
        asyncStarted: () => undefined,
        asyncFinished: () => undefined,
      };
      this.dispatcher!.dispatch({ kind: 'request', method, params, id: '0' }, channel);
    });
  }

  // ---- Requests ----

  private handleValue(connection: SimRpcConnection, value: ScannedValue): boolean {
    // SPDK validates UTF-8 and the JSON grammar; any failure closes the connection silently.
    if (!isUtf8(value.bytes)) return false;
    let request: JsonValue;
    try {
      request = parseJson(value.bytes.toString('utf8'));
    } catch {
      return false;
    }
    const verdict = this.faults.verdict(++this.requests);
    if (verdict.kind === 'crash') {
      crash(this.sim.crashSignal);
      return true;
    }
    if (verdict.kind === 'hang') {
      this.server?.freeze();
      return true;
    }
    const envelope = readEnvelope(request, value);
    if (verdict.kind === 'endless' || verdict.kind === 'oversize') {
      const id = envelope.kind === 'request' ? (envelope.id ?? 'null') : 'null';
      if (verdict.kind === 'endless') streamEndlessReply(connection, id);
      else connection.send(oversizeReply(id));
      return true;
    }
    this.dispatcher!.dispatch(envelope, connection, verdict.transform);
    if (verdict.closeAfter) setTimeout(() => connection.close(), 50);
    return true;
  }

  // ---- Shutdown ----

  /** A graceful stop with `code` (signal, kill_instance, config or start failure). */
  private async stop(code: number): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.exitCode = code;
    if (code !== 0) this.spdkLog.warn(SITES.appStop, "spdk_app_stop'd on non-zero");
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
    // The poller still runs once more: a queued reply (spdk_kill_instance's `true`) goes out.
    await delay(Math.max(20, (this.sim.pollPeriodUs * 2) / 1000));
    if (this.server) await this.server.close();
    if (this.lockPath) releaseLock(this.lockPath);
    this.target?.bdevs.cancelWaits();
    await this.methods?.close();
    await delay(this.sim.shutdownDelayMs);
    this.cleanupTrace();
    this.finish(this.exitCode);
  }

  private finish(code: number): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.resolveExit(code);
  }

  // ---- Files ----

  private ealParameters(): string {
    const { cl } = this;
    const parts = [APP_SHM_NAME[this.app], '--no-shconf', '-c', cl.cpumask];
    if (cl.noPci) parts.push('--no-pci');
    if (cl.memSizeMb !== undefined) parts.push('-m', String(cl.memSizeMb));
    if (cl.noHuge) parts.push('--no-huge', '--legacy-mem');
    else parts.push('--huge-unlink');
    parts.push('--no-telemetry', '--log-level=lib.eal:6', '--log-level=lib.cryptodev:5', '--log-level=user1:6');
    parts.push(`--iova-mode=${cl.iovaMode ?? 'va'}`, `--base-virtaddr=${cl.baseVirtaddr ?? '0x200000000000'}`, '--match-allocations');
    parts.push(`--file-prefix=${cl.shmId === undefined ? `spdk_pid${process.pid}` : `spdk${cl.shmId}`}`);
    return parts.join(' ');
  }

  /** The trace shm file SPDK creates (and leaves behind after a crash, or when -e recorded events). */
  private setupTrace(): void {
    const { cl } = this;
    const name = APP_SHM_NAME[this.app];
    if (cl.tpointGroup !== undefined) {
      this.spdkLog.notice(SITES.appSetupTrace, `Tracepoint Group Mask ${cl.tpointGroup} specified.`);
      this.spdkLog.notice(
        SITES.appSetupTrace,
        `Use 'spdk_trace -s ${name} ${cl.shmId === undefined ? `-p ${process.pid}` : `-i ${cl.shmId}`}' to capture a snapshot of events at runtime.`,
      );
    }
    if (cl.numTraceEntries === 0) return;
    const file = `/dev/shm/${name}_trace.${cl.shmId === undefined ? `pid${process.pid}` : cl.shmId}`;
    try {
      mkdirSync('/dev/shm', { recursive: true });
      writeFileSync(file, 'spdk-sim trace buffer\n', { mode: 0o600 });
      this.traceFile = file;
    } catch {
      // No /dev/shm here: nothing to leave behind either.
    }
  }

  private cleanupTrace(): void {
    if (this.traceFile === null || this.cl.tpointGroup !== undefined) return;
    try {
      unlinkSync(this.traceFile);
    } catch {
      // Already gone.
    }
  }

  private writePidFile(file: string): boolean {
    try {
      writeFileSync(file, `${process.pid}\n`);
      return true;
    } catch (err) {
      this.spdkLog.plain(`Couldn't create pid file '${file}': ${(err as Error).message}`);
      return false;
    }
  }
}

/** A chunk of an endless reply's result: a JSON string and a comma, so the value stays unfinished. */
const ENDLESS_CHUNK = `"${'x'.repeat(256 * 1024 - 4)}",`;

/**
 * The `endless-reply-after` fault: a reply whose result array never closes, written as fast as
 * the client reads it (a chunk whenever the socket has drained) until the client goes away.
 */
function streamEndlessReply(connection: SimRpcConnection, id: string): void {
  const write = connection.takeOver();
  write(`{"jsonrpc":"2.0","id":${id},"result":[`);
  const next = (): void => {
    if (connection.closed) return;
    write(ENDLESS_CHUNK);
    setTimeout(next, 1);
  };
  next();
}

/** The `oversize-reply-after` fault: a complete, valid reply of OVERSIZE_REPLY_BYTES. */
function oversizeReply(id: string): string {
  const item = `"${'y'.repeat(1022)}"`;
  const items = Array.from({ length: Math.ceil(OVERSIZE_REPLY_BYTES / 1024) }, () => item).join(',');
  return `{"jsonrpc":"2.0","id":${id},"result":[${items}]}\n`;
}
