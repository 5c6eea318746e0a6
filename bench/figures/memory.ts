/**
 * Figure 7 — memory, and the report of a big target.
 *
 * - Idle: an agent daemon adopting a small target (nvmf_tgt, 10 bdevs), after its start-up
 *   report_data and a few idle seconds: VmRSS from /proc.
 * - Big: an agent adopting a 10,000-bdev target (plus two NVMe drives), after its start-up
 *   report_data and a series of `report` calls over the bus (each reply lists every bdev): the
 *   agent's peak resident set (VmHWM) over all that.
 * - Building that report: the `report` call as a caller sees it (our bus client in the harness,
 *   sequential calls, median), beside the agent's CPU time per call (/proc) and the time the
 *   project's SPDK client alone takes to read that target (collectInventory, in the harness).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openTransport } from '../../src/bus/index.js';
import { SpdkRpcClient } from '../../src/spdk/rpc/index.js';
import { collectInventory } from '../../src/spdk/inventory.js';
import { startSim, type SimHandle } from '../../test/helpers/sim.js';
import { agentFigureProblem, startAgent, type AgentProcess } from '../lib/agent.js';
import { BrokerScope } from '../lib/broker.js';
import { Conductor } from '../lib/conductor.js';
import type { BenchContext, Figure } from '../lib/context.js';
import { describeShares, summariseProfile } from '../lib/cpu-profile.js';
import { buildBdevOnlyConfig, buildTargetConfig } from '../lib/inventories.js';
import { nodeFootprints } from '../lib/footprint.js';
import { cpuTimeMs, peakRssMb, rssMb } from '../lib/proc.js';
import { measuredRow, notMeasuredRow, type FigureRow } from '../lib/results.js';
import { describeSamples, median, timeRepeated } from '../lib/stats.js';

const FIGURE = '7 memory';
const BIG_BDEVS = 10_000;
const ROWS = [
  { metric: 'agent RSS, idle (small target)', unit: 'MB', target: '< 80 MB' },
  { metric: `agent peak RSS, ${BIG_BDEVS.toLocaleString('en-US')}-bdev target`, unit: 'MB', target: '< 200 MB' },
  { metric: `report of the ${BIG_BDEVS.toLocaleString('en-US')}-bdev target`, unit: 'ms', target: '< 100 ms' },
];

interface Setup {
  scope: BrokerScope;
  conductor: Conductor;
}

async function startedAgent(setup: Setup, host: string, socket: string, extra: { cpuProfileDir?: string } = {}): Promise<AgentProcess> {
  const mark = setup.conductor.mark();
  const agent = startAgent({ host, scope: setup.scope, socket, app: 'nvmf_tgt', ...extra });
  await setup.conductor.reportFrom(host, mark, 60_000).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\nagent stderr:\n${agent.child.stderr.slice(-2000)}`);
  });
  return agent;
}

async function idleRss(ctx: BenchContext, setup: Setup): Promise<{ rss: number; peak: number; samples: number[] }> {
  const sim = await startSim({
    app: 'nvmf_tgt',
    jsonConfig: buildTargetConfig({ bdevs: 10, subsystems: 2, vhostControllers: 0, nvmeDrives: true }, { withNvmf: true, withVhost: false }),
  });
  let agent: AgentProcess | null = null;
  try {
    agent = await startedAgent(setup, 'memidle', sim.socket);
    const samples: number[] = [];
    const seconds = ctx.size(1, 5);
    for (let i = 0; i < seconds; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      samples.push(rssMb(agent.child.pid));
    }
    return { rss: samples[samples.length - 1]!, peak: peakRssMb(agent.child.pid), samples };
  } finally {
    await agent?.stop();
    await sim.stop();
  }
}

interface BigResult {
  /** After the start-up report_data, before any report call. */
  startupRss: number;
  startupPeak: number;
  rss: number;
  peak: number;
  reportMs: number[];
  agentCpuMsPerReport: number;
  replyBytes: number;
  collectMs: number[];
  profile: string | null;
}

async function callReports(setup: Setup, host: string, count: number): Promise<{ ms: number[]; bytes: number }> {
  const bus = await openTransport(setup.scope.busOptions());
  try {
    const client = bus.createClient({ topic: setup.scope.agentTopic, server: host, timeoutMs: 120_000 });
    let bytes = 0;
    const check = (result: unknown): void => {
      const targets = (result as { targets?: Array<{ inventory?: { bdevs?: unknown[] } }> }).targets;
      const bdevs = targets?.[0]?.inventory?.bdevs?.length ?? 0;
      if (bdevs !== BIG_BDEVS + 2) throw new Error(`report listed ${bdevs} bdevs, expected ${BIG_BDEVS + 2}`);
    };
    const first = await client.call('report', {});
    check(first);
    bytes = JSON.stringify(first, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).length;
    const ms = await timeRepeated(count, async () => check(await client.call('report', {})));
    return { ms, bytes };
  } finally {
    await bus.close();
  }
}

