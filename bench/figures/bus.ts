/**
 * Figure 4 — the bus: `ping` and `report` served by the agent daemon (`spdk-agent run`) and by a
 * Python oslo.messaging agent (bench/baselines/oslo_agent.py), in the same run, on the same broker,
 * against the same simulated target (spdk_tgt, 10 bdevs, SPDK's 4 ms poll).
 *
 * The load generator is ours and runs as a process of its own (bench/load/bus-load.ts: the
 * project's bus `RpcClient`, 16 calls in flight), so Python callers' own limits do not cap the
 * servers. It reports calls/s, p50/p99 latency and the server's CPU time (from /proc) over the
 * measured window. A short pass with real oslo.messaging callers (Python threads) then calls the
 * agent to show interop under load.
 *
 * The Python agent answers `report` from a copy of the inventory read at its start; the agent reads
 * the target live on every call (one round trip of the target's poll each time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus as cpuList, tmpdir } from 'node:os';
import path from 'node:path';
import { maskUrlText } from '../../src/bus/index.js';
import { repoRoot } from '../../test/helpers/paths.js';
import { startSim, type SimHandle } from '../../test/helpers/sim.js';
import { agentUnavailable, startAgent, type AgentProcess } from '../lib/agent.js';
import { benchAmqpUrl, brokerProblem, BrokerScope } from '../lib/broker.js';
import type { BenchContext, Figure } from '../lib/context.js';
import { buildTargetConfig, SMALL_INVENTORY } from '../lib/inventories.js';
import { runToCompletion, type Child } from '../lib/processes.js';
import { Conductor } from '../lib/conductor.js';
import { osloProblem, runBaseline, startPeer } from '../lib/python.js';
import { describeShares, summariseProfile } from '../lib/cpu-profile.js';
import { pidsNamed } from '../lib/proc.js';
import { measuredRow, notMeasuredRow, type FigureRow } from '../lib/results.js';
import { median } from '../lib/stats.js';
import { waitForAgent } from '../lib/agent-ready.js';

const FIGURE = '4 bus';
const cpus = (): number => cpuList().length;
const CONCURRENCY = 16;
const METHODS = ['ping', 'report'] as const;
type Method = (typeof METHODS)[number];

export interface LoadResult {
  calls: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCpuMs: number;
  brokerCpuMs: number;
  ownCpuMs: number;
  replyBytes: number;
}

interface PyCallersResult {
  calls: number;
  errors: number;
  first_error: string | null;
  per_sec: number;
  p50_ms: number | null;
  p99_ms: number | null;
  reply_queue: string | null;
}

const loadScript = path.join(repoRoot, 'dist', 'bench', 'load', 'bus-load.js');

/** Load on `server` of the scope's agent topic. */
export function load(
  scope: BrokerScope,
  server: string,
  serverPid: number,
  method: Method,
  durationMs: number,
  label: string,
  warmupCalls = 200,
  bus?: Record<string, unknown>,
): Promise<LoadResult> {
  const params = {
    url: scope.url,
    exchange: scope.exchange,
    topic: scope.agentTopic,
    server,
    method,
    args: {},
    concurrency: CONCURRENCY,
    durationMs,
    warmupCalls,
    serverPid,
    brokerPids: pidsNamed('beam.smp'),
    timeoutMs: 30_000,
    ...(bus ? { bus } : {}),
  };
  return runToCompletion<LoadResult>(process.execPath, [loadScript, JSON.stringify(params)], { label, timeoutMs: durationMs + 120_000 }).then((r) => {
    if (r.errors > 0) throw new Error(`${label}: ${r.errors} calls failed, first: ${r.firstError ?? '?'}`);
    return r;
  });
}

function pctOfCore(cpuMs: number, r: LoadResult): string {
  return `${((cpuMs / r.elapsedMs) * 100).toFixed(0)}% of a core`;
}

