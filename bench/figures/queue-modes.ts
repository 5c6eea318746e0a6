/**
 * Figure 10 — today's OpenStack message bus.
 *
 * - The bus figures (ping and report: calls/s with 16 in flight, p99, the agent's CPU per call)
 *   with quorum queues, transient quorum queues and stream fanout on, beside classic queues, in the
 *   same run, rounds alternating the two agents (same target, same broker, figure 4's load
 *   generator declaring as the agent does).
 * - Failover on a three-node RabbitMQ cluster of the bench's own (test/helpers/rabbit-cluster.ts):
 *   the node the agent is connected to is stopped (`rabbitmqctl stop_app`) while a caller on
 *   another node pings the agent every 50 ms; measured from the moment the node is down to the
 *   first ping sent after it that the agent answers, several times (the node brought back between).
 */
import { openTransport, type BusTransport } from '../../src/bus/index.js';
import { RabbitCluster, clusterSkip, type ClusterNode } from '../../test/helpers/rabbit-cluster.js';
import { startSim, type SimHandle } from '../../test/helpers/sim.js';
import { agentFigureProblem, startAgent, type AgentProcess } from '../lib/agent.js';
import { waitForAgent } from '../lib/agent-ready.js';
import { BrokerScope } from '../lib/broker.js';
import { onCleanup } from '../lib/cleanup.js';
import type { BenchContext, Figure } from '../lib/context.js';
import { buildTargetConfig, SMALL_INVENTORY } from '../lib/inventories.js';
import { measuredRow, notMeasuredRow, type FigureRow } from '../lib/results.js';
import { describeSamples, median } from '../lib/stats.js';
import { load, merge, type LoadResult } from './bus.js';

const FIGURE = '10 queue modes';
const METHODS = ['ping', 'report'] as const;
const MODERN = { quorumQueues: true, transientQuorumQueues: true, streamFanout: true, qosPrefetchCount: 10 };
const FAILOVER_METRIC = 'failover: node stopped → first call answered (3-node cluster)';

function plannedRows(): Array<Pick<FigureRow, 'figure' | 'metric' | 'unit' | 'target'>> {
  return [
    ...METHODS.flatMap((m) => [
      { figure: FIGURE, metric: `${m}: calls/s, quorum + stream fanout`, unit: 'calls/s', target: '(compared with classic: no target)' },
      { figure: FIGURE, metric: `${m}: p99, quorum + stream fanout`, unit: 'ms', target: '(compared with classic: no target)' },
      { figure: FIGURE, metric: `${m}: agent CPU per call, quorum + stream fanout`, unit: 'ms', target: '(compared with classic: no target)' },
    ]),
    { figure: FIGURE, metric: FAILOVER_METRIC, unit: 'ms', target: '(measured: no target)' },
  ];
}

