/**
 * Figure 2 — RPC throughput on one connection with many concurrent callers.
 *
 * The agent side: one `SpdkRpcClient`, `CALLERS` async callers each looping on
 * `spdk_get_version` (so `CALLERS` requests are in flight, the client's default window), for a fixed
 * time; calls completed per second. The target: the simulator with its poll period at 0 (it answers
 * as soon as a request is complete), so the target is not SPDK's 4 ms poll.
 *
 * Beside it, the target's own limit: a raw pipelined writer on one connection keeping the same number
 * of pre-encoded requests in flight and only counting reply newlines. The CPU time of both processes
 * (from /proc) says which side was busy.
 */
import { SpdkRpcClient } from '../../src/spdk/rpc/index.js';
import { startSim } from '../../test/helpers/sim.js';
import type { Figure } from '../lib/context.js';
import { cpuTimeMs } from '../lib/proc.js';
import { RawConnection } from '../lib/raw-socket.js';
import { measuredRow } from '../lib/results.js';
import { median } from '../lib/stats.js';

const FIGURE = '2 throughput';
const CALLERS = 1024;
const REQUEST = '{"jsonrpc":"2.0","method":"spdk_get_version","id":1}';
/** Real SPDK v24.01, pipelined, one connection (contract, "Checked on real targets"). */
const REAL_SPDK_PIPELINED_PER_SEC = 120_000;

interface Pass {
  perSec: number;
  /** CPU used by the bench process (the client) and by the simulator, as % of one core. */
  ownCpuPct: number;
  simCpuPct: number;
  /** CPU µs of the bench process per completed call. */
  ownCpuUsPerCall: number;
}

/**
 * Runs `pass` and turns what it completed in its own wall time into rates, with the CPU this
 * process and the target used meanwhile.
 */
async function measured(simPid: number, pass: () => Promise<{ completed: number; elapsedMs: number }>): Promise<Pass> {
  const simBefore = cpuTimeMs(simPid);
  const ownBefore = process.cpuUsage();
  const { completed, elapsedMs } = await pass();
  const own = process.cpuUsage(ownBefore);
  const ownMs = (own.user + own.system) / 1000;
  return {
    perSec: (completed / elapsedMs) * 1000,
    ownCpuPct: (ownMs / elapsedMs) * 100,
    simCpuPct: ((cpuTimeMs(simPid) - simBefore) / elapsedMs) * 100,
    ownCpuUsPerCall: (ownMs * 1000) / completed,
  };
}

function clientPass(client: SpdkRpcClient, simPid: number, durationMs: number): Promise<Pass> {
  return measured(simPid, async () => {
    let completed = 0;
    let stop = false;
    const start = performance.now();
    const timer = setTimeout(() => (stop = true), durationMs);
    const caller = async (): Promise<void> => {
      while (!stop) {
        await client.call('spdk_get_version');
        completed++;
      }
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));
    clearTimeout(timer);
    return { completed, elapsedMs: performance.now() - start };
  });
}

function rawPass(raw: RawConnection, simPid: number, durationMs: number): Promise<Pass> {
  return measured(simPid, async () => {
    const { replies, elapsedMs } = await raw.blast(REQUEST, CALLERS, durationMs);
    return { completed: replies, elapsedMs };
  });
}

function pct(values: number[]): string {
  return `${median(values).toFixed(0)}%`;
}

