/**
 * Figure 5 — a fleet on one broker: N agent daemons, each adopting a simulated target of its own
 * (nvmf_tgt, two PCIe NVMe drives, an NVMe-oF subsystem, SPDK's 4 ms poll), and one Python
 * conductor. The conductor sends a fanout `discover` cast to every agent and times the arrival of
 * the N-th `report_data` it receives in answer (every agent rescans its installation and target
 * and pushes a fresh report). Both times are the conductor's own clock.
 *
 * The fleet grows in steps (10, 25, 50 agents; 10 in --quick), the agents of a step added to those
 * already running, and each step is measured several times (median).
 */
import { cpus } from 'node:os';
import { startSim, type SimHandle } from '../../test/helpers/sim.js';
import { agentFigureProblem, startAgent, type AgentProcess } from '../lib/agent.js';
import { BrokerScope } from '../lib/broker.js';
import { Conductor } from '../lib/conductor.js';
import type { BenchContext, Figure } from '../lib/context.js';
import { buildTargetConfig } from '../lib/inventories.js';
import { pidsNamed, totalCpuTimeMs } from '../lib/proc.js';
import { measuredRow, notMeasuredRow, type FigureRow } from '../lib/results.js';
import { describeSamples, median } from '../lib/stats.js';

const FIGURE = '5 fleet';
const TARGET = '< 2 s with 50 agents';
const FULL_STEPS = [10, 25, 50];
const QUICK_STEPS = [10];
/** Agents started at once while growing the fleet (2 cores: more only thrash). */
const START_BATCH = 10;
/** Between two casts, so that one cast's stragglers are not counted for the next. */
const PAUSE_MS = 400;

interface Member {
  host: string;
  sim: SimHandle;
  agent: AgentProcess;
}

const TARGET_CONFIG = buildTargetConfig({ bdevs: 10, subsystems: 2, vhostControllers: 0, nvmeDrives: true }, { withNvmf: true, withVhost: false });

/** Today's OpenStack queue modes (issue 12): the agents and an oslo.messaging 18.1 conductor with them. */
const STREAM_BUS = { quorumQueues: true, transientQuorumQueues: true, streamFanout: true, qosPrefetchCount: 10 };
const STREAM_OSLO = { rabbit_quorum_queue: true, rabbit_transient_quorum_queue: true, rabbit_stream_fanout: true, rabbit_qos_prefetch_count: 10 };
const STREAM_SIZE = 50;
const STREAM_METRIC = `discover fanout → ${STREAM_SIZE}th report_data, quorum queues + stream fanout (${STREAM_SIZE} agents, oslo 18 conductor)`;

function metricFor(size: number): string {
  return `discover fanout → ${size}th report_data (${size} agents)`;
}

async function startMember(scope: BrokerScope, index: number, bus?: Record<string, unknown>): Promise<Member> {
  const host = `fleet${String(index).padStart(3, '0')}`;
  const sim = await startSim({ app: 'nvmf_tgt', jsonConfig: TARGET_CONFIG, readyTimeoutMs: 60_000 });
  const agent = startAgent({ host, scope, socket: sim.socket, app: 'nvmf_tgt', ...(bus ? { bus } : {}) });
  return { host, sim, agent };
}

async function grow(
  ctx: BenchContext,
  scope: BrokerScope,
  conductor: Conductor,
  members: Member[],
  size: number,
  bus?: Record<string, unknown>,
): Promise<void> {
  while (members.length < size) {
    const batch = Math.min(START_BATCH, size - members.length);
    const mark = conductor.mark();
    const started = await Promise.all(Array.from({ length: batch }, (_, i) => startMember(scope, members.length + i, bus)));
    members.push(...started);
    // Each new agent's start-up report says it is up; the next batch starts after that.
    await conductor.reportsFromAll(
      started.map((m) => m.host),
      mark,
      120_000,
    );
    ctx.progress(`figure 5: ${members.length} agents up`);
  }
}

