/**
 * The agent daemon (`spdk-agent run`): the targets, the bus, registration and requests together.
 *
 * Start-up does its independent steps at once: the bus connects while the targets are started or
 * adopted. The first report_data goes out as soon as both are done (never before the targets were
 * looked at: an empty report would tell the conductor every device of the node is gone). After
 * that, reports run every `agent.reportIntervalSec`, within a second of any target state change
 * or inventory change (checked every `agent.changeCheckIntervalSec`), and after the bus
 * (re)connects. A failed report is logged with what to do; a transient failure is retried with
 * back-off (registration-scheduler.ts), any other waits for the next period; nothing here stops
 * serving requests because of it.
 *
 * Shutdown, within `agent.shutdownTimeoutSec`: stop taking requests and let those in flight finish
 * (the fanout queue is deleted), stop reporting, stop the targets configured with
 * `stopOnAgentExit`, close the bus (which ends a report still waiting for the conductor). No report
 * is sent on the way out, as the Python agent sends none: the next agent's start-up report says
 * what is there.
 */
import { EventEmitter } from 'node:events';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { TargetManager, type ReconcileResult, type StartAllResult, type TargetManagerOptions } from '../spdk/lifecycle/manager.js';
import { targetLogFile } from '../spdk/lifecycle/target-log.js';
import type { AgentConfig } from '../config/types.js';
import { errorMessage } from '../util/errors.js';
import { getLogger, type Logger } from '../util/log.js';
import { BusLink } from './bus-link.js';
import { ChangeWatch } from './change-watch.js';
import type { Clock } from './clock.js';
import { ConductorRegistration } from './conductor-registration.js';
import { createAgentEndpoint } from './endpoint.js';
import { type AgentAlreadyRunningError, AgentStateError, type ForeignConsumerError, type RegistrationFailedError, ShutdownTimeoutError } from './errors.js';
import { planReload, type ReloadPlan } from './reload-plan.js';
import { AgentOperations, DISCOVER_REASON } from './operations.js';
import { RegistrationBuilder, type BuiltRegistration } from './registration-builder.js';
import { PERIODIC_REASON, RegistrationScheduler, STARTUP_REASON, type RegistrationOutcome } from './registration-scheduler.js';
import { SnapshotStore } from './snapshot-store.js';
import { agentVersion } from './agent-version.js';

