/**
 * One SPDK target under the agent's care: start (or adopt), watch, restart, stop.
 *
 * The state machine (docs/lifecycle.md draws it):
 *
 *   stopped ──start──▶ starting ──ready──▶ running ◀──answers again── unresponsive
 *      ▲                  │                  │  └──────no answer──────────▲
 *      │                failed               │ exit / gone (not asked)
 *      │                  ▼                  ▼
 *      └──stop── stopping ◀── (any)       crashed ──policy──▶ restarting ──delay──▶ starting
 *                                            └──no restart──▶ failed | stopped (clean exit)
 *
 * Every change is a `TargetStateEvent` on the `'state'` event. Crashes are noticed at once for
 * children (their exit event) and within about a second for adopted targets (the RPC client's
 * `disconnect` event, then a /proc check); hangs by a periodic probe (one request with a short
 * deadline). A stop the operator asked for is never taken for a crash.
 */
import { EventEmitter } from 'node:events';
import { getLogger, type Logger } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import type { SpdkInstallation } from '../install/detect.js';
import { RestartBackoff } from './backoff.js';
import { TargetBusyError, TargetNotStartableError, TargetStartError, TargetStopError, TargetUntrustedError } from './errors.js';
import { findExistingTarget, waitUntilNotServed, type ExistingTarget } from './existing-target.js';
import { HealthWatch } from './health-watch.js';
import { abortedError, launchTarget, type HugepagePolicy } from './launch.js';
import { DEFAULT_PROC_ROOT, readCmdline } from './proc.js';
import { captureProcessRef } from './process-ref.js';
import { catalogueFrameworkCalls, defaultRpcClientFactory } from './rpc-defaults.js';
import type { FrameworkCalls, LifecycleRpcClient, RpcClientFactory } from './rpc-link.js';
import { removeStaleSocketFiles } from './socket-files.js';
import { disposeTraceBuffer } from './trace-buffer.js';
import { findSocketOwner } from './socket-owner.js';
import type { ExitInfo, OutputMode, SpawnedTarget } from './spawn.js';
import { describeStopOutcome, stopTarget, type StopOutcome } from './stop-procedure.js';
import { ForeignProcessHandle, type TargetProcess } from './target-process.js';
import { TargetLogFollower, processLogFile } from './target-log.js';
import { DEFAULT_SOCKET_TRUST, checkSocketTrust, type SocketTrustPolicy } from './socket-trust.js';
import {
  TARGET_DEFAULTS,
  type Ownership,
  type RestartPolicy,
  type StartPhase,
  type TargetSpec,
  type TargetState,
  type TargetStateEvent,
  type TargetStatus,
} from './types.js';

/** States an operator must hear about at warning level. */
const WORSE_STATES: ReadonlySet<TargetState> = new Set<TargetState>(['unresponsive', 'crashed', 'failed']);

export interface SupervisorOptions {
  /** Where the binaries and setup.sh are (detected once, shared by all targets). */
  installation: () => Promise<SpdkInstallation>;
  hugepages?: HugepagePolicy;
  /** Watch health and restart per policy (the daemon). Off for one-shot CLI commands. Default true. */
  supervise?: boolean;
  /** Where a spawned target's output goes; default: piped into the agent's log. */
  output?: (spec: TargetSpec) => OutputMode;
  /**
   * Follow the log file of the held target (spawned with file output, or adopted and writing to a
   * regular file), carrying its error lines into the agent's log and capping its size. The daemon
   * sets it; one-shot commands do not.
   */
  followLogs?: { maxBytes: number; intervalMs?: number };
  /** Working directory of spawned targets; default the agent's. */
  cwd?: string;
  /** Who may own a socket the agent adopts (or stops what serves); default root and the agent's own user, refusing others. */
  socketTrust?: SocketTrustPolicy;
  /** Probe period for hangs; default 5 000 ms. */
  healthIntervalMs?: number;
  /** A probe unanswered this long makes the target `unresponsive`; default 5 000 ms. */
  healthTimeoutMs?: number;
  /** A target up this long has its restart count reset; default 60 000 ms. */
  stableAfterMs?: number;
  /** How long after a lost connection to an adopted target its pid is watched for an exit; default 1 500 ms. */
  goneCheckMs?: number;
  procRoot?: string;
  rpcClientFactory?: RpcClientFactory;
  frameworkCalls?: FrameworkCalls;
  logger?: Logger;
}

