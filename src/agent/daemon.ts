/**
 * The agent daemon (`spdk-agent run`): the targets, the bus, registration and requests together.
 *
 * Start-up does its independent steps at once: the bus connects while the targets are started or
 * adopted. The first report_data goes out as soon as both are done (never before the targets were
 * looked at: an empty report would tell the conductor every device of the node is gone). After
 * that, reports run every `agent.reportIntervalSec`, within a second of any target state change
 * or inventory change (checked every `agent.changeCheckIntervalSec`), and after the bus
 * (re)connects. A failed report is logged with what to do and retried next period; nothing here
 * stops serving requests because of it.
 *
 * Shutdown, within `agent.shutdownTimeoutSec`: stop taking requests and let those in flight finish
 * (the fanout queue is deleted), stop reporting, stop the targets configured with
 * `stopOnAgentExit`, close the bus (which ends a report still waiting for the conductor). No report
 * is sent on the way out, as the Python agent sends none: the next agent's start-up report says
 * what is there.
 */
import { EventEmitter } from 'node:events';
import { TargetManager, type StartAllResult, type TargetManagerOptions } from '../spdk/lifecycle/manager.js';
import type { AgentConfig } from '../config/types.js';
import { errorMessage } from '../util/errors.js';
import { getLogger, type Logger } from '../util/log.js';
import { BusLink } from './bus-link.js';
import { ChangeWatch } from './change-watch.js';
import type { Clock } from './clock.js';
import { ConductorReporter } from './conductor-reporter.js';
import { createAgentEndpoint } from './endpoint.js';
import { ReportFailedError, ShutdownTimeoutError } from './errors.js';
import { AgentOperations, DISCOVER_REASON } from './operations.js';
import { ReportBuilder, type BuiltReport } from './report-builder.js';
import { PERIODIC_REASON, ReportScheduler, STARTUP_REASON, type ReportOutcome } from './report-scheduler.js';
import { SnapshotStore } from './snapshot-store.js';
import { agentVersion } from './version.js';

export interface DaemonOptions {
  /** Supervisor tuning (probe timings, output) — tests shorten them. */
  lifecycle?: Omit<TargetManagerOptions, 'installation'>;
  /** How long a change waits for more changes before its report; default 200 ms. */
  reportDebounceMs?: number;
  /** Upper bound for reading one target's inventory; default 10 s. */
  inventoryTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** One report as it went out (the `report` event). */
export interface ReportEvent {
  ok: boolean;
  reasons: readonly string[];
  report: BuiltReport;
  error?: ReportFailedError;
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
  report: [event: ReportEvent];
  started: [results: StartAllResult[]];
}

const DEFAULT_INVENTORY_TIMEOUT_MS = 10_000;
/** Report reasons that send report_data even when nothing changed since the last accepted one. */
export const REPORT_REASONS = {
  startUp: STARTUP_REASON,
  periodic: PERIODIC_REASON,
  discover: DISCOVER_REASON,
  busConnected: 'message bus connected',
  busReconnected: 'message bus reconnected',
  inventoryChanged: 'inventory changed',
} as const;
const ALWAYS_SENT: ReadonlySet<string> = new Set([
  REPORT_REASONS.startUp,
  REPORT_REASONS.periodic,
  REPORT_REASONS.discover,
  REPORT_REASONS.busConnected,
  REPORT_REASONS.busReconnected,
]);
const MAX_DISCOVER_REPORT_WAIT_MS = 20_000;

export class AgentDaemon extends EventEmitter<DaemonEvents> {
  readonly manager: TargetManager;
  readonly bus: BusLink | null;
  readonly operations: AgentOperations;
  private readonly log: Logger;
  private readonly builder: ReportBuilder;
  private readonly scheduler: ReportScheduler | null;
  private readonly changeWatch: ChangeWatch | null;
  private readonly reporter: ConductorReporter | null;
  private readonly snapshots: SnapshotStore;
  private startup: Promise<StartAllResult[]> | null = null;
  private stopping: Promise<ShutdownResult> | null = null;
  private lastAttempted: string | null = null;
  private lastAccepted: string | null = null;
  private waitingForBusLogged = false;

  /** Throws `BusConfigError` when the bus options cannot work (the config is otherwise valid). */
  constructor(
    readonly config: AgentConfig,
    options: DaemonOptions = {},
  ) {
    super();
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
      options.lifecycle ?? {},
    );
    this.builder = new ReportBuilder({ reportedHostname: agent.reportedHostname, deviceType: spdk.deviceType, remoteable: spdk.remoteable });