export const throughputFigure: Figure = {
  id: '2',
  title: 'RPC throughput on one connection',
  plannedRows() {
    return [
      { figure: FIGURE, metric: `spdk_get_version/s, ${CALLERS} concurrent callers`, unit: 'calls/s', target: '≥ 100,000/s' },
      { figure: FIGURE, metric: "agent's client vs the target's own limit", unit: 'calls/s', target: 'client not the bottleneck (≥ 90% of the target limit)' },
    ];
  },
  async run(ctx) {
    const passes = ctx.size(2, 5);
    const durationMs = ctx.size(700, 3000);
    ctx.progress(`figure 2: nvmf_tgt simulator, poll period 0; ${passes} passes of ${durationMs} ms each side`);
    const sim = await startSim({ app: 'nvmf_tgt', pollPeriodUs: 0 });
    const client = new SpdkRpcClient({ address: sim.socket });
    const raw = await RawConnection.open(sim.socket);
    try {
      await client.call('spdk_get_version');
      // Warm both paths (JIT, socket buffers) before anything counts.
      await clientPass(client, sim.pid, 300);
      await raw.blast(REQUEST, CALLERS, 300);
      const clientPasses: Pass[] = [];
      const rawPasses: Pass[] = [];
      // Interleaved, so that drift on the machine affects both sides alike.
      for (let i = 0; i < passes && !ctx.signal.aborted; i++) {
        clientPasses.push(await clientPass(client, sim.pid, durationMs));
        rawPasses.push(await rawPass(raw, sim.pid, durationMs));
      }
      const clientRate = median(clientPasses.map((p) => p.perSec));
      const rawRate = median(rawPasses.map((p) => p.perSec));
      const usPerCall = median(clientPasses.map((p) => p.ownCpuUsPerCall));
      const capacity = 1e6 / usPerCall;
      const details = [
        `nvmf_tgt simulator with --sim-poll-period-us 0; one connection each; ${CALLERS} requests in flight on both sides; ${passes} interleaved passes of ${durationMs} ms, medians`,
        `  agent's SpdkRpcClient, ${CALLERS} callers looping on spdk_get_version: ${clientPasses.map((p) => Math.round(p.perSec).toLocaleString('en-US')).join(', ')} calls/s; ` +
          `client process CPU ${pct(clientPasses.map((p) => p.ownCpuPct))} of a core, simulator ${pct(clientPasses.map((p) => p.simCpuPct))}`,
        `  raw pipelined writer (pre-encoded requests, counts newlines): ${rawPasses.map((p) => Math.round(p.perSec).toLocaleString('en-US')).join(', ')} replies/s; ` +
          `writer CPU ${pct(rawPasses.map((p) => p.ownCpuPct))}, simulator ${pct(rawPasses.map((p) => p.simCpuPct))}`,
        `  client CPU per call: ${usPerCall.toFixed(2)} µs, i.e. ${Math.round(capacity).toLocaleString('en-US')} calls per CPU-second: ` +
          `${(capacity / REAL_SPDK_PIPELINED_PER_SEC).toFixed(1)}× what real SPDK v24.01 serves pipelined on one connection (${REAL_SPDK_PIPELINED_PER_SEC.toLocaleString('en-US')}/s, contract)`,
      ];
      const clientCpu = median(clientPasses.map((p) => p.ownCpuPct));
      const simCpu = median(clientPasses.map((p) => p.simCpuPct));
      const rows = [
        measuredRow({
          figure: FIGURE,
          metric: `spdk_get_version/s, ${CALLERS} concurrent callers`,
          unit: 'calls/s',
          direction: 'higher-is-better',
          value: clientRate,
          bound: 100_000,
          target: '≥ 100,000/s',
        }),
        measuredRow({
          figure: FIGURE,
          metric: "agent's client vs the target's own limit",
          unit: 'calls/s',
          direction: 'higher-is-better',
          value: clientRate,
          baseline: 'raw pipelined writer',
          baselineValue: rawRate,
          needRatio: 0.9,
          target: 'client not the bottleneck (≥ 90% of the target limit)',
          limitedBy:
            `neither process is saturated while the client runs (client ${clientCpu.toFixed(0)}% of a core, simulator ${simCpu.toFixed(0)}%): the client writes ` +
            `the requests of one event-loop turn in one write and the simulator answers a read's worth in one write, so the two ` +
            `alternate whole batches instead of overlapping; the client's own cost is ${usPerCall.toFixed(2)} µs of CPU per call ` +
            `(${Math.round(capacity).toLocaleString('en-US')} calls per CPU-second, ${(capacity / REAL_SPDK_PIPELINED_PER_SEC).toFixed(1)}× real SPDK's pipelined rate)`,
        }),
      ];
      return { rows, details };
    } finally {
      raw.close();
      await client.close();
      await sim.stop();
    }
  },
};