export interface StartOptions {
  onPhase?: (phase: StartPhase) => void;
}

export interface StopOptions {
  /** Straight to SIGKILL. */
  force?: boolean;
}

export interface SupervisorEvents {
  state: [event: TargetStateEvent];
}

export class TargetSupervisor extends EventEmitter<SupervisorEvents> {
  readonly name: string;
  private currentSpec: TargetSpec;
  private readonly options: SupervisorOptions;
  private readonly log: Logger;
  private readonly calls: FrameworkCalls;
  private readonly procRoot: string;
  private readonly backoff: RestartBackoff;
  private restartPolicy: RestartPolicy;

  private currentState: TargetState = 'stopped';
  private stateSince = new Date();
  private stateReason = 'not started by this agent yet';
  private process: TargetProcess | undefined;
  private spawned: SpawnedTarget | undefined;
  private ownership: Ownership | undefined;
  /** The held process's arguments (spawned: ours; adopted: from /proc when visible). */
  private heldArgs: readonly string[] | undefined;
  /** Changes with every process the supervisor holds, so a late event of an old one is ignored. */
  private epoch = 0;
  private rpcClient: LifecycleRpcClient | undefined;
  private version: string | undefined;
  private lastExit: TargetStatus['lastExit'];
  private lastError: string | undefined;

  private starting: Promise<TargetStatus> | undefined;
  private startAbort: AbortController | undefined;
  private stopping: Promise<StopOutcome> | undefined;
  private stopRequested = false;
  private disposed = false;

  private healthWatch: HealthWatch | undefined;
  private logFollower: TargetLogFollower | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private hangTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(spec: TargetSpec, options: SupervisorOptions) {
    super();
    this.currentSpec = spec;
    this.name = spec.name;
    this.options = options;
    this.log = (options.logger ?? getLogger('spdk.lifecycle')).child({ target: spec.name });
    this.calls = options.frameworkCalls ?? catalogueFrameworkCalls;
    this.procRoot = options.procRoot ?? DEFAULT_PROC_ROOT;
    this.restartPolicy = { ...TARGET_DEFAULTS.restart, ...spec.restart };
    this.backoff = new RestartBackoff(this.restartPolicy);
  }

  get state(): TargetState {
    return this.currentState;
  }

  /** The target as configured (a reload may replace its restart policy). */
  get spec(): TargetSpec {
    return this.currentSpec;
  }

