/**
 * Figure 1 — discovery of one target: everything a report needs (version, bdevs, NVMe controllers,
 * NVMe-oF transports and subsystems, vhost controllers, and on spdk_tgt the iSCSI/SCSI lists).
 *
 * The agent side is the real code path: `collectInventory` over one `SpdkRpcClient`, on a warm
 * connection (the agent keeps one per target; the first discovery of a connection, which also
 * fetches the method list and the version, is printed beside it). The target is the simulator
 * playing spdk_tgt (it has every family, so vhost is read too) with SPDK's 4 ms poll period.
 *
 * References, all on the same target in the same run:
 * - the slowest single RPC of the set, called alone on the same client (the target: discovery
 *   within 1.5× that round trip);
 * - the sequential persistent Python client doing the same calls one after another;
 * - a new Python process per call (rpc.py / py-spdk).
 * The baselines make exactly the calls the agent made (recorded on a warm-up pass).
 */
import { SpdkRpcClient } from '../../src/spdk/rpc/index.js';
import type { RpcCallOptions, RpcCaller, RpcParams } from '../../src/spdk/rpc/types.js';
import { collectInventory, type TargetInventory } from '../../src/spdk/inventory.js';
import { startSim, type SimHandle } from '../../test/helpers/sim.js';
import type { BenchContext, Figure, FigureOutput } from '../lib/context.js';
import { buildTargetConfig, describeShape, LARGE_INVENTORY, SMALL_INVENTORY, type InventoryShape } from '../lib/inventories.js';
import { decodeLikeTheClient } from '../lib/client-decode.js';
import { PYTHON, runBaseline } from '../lib/python.js';
import { RawConnection } from '../lib/raw-socket.js';
import { measuredRow, type FigureRow } from '../lib/results.js';
import { describeSamples, median, timeRepeated } from '../lib/stats.js';

const FIGURE = '1 discovery';
const SMALL_LABEL = '10 bdevs';
const LARGE_LABEL = '2,000 bdevs + 200 subsystems';

interface RecordedCall {
  method: string;
  params?: RpcParams;
}

interface BaselineResult {
  reps_ms: number[];
  per_method_ms: Record<string, number[]>;
  interpreter_ms?: number[];
}

/**
 * The client seen through a pass-through that can note each call (switched on for one warm-up
 * pass only). The same object is used throughout, because what the method catalogue learns about a
 * target (method list, version) is kept per caller object: a new wrapper would start cold again.
 */
class CallRecorder implements RpcCaller {
  sink: RecordedCall[] | null = null;

  constructor(private readonly client: SpdkRpcClient) {}

  get address(): string {
    return this.client.address;
  }

  get generation(): number {
    return this.client.generation;
  }

  call<T>(method: string, params?: RpcParams, options?: RpcCallOptions): Promise<T> {
    this.sink?.push(params === undefined ? { method } : { method, params });
    return this.client.call<T>(method, params, options);
  }
}

function checkInventory(inventory: TargetInventory, shape: InventoryShape): void {
  const problems: string[] = [];
  if (inventory.bdevs.length !== shape.bdevs) problems.push(`${inventory.bdevs.length} bdevs instead of ${shape.bdevs}`);
  // nvmf_get_subsystems lists the discovery subsystem too.
  const subsystems = inventory.nvmf?.subsystems?.length ?? 0;
  if (subsystems !== shape.subsystems + 1) problems.push(`${subsystems} NVMe-oF subsystems instead of ${shape.subsystems + 1}`);
  if ((inventory.vhost?.controllers?.length ?? 0) !== shape.vhostControllers) problems.push(`wrong vhost controller count`);
  if ((inventory.nvmeControllers?.length ?? 0) !== 2) problems.push('NVMe controllers missing');
  if (inventory.version === null) problems.push('no version');
  if (inventory.errors.length > 0) problems.push(`sections failed: ${inventory.errors.map((e) => e.section).join(', ')}`);
  if (problems.length > 0) throw new Error(`the inventory read is not the target's: ${problems.join('; ')}`);
}

