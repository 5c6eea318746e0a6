/**
 * The bus load generator, run as a process of its own (`node dist/bench/load/bus-load.js '<json>'`)
 * so that it never competes with the harness: the project's bus `RpcClient` keeping `concurrency`
 * calls in flight against one server for a fixed time, recording each call's latency, and reading
 * the server process's CPU time (/proc) just before the first measured call and just after the
 * last reply.
 *
 * Output: one JSON line {calls, errors, firstError, elapsedMs, perSec, p50Ms, p99Ms, maxMs,
 * serverCpuMs, brokerCpuMs, ownCpuMs, replyBytes}.
 */
import { configureLogging } from '../../src/util/log.js';
import { openTransport, type BusTransport } from '../../src/bus/index.js';
import { cpuTimeMs, totalCpuTimeMs } from '../lib/proc.js';
import { percentileSorted } from '../lib/stats.js';

interface LoadParams {
  url: string;
  exchange: string;
  topic: string;
  server: string;
  method: string;
  args: Record<string, unknown>;
  concurrency: number;
  durationMs: number;
  warmupCalls: number;
  serverPid: number;
  /** Other processes whose CPU time over the window is reported (the broker). */
  brokerPids: number[];
  timeoutMs: number;
  /** The queue options of the agent under load (quorum queues, stream fanout …): the caller declares as it does. */
  bus?: Record<string, unknown>;
}

function parseParams(text: string | undefined): LoadParams {
  if (!text) throw new Error('usage: bus-load.js <JSON parameters>');
  const p = JSON.parse(text) as Partial<LoadParams>;
  for (const key of ['url', 'exchange', 'topic', 'server', 'method'] as const) {
    if (typeof p[key] !== 'string' || p[key] === '') throw new Error(`parameter ${key} must be a non-empty string`);
  }
  for (const key of ['concurrency', 'durationMs', 'serverPid'] as const) {
    if (!Number.isInteger(p[key]) || (p[key] as number) <= 0) throw new Error(`parameter ${key} must be a positive integer`);
  }
  return { args: {}, warmupCalls: 200, timeoutMs: 30_000, brokerPids: [], ...p } as LoadParams;
}

async function main(): Promise<void> {
  configureLogging({ level: 'error' });
  const p = parseParams(process.argv[2]);
  let bus: BusTransport | null = null;
  try {
    bus = await openTransport({
      ...p.bus,
      urls: [p.url],
      controlExchange: p.exchange,
      openTimeoutSec: 15,
      rpcResponseTimeoutSec: Math.ceil(p.timeoutMs / 1000),
    });
    const client = bus.createClient({ topic: p.topic, server: p.server, timeoutMs: p.timeoutMs });

    // Warm-up: reply queue declared, JIT warm, both sides' connections busy once.
    let replyBytes = 0;
    for (let done = 0; done < p.warmupCalls; ) {
      const batch = Math.min(p.concurrency, p.warmupCalls - done);
      const results = await Promise.all(Array.from({ length: batch }, () => client.call(p.method, p.args)));
      replyBytes = JSON.stringify(results[0], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).length;
      done += batch;
    }

    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | null = null;
    let stop = false;
    const serverCpuBefore = cpuTimeMs(p.serverPid);
    const brokerCpuBefore = totalCpuTimeMs(p.brokerPids);
    const ownBefore = process.cpuUsage();
    const start = performance.now();
    let last = start;
    const timer = setTimeout(() => (stop = true), p.durationMs);
    const worker = async (): Promise<void> => {
      while (!stop) {
        const t0 = performance.now();
        try {
          await client.call(p.method, p.args);
          last = performance.now();
          latencies.push(last - t0);
        } catch (err) {
          errors++;
          firstError ??= err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        }
      }
    };
    await Promise.all(Array.from({ length: p.concurrency }, worker));
    clearTimeout(timer);
    const serverCpuMs = cpuTimeMs(p.serverPid) - serverCpuBefore;
    const brokerCpuMs = totalCpuTimeMs(p.brokerPids) - brokerCpuBefore;
    const own = process.cpuUsage(ownBefore);
    const elapsedMs = last - start;
    latencies.sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify({
        calls: latencies.length,
        errors,
        firstError,
        elapsedMs,
        perSec: (latencies.length / elapsedMs) * 1000,
        p50Ms: percentileSorted(latencies, 50),
        p99Ms: percentileSorted(latencies, 99),
        maxMs: latencies[latencies.length - 1] ?? null,
        serverCpuMs,
        brokerCpuMs,
        ownCpuMs: (own.user + own.system) / 1000,
        replyBytes,
      })}\n`,
    );
  } finally {
    await bus?.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bus-load: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