  /**
   * Applies a new restart policy at once (a configuration reload): the next crash is judged by it,
   * and the restarts already made count against its `maxAttempts`.
   */
  setRestartPolicy(restart: Partial<RestartPolicy> | undefined): void {
    this.currentSpec = { ...this.currentSpec, ...(restart !== undefined ? { restart } : {}) };
    this.restartPolicy = { ...TARGET_DEFAULTS.restart, ...restart };
    this.backoff.setPolicy(this.restartPolicy);
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The socket path or tcp address. */
  get address(): string {
    return this.spec.socket ?? this.spec.tcp ?? '';
  }

  /** The connection to the target, shared with whoever needs to call it (inventory, the agent). */
  get caller(): LifecycleRpcClient {
    return this.client();
  }

  status(): TargetStatus {
    return {
      name: this.name,
      app: this.spec.app,
      address: this.address,
      state: this.currentState,
      ...(this.ownership ? { ownership: this.ownership } : {}),
      ...(this.process ? { pid: this.process.pid } : {}),
      since: this.stateSince.toISOString(),
      reason: this.stateReason,
      restarts: this.backoff.attemptsMade,
      ...(this.lastExit ? { lastExit: this.lastExit } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.version ? { version: this.version } : {}),
    };
  }

  /** The target's recent output lines (a spawned target's, or an adopted one's whose log is followed). */
  async recentOutput(lines = 50): Promise<string[]> {
    if (this.logFollower) {
      await this.logFollower.poll();
      return this.logFollower.recentLines(lines);
    }
    return this.spawned ? this.spawned.recentLines(lines) : [];
  }

  /** The log file followed for the held target, if any. */
  get logFile(): string | undefined {
    return this.logFollower?.file;
  }

  /**
   * Starts the target, or adopts it when its socket already answers. Resolves with the status once
   * it is running (or adopted while `unresponsive`); rejects with `TargetStartError`,
   * `HugepagesError` or `TargetNotStartableError`, leaving the target `failed`.
   */
  async start(options: StartOptions = {}): Promise<TargetStatus> {
    this.assertUsable('start');
    if (this.starting) return this.starting;
    if (this.stopping) throw new TargetBusyError({ target: this.name, state: this.currentState, requested: 'start' });
    if (this.currentState === 'running' || this.currentState === 'unresponsive') return this.status();
    this.clearRestartTimer();
    this.stopRequested = false;
    this.backoff.reset();
    return this.runStart('start requested', false, options);
  }

  /**
   * Takes on the target if something already serves its address, without starting anything (for
   * watching, reporting or stopping it; `adopt: false` only forbids a start from taking over).
   * Resolves with the status either way (`stopped` when nothing is there).
   */
  async attach(): Promise<TargetStatus> {
    this.assertUsable('attach');
    if (this.isHeld() || this.starting || this.stopping) return this.status();
    const existing = await this.findExisting();
    if (existing.kind !== 'none') await this.adopt(existing);
    else if (this.currentState === 'stopped') this.stateReason = `nothing serves ${this.address}`;
    return this.status();
  }

  /**
   * Stops the target (see stop-procedure.ts for the escalation). A target the supervisor does not
   * hold yet is looked for on its socket first, so `stop` works on a target started by anyone.
   */
  async stop(options: StopOptions = {}): Promise<StopOutcome> {
    if (this.stopping) return this.stopping;
    this.assertUsable('stop');
    this.stopping = this.runStop(options).finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  /**
   * Ends supervision because the agent is leaving: stops the target if the config says so
   * (`stopOnAgentExit`), else leaves it running for the next agent to adopt.
   */
  async shutdown(): Promise<void> {
    if (this.disposed) return;
    const stopIt = (this.spec.stopOnAgentExit ?? TARGET_DEFAULTS.stopOnAgentExit) && (this.isHeld() || this.starting !== undefined);
    this.clearRestartTimer();
    if (stopIt) {
      try {
        await this.stop();
      } catch (err) {
        this.log.error('could not stop the target on agent exit', { error: errorMessage(err) });
      }
    } else if (this.starting) {
      // A start in flight finishes (its deadline bounds the wait) and the target stays up.
      await this.starting.catch(() => undefined);
    }
    await this.detach();
  }

  /** Lets go of the target without touching it: timers off, connection closed, child released. */
  async detach(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.clearRestartTimer();
    this.stopWatching();
    this.spawned?.release();
    this.stopFollowingLog();
    const client = this.rpcClient;
    this.rpcClient = undefined;
    if (client) await client.close().catch(() => undefined);
  }

  // ── start ──────────────────────────────────────────────────────────────────────────────────

  private runStart(reason: string, isRestart: boolean, options: StartOptions): Promise<TargetStatus> {
    const abort = new AbortController();
    this.startAbort = abort;
    this.starting = this.doStart(reason, isRestart, options, abort.signal).finally(() => {
      this.starting = undefined;
      if (this.startAbort === abort) this.startAbort = undefined;
    });
    return this.starting;
  }

  private async doStart(reason: string, isRestart: boolean, options: StartOptions, signal: AbortSignal): Promise<TargetStatus> {
    const phase = (p: StartPhase): void => {
      this.log.debug('start phase', { phase: p });
      options.onPhase?.(p);
    };
    this.setState('starting', reason);
    try {
      if (this.spec.enabled === false) {
        throw new TargetNotStartableError({ target: this.name, detail: `it is disabled${this.spec.disabledReason ? `: ${this.spec.disabledReason}` : ''}` });
      }
      phase('checking');
      const existing = await this.findExisting();
      if (existing.kind !== 'none') {
        if (this.spec.adopt === false) {
          throw new TargetStartError({
            target: this.name,
            reason: 'socket-in-use',
            detail: `${this.address} is already served${existing.owner ? ` by pid ${existing.owner.pid}` : ''} and adopt is off for this target`,
            socket: this.address,
          });
        }
        phase('adopting');
        await this.adopt(existing);
        return this.status();
      }
      if (signal.aborted) throw abortedError(this.spec);
      return await this.launch(phase, signal);
    } catch (err) {
      this.lastError = errorMessage(err);
      if (this.stopRequested || this.disposed) throw err;
      if (isRestart) {
        this.afterUnexpectedEnd({ reason: `restart failed: ${this.lastError}`, failure: true });
      } else {
        this.setState('failed', this.lastError);
      }
      throw err;
    }
  }

  private async launch(phase: (p: StartPhase) => void, signal: AbortSignal): Promise<TargetStatus> {
    let epoch = this.epoch;
    try {
      const launched = await launchTarget({
        spec: this.spec,
        installation: await this.options.installation(),
        hugepages: this.options.hugepages ?? { allocate: false, useSetupScript: true },
        client: this.client(),
        calls: this.calls,
        output: this.options.output?.(this.spec) ?? { kind: 'pipe' },
        ...(this.options.cwd !== undefined ? { cwd: this.options.cwd } : {}),
        procRoot: this.procRoot,
        signal,
        onPhase: phase,
        onSpawned: (process, spawned) => {
          this.hold(process, 'spawned', spawned);
          epoch = this.epoch;
          spawned.exited.then((exit) => this.handleChildExit(epoch, exit));
        },
        logger: this.log,
      });
      this.version = launched.version;
      this.setState('running', `ready (${launched.version ?? this.spec.app})`, { pid: launched.process.pid });
      this.watch();
      return this.status();
    } catch (err) {
      // The launcher has stopped or seen the end of what it spawned.
      if (this.epoch === epoch && this.ownership === 'spawned') {
        if (this.spawned?.exit?.signal !== undefined) this.disposeLeftovers(this.spawned.pid);
        this.release();
      }
      throw err;
    }
  }

  // ── adopt ──────────────────────────────────────────────────────────────────────────────────

  private findExisting(): Promise<ExistingTarget> {
    return findExistingTarget({
      socket: this.spec.socket,
      client: this.client(),
      calls: this.calls,
      timeoutMs: this.healthTimeoutMs(),
      procRoot: this.procRoot,
      logger: this.log,
    });
  }

  private async adopt(existing: Exclude<ExistingTarget, { kind: 'none' }>): Promise<void> {
    const verdict = await checkSocketTrust(this.spec.socket, existing.owner?.pid, this.options.socketTrust ?? DEFAULT_SOCKET_TRUST, this.procRoot);
    if (!verdict.trusted) {
      const error = new TargetUntrustedError({
        target: this.name,
        reason: verdict.reason,
        ...(this.spec.socket !== undefined ? { socket: this.spec.socket } : {}),
        ...(existing.owner ? { pid: existing.owner.pid } : {}),
      });
      if ((this.options.socketTrust ?? DEFAULT_SOCKET_TRUST).onUntrusted === 'refuse') {
        this.lastError = error.message;
        if (this.currentState !== 'starting') this.setState('failed', error.message);
        throw error;
      }
      this.log.warn(`adopting a target whose socket is not trusted (spdk.untrustedSocket: warn): ${verdict.reason}`);
    }
    const ref = existing.owner ? await captureProcessRef(existing.owner.pid, this.procRoot) : undefined;
    const args = ref ? (await readCmdline(ref.pid, this.procRoot))?.slice(1) : undefined;
    this.hold(ref ? new ForeignProcessHandle(ref, this.procRoot) : undefined, 'adopted', undefined, args);
    this.version = existing.kind === 'answering' ? existing.version : undefined;
    if (ref && this.options.followLogs && !this.disposed) {
      const file = await processLogFile(ref.pid, this.procRoot);
      if (file !== undefined) this.followLog(file, undefined);
      else
        this.log.warn(
          "the adopted target's output does not go to a file (a pipe of an earlier agent, a terminal or nothing): its log is not followed; restart it from the agent to have one",
          { pid: ref.pid },
        );
    }
    const who = ref ? `pid ${ref.pid}` : 'pid not visible';
    this.log.info('target adopted', { pid: ref?.pid, answering: existing.kind === 'answering' });
    if (existing.kind === 'answering') this.setState('running', `adopted (${who})`, ref ? { pid: ref.pid } : {});
    else this.setState('unresponsive', `adopted (${who}) but it does not answer`, ref ? { pid: ref.pid } : {});
    this.watch();
  }

  // ── stop ───────────────────────────────────────────────────────────────────────────────────

  private async runStop(options: StopOptions): Promise<StopOutcome> {
    this.stopRequested = true;
    this.clearRestartTimer();
    if (this.starting) {
      this.startAbort?.abort();
      await this.starting.catch(() => undefined);
    }
    this.stopWatching();
    if (!this.isHeld() && !this.disposed) {
      const existing = await this.findExisting();
      if (existing.kind !== 'none') await this.adopt(existing);
      this.stopWatching();
    }
    if (!this.isHeld()) {
      const removed =
        this.spec.socket !== undefined && (await findSocketOwner(this.spec.socket, this.procRoot)) === undefined
          ? await removeStaleSocketFiles(this.spec.socket)
          : [];
      if (this.currentState !== 'stopped') this.setState('stopped', 'not running');
      return { method: 'already-gone', sent: [], removedFiles: removed };
    }

    this.setState('stopping', options.force ? 'forced stop requested' : 'stop requested', this.pidExtra());
    const proc = this.process;
    try {
      const outcome = await stopTarget({
        target: this.name,
        process: proc,
        client: this.client(),
        calls: this.calls,
        socketPath: this.spec.socket,
        timeoutMs: (this.spec.stopTimeoutSec ?? TARGET_DEFAULTS.stopTimeoutSec) * 1000,
        force: options.force ?? false,
        waitForSocketGone: (timeoutMs) => waitUntilNotServed({ socket: this.spec.socket, client: this.client(), calls: this.calls, timeoutMs }),
        logger: this.log,
      });
      const exit = this.spawned?.exit;
      if (outcome.method === 'SIGKILL') this.disposeLeftovers(proc?.pid);
      this.release();
      this.setState('stopped', describeStopOutcome(outcome, options.force === true), {
        ...(proc ? { pid: proc.pid } : {}),
        ...(exit?.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
        ...(exit?.signal !== undefined ? { signal: exit.signal } : {}),
      });
      return outcome;
    } catch (err) {
      this.lastError = errorMessage(err);
      this.setState('failed', this.lastError, this.pidExtra());
      throw err instanceof TargetStopError
        ? err
        : new TargetStopError({ target: this.name, detail: this.lastError, ...(proc ? { pid: proc.pid } : {}), cause: err });
    }
  }

  // ── watching ───────────────────────────────────────────────────────────────────────────────

  /** Starts the health watch and the stability timer for the process just taken on. */
  private watch(): void {
    this.stopWatching();
    if (this.options.supervise === false || this.disposed) return;
    const epoch = this.epoch;
    const process = this.process;
    const current = (): boolean => epoch === this.epoch && !this.stopRequested && (this.currentState === 'running' || this.currentState === 'unresponsive');
    this.healthWatch = new HealthWatch({
      process,
      socket: this.spec.socket,
      client: this.client(),
      calls: this.calls,
      intervalMs: this.options.healthIntervalMs ?? 5000,
      timeoutMs: this.healthTimeoutMs(),
      goneCheckMs: this.options.goneCheckMs ?? 1500,
      onGone: (reason) => {
        if (!current()) return;
        this.disposeLeftovers(process?.pid);
        this.release();
        this.afterUnexpectedEnd({ reason: `adopted target went away: ${reason}`, failure: true, ...(process ? { pid: process.pid } : {}) });
      },
      onSilent: (reason) => {
        if (!current()) return;
        if (this.currentState === 'running') this.setState('unresponsive', reason, this.pidExtra());
        if (this.currentState === 'unresponsive' && this.hangTimer === undefined) this.watchForHang(epoch);
      },
      onAnswering: (version) => {
        if (!current()) return;
        if (version !== undefined) this.version = version;
        this.clearHangTimer();
        if (this.currentState === 'unresponsive') this.setState('running', 'answering again', this.pidExtra());
      },
    });
    this.healthWatch.start();
    this.stableTimer = setTimeout(() => {
      this.stableTimer = undefined;
      if (this.currentState === 'running') this.backoff.reset();
    }, this.options.stableAfterMs ?? 60_000);
  }

  /**
   * A target that stays unresponsive for `restart.unresponsiveSec` is hung: unless its policy is
   * `never`, it is stopped with signals (it does not answer spdk_kill_instance) and restarted as
   * after a crash, which counts against `maxAttempts`.
   */
  private watchForHang(epoch: number): void {
    const limitSec = this.restartPolicy.unresponsiveSec ?? TARGET_DEFAULTS.restart.unresponsiveSec;
    if (!(limitSec > 0)) return;
    this.hangTimer = setTimeout(() => {
      this.hangTimer = undefined;
      if (epoch !== this.epoch || this.currentState !== 'unresponsive' || this.stopRequested || this.disposed) return;
      if (this.restartPolicy.policy === 'never') {
        this.log.warn(`unresponsive for ${limitSec} s; restart policy never: left as it is`, this.pidExtra());
        this.lastError = `unresponsive for more than ${limitSec} s (restart policy never)`;
        return;
      }
      void this.restartHung(limitSec);
    }, limitSec * 1000);
    this.hangTimer.unref();
  }

  private async restartHung(limitSec: number): Promise<void> {
    const proc = this.process;
    const reason = `unresponsive for ${limitSec} s: stopped with signals to restart it`;
    this.lastError = `hung: no answer for ${limitSec} s`;
    this.stopWatching();
    this.setState('stopping', reason, this.pidExtra());
    try {
      await stopTarget({
        target: this.name,
        process: proc,
        // No spdk_kill_instance: a hung target does not read it.
        client: undefined,
        calls: this.calls,
        socketPath: this.spec.socket,
        timeoutMs: (this.spec.stopTimeoutSec ?? TARGET_DEFAULTS.stopTimeoutSec) * 1000,
        force: false,
        logger: this.log,
      });
    } catch (err) {
      this.lastError = `hung, and could not be stopped: ${errorMessage(err)}`;
      this.setState('failed', this.lastError, this.pidExtra());
      return;
    }
    if (this.disposed || this.stopRequested) return;
    this.disposeLeftovers(proc?.pid);
    this.release();
    this.afterUnexpectedEnd({ reason, failure: true, ...(proc ? { pid: proc.pid } : {}) });
  }

  private clearHangTimer(): void {
    if (this.hangTimer) clearTimeout(this.hangTimer);
    this.hangTimer = undefined;
  }

  private stopWatching(): void {
    this.clearHangTimer();
    this.healthWatch?.stop();
    this.healthWatch = undefined;
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.stableTimer = undefined;
  }

  private handleChildExit(epoch: number, exit: ExitInfo): void {
    if (epoch !== this.epoch) return;
    // During a start the start reports it; during a stop it is the point.
    if (this.currentState === 'starting' || this.currentState === 'stopping' || this.stopRequested || this.disposed) return;
    const pid = this.process?.pid;
    const failure = exit.exitCode !== 0 || exit.signal !== undefined;
    if (failure) this.disposeLeftovers(pid);
    this.release();
    this.afterUnexpectedEnd({
      reason: exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`,
      failure,
      ...(pid !== undefined ? { pid } : {}),
      ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
      ...(exit.signal !== undefined ? { signal: exit.signal } : {}),
    });
  }

  /** The target went away without being asked: `crashed`, then restart, give up, or rest. */
  private afterUnexpectedEnd(end: { reason: string; failure: boolean; pid?: number; exitCode?: number; signal?: string }): void {
    this.stopWatching();
    const at = new Date().toISOString();
    if (end.exitCode !== undefined || end.signal !== undefined) {
      this.lastExit = { ...(end.exitCode !== undefined ? { exitCode: end.exitCode } : {}), ...(end.signal !== undefined ? { signal: end.signal } : {}), at };
    }
    const extra = {
      ...(end.pid !== undefined ? { pid: end.pid } : {}),
      ...(end.exitCode !== undefined ? { exitCode: end.exitCode } : {}),
      ...(end.signal !== undefined ? { signal: end.signal } : {}),
    };
    this.setState('crashed', end.reason, extra);
    if (this.options.supervise === false) {
      this.setState(end.failure ? 'failed' : 'stopped', 'not supervised: no restart');
      return;
    }
    const decision = this.backoff.next(end.failure);
    if (decision.restart) {
      const { attempt, delayMs } = decision;
      this.setState('restarting', `restart ${attempt} of ${this.restartPolicy.maxAttempts} in ${delayMs} ms`, { attempt, delayMs });
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (this.disposed || this.stopRequested) return;
        this.runStart(`restart attempt ${attempt}`, true, {}).catch((err: unknown) => {
          this.log.warn('restart attempt failed', { attempt, error: errorMessage(err) });
        });
      }, delayMs);
    } else if (decision.why === 'clean-exit') {
      this.setState('stopped', `exited cleanly; restart policy ${this.restartPolicy.policy} does not restart it`);
    } else if (decision.why === 'policy') {
      if (end.failure) this.lastError = `${end.reason} (restart policy never)`;
      this.setState(end.failure ? 'failed' : 'stopped', `${end.reason}; restart policy is never`);
    } else {
      this.lastError = `gave up after ${decision.attempts} restart attempts; the last end: ${end.reason}`;
      this.setState('failed', this.lastError);
    }
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────────

  private client(): LifecycleRpcClient {
    if (!this.rpcClient) {
      const factory = this.options.rpcClientFactory ?? defaultRpcClientFactory;
      this.rpcClient = factory({
        address: this.address,
        timeoutMs: (this.spec.rpcTimeoutSec ?? TARGET_DEFAULTS.rpcTimeoutSec) * 1000,
        connectTimeoutMs: Math.min(5000, this.healthTimeoutMs()),
        ...(this.spec.maxReplyBytes !== undefined ? { maxReplyBytes: this.spec.maxReplyBytes } : {}),
        logger: this.log,
      });
    }
    return this.rpcClient;
  }

  private healthTimeoutMs(): number {
    return this.options.healthTimeoutMs ?? 5000;
  }

  private hold(process: TargetProcess | undefined, ownership: Ownership, spawned: SpawnedTarget | undefined, args?: readonly string[]): void {
    this.epoch++;
    this.process = process;
    this.ownership = ownership;
    this.spawned = spawned;
    this.heldArgs = spawned?.args ?? args;
    this.stopFollowingLog();
    if (spawned?.logFile && this.options.followLogs) this.followLog(spawned.logFile.path, spawned.logFile.offset);
  }

  private followLog(file: string, fromOffset: number | undefined): void {
    const follow = this.options.followLogs;
    if (!follow) return;
    this.stopFollowingLog();
    this.logFollower = new TargetLogFollower({
      file,
      ...(fromOffset !== undefined ? { fromOffset } : {}),
      maxBytes: follow.maxBytes,
      ...(follow.intervalMs !== undefined ? { intervalMs: follow.intervalMs } : {}),
      logger: this.log,
      target: this.name,
    });
    this.logFollower.start();
    this.log.debug('following the target log', { file });
  }

  private stopFollowingLog(): void {
    const follower = this.logFollower;
    this.logFollower = undefined;
    // Its last lines (a crash's message) still reach the agent's log.
    if (follower) void follower.stop();
  }

  /**
   * Once the held process is known dead without a clean exit (a crash, our SIGKILL), its trace
   * buffer is disposed of as SPDK would have (see trace-buffer.ts). Call before `release()`.
   */
  private disposeLeftovers(pid: number | undefined): void {
    const args = this.heldArgs;
    if (pid === undefined || args === undefined) return;
    void disposeTraceBuffer({ app: this.spec.app, pid, args, logger: this.log, procRoot: this.procRoot }).catch((err: unknown) =>
      this.log.warn('could not dispose of the trace buffer', { pid, error: errorMessage(err) }),
    );
  }

  private release(): void {
    this.epoch++;
    this.stopWatching();
    this.stopFollowingLog();
    this.process = undefined;
    this.ownership = undefined;
    this.spawned = undefined;
    this.heldArgs = undefined;
    this.version = undefined;
  }

  /** Whether the supervisor holds a target (spawned or adopted, pid known or not). */
  private isHeld(): boolean {
    return this.ownership !== undefined;
  }

  private pidExtra(): { pid?: number } {
    return this.process ? { pid: this.process.pid } : {};
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private assertUsable(requested: string): void {
    if (this.disposed) throw new TargetBusyError({ target: this.name, state: 'detached', requested });
  }

  private setState(to: TargetState, reason: string, extra: Partial<TargetStateEvent> = {}): void {
    const from = this.currentState;
    if (from === to && to !== 'restarting') return;
    this.currentState = to;
    this.stateSince = new Date();
    this.stateReason = reason;
    const event: TargetStateEvent = { target: this.name, from, to, reason, at: this.stateSince.toISOString(), ...extra };
    // A change for the worse is what an operator filters for (journalctl -p warning).
    this.log.log(WORSE_STATES.has(to) ? 'warn' : 'info', `state ${from} → ${to}`, { reason, ...extra });
    this.emit('state', event);
  }
}
