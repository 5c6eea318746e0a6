/**
 * The last inventory read from each target, shared by everything that reads targets: the change
 * check (every `agent.changeCheckIntervalSec`), report_data, `discover`, and the `report` method.
 *
 * - Reading: a read of a target that is already running (started for another reader, the target in
 *   the same state) is joined instead of sent again, so a burst of requests costs one round trip.
 * - Keeping: every successful read without statistics is kept, with when it started.
 * - Serving `report`: a kept snapshot is used while it is fresh — started within `freshForMs` (the
 *   change-check interval, so the target is read at least that often anyway) and the target's
 *   lifecycle state unchanged since (same state, same process, same entry time). Otherwise the
 *   target is read now. Statistics are never served from a snapshot: counters move.
 *
 * What is kept is the decoded inventory (what the next report needs anyway); a target that cannot
 * be read leaves no snapshot, so the next request reads it again.
 */
import type { TargetStatus } from '../spdk/lifecycle/types.js';
import { snapshotOf, type DetailedSnapshot, type SnapshotSource } from './target-snapshots.js';

export interface SnapshotStoreOptions {
  /** How long a snapshot answers `report`: the change-check interval. 0: never (always read). */
  freshForMs: number;
  /** Upper bound for reading one target's inventory (the target's rpcTimeoutSec when lower). */
  timeoutMs: number;
  /** Monotonic milliseconds; tests pass their own. */
  now?: () => number;
}

interface Kept {
  snapshot: DetailedSnapshot;
  /** When its read started. */
  takenAt: number;
  stateKey: string;
}

interface Reading {
  promise: Promise<DetailedSnapshot>;
  stateKey: string;
}

export class SnapshotStore {
  private readonly kept = new Map<string, Kept>();
  private readonly reading = new Map<string, Reading>();
  private readonly now: () => number;

  constructor(private readonly options: SnapshotStoreOptions) {
    if (!(options.freshForMs >= 0)) throw new RangeError('freshForMs must be ≥ 0');
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
    this.now = options.now ?? (() => performance.now());
  }

  /** How long a read stays fresh (a configuration reload changes it with the change-check period). */
  setFreshFor(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('freshForMs must be ≥ 0');
    this.options.freshForMs = ms;
  }

  /** Every enabled target read now (joining reads already running), in the order given. */
  collect(sources: readonly SnapshotSource[]): Promise<DetailedSnapshot[]> {
    return Promise.all(sources.filter((s) => s.spec.enabled !== false).map((source) => this.read(source)));
  }

  /** One target read now, or the read of it already running in the same state. */
  read(source: SnapshotSource): Promise<DetailedSnapshot> {
    const name = source.spec.name;
    const stateKey = stateKeyOf(source.status());
    const running = this.reading.get(name);
    if (running && running.stateKey === stateKey) return running.promise;
    const takenAt = this.now();
    const promise = snapshotOf(source, { timeoutMs: this.options.timeoutMs }).then((snapshot) => {
      if (snapshot.inventory !== null) this.keep(name, { snapshot, takenAt, stateKey: stateKeyOf(snapshot.status) });
      return snapshot;
    });
    const entry: Reading = { promise, stateKey };
    const done = (): void => {
      if (this.reading.get(name) === entry) this.reading.delete(name);
    };
    promise.then(done, done);
    this.reading.set(name, entry);
    return promise;
  }

  /**
   * The target as `report` shows it: the kept snapshot when fresh (with the status of now), else a
   * read now; with `stats`, always a read now (never kept).
   */
  recent(source: SnapshotSource, options: { stats?: boolean } = {}): Promise<DetailedSnapshot> {
    if (options.stats === true) return snapshotOf(source, { timeoutMs: this.options.timeoutMs, stats: true });
    const status = source.status();
    const kept = this.kept.get(source.spec.name);
    const fresh = kept !== undefined && this.options.freshForMs > 0 && this.now() - kept.takenAt <= this.options.freshForMs;
    if (fresh && kept.stateKey === stateKeyOf(status)) {
      return Promise.resolve({ ...kept.snapshot, status });
    }
    return this.read(source);
  }

  /** The last inventory kept for a target (however old), or undefined. */
  latest(name: string): DetailedSnapshot | undefined {
    return this.kept.get(name)?.snapshot;
  }

  private keep(name: string, entry: Kept): void {
    const previous = this.kept.get(name);
    // Reads can finish out of order: keep the one that started last.
    if (!previous || previous.takenAt <= entry.takenAt) this.kept.set(name, entry);
  }
}

/** What must not have changed for a snapshot to stand: the state, its process, when it was entered. */
function stateKeyOf(status: TargetStatus): string {
  return `${status.state}|${status.pid ?? ''}|${status.since}`;
}
