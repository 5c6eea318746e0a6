/**
 * A bdev's I/O counters as `bdev_get_iostat` reports them (`spdk_bdev_dump_io_stat_json`, v24.01).
 *
 * Two sources move them: the examine reads every new bdev gets (the GPT probe reads one block,
 * 4 KiB and 32 KiB: 37376 bytes in 3 reads for a 512-byte-block bdev, 40960 for 4 KiB blocks, as
 * the captures show), and a simulated workload on bdevs something exports (an NVMe-oF namespace, a
 * vhost controller, an iSCSI LUN), at --sim-io-ops-per-sec, so counters move between calls like on
 * a target with busy hosts. Latencies are in ticks of the simulated TSC.
 */
import type { Random } from './random.js';

export interface OpCounters {
  bytes: number;
  ops: number;
  latency: number;
  maxLatency: number;
  minLatency: number;
}

function zero(): OpCounters {
  return { bytes: 0, ops: 0, latency: 0, maxLatency: 0, minLatency: 0 };
}

function record(c: OpCounters, bytes: number, latency: number): void {
  c.bytes += bytes;
  c.ops += 1;
  c.latency += latency;
  if (latency > c.maxLatency) c.maxLatency = latency;
  if (c.minLatency === 0 || latency < c.minLatency) c.minLatency = latency;
}

export class IoCounters {
  read = zero();
  write = zero();
  unmap = zero();
  copy = zero();

  reset(mode: 'all' | 'maxmin'): void {
    for (const c of [this.read, this.write, this.unmap, this.copy]) {
      if (mode === 'all') Object.assign(c, zero());
      else {
        c.maxLatency = 0;
        c.minLatency = 0;
      }
    }
  }

  /** The members SPDK writes for one bdev or channel, in its order. */
  fields(): Record<string, number> {
    const { read: r, write: w, unmap: u, copy: c } = this;
    return {
      bytes_read: r.bytes,
      num_read_ops: r.ops,
      bytes_written: w.bytes,
      num_write_ops: w.ops,
      bytes_unmapped: u.bytes,
      num_unmap_ops: u.ops,
      bytes_copied: c.bytes,
      num_copy_ops: c.ops,
      read_latency_ticks: r.latency,
      max_read_latency_ticks: r.maxLatency,
      min_read_latency_ticks: r.minLatency,
      write_latency_ticks: w.latency,
      max_write_latency_ticks: w.maxLatency,
      min_write_latency_ticks: w.minLatency,
      unmap_latency_ticks: u.latency,
      max_unmap_latency_ticks: u.maxLatency,
      min_unmap_latency_ticks: u.minLatency,
      copy_latency_ticks: c.latency,
      max_copy_latency_ticks: c.maxLatency,
      min_copy_latency_ticks: c.minLatency,
    };
  }

  add(other: IoCounters): IoCounters {
    const sum = new IoCounters();
    for (const key of ['read', 'write', 'unmap', 'copy'] as const) {
      const a = this[key];
      const b = other[key];
      sum[key] = {
        bytes: a.bytes + b.bytes,
        ops: a.ops + b.ops,
        latency: a.latency + b.latency,
        maxLatency: Math.max(a.maxLatency, b.maxLatency),
        minLatency: a.minLatency === 0 ? b.minLatency : b.minLatency === 0 ? a.minLatency : Math.min(a.minLatency, b.minLatency),
      };
    }
    return sum;
  }
}

export class BdevIoStats {
  /** I/O done on channels that are closed now (examine). */
  readonly past = new IoCounters();
  /** I/O of the simulated workload, on the exporter's channel. */
  readonly workload = new IoCounters();
  private lastSeconds: number | null = null;
  private carry = 0;

  constructor(
    private readonly random: Random,
    private readonly tickRate: number,
  ) {}

  /** The examine reads of a newly registered bdev. */
  examine(blockSize: number, mdInterleaved: boolean): void {
    const sizes = mdInterleaved ? [blockSize] : [blockSize, Math.max(4096, blockSize), 32768];
    for (const bytes of sizes) record(this.past.read, bytes, this.latency(30, 90));
  }

  /** Latency of one I/O in ticks, `lowUs`..`highUs` microseconds. */
  private latency(lowUs: number, highUs: number): number {
    return Math.round((this.random.int(lowUs * 100, highUs * 100) / 100) * (this.tickRate / 1e6));
  }

  /** Runs the simulated workload up to `nowSeconds` (call before reading the counters). */
  advance(nowSeconds: number, opsPerSecond: number, exported: boolean, ioSize: number): void {
    const last = this.lastSeconds;
    this.lastSeconds = nowSeconds;
    if (!exported || opsPerSecond <= 0 || last === null) {
      this.carry = 0;
      return;
    }
    const exact = (nowSeconds - last) * opsPerSecond + this.carry;
    const ops = Math.floor(exact);
    this.carry = exact - ops;
    if (ops <= 0) return;
    // Aggregated, not one record per I/O: a listing of 10,000 busy bdevs must stay cheap.
    const reads = Math.round(ops * (0.6 + this.random.next() * 0.2));
    this.bulk(this.workload.read, reads, ioSize, 20, 150);
    this.bulk(this.workload.write, ops - reads, ioSize, 15, 120);
  }

  private bulk(c: OpCounters, ops: number, ioSize: number, lowUs: number, highUs: number): void {
    if (ops <= 0) return;
    const fastest = this.latency(lowUs, lowUs + (highUs - lowUs) / 4);
    const slowest = this.latency(highUs - (highUs - lowUs) / 4, highUs);
    c.bytes += ops * ioSize;
    c.ops += ops;
    c.latency += Math.round(ops * ((fastest + slowest) / 2));
    if (slowest > c.maxLatency) c.maxLatency = slowest;
    if (c.minLatency === 0 || fastest < c.minLatency) c.minLatency = fastest;
  }

  total(): IoCounters {
    return this.past.add(this.workload);
  }

  reset(mode: 'all' | 'maxmin'): void {
    this.past.reset(mode);
    this.workload.reset(mode);
  }
}