async function measureShape(ctx: BenchContext, label: string, shape: InventoryShape): Promise<FigureOutput> {
  const details: string[] = [];
  const rows: FigureRow[] = [];
  ctx.progress(`figure 1: starting spdk_tgt simulator with ${describeShape(shape)}`);
  const sim: SimHandle = await startSim({ app: 'spdk_tgt', jsonConfig: buildTargetConfig(shape), readyTimeoutMs: 120_000 });
  const client = new SpdkRpcClient({ address: sim.socket });
  try {
    // First discovery of a connection: also fetches the method list and the version.
    const caller = new CallRecorder(client);
    const coldStart = performance.now();
    const inventory = await collectInventory(caller);
    const coldMs = performance.now() - coldStart;
    checkInventory(inventory, shape);

    const warmCalls: RecordedCall[] = [];
    caller.sink = warmCalls;
    await collectInventory(caller);
    caller.sink = null;
    const methods = warmCalls.map((c) => c.method);

    const reps = ctx.size(8, 30);
    ctx.progress(`figure 1 (${label}): agent discovery × ${reps}`);
    const agentMs = await timeRepeated(reps, () => collectInventory(caller));
    const agent = median(agentMs);

    // Each call alone, one at a time, on the same client and connection.
    const rttReps = ctx.size(5, 15);
    const rtt = new Map<string, number[]>();
    for (const call of warmCalls) rtt.set(call.method, await timeRepeated(rttReps, () => client.call(call.method, call.params)));
    const [slowestMethod, slowestSamples] = [...rtt.entries()].reduce((a, b) => (median(b[1]) > median(a[1]) ? b : a));
    const slowest = median(slowestSamples);

    // The target alone: the same requests pipelined on a raw connection, replies counted, not parsed.
    const raw = await RawConnection.open(sim.socket);
    const payload = warmCalls
      .map((c, i) =>
        JSON.stringify(
          c.params === undefined ? { jsonrpc: '2.0', method: c.method, id: i + 1 } : { jsonrpc: '2.0', method: c.method, params: c.params, id: i + 1 },
        ),
      )
      .join('');
    const rawMs: number[] = [];
    for (let i = 0; i < reps; i++) {
      if (i === reps - 1) raw.keepBytes();
      rawMs.push(await raw.exchange(payload, warmCalls.length));
    }
    const replyBytes = raw.takeBytes();
    raw.close();
    // The client's share: its framing and decoding of those very reply bytes, with no socket.
    const decodeMs = median(await timeRepeated(reps, async () => void decodeLikeTheClient(replyBytes)));

    ctx.progress(`figure 1 (${label}): Python sequential client`);
    const seqReps = ctx.size(2, 10);
    const seq = await runBaseline<BaselineResult>(
      'sequential_client.py',
      { socket: sim.socket, calls: warmCalls, reps: seqReps, warmup: 1 },
      'sequential client baseline',
      300_000,
    );
    const seqMs = median(seq.reps_ms);

    const ppcReps = ctx.size(1, shape.bdevs > 100 ? 3 : 5);
    ctx.progress(`figure 1 (${label}): process per call × ${ppcReps} (${warmCalls.length} processes each)`);
    const ppc = await runBaseline<BaselineResult>(
      'process_per_call.py',
      { socket: sim.socket, calls: warmCalls, reps: ppcReps, python: PYTHON },
      'process-per-call baseline',
      900_000,
    );
    const ppcMs = median(ppc.reps_ms);

    details.push(
      `${label}: ${describeShape(shape)}; spdk_tgt simulator, SPDK's 4 ms poll; replies ${(replyBytes.length / 1024).toFixed(0)} KiB per discovery`,
      `  calls per discovery (warm connection, as the baselines make them): ${methods.join(', ')}`,
      `  agent collectInventory: ${describeSamples(agentMs, 'ms')}; first discovery on a new connection (+ method list, version): ${coldMs.toFixed(1)} ms`,
      `  each call alone (median of ${rttReps}): ${[...rtt.entries()].map(([m, s]) => `${m} ${median(s).toFixed(1)}`).join(', ')} ms`,
      `  target alone (same requests pipelined, raw socket, replies not parsed): ${describeSamples(rawMs, 'ms')}`,
      `  the client's framing + decoding of those reply bytes alone (no socket): median ${decodeMs < 1 ? decodeMs.toFixed(2) : decodeMs.toFixed(1)} ms`,
      `  sequential Python client: ${describeSamples(seq.reps_ms, 'ms')}`,
      `  process per call (${warmCalls.length} python3 processes per discovery): ${describeSamples(ppc.reps_ms, 'ms', 0)}; slowest call ${slowestOf(ppc.per_method_ms)}`,
    );

    const rawMedian = median(rawMs);
    rows.push(
      measuredRow({
        figure: FIGURE,
        metric: `${label}: agent discovery vs slowest single RPC`,
        unit: 'ms',
        direction: 'lower-is-better',
        value: agent,
        baseline: `1 RTT of ${slowestMethod}`,
        baselineValue: slowest,
        bound: 1.5 * slowest,
        target: '≤ 1.5× one round trip of the slowest RPC',
        limitedBy:
          `the target alone needs ${rawMedian.toFixed(1)} ms to answer the same pipelined requests to a client that parses nothing ` +
          `(it builds every reply in the same poll pass; ${slowestMethod} alone, parsing included, is ${slowest.toFixed(1)} ms); the client's framing + decoding of the ` +
          `${(replyBytes.length / 1024).toFixed(0)} KiB of replies takes ${decodeMs.toFixed(1)} ms of CPU on top`,
      }),
      measuredRow({
        figure: FIGURE,
        metric: `${label}: agent vs sequential Python client`,
        unit: 'ms',
        direction: 'lower-is-better',
        value: agent,
        baseline: 'sequential client',
        baselineValue: seqMs,
        needRatio: 3,
        target: '≥ 3× faster',
      }),
      measuredRow({
        figure: FIGURE,
        metric: `${label}: agent vs process per call`,
        unit: 'ms',
        direction: 'lower-is-better',
        value: agent,
        baseline: 'process per call',
        baselineValue: ppcMs,
        needRatio: 100,
        target: '≥ 100× faster',
        limitedBy: processLimit(ppc, warmCalls.length, slowest, agent),
      }),
    );
    return { rows, details };
  } finally {
    await client.close();
    await sim.stop();
  }
}

