/**
 * Per-bdev I/O counters for the metrics: `bdev_get_iostat` read from each running target every
 * `metrics.iostatIntervalSec`, kept for the scrapes in between. A scrape never waits for SPDK: a
 * slow or hung target cannot stall Prometheus, and ten scrapers cost no more SPDK calls than one.
 *
 * Only the first `perBdevSeriesLimit` bdevs by name of each target become series (Prometheus pays
 * per series; a target may have 10,000 bdevs); how many were left out is kept too. SPDK's
 * counters are 64-bit: they stay as SPDK sent them (a `bigint` past 2^53) until the exposition
 * converts them.
 */
import { getIostat } from '../../spdk/methods/bdev.js';
import type { U64 } from '../../spdk/methods/types.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/log.js';
import type { MeasuredTarget } from './measured-agent.js';

export interface BdevCounters {
  bdev: string;
  bytesRead: U64;
  readOps: U64;
  bytesWritten: U64;
  writeOps: U64;
}

export interface TargetIostat {
  bdevs: BdevCounters[];
  /** Bdevs past the limit, without series. */
  omitted: number;
}

export interface IostatSamplerOptions {
  targets: () => readonly MeasuredTarget[];
  intervalMs: number;
  perBdevSeriesLimit: number;
  /** Deadline of one read; default 10 s (the target's rpcTimeoutSec when lower). */
  timeoutMs?: number;
  logger: Logger;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class IostatSampler {
  private readonly latest = new Map<string, TargetIostat>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Targets whose last read failed (logged once until a read works again). */
  private readonly failing = new Set<string>();

  constructor(private readonly options: IostatSamplerOptions) {}

  start(): void {
    if (this.timer !== null || this.options.perBdevSeriesLimit === 0) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** The counters of a target as last read; undefined when not running or never read. */
  of(target: string): TargetIostat | undefined {
    return this.latest.get(target);
  }

  /** Reads every running target now (a read still running is joined). */
  sample(): Promise<void> {
    this.running ??= this.readAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async readAll(): Promise<void> {
    const targets = this.options.targets();
    const names = new Set(targets.map((t) => t.spec.name));
    for (const name of [...this.latest.keys()]) if (!names.has(name)) this.latest.delete(name);
    await Promise.all(targets.map((target) => this.readOne(target)));
  }

  private async readOne(target: MeasuredTarget): Promise<void> {
    const name = target.spec.name;
    if (target.spec.enabled === false || target.status().state !== 'running') {
      this.latest.delete(name);
      return;
    }
    const ownLimit = (target.spec.rpcTimeoutSec ?? Infinity) * 1000;
    try {
      const stats = await getIostat(target.caller, {}, { timeoutMs: Math.min(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ownLimit) });
      this.latest.set(name, select(stats.bdevs, this.options.perBdevSeriesLimit));
      if (this.failing.delete(name)) this.options.logger.info('bdev I/O statistics readable again', { target: name });
    } catch (err) {
      this.latest.delete(name);
      if (!this.failing.has(name)) {
        this.failing.add(name);
        this.options.logger.warn('cannot read the bdev I/O statistics for the metrics; their series are left out until a read works', {
          target: name,
          error: errorMessage(err),
        });
      }
    }
  }
}

function select(
  bdevs: ReadonlyArray<{ name: string; bytes_read: U64; num_read_ops: U64; bytes_written: U64; num_write_ops: U64 }>,
  limit: number,
): TargetIostat {
  const sorted = [...bdevs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const kept = sorted.slice(0, limit).map((b) => ({
    bdev: b.name,
    bytesRead: b.bytes_read,
    readOps: b.num_read_ops,
    bytesWritten: b.bytes_written,
    writeOps: b.num_write_ops,
  }));
  return { bdevs: kept, omitted: bdevs.length - kept.length };
}