export interface DaemonOptions {
  /** Supervisor tuning (probe timings, output) — tests shorten them. */
  lifecycle?: Omit<TargetManagerOptions, 'installation'>;
  /** How long a change waits for more changes before its report; default 200 ms. */
  registrationDebounceMs?: number;
  /** Upper bound for reading one target's inventory; default 10 s. */
  inventoryTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** One report as it went out (the `report` event). */
export interface RegistrationEvent {
  ok: boolean;
  reasons: readonly string[];
  built: BuiltRegistration;
  error?: RegistrationFailedError;
  /** How long the call to the conductor took (until its answer or failure). */
  seconds: number;
}

export interface ShutdownResult {
  /** Everything finished within agent.shutdownTimeoutSec. */
  clean: boolean;
  /** The phases that overran (each logged). */
  overran: string[];
  /** RPC calls still running when the server's grace ended. */
  abandonedCalls: number;
  fanoutQueueDeleted: boolean;
}

export interface DaemonEvents {
  registration: [event: RegistrationEvent];
  /** The agent serves its topic on the bus (again, after a reload that reconnected it). */
  serving: [];
  started: [results: StartAllResult[]];
  /** The agent must not go on (another agent serves this host): the caller shuts it down. */
  fatal: [error: AgentAlreadyRunningError | ForeignConsumerError];
}

/** What a configuration reload did. */
export interface ReloadResult extends ReloadPlan {
  targets?: ReconcileResult;
}

/** The daemon as the health checks see it. */
export interface DaemonHealth {
  /** The targets were started or adopted (the first report can go out). */
  startedUp: boolean;
  stopping: boolean;
  busEnabled: boolean;
  busConnected: boolean;
  /** Consuming the agent topic. */
  serving: boolean;
  /** False beside a foreign consumer (`own-topic`): no report_data is sent at all. */
  reporting: boolean;
  /** ISO 8601 time of the last report_data the conductor accepted. */
  lastAcceptedAt: string | null;
  reportIntervalSec: number;
}

/** The last report_data, for the diagnostics. */
export interface LastRegistration {
  ok: boolean;
  at: string;
  reasons: readonly string[];
  error?: string;
}

const DEFAULT_INVENTORY_TIMEOUT_MS = 10_000;
/** Report reasons that send report_data even when nothing changed since the last accepted one. */
export const REGISTRATION_REASONS = {
  startUp: STARTUP_REASON,
  periodic: PERIODIC_REASON,
  discover: DISCOVER_REASON,
  busConnected: 'message bus connected',
  busReconnected: 'message bus reconnected',
  inventoryChanged: 'inventory changed',
} as const;
const ALWAYS_SENT: ReadonlySet<string> = new Set([
  REGISTRATION_REASONS.startUp,
  REGISTRATION_REASONS.periodic,
  REGISTRATION_REASONS.discover,
  REGISTRATION_REASONS.busConnected,
  REGISTRATION_REASONS.busReconnected,
]);
const MAX_DISCOVER_REPORT_WAIT_MS = 20_000;

/**
 * Failures worth retrying before the next period: the broker refused or could not route the
 * publish, the conductor did not answer in time (a quorum queue electing its leader after a node
 * was lost), the connection dropped. A missing Placement provider or a conductor refusing the
 * report would fail the same way again: those wait for the period.
 */
function isTransientRegistrationFailure(error: unknown): boolean {
  const kind = (error as RegistrationFailedError | undefined)?.kind;
  return kind === 'timeout' || kind === 'connection' || kind === 'internal';
}

export class AgentDaemon extends EventEmitter<DaemonEvents> {
  readonly manager: TargetManager;
  readonly operations: AgentOperations;
  private link: BusLink | null = null;
  private currentConfig: AgentConfig;
  /** The configuration the agent started with: identity, runtime places (see reload-plan.ts). */
  private readonly startConfig: AgentConfig;
  /** Settings changed by a reload that take effect at the next start. */
  private readonly pendingRestart: string[] = [];
  private lastRegistration: LastRegistration | null = null;
  private lastAcceptedAt: string | null = null;
  private readonly loopDelay: IntervalHistogram;
  private readonly log: Logger;
  private readonly builder: RegistrationBuilder;
  private readonly scheduler: RegistrationScheduler | null;
  private readonly changeWatch: ChangeWatch | null;
  private readonly reporter: ConductorRegistration | null;
  private readonly snapshots: SnapshotStore;
  private startup: Promise<StartAllResult[]> | null = null;
  private targetsLookedAfter = false;
  private stopping: Promise<ShutdownResult> | null = null;
  private lastAttempted: string | null = null;
  private lastAccepted: string | null = null;
  private waitingForBusLogged = false;