/**
 * Why process-per-call is not 100× slower here, from what was measured: each process costs about
 * an interpreter start plus one round trip, and the agent cannot beat one round trip.
 */
function processLimit(ppc: BaselineResult, calls: number, rttMs: number, agentMs: number): string {
  const perCall = median(ppc.reps_ms) / calls;
  const interpreter = median(ppc.interpreter_ms ?? []);
  return (
    `this baseline's processes are lean: ${perCall.toFixed(0)} ms per call-process on average (an empty python3 process alone: ${interpreter.toFixed(0)} ms), ` +
    `${calls} of them per discovery, while the agent's discovery is bound below by one round trip of the target's 4 ms poll ` +
    `(${rttMs.toFixed(1)} ms; measured ${agentMs.toFixed(1)} ms). The real scripts/rpc.py also imports the spdk.rpc package and builds its ` +
    `argparse tree (245 ms per process with 10 bdevs in the contract's measurement on real SPDK); that start-up cost is not reproduced here`
  );
}

function slowestOf(perMethod: Record<string, number[]>): string {
  const entries = Object.entries(perMethod).map(([m, s]) => [m, median(s)] as const);
  const [method, ms] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
  return `${method} ${ms.toFixed(0)} ms`;
}

export const discoveryFigure: Figure = {
  id: '1',
  title: 'Discovery of one target',
  plannedRows() {
    const rows = [];
    for (const label of [SMALL_LABEL, LARGE_LABEL]) {
      rows.push(
        { figure: FIGURE, metric: `${label}: agent discovery vs slowest single RPC`, unit: 'ms', target: '≤ 1.5× one round trip of the slowest RPC' },
        { figure: FIGURE, metric: `${label}: agent vs sequential Python client`, unit: 'ms', target: '≥ 3× faster' },
        { figure: FIGURE, metric: `${label}: agent vs process per call`, unit: 'ms', target: '≥ 100× faster' },
      );
    }
    return rows;
  },
  async run(ctx) {
    const small = await measureShape(ctx, SMALL_LABEL, SMALL_INVENTORY);
    const large = await measureShape(ctx, LARGE_LABEL, LARGE_INVENTORY);
    return { rows: [...small.rows, ...large.rows], details: [...small.details, ...large.details] };
  },
};
