/**
 * The SPDK threads of the simulated app and the reactors (cores) they run on, for
 * `thread_get_stats` and `framework_get_reactors`: `app_thread` on the first core, one NVMe-oF poll
 * group per core in apps with nvmf (named as in the captures: `nvmf_tgt_poll_group_0`), one iSCSI poll group per core in apps
 * with iscsi, and one thread per vhost controller. Busy/idle split the elapsed ticks the way an idle
 * polling target does (the app thread does a bit of work, poll groups almost none).
 */
import type { AppFeatures } from '../cli/apps.js';
import type { TickClock } from '../app/clock.js';

export interface SimThread {
  id: number;
  name: string;
  core: number;
  busyShare: number;
  createdTicks: bigint;
}

export class Threads {
  private readonly threads: SimThread[] = [];
  private nextId = 1;

  constructor(
    readonly cores: readonly number[],
    features: AppFeatures,
    private readonly clock: TickClock,
    /** v24.05+ names poll groups with three digits (`nvmf_tgt_poll_group_000`); v24.01 did not. */
    paddedPollGroupNames: boolean,
  ) {
    this.add('app_thread', cores[0]!, 0.35);
    const index = (i: number): string => (paddedPollGroupNames ? String(i).padStart(3, '0') : String(i));
    if (features.nvmf)
      cores.forEach((core, i) => {
        this.add(`nvmf_tgt_poll_group_${index(i)}`, core, 0.02);
      });
    if (features.iscsi)
      cores.forEach((core) => {
        this.add(`iscsi_poll_group_${core}`, core, 0.02);
      });
  }

  private add(name: string, core: number, busyShare: number): SimThread {
    const thread = { id: this.nextId++, name, core, busyShare, createdTicks: this.clock.elapsed() };
    this.threads.push(thread);
    return thread;
  }

  /** A thread for a new vhost controller, on the least used core. */
  addControllerThread(name: string): SimThread {
    const load = new Map<number, number>(this.cores.map((c) => [c, 0]));
    for (const t of this.threads) load.set(t.core, (load.get(t.core) ?? 0) + 1);
    const core = [...load.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0]![0];
    return this.add(name, core, 0.01);
  }

  remove(name: string): void {
    const i = this.threads.findIndex((t) => t.name === name);
    if (i >= 0) this.threads.splice(i, 1);
  }

  all(): readonly SimThread[] {
    return this.threads;
  }

  /** The NVMe-oF poll group threads (their ids are the `thread_id` of per-channel iostat). */
  pollGroups(): SimThread[] {
    return this.threads.filter((t) => t.name.startsWith('nvmf_tgt_poll_group_'));
  }

  elapsed(thread: SimThread): bigint {
    return this.clock.elapsed() - thread.createdTicks;
  }

  busy(thread: SimThread): bigint {
    return (this.elapsed(thread) * BigInt(Math.round(thread.busyShare * 1000))) / 1000n;
  }

  /** `cpumask` as SPDK prints it for a thread: hex without 0x. */
  static cpumask(core: number): string {
    return (1n << BigInt(core)).toString(16);
  }
}
