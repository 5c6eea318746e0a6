/**
 * All the targets of one configuration: one `TargetSupervisor` each, SPDK detected once for all
 * (again on `redetect()`, after an install or an upgrade), every supervisor's state events
 * re-emitted on the manager (for the bus layer to publish).
 *
 * `startAll()` starts the `autostart` targets and adopts the others that already run (when
 * `adopt` allows); `shutdown()` stops the ones configured with `stopOnAgentExit` and leaves the
 * rest running for the next agent to adopt. Disabled targets are kept out of both.
 */
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { getLogger, type Logger } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import { detectSpdk, type SpdkInstallation } from '../install/detect.js';
import { UnknownTargetError } from './errors.js';
import type { HugepagePaths } from './hugepages.js';
import { TargetSupervisor, type SupervisorOptions } from './supervisor.js';
import type { TargetSpec, TargetStateEvent, TargetStatus } from './types.js';

/** The part of the config's `spdk` section the manager reads. */
export interface ManagedSpdkConfig {
  sourceDir?: string;
  prefix?: string;
  searchPath?: boolean;
  hugepages?: { allocate: boolean; useSetupScript: boolean };
  targets: readonly TargetSpec[];
}

export interface TargetManagerOptions extends Omit<SupervisorOptions, 'installation' | 'hugepages'> {
  /** Injected detection (tests, or a caller that detected already); default `detectSpdk` on the config. Run once, and again on `redetect()`. */
  installation?: () => Promise<SpdkInstallation>;
  /** Where hugepage facts are read (tests pass fake files); default /proc. */
  hugepagePaths?: HugepagePaths;
}

export interface TargetManagerEvents {
  state: [event: TargetStateEvent];
}

export interface StartAllResult {
  name: string;
  /** `not-adopted`: not autostarted and `adopt` is off, so the agent does not look for it. */
  action: 'started' | 'adopted' | 'not-running' | 'not-adopted' | 'failed' | 'disabled';
  status: TargetStatus;
  error?: Error;
}

/** What `reconcile` did, per target. */
export interface ReconcileResult {
  added: StartAllResult[];
  /** Let go of: no longer configured, or disabled. */
  removed: string[];
  /** Supervised anew with the changed settings. */
  replaced: StartAllResult[];
  /** Only the restart policy changed: applied in place. */
  policyChanged: string[];
}

/** A spec as plain data, without `omit` (frozen config objects and fresh ones compare alike). */
function comparable(spec: TargetSpec, omit?: keyof TargetSpec): unknown {
  const plain = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  if (omit !== undefined) delete plain[omit];
  return plain;
}

export class TargetManager extends EventEmitter<TargetManagerEvents> {
  private readonly supervisors = new Map<string, TargetSupervisor>();
  private readonly log: Logger;
  private readonly detector: () => Promise<SpdkInstallation>;
  private installationPromise: Promise<SpdkInstallation> | undefined;

  constructor(
    private readonly config: ManagedSpdkConfig,
    private readonly options: TargetManagerOptions = {},
  ) {
    super();
    this.log = options.logger ?? getLogger('spdk.lifecycle');
    this.detector = options.installation ?? (() => this.detectFromConfig());
    for (const spec of config.targets) this.supervisors.set(spec.name, this.createSupervisor(spec));
  }

  private createSupervisor(spec: TargetSpec): TargetSupervisor {
    const { config, options } = this;
    const supervisor = new TargetSupervisor(spec, {
      ...options,
      installation: () => this.installation(),
      ...(config.hugepages || options.hugepagePaths
        ? {
            hugepages: {
              ...(config.hugepages ?? { allocate: false, useSetupScript: true }),
              ...(options.hugepagePaths ? { paths: options.hugepagePaths } : {}),
            },
          }
        : {}),
    });
    supervisor.on('state', (event) => this.emit('state', event));
    return supervisor;
  }

  /** SPDK as detected (once; later calls and every start share the answer until `redetect()`). */
  installation(): Promise<SpdkInstallation> {
    return this.installationPromise ?? this.redetect();
  }

  /**
   * Detects SPDK again — binaries, version, scripts — and makes the new answer the one later starts
   * use (a start already past detection keeps what it had). A failed detection is not kept.
   */
  redetect(): Promise<SpdkInstallation> {
    const detection = Promise.resolve().then(() => this.detector());
    this.installationPromise = detection;
    detection.catch(() => {
      if (this.installationPromise === detection) this.installationPromise = undefined;
    });
    return detection;
  }

  names(): string[] {
    return [...this.supervisors.keys()];
  }

  /** The supervisor of `name`; `UnknownTargetError` (listing the configured names) otherwise. */
  get(name: string): TargetSupervisor {
    const supervisor = this.supervisors.get(name);
    if (!supervisor) throw new UnknownTargetError({ name, known: this.names() });
    return supervisor;
  }