export const fleetFigure: Figure = {
  id: '5',
  title: 'Fleet: fanout discover to the last report_data',
  plannedRows() {
    return [
      ...FULL_STEPS.map((size) => ({ figure: FIGURE, metric: metricFor(size), unit: 'ms', target: size === 50 ? TARGET : '(growth: no target)' })),
      { figure: FIGURE, metric: STREAM_METRIC, unit: 'ms', target: TARGET },
    ];
  },
  async run(ctx) {
    const steps = ctx.size(QUICK_STEPS, FULL_STEPS);
    const reason = await agentFigureProblem();
    if (reason !== null) {
      return {
        rows: steps.map((size) => notMeasuredRow(FIGURE, metricFor(size), 'ms', size === 50 ? TARGET : '(growth: no target)', reason)),
        details: [reason],
      };
    }
    const reps = ctx.size(2, 5);
    const scope = new BrokerScope();
    const members: Member[] = [];
    let conductor: Conductor | null = null;
    const rows: FigureRow[] = [];
    const details: string[] = [
      `each agent: spdk-agent run adopting its own nvmf_tgt simulator (10 bdevs incl. 2 NVMe namespaces → 2 devices per report, SPDK's 4 ms poll); one Python oslo.messaging conductor; ${reps} fanout casts per fleet size, medians`,
    ];
    try {
      conductor = await Conductor.start(scope);
      for (const size of steps) {
        if (ctx.signal.aborted) break;
        ctx.progress(`figure 5: growing the fleet to ${size} agents`);
        await grow(ctx, scope, conductor, members, size);
        await new Promise((resolve) => setTimeout(resolve, ctx.size(300, 1000))); // let start-up work settle
        const hosts = members.map((m) => m.host);
        const lastMs: number[] = [];
        const firstMs: number[] = [];
        const busyPids = [...members.flatMap((m) => [m.agent.child.pid, m.sim.pid]), ...pidsNamed('beam.smp')];
        const cpuBefore = totalCpuTimeMs(busyPids);
        const wallStart = performance.now();
        for (let r = 0; r < reps && !ctx.signal.aborted; r++) {
          const mark = conductor.mark();
          const castAt = await conductor.castDiscover();
          const reports = await conductor.reportsFromAll(hosts, mark, 60_000);
          const arrivals = [...reports.values()].map((report) => report.atMs - castAt);
          lastMs.push(Math.max(...arrivals));
          firstMs.push(Math.min(...arrivals));
          await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        }
        const cpuPct = ((totalCpuTimeMs(busyPids) - cpuBefore) / (performance.now() - wallStart)) * 100;
        details.push(
          `  ${size} agents: last report_data ${describeSamples(lastMs, 'ms', 0)}; first ${describeSamples(firstMs, 'ms', 0)}; ` +
            `agents + simulators + broker used ${cpuPct.toFixed(0)}% of a core on average over the casts (incl. ${PAUSE_MS} ms pauses)`,
        );
        rows.push(
          measuredRow({
            figure: FIGURE,
            metric: metricFor(size),
            unit: 'ms',
            direction: 'lower-is-better',
            value: median(lastMs),
            ...(size === 50 ? { bound: 2000 } : {}),
            target: size === 50 ? TARGET : '(growth: no target)',
            limitedBy: `${size} agent processes and their simulators share ${cpus().length} cores with the broker and the conductor (CPU use in the details)`,
          }),
        );
      }
      if (ctx.quick) details.push('  --quick runs 10 agents only; the target is for 50 (full run)');
    } finally {
      ctx.progress(`figure 5: stopping ${members.length} agents and simulators`);
      await Promise.all(members.map((m) => m.agent.stop()));
      await Promise.all(members.map((m) => m.sim.stop()));
      await conductor?.stop();
      await scope.cleanup();
    }
    if (!ctx.quick && !ctx.signal.aborted) {
      try {
        rows.push(await streamFleet(ctx, reps, details));
      } catch (err) {
        const why = `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
        details.push(`  stream fanout: ${why}`);
        rows.push(notMeasuredRow(FIGURE, STREAM_METRIC, 'ms', TARGET, why));
      }
    }
    return { rows, details };
  },
};

/** The same casts to 50 agents with quorum queues and stream fanout, from an oslo.messaging 18.1 conductor. */
async function streamFleet(ctx: BenchContext, reps: number, details: string[]): Promise<FigureRow> {
  const scope = new BrokerScope();
  const members: Member[] = [];
  let conductor: Conductor | null = null;
  try {
    conductor = await Conductor.start(scope, STREAM_OSLO);
    ctx.progress(`figure 5: ${STREAM_SIZE} agents with quorum queues and stream fanout`);
    await grow(ctx, scope, conductor, members, STREAM_SIZE, STREAM_BUS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const hosts = members.map((m) => m.host);
    const lastMs: number[] = [];
    for (let r = 0; r < reps && !ctx.signal.aborted; r++) {
      const mark = conductor.mark();
      const castAt = await conductor.castDiscover();
      const reports = await conductor.reportsFromAll(hosts, mark, 60_000);
      lastMs.push(Math.max(...[...reports.values()].map((report) => report.atMs - castAt)));
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    details.push(
      `  ${STREAM_SIZE} agents, quorum + transient quorum queues + stream fanout (one ${scope.agentTopic}_fanout stream all of them read), oslo.messaging 18.1 conductor: last report_data ${describeSamples(lastMs, 'ms', 0)}`,
    );
    return measuredRow({
      figure: FIGURE,
      metric: STREAM_METRIC,
      unit: 'ms',
      direction: 'lower-is-better',
      value: median(lastMs),
      bound: 2000,
      target: TARGET,
      limitedBy: `${STREAM_SIZE} agent processes and their simulators share ${cpus().length} cores with the broker and the conductor`,
    });
  } finally {
    await Promise.all(members.map((m) => m.agent.stop()));
    await Promise.all(members.map((m) => m.sim.stop()));
    await conductor?.stop();
    await scope.cleanup();
  }
}