async function modeRows(ctx: BenchContext, details: string[]): Promise<FigureRow[]> {
  const scope = new BrokerScope();
  const durationMs = ctx.size(800, 3000);
  const rounds = ctx.size(1, 3);
  const warmup = ctx.size(60, 200);
  let sim: SimHandle | null = null;
  let classic: AgentProcess | null = null;
  let modern: AgentProcess | null = null;
  // Each agent on a topic of its own: classic and quorum queues cannot share names.
  const modernScope = new BrokerScope();
  try {
    sim = await startSim({ app: 'spdk_tgt', jsonConfig: buildTargetConfig(SMALL_INVENTORY) });
    classic = startAgent({ host: 'classic', scope, socket: sim.socket });
    modern = startAgent({ host: 'modern', scope: modernScope, socket: sim.socket, bus: MODERN });
    await waitForAgent(scope, 'classic', classic.child, 30_000);
    await waitForAgent(modernScope, 'modern', modern.child, 30_000, MODERN);
    const runs: Record<'classic' | 'modern', Record<(typeof METHODS)[number], LoadResult[]>> = {
      classic: { ping: [], report: [] },
      modern: { ping: [], report: [] },
    };
    for (let round = 1; round <= rounds && !ctx.signal.aborted; round++) {
      for (const method of METHODS) {
        ctx.progress(`figure 10: round ${round}/${rounds}, ${method}: classic, then quorum + stream fanout`);
        runs.classic[method].push(await load(scope, 'classic', classic.child.pid, method, durationMs, `classic (${method})`, warmup));
        runs.modern[method].push(await load(modernScope, 'modern', modern.child.pid, method, durationMs, `quorum (${method})`, warmup, MODERN));
      }
    }
    details.push(
      `queue modes: spdk_tgt simulator, 10 bdevs; figure 4's load generator (16 in flight, ${warmup} warm-up calls, ${durationMs / 1000} s), ${rounds} round(s) alternating; ` +
        `quorum + stream fanout = ${JSON.stringify(MODERN)}`,
    );
    const rows: FigureRow[] = [];
    for (const method of METHODS) {
      const a = merge(runs.classic[method]);
      const b = merge(runs.modern[method]);
      details.push(
        `  ${method}: classic ${Math.round(a.perSec)}/s p99 ${a.p99Ms.toFixed(2)} ms ${(a.serverCpuMs / a.calls).toFixed(3)} ms CPU/call; ` +
          `quorum + stream ${Math.round(b.perSec)}/s p99 ${b.p99Ms.toFixed(2)} ms ${(b.serverCpuMs / b.calls).toFixed(3)} ms CPU/call`,
      );
      rows.push(
        measuredRow({
          figure: FIGURE,
          metric: `${method}: calls/s, quorum + stream fanout`,
          unit: 'calls/s',
          direction: 'higher-is-better',
          value: b.perSec,
          baseline: 'classic queues',
          baselineValue: a.perSec,
          target: '(compared with classic: no target)',
        }),
        measuredRow({
          figure: FIGURE,
          metric: `${method}: p99, quorum + stream fanout`,
          unit: 'ms',
          direction: 'lower-is-better',
          value: b.p99Ms,
          baseline: 'classic queues',
          baselineValue: a.p99Ms,
          target: '(compared with classic: no target)',
        }),
        measuredRow({
          figure: FIGURE,
          metric: `${method}: agent CPU per call, quorum + stream fanout`,
          unit: 'ms',
          direction: 'lower-is-better',
          value: b.serverCpuMs / b.calls,
          baseline: 'classic queues',
          baselineValue: a.serverCpuMs / a.calls,
          target: '(compared with classic: no target)',
        }),
      );
    }
    return rows;
  } finally {
    await classic?.stop();
    await modern?.stop();
    await sim?.stop();
    await scope.cleanup();
    await modernScope.cleanup();
  }
}

/** The cluster node the agent is connected to, from the broker's own list of connections. */
async function agentNode(cluster: RabbitCluster, asker: ClusterNode): Promise<ClusterNode | undefined> {
  // The connection's name is "<client> -> <address of the node it reached>".
  const out = await cluster.ctl(asker, ['list_connections', '--no-table-headers', 'name', 'client_properties']);
  const line = out.split('\n').find((l) => l.includes('"connection_name","spdk-agent:'));
  const port = /-> [^\s]*:(\d+)/.exec(line ?? '')?.[1];
  return cluster.nodes.find((n) => String(n.port) === port);
}