async function bigTarget(ctx: BenchContext, setup: Setup): Promise<BigResult> {
  const sim: SimHandle = await startSim({ app: 'nvmf_tgt', jsonConfig: buildBdevOnlyConfig(BIG_BDEVS + 2), readyTimeoutMs: 120_000 });
  let agent: AgentProcess | null = null;
  try {
    agent = await startedAgent(setup, 'membig', sim.socket);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const startupRss = rssMb(agent.child.pid);
    const startupPeak = peakRssMb(agent.child.pid);
    const count = ctx.size(1, 10);
    const cpuBefore = cpuTimeMs(agent.child.pid);
    const reports = await callReports(setup, 'membig', count);
    // The first call (not timed) is inside the CPU window too.
    const agentCpuMsPerReport = (cpuTimeMs(agent.child.pid) - cpuBefore) / (count + 1);
    const rss = rssMb(agent.child.pid);
    const peak = peakRssMb(agent.child.pid);
    await agent.stop();
    agent = null;

    // The project's SPDK client alone reading that target (what every report starts with).
    const client = new SpdkRpcClient({ address: sim.socket });
    let collectMs: number[];
    try {
      await collectInventory(client);
      collectMs = await timeRepeated(count, () => collectInventory(client));
    } finally {
      await client.close();
    }

    let profile: string | null = null;
    if (!ctx.quick) {
      ctx.progress('figure 7: a CPU profile of spdk-agent answering reports of the big target (separate pass)');
      const dir = mkdtempSync(path.join(tmpdir(), 'spdk-agent-bench-prof-'));
      try {
        agent = await startedAgent(setup, 'memprof', sim.socket, { cpuProfileDir: dir });
        await callReports(setup, 'memprof', 3);
        await agent.stop();
        agent = null;
        profile = describeShares(summariseProfile(dir).shares, 6);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return { startupRss, startupPeak, rss, peak, reportMs: reports.ms, agentCpuMsPerReport, replyBytes: reports.bytes, collectMs, profile };
  } finally {
    await agent?.stop();
    await sim.stop();
  }
}

export const memoryFigure: Figure = {
  id: '7',
  title: 'Memory and the report of a 10,000-bdev target',
  plannedRows() {
    return ROWS.map((r) => ({ figure: FIGURE, ...r }));
  },
  async run(ctx) {
    const reason = await agentFigureProblem();
    if (reason !== null) {
      return { rows: ROWS.map((r) => notMeasuredRow(FIGURE, r.metric, r.unit, r.target, reason)), details: [reason] };
    }
    const scope = new BrokerScope();
    let conductor: Conductor | null = null;
    try {
      conductor = await Conductor.start(scope);
      const setup: Setup = { scope, conductor };
      ctx.progress('figure 7: idle agent on a small target');
      const idle = await idleRss(ctx, setup);
      ctx.progress(`figure 7: agent on a ${BIG_BDEVS.toLocaleString('en-US')}-bdev target`);
      const big = await bigTarget(ctx, setup);
      const footprint = await nodeFootprints(ctx.size(700, 1000));
      const reportMedian = median(big.reportMs);
      const collect = median(big.collectMs);
      const rows: FigureRow[] = [
        measuredRow({
          figure: FIGURE,
          ...ROWS[0]!,
          direction: 'lower-is-better',
          value: idle.rss,
          bound: 80,
          limitedBy:
            `a bare Node process here has ${footprint.bareNode.toFixed(0)} MB resident; with the agent daemon's modules loaded and nothing started, ` +
            `${footprint.agentModules.toFixed(0)} MB; the running agent adds ${(idle.rss - footprint.agentModules).toFixed(0)} MB`,
        }),
        measuredRow({
          figure: FIGURE,
          ...ROWS[1]!,
          direction: 'lower-is-better',
          value: big.peak,
          bound: 200,
          limitedBy:
            `after its start-up report_data the agent's peak was ${big.startupPeak.toFixed(0)} MB (RSS ${big.startupRss.toFixed(0)} MB); ` +
            `answering \`report\` calls (${(big.replyBytes / 2 ** 20).toFixed(1)} MiB each) took it to ${big.peak.toFixed(0)} MB`,
        }),
        measuredRow({
          figure: FIGURE,
          ...ROWS[2]!,
          direction: 'lower-is-better',
          value: reportMedian,
          bound: 100,
          limitedBy:
            `the agent spends ${big.agentCpuMsPerReport.toFixed(0)} ms of CPU per report of ${(big.replyBytes / 2 ** 20).toFixed(1)} MiB; reading the target alone ` +
            `(collectInventory, same client code, in the harness) takes ${collect.toFixed(0)} ms` +
            (big.profile ? `; the agent's busy CPU by source (V8 profile): ${big.profile}` : '; run the full benchmark for a CPU profile'),
        }),
      ];
      const details = [
        `idle: nvmf_tgt simulator with 10 bdevs (2 NVMe); agent RSS after its start-up report, sampled each second: ${idle.samples.map((s) => s.toFixed(1)).join(', ')} MB (peak ${idle.peak.toFixed(1)} MB)`,
        `  for reference: a bare Node process ${footprint.bareNode.toFixed(1)} MB; Node with the agent daemon's modules loaded, nothing started, ${footprint.agentModules.toFixed(1)} MB`,
        `big: nvmf_tgt simulator with ${BIG_BDEVS.toLocaleString('en-US')} null bdevs + 2 NVMe namespaces; after the start-up report: RSS ${big.startupRss.toFixed(1)} MB (peak ${big.startupPeak.toFixed(1)} MB); ` +
          `after ${big.reportMs.length + 1} report calls: RSS ${big.rss.toFixed(1)} MB, peak ${big.peak.toFixed(1)} MB`,
        `  report call (${(big.replyBytes / 2 ** 20).toFixed(1)} MiB reply, our bus client in the harness, sequential): ${describeSamples(big.reportMs, 'ms', 0)}; agent CPU ${big.agentCpuMsPerReport.toFixed(0)} ms per report`,
        `  reading that target alone with the project's client (collectInventory): ${describeSamples(big.collectMs, 'ms', 0)}`,
      ];
      if (big.profile) details.push(`  where the agent's CPU goes answering those reports (V8 profile, separate pass): ${big.profile}`);
      return { rows, details };
    } finally {
      await conductor?.stop();
      await scope.cleanup();
    }
  },
};
