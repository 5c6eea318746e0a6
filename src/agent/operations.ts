/**
 * What the agent's RPC methods do, apart from the bus: rescan and report (`discover`), drive one
 * target's lifecycle (`start`, `stop`), show the targets (`report`), answer `ping`.
 *
 * Only configured targets can be named, and only these operations exist: nothing here runs an
 * arbitrary SPDK method, path or command. Failures are typed errors of the lower layers (or
 * `UnknownTargetError`); endpoint.ts turns them into what a Python caller reads.
 */
import type { SpdkInstallation } from '../spdk/install/detect.js';
import type { StopOutcome } from '../spdk/lifecycle/stop-procedure.js';
import type { TargetSpec, TargetStatus } from '../spdk/lifecycle/types.js';
import { errorMessage } from '../util/errors.js';
import type { RegistrationBuilder } from './registration-builder.js';
import type { RegistrationOutcome } from './registration-scheduler.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { DetailedSnapshot, SnapshotSource } from './target-snapshots.js';
import { inventoryView, statusView, type TargetStatusView, type TargetView } from './target-view.js';

/** One configured target as the operations use it (a `TargetSupervisor`). */
export interface TargetHandle extends SnapshotSource {
  readonly name: string;
  readonly spec: TargetSpec;
  start(): Promise<TargetStatus>;
  stop(options?: { force?: boolean }): Promise<StopOutcome>;
  attach(): Promise<TargetStatus>;
}

/** The configured targets (a `TargetManager`): `get` throws `UnknownTargetError` naming the configured ones. */
export interface TargetRegistry {
  get(name: string): TargetHandle;
  all(): TargetHandle[];
}

export interface AgentIdentity {
  host: string;
  reportedHostname: string;
  agentVersion: string;
}

export interface OperationsDeps {
  targets: TargetRegistry;
  identity: AgentIdentity;
  /** Looks for SPDK again (binaries, version, scripts); what later starts use too. */
  rescanInstallation: () => Promise<SpdkInstallation>;
  builder: RegistrationBuilder;
  /** Null when the bus is disabled: nothing is reported. `immediate`: no debounce (an explicit request). */
  requestRegistration: ((reason: string, options?: { immediate?: boolean }) => Promise<RegistrationOutcome>) | null;
  /** How long `discover` waits for its report before answering without its outcome. */
  registrationWaitMs: number;
  /** The targets' inventories: read, shared between readers, kept while fresh. */
  snapshots: SnapshotStore;
}

/** The report reason of `discover` (always sent, even when nothing changed). */
export const DISCOVER_REASON = 'discover';

export interface PingResult {
  pong: string;
  reported_hostname: string;
  agent: string;
  version: string;
  /** The agent's process id: tells two agents of one host apart. */
  pid: number;
}

export interface DiscoverResult {
  host: string;
  reported_hostname: string;
  installation: {
    installed: boolean;
    version: string | null;
    source_dir: string | null;
    prefix: string | null;
    apps: Record<string, string>;
    problems: string[];
  };
  targets: Array<{
    name: string;
    app: string;
    state: string;
    pid: number | null;
    version: string | null;
    bdevs: number | null;
    nvme_controllers: number | null;
    inventory_error: string | null;
  }>;
  devices: Array<{
    bdf: string;
    target: string;
    vendor: string;
    model: string;
    stub: boolean;
    deployables: Array<{ name: string; resource_class: string; traits: string[]; attach_info: string[] }>;
  }>;
  /** `sent`: the conductor accepted it; `failed`: see `error`; `pending`: still running when answering; `disabled`: no bus. */
  report: { status: 'sent' | 'failed' | 'pending' | 'disabled'; error: string | null };
}

export interface StopTargetResult {
  target: TargetStatusView;
  method: string;
  sent: string[];
  removed_files: string[];
}

export class AgentOperations {
  constructor(private readonly deps: OperationsDeps) {}

  ping(): PingResult {
    const { host, reportedHostname, agentVersion } = this.deps.identity;
    return { pong: host, reported_hostname: reportedHostname, agent: 'spdk-agent', version: agentVersion, pid: process.pid };
  }