async function failoverRow(ctx: BenchContext, details: string[]): Promise<FigureRow> {
  const skip = clusterSkip();
  if (skip) return notMeasuredRow(FIGURE, FAILOVER_METRIC, 'ms', '(measured: no target)', `not measured: ${skip}`);
  const cleanups: Array<() => unknown> = [];
  const dispose = onCleanup(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  const scope = new BrokerScope();
  let sim: SimHandle | null = null;
  let agent: AgentProcess | null = null;
  let caller: BusTransport | null = null;
  try {
    ctx.progress('figure 10: starting a three-node RabbitMQ cluster');
    const cluster = await RabbitCluster.start({ after: (fn) => void cleanups.push(fn) }, 3);
    const [n1, n2, n3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    sim = await startSim({ app: 'spdk_tgt', jsonConfig: buildTargetConfig(SMALL_INVENTORY) });
    const urls = [n1.url, n2.url, n3.url];
    const bus = { ...MODERN, urls, heartbeatSec: 2, retry: { initialSec: 0.2, stepSec: 0.2, maxSec: 1 } };
    agent = startAgent({ host: 'failover', scope, socket: sim.socket, bus });
    caller = await openTransport({ ...MODERN, urls: [n3.url], controlExchange: scope.exchange, openTimeoutSec: 30 });
    const client = caller.createClient({ topic: scope.agentTopic, server: 'failover', timeoutMs: 10_000 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (
        (await client.call('ping', {}).then(
          () => true,
          () => false,
        )) === true
      )
        break;
      if (Date.now() > deadline) throw new Error(`the agent did not answer on the cluster:\n${agent.child.stderr.slice(-1500)}`);
    }
    const reps = ctx.size(2, 5);
    const samples: number[] = [];
    for (let rep = 1; rep <= reps && !ctx.signal.aborted; rep++) {
      if ((await agentNode(cluster, n3)) === n3) {
        // The last failover took the agent to the caller's node: move it off by closing its
        // connection there (it goes on to the next node), then stop that one.
        const out = await cluster.ctl(n3, ['list_connections', '--no-table-headers', 'pid', 'client_properties']);
        const pid = out
          .split('\n')
          .find((l) => l.includes('"connection_name","spdk-agent:'))
          ?.split('\t')[0];
        if (pid) await cluster.ctl(n3, ['close_connection', pid, 'moved off the caller node by the benchmark']);
        const until = Date.now() + 30_000;
        while ((await agentNode(cluster, n3)) === n3 || (await agentNode(cluster, n3)) === undefined) {
          if (Date.now() > until) throw new Error('the agent did not leave the caller’s node');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      const lost = (await agentNode(cluster, n3)) ?? n1;
      ctx.progress(`figure 10: failover ${rep}/${reps}: stopping ${lost.name}`);
      let downAt = 0;
      let answeredAfter: number | null = null;
      let stop = false;
      const pinger = (async () => {
        while (!stop) {
          const sentAt = Date.now();
          const ok = await client.call('ping', {}, { timeoutMs: 5000 }).then(
            () => true,
            () => false,
          );
          if (ok && downAt > 0 && sentAt >= downAt && answeredAfter === null) answeredAfter = Date.now() - downAt;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await cluster.stopApp(lost);
      downAt = Date.now();
      const until = Date.now() + 60_000;
      while (answeredAfter === null && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      stop = true;
      await pinger;
      if (answeredAfter === null) throw new Error(`no call answered within 60 s of stopping ${lost.name}`);
      samples.push(answeredAfter);
      await cluster.startApp(lost);
      await cluster.ctl(n3, ['await_online_nodes', '3', '--timeout', '60']);
    }
    details.push(
      `failover: three RabbitMQ nodes of the bench's own, quorum + transient quorum + stream fanout, the agent given the three URLs, a caller on the third node pinging every 50 ms; ` +
        `the agent's node stopped with rabbitmqctl stop_app, ${samples.length} times: ${describeSamples(samples, 'ms', 0)}`,
    );
    return measuredRow({
      figure: FIGURE,
      metric: FAILOVER_METRIC,
      unit: 'ms',
      direction: 'lower-is-better',
      value: median(samples),
      target: '(measured: no target)',
    });
  } finally {
    await caller?.close().catch(() => undefined);
    await agent?.stop();
    await sim?.stop();
    await scope.cleanup();
    await dispose();
  }
}

export const queueModesFigure: Figure = {
  id: '10',
  title: "Today's OpenStack bus: quorum queues and stream fanout beside classic; failover on a 3-node cluster",
  plannedRows,
  async run(ctx) {
    const problem = await agentFigureProblem();
    if (problem !== null) return { rows: plannedRows().map((r) => notMeasuredRow(r.figure, r.metric, r.unit, r.target, problem)), details: [problem] };
    const details: string[] = [];
    const rows = await modeRows(ctx, details);
    try {
      rows.push(await failoverRow(ctx, details));
    } catch (err) {
      const reason = `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      details.push(`failover ${reason}`);
      rows.push(notMeasuredRow(FIGURE, FAILOVER_METRIC, 'ms', '(measured: no target)', reason));
    }
    return { rows, details };
  },
};