/** Where the machine's CPU went during a load run (2 cores = 200%). */
function cpuSplit(r: LoadResult): string {
  const total = ((r.serverCpuMs + r.ownCpuMs + r.brokerCpuMs) / r.elapsedMs) * 100;
  return `server ${pctOfCore(r.serverCpuMs, r)}, load generator ${pctOfCore(r.ownCpuMs, r)}, broker ${pctOfCore(r.brokerCpuMs, r)}: ${total.toFixed(0)}% of the machine's ${cpus() * 100}%`;
}

function describeLoad(name: string, method: Method, r: LoadResult): string {
  return (
    `  ${name} ${method}: ${r.calls.toLocaleString('en-US')} calls in ${(r.elapsedMs / 1000).toFixed(1)} s, ${Math.round(r.perSec).toLocaleString('en-US')}/s; ` +
    `p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(1)} ms; server CPU ${(r.serverCpuMs / r.calls).toFixed(3)} ms/call ` +
    `(${pctOfCore(r.serverCpuMs, r)}); load generator ${pctOfCore(r.ownCpuMs, r)}, broker ${pctOfCore(r.brokerCpuMs, r)}; reply ${r.replyBytes} bytes`
  );
}

const PROFILE_MS = 3000;

/** Runs the report load on a profiled agent and says where its busy CPU time went. */
async function profileReport(scope: BrokerScope, socket: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spdk-agent-bench-prof-'));
  let agent: AgentProcess | null = null;
  try {
    agent = startAgent({ host: 'profagent', scope, socket, cpuProfileDir: dir });
    await waitForAgent(scope, 'profagent', agent.child, 30_000);
    await load(scope, 'profagent', agent.child.pid, 'report', PROFILE_MS, 'bus load (profiled agent report)');
    await agent.stop();
    agent = null;
    const { shares } = summariseProfile(dir);
    return describeShares(shares, 6);
  } finally {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rowsFor(method: Method, agent: LoadResult, python: LoadResult, profile: string | null): FigureRow[] {
  return [
    measuredRow({
      figure: FIGURE,
      metric: `${method}: calls/s (16 in flight)`,
      unit: 'calls/s',
      direction: 'higher-is-better',
      value: agent.perSec,
      baseline: 'Python oslo agent',
      baselineValue: python.perSec,
      needRatio: 3,
      target: '≥ 3× the Python agent',
      limitedBy:
        `CPU during the agent's run: ${cpuSplit(agent)}; with ${CONCURRENCY} calls in flight the rate is ${CONCURRENCY} ÷ p50 ` +
        `(${agent.p50Ms.toFixed(2)} ms) ≈ ${Math.round((CONCURRENCY * 1000) / agent.p50Ms).toLocaleString('en-US')}/s: each call's round trip through the broker bounds it` +
        (method === 'report' ? `; every report reads the target live (≥ 1 round trip of its 4 ms poll) while the Python agent answers from a copy` : ''),
    }),
    measuredRow({
      figure: FIGURE,
      metric: `${method}: p99 latency`,
      unit: 'ms',
      direction: 'lower-is-better',
      value: agent.p99Ms,
      baseline: 'Python oslo agent',
      baselineValue: python.p99Ms,
      needRatio: 1.000001,
      target: 'lower p99 than the Python agent',
      limitedBy:
        method === 'report'
          ? `a report reads the target live: one round trip of its 4 ms poll is 4–8 ms before any queueing; the Python agent answers from a copy`
          : `CPU during the agent's run: ${cpuSplit(agent)}`,
    }),
    measuredRow({
      figure: FIGURE,
      metric: `${method}: server CPU per call`,
      unit: 'ms',
      direction: 'lower-is-better',
      value: agent.serverCpuMs / agent.calls,
      baseline: 'Python oslo agent',
      baselineValue: python.serverCpuMs / python.calls,
      needRatio: 3,
      target: '≤ ⅓ of the Python agent',
      limitedBy:
        method === 'report'
          ? `the agent reads and decodes the target on every call and encodes a ${agent.replyBytes}-byte reply; ` +
            (profile ? `its busy CPU by source (V8 profile): ${profile}` : 'run the full benchmark for a CPU profile of where it goes')
          : `measured over ${agent.calls.toLocaleString('en-US')} calls in ${(agent.elapsedMs / 1000).toFixed(1)} s, soon after the agent started ` +
            `(short windows carry its warm-up; the full run measures 3 rounds of 3 s)`,
    }),
  ];
}

function plannedRows(): Array<Pick<FigureRow, 'figure' | 'metric' | 'unit' | 'target'>> {
  return METHODS.flatMap((method) => [
    { figure: FIGURE, metric: `${method}: calls/s (16 in flight)`, unit: 'calls/s', target: '≥ 3× the Python agent' },
    { figure: FIGURE, metric: `${method}: p99 latency`, unit: 'ms', target: 'lower p99 than the Python agent' },
    { figure: FIGURE, metric: `${method}: server CPU per call`, unit: 'ms', target: '≤ ⅓ of the Python agent' },
  ]);
}

function allNotMeasured(reason: string): FigureRow[] {
  return plannedRows().map((r) => notMeasuredRow(r.figure, r.metric, r.unit, r.target, reason, 'Python oslo agent'));
}

/**
 * Several rounds of short runs, the two servers alternating (Python ping, agent ping, Python
 * report, agent report, …), merged: rates and latencies are medians of the rounds, CPU per call is
 * total CPU over total calls. Alternating keeps slow drift on the machine (the broker's own state,
 * other load) from landing on one side only.
 */
export function merge(runs: LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number): number => runs.reduce((a, r) => a + pick(r), 0);
  return {
    calls: sum((r) => r.calls),
    errors: sum((r) => r.errors),
    firstError: runs.find((r) => r.firstError)?.firstError ?? null,
    elapsedMs: sum((r) => r.elapsedMs),
    perSec: median(runs.map((r) => r.perSec)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
    serverCpuMs: sum((r) => r.serverCpuMs),
    brokerCpuMs: sum((r) => r.brokerCpuMs),
    ownCpuMs: sum((r) => r.ownCpuMs),
    replyBytes: runs[0]!.replyBytes,
  };
}

async function measure(ctx: BenchContext): Promise<{ rows: FigureRow[]; details: string[] }> {
  const durationMs = ctx.size(800, 3000);
  const rounds = ctx.size(1, 3);
  const warmup = ctx.size(60, 200);
  const details: string[] = [
    `target: spdk_tgt simulator, 10 bdevs, SPDK's 4 ms poll; broker ${maskUrlText(benchAmqpUrl)}; load generator: the project's bus RpcClient in its own process, ` +
      `${CONCURRENCY} calls in flight, ${warmup} warm-up calls, then ${durationMs / 1000} s; ${rounds} round(s) alternating the two servers, merged ` +
      `(rates, p50, p99: median of rounds; CPU per call: total over total)`,
  ];
  const scope = new BrokerScope();
  let sim: SimHandle | null = null;
  let pyAgent: Child | null = null;
  let conductor: Conductor | null = null;
  let agent: AgentProcess | null = null;
  try {
    sim = await startSim({ app: 'spdk_tgt', jsonConfig: buildTargetConfig(SMALL_INVENTORY) });

    ctx.progress('figure 4: starting the Python oslo.messaging agent (eventlet executor, as Cyborg)');
    pyAgent = startPeer(
      'oslo_agent.py',
      { url: scope.url, exchange: scope.exchange, topic: scope.agentTopic, server: 'pyagent', socket: sim.socket, executor: 'eventlet' },
      'python oslo agent',
    );
    const ready = await pyAgent.waitForEvent('ready', 60_000);
    scope.trackQueue(ready.fanout_queue);

    const missing = agentUnavailable();
    if (missing === null) {
      ctx.progress('figure 4: starting a conductor and spdk-agent run');
      conductor = await Conductor.start(scope);
      agent = startAgent({ host: 'nodeagent', scope, socket: sim.socket });
      await waitForAgent(scope, 'nodeagent', agent.child, 30_000);
    }

    const pythonRuns: Record<Method, LoadResult[]> = { ping: [], report: [] };
    const agentRuns: Record<Method, LoadResult[]> = { ping: [], report: [] };
    for (let round = 1; round <= rounds && !ctx.signal.aborted; round++) {
      for (const method of METHODS) {
        ctx.progress(`figure 4: round ${round}/${rounds}, ${method}: Python agent${agent ? ', then spdk-agent' : ''}`);
        pythonRuns[method].push(await load(scope, 'pyagent', pyAgent.pid, method, durationMs, `bus load (python ${method})`, warmup));
        if (agent) agentRuns[method].push(await load(scope, 'nodeagent', agent.child.pid, method, durationMs, `bus load (agent ${method})`, warmup));
      }
    }
    const python = { ping: merge(pythonRuns.ping), report: merge(pythonRuns.report) };
    for (const method of METHODS) details.push(describeLoad('Python oslo agent', method, python[method]));
    if (agent === null) {
      details.push(`spdk-agent: not measured: ${missing ?? 'unavailable'}`);
      return { rows: allNotMeasured(`not measured: ${missing ?? 'unavailable'}`), details };
    }
    const ours = { ping: merge(agentRuns.ping), report: merge(agentRuns.report) };
    for (const method of METHODS) details.push(describeLoad('spdk-agent', method, ours[method]));
    details.push(
      `  from CPU per call alone, one core would serve ${Math.round(1000 / (ours.ping.serverCpuMs / ours.ping.calls)).toLocaleString('en-US')} pings/s for spdk-agent and ` +
        `${Math.round(1000 / (python.ping.serverCpuMs / python.ping.calls)).toLocaleString('en-US')} for the Python agent (derived, not measured: here the broker and the load generator share the same 2 cores)`,
    );

    // Interop under load: real oslo.messaging callers (Python threads) on the agent.
    const threads = 8;
    const seconds = ctx.size(1, 5);
    for (const method of ctx.size<readonly Method[]>(['ping'], METHODS)) {
      ctx.progress(`figure 4: ${threads} Python oslo.messaging callers on spdk-agent, ${method}`);
      const r = await runBaseline<PyCallersResult>(
        'oslo_callers.py',
        { url: scope.url, exchange: scope.exchange, topic: scope.agentTopic, server: 'nodeagent', method, args: {}, threads, duration: seconds },
        `python callers (${method})`,
        120_000,
      );
      scope.trackQueue(r.reply_queue);
      details.push(
        `  interop: ${threads} Python oslo.messaging caller threads → spdk-agent ${method} for ${seconds} s: ${r.calls} calls, ${r.errors} errors` +
          `${r.first_error ? ` (first: ${r.first_error})` : ''}, ${Math.round(r.per_sec)}/s, p50 ${r.p50_ms?.toFixed(2)} ms, p99 ${r.p99_ms?.toFixed(2)} ms (the Python callers are the limit here)`,
      );
    }
    await agent.stop();
    agent = null;

    let profile: string | null = null;
    if (!ctx.quick) {
      ctx.progress('figure 4: a CPU profile of spdk-agent under report load (separate pass, not in the figures)');
      profile = await profileReport(scope, sim.socket);
      details.push(`  where spdk-agent's CPU goes under report load (V8 profile of a separate ${PROFILE_MS / 1000} s pass, busy time by source): ${profile}`);
    }
    const rows = METHODS.flatMap((method) => rowsFor(method, ours[method], python[method], method === 'report' ? profile : null));
    return { rows, details };
  } finally {
    await agent?.stop();
    await conductor?.stop();
    // After load, oslo's eventlet server takes seconds to stop consuming; nothing of it is measured
    // and the broker objects are deleted below, so it gets little grace.
    await pyAgent?.stop('SIGTERM', 500);
    await sim?.stop();
    await scope.cleanup();
  }
}

export const busFigure: Figure = {
  id: '4',
  title: 'The bus: ping and report, agent vs Python oslo.messaging agent',
  plannedRows,
  async run(ctx) {
    const broker = await brokerProblem();
    if (broker !== null) return { rows: allNotMeasured('not measured: broker unreachable'), details: [`not measured: ${broker}`] };
    const oslo = osloProblem();
    if (oslo !== null) return { rows: allNotMeasured(`not measured: ${oslo}`), details: [`not measured: ${oslo}`] };
    return measure(ctx);
  },
};
