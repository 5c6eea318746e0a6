/**
 * Everything a simulated target is: which app and release it plays, its command line, its clock and
 * its state (bdevs, NVMe controllers, NVMe-oF, vhost, SCSI, iSCSI, settings). Method handlers get
 * this object; the app lifecycle (src/sim/app/) builds it and drives the states.
 */
import { APP_FEATURES, type AppFeatures, type AppName } from './cli/apps.js';
import type { SimOptions } from './cli/sim-options.js';
import type { SpdkCommandLine } from './cli/spdk-options.js';
import type { TickClock } from './app/clock.js';
import type { SpdkLog } from './app/spdk-log.js';
import { BdevStore } from './state/bdev-store.js';
import { MemoryBudget } from './state/memory.js';
import { Notifications } from './state/notifications.js';
import { Random } from './state/random.js';
import { Settings } from './state/settings.js';
import { Threads } from './state/threads.js';
import type { VersionProfile } from './versions/profile.js';

/** What handlers may ask of the app's lifecycle. */
export interface Lifecycle {
  /** STARTUP or RUNTIME (method-table constants); null for releases without states. */
  rpcState(): number | null;
  /** Resolves when the framework is initialised (at once if it is). */
  whenInitialized(): Promise<void>;
  /** framework_start_init: initialise now. Resolves when done. */
  startInit(): Promise<void>;
  /** A signal-style stop request (SIGTERM, SIGINT, …), as `spdk_kill_instance` sends. */
  signal(name: string): void;
  readonly pid: number;
}

export class Target {
  readonly features: AppFeatures;
  readonly random: Random;
  readonly notify = new Notifications();
  readonly bdevs: BdevStore;
  readonly memory: MemoryBudget;
  readonly settings = new Settings();
  readonly threads: Threads;
  /** vhost-user sockets go here (`-S`, default: the working directory). */
  readonly vhostSocketDir: string;

  constructor(
    readonly app: AppName,
    readonly profile: VersionProfile,
    readonly cl: SpdkCommandLine,
    readonly sim: SimOptions,
    readonly cores: readonly number[],
    readonly clock: TickClock,
    readonly log: SpdkLog,
    readonly lifecycle: Lifecycle,
  ) {
    this.features = APP_FEATURES[app];
    this.random = new Random(sim.seed);
    this.bdevs = new BdevStore(this.notify);
    this.memory = new MemoryBudget(cl.memSizeMb === undefined ? null : cl.memSizeMb * 1024 * 1024);
    this.threads = new Threads(cores, this.features, clock, profile.number >= 2405);
    this.vhostSocketDir = cl.vhostSocketDir ?? process.cwd();
  }

  /** A `tick_rate` member value. */
  get tickRate(): number {
    return this.sim.tickRate;
  }
}