  /** Throws `BusConfigError` when the bus options cannot work (the config is otherwise valid). */
  constructor(config: AgentConfig, options: DaemonOptions = {}) {
    super();
    this.currentConfig = config;
    this.startConfig = config;
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.log = options.logger ?? getLogger('agent.daemon');
    const { agent, bus, spdk } = config;
    this.snapshots = new SnapshotStore({
      freshForMs: agent.changeCheckIntervalSec * 1000,
      timeoutMs: options.inventoryTimeoutMs ?? DEFAULT_INVENTORY_TIMEOUT_MS,
    });
    this.manager = new TargetManager(
      {
        ...(spdk.sourceDir !== undefined ? { sourceDir: spdk.sourceDir } : {}),
        ...(spdk.prefix !== undefined ? { prefix: spdk.prefix } : {}),
        searchPath: spdk.searchPath,
        hugepages: spdk.hugepages,
        targets: spdk.targets,
      },
      {
        // Targets outlive the agent: their output goes to a file, never to a pipe into this process.
        output: (spec) => {
          const file = targetLogFile(spec, spdk.targetLogs.dir);
          return file !== undefined ? { kind: 'file', path: file } : { kind: 'pipe' };
        },
        followLogs: { maxBytes: spdk.targetLogs.maxBytes },
        socketTrust: { uids: spdk.socketOwnerUids, onUntrusted: spdk.untrustedSocket },
        ...options.lifecycle,
      },
    );
    this.builder = new RegistrationBuilder({ reportedHostname: agent.reportedHostname, deviceType: spdk.deviceType, remoteable: spdk.remoteable });

    this.scheduler = bus.enabled
      ? new RegistrationScheduler({
          intervalMs: agent.reportIntervalSec * 1000,
          debounceMs: options.registrationDebounceMs ?? 200,
          run: (reasons) => this.runRegistration(reasons),
          retryable: isTransientRegistrationFailure,
          ...(options.clock ? { clock: options.clock } : {}),
        })
      : null;
    const scheduler = this.scheduler;
    this.operations = new AgentOperations({
      targets: this.manager,
      identity: { host: agent.host, reportedHostname: agent.reportedHostname, agentVersion: agentVersion() },
      // The manager's own detection: what discover finds is what later starts use.
      rescanInstallation: () => this.manager.redetect(),
      builder: this.builder,
      requestRegistration: scheduler ? (reason, requestOptions) => scheduler.request(reason, requestOptions) : null,
      registrationWaitMs: Math.min(MAX_DISCOVER_REPORT_WAIT_MS, (bus.rpcResponseTimeoutSec * 1000) / 2),
      snapshots: this.snapshots,
    });

    if (bus.enabled) {
      this.link = this.createLink(config.bus);
      this.reporter = new ConductorRegistration({
        hostname: agent.reportedHostname,
        topic: bus.conductorTopic,
        exchange: bus.controlExchange,
        client: () => this.link?.conductor ?? null,
        timeoutMs: bus.rpcResponseTimeoutSec * 1000,
        quorumQueues: bus.quorumQueues,
      });
      this.changeWatch = new ChangeWatch({
        intervalMs: agent.changeCheckIntervalSec * 1000,
        currentFingerprint: async () => this.builder.build(await this.snapshots.collect(this.manager.all())).fingerprint,
        lastFingerprint: () => this.lastAttempted,
        registering: () => this.scheduler?.busy === true,
        onChange: () => void this.scheduler?.request(REGISTRATION_REASONS.inventoryChanged),
        logger: this.log,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    } else {
      this.reporter = null;
      this.changeWatch = null;
    }

    this.manager.on('state', (event) => {
      void this.scheduler?.request(`${event.target}: ${event.from} → ${event.to}`);
    });
  }

  /**
   * Starts everything: the bus connects in the background (retrying while the broker is down), the
   * targets are started or adopted. The promise (also `started`) resolves once the targets were
   * looked after — reports and change checks start then. Never rejects: failures are logged and
   * the agent keeps serving.
   */
  /** The configuration in force (the last one applied by `reload`). */
  get config(): AgentConfig {
    return this.currentConfig;
  }

  /** The agent's presence on the bus; null when the bus is disabled. Replaced by a reload that changes bus settings. */
  get bus(): BusLink | null {
    return this.link;
  }

  private createLink(bus: AgentConfig['bus']): BusLink {
    const { agent } = this.startConfig;
    const servers = [...new Set([agent.host, agent.reportedHostname])];
    const link = new BusLink({ config: bus, servers, endpoint: createAgentEndpoint(this.operations), onForeignConsumer: agent.onForeignConsumer });
    link.on('ready', () => {
      this.emit('serving');
      void this.scheduler?.request(REGISTRATION_REASONS.busConnected);
    });
    link.on('reconnected', () => void this.scheduler?.request(REGISTRATION_REASONS.busReconnected));
    link.on('conflict', (error) => {
      this.log.error(error.message, { ...error.context });
      this.emit('fatal', error);
    });
    return link;
  }

  start(): Promise<StartAllResult[]> {
    if (this.startup) return this.startup;
    this.loopDelay.enable();
    if (this.bus) this.bus.start();
    else this.log.info('message bus disabled (bus.enabled: false): no registration with the conductor, no RPC');
    this.startup = this.manager.startAll().then((results) => {
      for (const result of results) {
        const fields = { target: result.name, action: result.action, state: result.status.state, pid: result.status.pid, version: result.status.version };
        if (result.action === 'failed') this.log.error('target did not come up', { ...fields, error: errorMessage(result.error) });
        else this.log.info('target looked after', fields);
      }
      this.targetsLookedAfter = true;
      if (!this.stopping) {
        this.scheduler?.start();
        this.changeWatch?.start();
      }
      this.emit('started', results);
      return results;
    });
    return this.startup;
  }

  /** Resolves when the initial start/adoption of the targets is done (after `start()`). */
  get started(): Promise<StartAllResult[]> {
    return this.startup ?? Promise.reject(new AgentStateError('the daemon was not started'));
  }

  /** What the health checks read (src/agent/health.ts). */
  get health(): DaemonHealth {
    return {
      startedUp: this.targetsLookedAfter,
      stopping: this.stopping !== null,
      busEnabled: this.reporter !== null,
      busConnected: this.link?.connected === true,
      serving: this.link?.serving === true,
      reporting: this.link?.reporting !== false,
      lastAcceptedAt: this.lastAcceptedAt,
      reportIntervalSec: this.currentConfig.agent.reportIntervalSec,
    };
  }

  /** The last inventory read from each target (the metrics' inventory counts). */
  get inventories(): SnapshotStore {
    return this.snapshots;
  }

  /** Asks for a report now (the `discover` method and tests use it). */
  requestRegistration(reason: string): Promise<RegistrationOutcome> | null {
    return this.scheduler?.request(reason) ?? null;
  }

  /**
   * Stops everything, within agent.shutdownTimeoutSec (see the file comment). Idempotent.
   * `leaveTargets`: let go of every target without stopping any (another agent serves this host:
   * the targets are its business).
   */
  shutdown(options: { leaveTargets?: boolean } = {}): Promise<ShutdownResult> {
    this.stopping ??= this.runShutdown(options.leaveTargets === true);
    return this.stopping;
  }

  private async runRegistration(reasons: readonly string[]): Promise<void> {
    const reporter = this.reporter;
    if (!reporter) return; // the bus is disabled: there is no scheduler either
    if (this.bus && !this.bus.reporting) return; // beside another agent of this host: its reports would be erased, and would erase its devices
    let built: BuiltRegistration;
    try {
      built = this.builder.build(await this.snapshots.collect(this.manager.all()));
    } catch (err) {
      // Not expected (targets' answers are checked, failures per target are kept apart): a bug.
      this.log.error('report_data could not be built (a bug: please report it); retrying next period', { reasons, error: errorMessage(err) });
      throw err;
    }
    this.lastAttempted = built.fingerprint;
    for (const note of built.notes) this.log.warn(note);
    const fields = {
      reasons,
      devices: built.devices.length,
      deployables: built.devices.reduce((n, d) => n + d.deployable_list.length, 0),
      ...(built.stubbedTargets.length > 0 ? { keptAsIs: built.stubbedTargets } : {}),
    };
    if (built.fingerprint === this.lastAccepted && !reasons.some((r) => ALWAYS_SENT.has(r))) {
      // Only changes asked for this report, and the conductor already has exactly this list
      // (a target went stopping → stopped, a crash left the same stubs): nothing to tell it.
      this.log.debug('report_data not sent: the conductor already has this device list', fields);
      return;
    }
    let accepted: { requestId: string };
    const sentAt = performance.now();
    const secondsSince = (): number => (performance.now() - sentAt) / 1000;
    try {
      accepted = await reporter.send(built.devices);
    } catch (err) {
      const error = err as RegistrationFailedError;
      if (error.kind === 'connection' && !this.bus?.serving && !this.waitingForBusLogged) {
        this.waitingForBusLogged = true;
        this.log.info('report_data waits for the message bus', fields);
      } else if (error.kind !== 'connection' || this.bus?.serving) {
        this.log.warn(`report_data failed: ${error.message}`, { ...fields, kind: error.kind });
      }
      this.lastRegistration = { ok: false, at: new Date().toISOString(), reasons, error: error.message };
      this.emit('registration', { ok: false, reasons, built, error, seconds: secondsSince() });
      throw err;
    }
    const changed = built.fingerprint !== this.lastAccepted;
    this.lastAccepted = built.fingerprint;
    this.lastRegistration = { ok: true, at: new Date().toISOString(), reasons };
    this.lastAcceptedAt = this.lastRegistration.at;
    if (changed) this.log.info('report_data accepted by the conductor', { ...fields, request_id: accepted.requestId });
    else this.log.debug('report_data accepted by the conductor (unchanged)', { ...fields, request_id: accepted.requestId });
    this.emit('registration', { ok: true, reasons, built, seconds: secondsSince() });
  }

  /**
   * Applies a new configuration while running (SIGHUP): report and check periods, restart
   * policies, targets added, removed or changed, bus settings (by reconnecting). What cannot change
   * while running is listed in `needsRestart` and left as it was. The caller has checked the new
   * configuration (a bad one never gets here) and applies the logging settings itself.
   */
  async reload(next: AgentConfig): Promise<ReloadResult> {
    const plan = planReload(this.currentConfig, next);
    if (this.stopping) return { ...plan, applied: [], needsRestart: [] };
    // Settings that need a restart stay as they are: the pieces that use them keep their values.
    this.currentConfig = next;
    for (const key of plan.needsRestart) if (!this.pendingRestart.includes(key)) this.pendingRestart.push(key);
    const result: ReloadResult = plan;
    if (plan.changed.includes('agent.reportIntervalSec')) this.scheduler?.setInterval(next.agent.reportIntervalSec * 1000);
    if (plan.changed.includes('agent.changeCheckIntervalSec')) {
      this.changeWatch?.setInterval(next.agent.changeCheckIntervalSec * 1000);
      this.snapshots.setFreshFor(next.agent.changeCheckIntervalSec * 1000);
    }
    if (plan.busReconnect && this.link) {
      this.log.info('bus settings changed: reconnecting to the message bus with them');
      const old = this.link;
      await old.stopServing(5000).catch(() => undefined);
      await old.close().catch((err: unknown) => this.log.warn('closing the old bus connection failed', { error: errorMessage(err) }));
      old.removeAllListeners();
      this.link = this.createLink(next.bus);
      this.link.start();
    }
    if (plan.targetsChanged) {
      result.targets = await this.manager.reconcile(this.currentConfig.spdk.targets);
      void this.scheduler?.request('targets reconfigured');
    }
    return result;
  }

  /**
   * Everything an operator asks for when something looks wrong (SIGUSR2, as OpenStack's Guru
   * Meditation Report): version, the effective configuration with secrets masked, each target,
   * the bus, the last report_data, memory and event-loop delay.
   */
  diagnostics(): Record<string, unknown> {
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    const memory = process.memoryUsage();
    const link = this.link;
    return {
      version: agentVersion(),
      pid: process.pid,
      uptimeSec: Math.round(process.uptime()),
      config: JSON.parse(JSON.stringify(this.currentConfig)) as unknown,
      ...(this.pendingRestart.length > 0 ? { changedButNeedRestart: [...this.pendingRestart] } : {}),
      targets: this.manager
        .all()
        .map((supervisor) => ({ ...supervisor.status(), ...(supervisor.logFile !== undefined ? { logFile: supervisor.logFile } : {}) })),
      bus: link
        ? {
            connected: link.connected,
            serving: link.serving,
            url: link.transport?.currentUrl ?? null,
            topic: link.topic,
            reporting: link.reporting,
            queues: link.queues,
            callsBeingServed: link.inFlight,
            callsWaitingForReply: link.transport?.pendingCalls ?? 0,
          }
        : { enabled: false },
      lastRegistration: this.lastRegistration,
      lastAcceptedRegistrationAt: this.lastAcceptedAt,
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, externalBytes: memory.external },
      eventLoopDelayMs: { p50: ms(this.loopDelay.percentile(50)), p99: ms(this.loopDelay.percentile(99)), max: ms(this.loopDelay.max) },
    };
  }

  private async runShutdown(leaveTargets: boolean): Promise<ShutdownResult> {
    const totalMs = this.config.agent.shutdownTimeoutSec * 1000;
    const deadline = Date.now() + totalMs;
    const overran: string[] = [];
    const remaining = (): number => Math.max(250, deadline - Date.now());
    const bounded = async <T>(phase: string, work: Promise<T>): Promise<T | undefined> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), remaining());
      });
      try {
        const result = await Promise.race([work, late]);
        if (result === 'late') {
          overran.push(phase);
          this.log.error(new ShutdownTimeoutError({ phase, timeoutMs: totalMs }).message);
          return undefined;
        }
        return result as T;
      } catch (err) {
        this.log.error(`shutdown: ${phase} failed`, { error: errorMessage(err) });
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    };

    this.log.info('shutting down', { timeoutSec: this.config.agent.shutdownTimeoutSec });
    const serverStop = this.bus ? await bounded('finishing the calls in flight', this.bus.stopServing(Math.max(1000, (deadline - Date.now()) / 2))) : null;
    this.scheduler?.stop();
    await bounded('stopping the change check', this.changeWatch?.stop() ?? Promise.resolve());
    await bounded('stopping the targets', leaveTargets ? this.manager.detachAll() : this.manager.shutdown());
    // A report still waiting for the conductor is not worth waiting for (it may wait for its whole
    // rpcResponseTimeoutSec): closing the bus ends it at once.
    await bounded('closing the message bus', this.bus?.close() ?? Promise.resolve());
    await bounded('finishing the report in flight', this.scheduler?.idle() ?? Promise.resolve());
    this.loopDelay.disable();
    const result: ShutdownResult = {
      clean: overran.length === 0,
      overran,
      abandonedCalls: serverStop?.abandonedCalls ?? 0,
      fanoutQueueDeleted: serverStop?.fanoutQueueDeleted ?? false,
    };
    this.log.info('shut down', { ...result });
    return result;
  }
}