    this.scheduler = bus.enabled
      ? new ReportScheduler({
          intervalMs: agent.reportIntervalSec * 1000,
          debounceMs: options.reportDebounceMs ?? 200,
          run: (reasons) => this.runReport(reasons),
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
      requestReport: scheduler ? (reason, requestOptions) => scheduler.request(reason, requestOptions) : null,
      reportWaitMs: Math.min(MAX_DISCOVER_REPORT_WAIT_MS, (bus.rpcResponseTimeoutSec * 1000) / 2),
      snapshots: this.snapshots,
    });

    if (bus.enabled) {
      const servers = [...new Set([agent.host, agent.reportedHostname])];
      const link = new BusLink({ config: bus, servers, endpoint: createAgentEndpoint(this.operations) });
      this.bus = link;
      this.reporter = new ConductorReporter({
        hostname: agent.reportedHostname,
        topic: bus.conductorTopic,
        exchange: bus.controlExchange,
        client: () => link.conductor,
        timeoutMs: bus.rpcResponseTimeoutSec * 1000,
      });
      link.on('ready', () => void this.scheduler?.request(REPORT_REASONS.busConnected));
      link.on('reconnected', () => void this.scheduler?.request(REPORT_REASONS.busReconnected));
      this.changeWatch = new ChangeWatch({
        intervalMs: agent.changeCheckIntervalSec * 1000,
        currentFingerprint: async () => this.builder.build(await this.snapshots.collect(this.manager.all())).fingerprint,
        lastFingerprint: () => this.lastAttempted,
        reporting: () => this.scheduler?.busy === true,
        onChange: () => void this.scheduler?.request(REPORT_REASONS.inventoryChanged),
        logger: this.log,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    } else {
      this.bus = null;
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
  start(): Promise<StartAllResult[]> {
    if (this.startup) return this.startup;
    if (this.bus) this.bus.start();
    else this.log.info('message bus disabled (bus.enabled: false): no registration with the conductor, no RPC');
    this.startup = this.manager.startAll().then((results) => {
      for (const result of results) {
        const fields = { target: result.name, action: result.action, state: result.status.state, pid: result.status.pid, version: result.status.version };
        if (result.action === 'failed') this.log.error('target did not come up', { ...fields, error: errorMessage(result.error) });
        else this.log.info('target looked after', fields);
      }
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
    return this.startup ?? Promise.reject(new Error('the daemon was not started'));
  }

  /** Asks for a report now (the `discover` method and tests use it). */
  requestReport(reason: string): Promise<ReportOutcome> | null {
    return this.scheduler?.request(reason) ?? null;
  }

  /** Stops everything, within agent.shutdownTimeoutSec (see the file comment). Idempotent. */
  shutdown(): Promise<ShutdownResult> {
    this.stopping ??= this.runShutdown();
    return this.stopping;
  }

  private async runReport(reasons: readonly string[]): Promise<void> {
    const reporter = this.reporter;
    if (!reporter) return; // the bus is disabled: there is no scheduler either
    let built: BuiltReport;
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
    try {
      await reporter.send(built.devices);
    } catch (err) {
      const error = err as ReportFailedError;
      if (error.kind === 'connection' && !this.bus?.serving && !this.waitingForBusLogged) {
        this.waitingForBusLogged = true;
        this.log.info('report_data waits for the message bus', fields);
      } else if (error.kind !== 'connection' || this.bus?.serving) {
        this.log.warn(`report_data failed: ${error.message}`, { ...fields, kind: error.kind });
      }
      this.emit('report', { ok: false, reasons, report: built, error });
      throw err;
    }
    const changed = built.fingerprint !== this.lastAccepted;
    this.lastAccepted = built.fingerprint;
    if (changed) this.log.info('report_data accepted by the conductor', fields);
    else this.log.debug('report_data accepted by the conductor (unchanged)', fields);
    this.emit('report', { ok: true, reasons, report: built });
  }

  private async runShutdown(): Promise<ShutdownResult> {
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
    await bounded('stopping the targets', this.manager.shutdown());
    // A report still waiting for the conductor is not worth waiting for (it may wait for its whole
    // rpcResponseTimeoutSec): closing the bus ends it at once.
    await bounded('closing the message bus', this.bus?.close() ?? Promise.resolve());
    await bounded('finishing the report in flight', this.scheduler?.idle() ?? Promise.resolve());
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