  all(): TargetSupervisor[] {
    return [...this.supervisors.values()];
  }

  status(): TargetStatus[] {
    return this.all().map((s) => s.status());
  }

  /**
   * Starts the autostart targets and adopts the running ones, all targets at once (one slow target
   * does not hold up the others). Never rejects: each target's outcome is in the result.
   */
  async startAll(): Promise<StartAllResult[]> {
    return Promise.all(this.all().map((supervisor) => this.startOne(supervisor)));
  }

  private async startOne(supervisor: TargetSupervisor): Promise<StartAllResult> {
    const spec = supervisor.spec;
    if (spec.enabled === false) return { name: spec.name, action: 'disabled', status: supervisor.status() };
    try {
      if (spec.autostart) {
        const before = supervisor.state;
        const status = await supervisor.start();
        const adopted = status.ownership === 'adopted' && before !== 'running';
        return { name: spec.name, action: adopted ? 'adopted' : 'started', status };
      }
      if (spec.adopt === false) return { name: spec.name, action: 'not-adopted', status: supervisor.status() };
      const status = await supervisor.attach();
      return { name: spec.name, action: status.ownership === 'adopted' ? 'adopted' : 'not-running', status };
    } catch (err) {
      this.log.error('target did not start', { target: spec.name, error: errorMessage(err) });
      return { name: spec.name, action: 'failed', status: supervisor.status(), error: err as Error };
    }
  }

  /**
   * Brings the managed targets in line with a new target list (a configuration reload):
   * - a target no longer listed, or now disabled, is let go as on agent exit (stopped when
   *   `stopOnAgentExit`, else left running unsupervised);
   * - a new target is started or adopted as at start-up;
   * - a target whose restart policy alone changed keeps its supervisor and takes the new policy;
   * - any other change replaces the supervisor: the running process is left alone and adopted
   *   again by the new one (new arguments take effect at the target's next start).
   * Never rejects: each target's outcome is in the result.
   */
  async reconcile(targets: readonly TargetSpec[]): Promise<ReconcileResult> {
    const result: ReconcileResult = { added: [], removed: [], replaced: [], policyChanged: [] };
    const wanted = new Map(targets.map((spec) => [spec.name, spec]));
    const letGo = async (supervisor: TargetSupervisor): Promise<void> => {
      await supervisor
        .shutdown()
        .catch((err: unknown) => this.log.error('could not let go of the target', { target: supervisor.name, error: errorMessage(err) }));
      supervisor.removeAllListeners('state');
    };
    const work: Array<Promise<void>> = [];
    for (const [name, supervisor] of [...this.supervisors]) {
      const spec = wanted.get(name);
      if (spec === undefined || (spec.enabled === false && supervisor.spec.enabled !== false)) {
        this.supervisors.delete(name);
        if (spec !== undefined) this.supervisors.set(name, this.createSupervisor(spec));
        result.removed.push(name);
        work.push(letGo(supervisor));
        continue;
      }
      if (isDeepStrictEqual(comparable(spec), comparable(supervisor.spec))) continue;
      if (isDeepStrictEqual(comparable(spec, 'restart'), comparable(supervisor.spec, 'restart'))) {
        supervisor.setRestartPolicy(spec.restart);
        result.policyChanged.push(name);
        continue;
      }
      const replacement = this.createSupervisor(spec);
      this.supervisors.set(name, replacement);
      work.push(
        (async () => {
          await supervisor.detach();
          supervisor.removeAllListeners('state');
          result.replaced.push(await this.startOne(replacement));
        })(),
      );
    }
    for (const [name, spec] of wanted) {
      if (this.supervisors.has(name)) continue;
      const supervisor = this.createSupervisor(spec);
      this.supervisors.set(name, supervisor);
      work.push(this.startOne(supervisor).then((started) => void result.added.push(started)));
    }
    await Promise.all(work);
    return result;
  }

  /** Lets go of every target without stopping any (they keep running, unsupervised). */
  async detachAll(): Promise<void> {
    await Promise.all(this.all().map((s) => s.detach()));
  }

  /** The agent is leaving: stop what is configured to stop, let go of the rest. */
  async shutdown(): Promise<void> {
    await Promise.all(this.all().map((s) => s.shutdown()));
  }

  private detectFromConfig(): Promise<SpdkInstallation> {
    return detectSpdk({
      ...(this.config.sourceDir !== undefined ? { sourceDir: this.config.sourceDir } : {}),
      ...(this.config.prefix !== undefined ? { prefix: this.config.prefix } : {}),
      searchPath: this.config.searchPath ?? true,
      targets: this.config.targets,
    });
  }
}