  async discover(): Promise<DiscoverResult> {
    const installation = await this.deps.rescanInstallation();
    const targets = this.deps.targets.all().filter((t) => t.spec.enabled !== false);
    // Targets started by someone since: take them on (as at start-up, where adoption is allowed).
    await Promise.all(targets.filter((t) => t.spec.adopt !== false).map((t) => t.attach().catch(() => undefined)));
    // The report starts now and reads the targets; this answer joins those reads instead of
    // making its own.
    const registration = this.registerNow(DISCOVER_REASON);
    const snapshots = await this.deps.snapshots.collect(targets);
    const built = this.deps.builder.build(snapshots);
    const report = await registration;
    return {
      host: this.deps.identity.host,
      reported_hostname: this.deps.identity.reportedHostname,
      installation: {
        installed: installation.installed,
        version: installation.version?.text ?? null,
        source_dir: installation.sourceDir ?? null,
        prefix: installation.prefix ?? null,
        apps: Object.fromEntries(Object.entries(installation.apps).map(([app, location]) => [app, location.path])),
        problems: installation.problems,
      },
      targets: snapshots.map(targetSummary),
      devices: built.devices.map((device, index) => ({
        bdf: built.sources[index]!.bdf,
        target: built.sources[index]!.target,
        vendor: device.vendor,
        model: device.model,
        stub: device.stub,
        deployables: device.deployable_list.map((d) => ({
          name: d.name,
          resource_class: d.attribute_list.find((a) => a.key === 'rc')?.value ?? '',
          traits: d.attribute_list.filter((a) => a.key.startsWith('trait')).map((a) => a.value),
          attach_info: d.attach_handle_list.map((h) => h.attach_info),
        })),
      })),
      report,
    };
  }

  async start(name: string): Promise<TargetStatusView> {
    const target = this.deps.targets.get(name);
    const status = await target.start();
    return statusView(status, target.spec);
  }

  async stop(name: string, force: boolean): Promise<StopTargetResult> {
    const target = this.deps.targets.get(name);
    const outcome = await target.stop({ force });
    return { target: statusView(target.status(), target.spec), method: outcome.method, sent: outcome.sent, removed_files: outcome.removedFiles };
  }

  async report(name: string | null, stats: boolean): Promise<{ targets: TargetView[] }> {
    const targets = name === null ? this.deps.targets.all() : [this.deps.targets.get(name)];
    const views = await Promise.all(
      targets.map(async (target): Promise<TargetView> => {
        const base = statusView(target.status(), target.spec);
        if (target.spec.enabled === false) return { ...base, inventory: null, inventory_error: null };
        // Without statistics, the inventory the change check read within its interval will do.
        const snapshot = await this.deps.snapshots.recent(target, { stats });
        return {
          ...statusView(snapshot.status, target.spec),
          inventory: snapshot.inventory ? inventoryView(snapshot.inventory) : null,
          inventory_error: snapshot.inventoryError ?? null,
        };
      }),
    );
    return { targets: views };
  }

  private async registerNow(reason: string): Promise<DiscoverResult['report']> {
    if (!this.deps.requestRegistration) return { status: 'disabled', error: null };
    const outcome = this.deps.requestRegistration(reason, { immediate: true });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.deps.registrationWaitMs);
    });
    try {
      const result = await Promise.race([outcome, late]);
      if (result === null) return { status: 'pending', error: null };
      return result.ok ? { status: 'sent', error: null } : { status: 'failed', error: errorMessage(result.error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

function targetSummary(snapshot: DetailedSnapshot): DiscoverResult['targets'][number] {
  const inventory = snapshot.inventory;
  return {
    name: snapshot.name,
    app: snapshot.app,
    state: snapshot.state,
    pid: snapshot.status.pid ?? null,
    version: snapshot.status.version ?? null,
    bdevs: inventory ? inventory.bdevs.length : null,
    nvme_controllers: inventory?.nvmeControllers ? inventory.nvmeControllers.length : null,
    inventory_error: snapshot.inventoryError ?? null,
  };
}
