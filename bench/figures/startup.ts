/**
 * Figure 6 — start-up: from the moment the agent process is spawned (`spdk-agent run --config …`)
 * to its first `report_data` received by a Python conductor, with the target already running (an
 * nvmf_tgt simulator with two PCIe NVMe drives and an NVMe-oF subsystem, SPDK's 4 ms poll, adopted
 * by the agent). Each repetition is a fresh agent process; the start is taken just before the spawn
 * (Date.now()), the arrival by the conductor (time.time()), on the same machine clock.
 */
import { execFileSync } from 'node:child_process';
import { startSim, type SimHandle } from '../../test/helpers/sim.js';
import { agentFigureProblem, startAgent, type AgentProcess } from '../lib/agent.js';
import { BrokerScope } from '../lib/broker.js';
import { Conductor } from '../lib/conductor.js';
import type { Figure } from '../lib/context.js';
import { buildTargetConfig } from '../lib/inventories.js';
import { measuredRow, notMeasuredRow } from '../lib/results.js';
import { describeSamples, median } from '../lib/stats.js';

const FIGURE = '6 start-up';
const METRIC = 'process start → first report_data at the conductor';
const TARGET = '< 1 s';

/** What Node alone costs to start and exit (the floor under any Node agent). */
function nodeStartMs(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    execFileSync(process.execPath, ['-e', '0']);
    out.push(performance.now() - start);
  }
  return out;
}

export const startupFigure: Figure = {
  id: '6',
  title: 'Start-up to the first report_data',
  plannedRows() {
    return [{ figure: FIGURE, metric: METRIC, unit: 'ms', target: TARGET }];
  },
  async run(ctx) {
    const reason = await agentFigureProblem();
    if (reason !== null) {
      return { rows: [notMeasuredRow(FIGURE, METRIC, 'ms', TARGET, reason)], details: [reason] };
    }
    const reps = ctx.size(3, 10);
    const scope = new BrokerScope();
    let sim: SimHandle | null = null;
    let conductor: Conductor | null = null;
    let agent: AgentProcess | null = null;
    try {
      sim = await startSim({
        app: 'nvmf_tgt',
        jsonConfig: buildTargetConfig({ bdevs: 10, subsystems: 2, vhostControllers: 0, nvmeDrives: true }, { withNvmf: true, withVhost: false }),
      });
      conductor = await Conductor.start(scope);
      const samples: number[] = [];
      let devices = 0;
      for (let i = 0; i < reps && !ctx.signal.aborted; i++) {
        ctx.progress(`figure 6: agent start ${i + 1}/${reps}`);
        const host = `startup${i}`;
        const mark = conductor.mark();
        agent = startAgent({ host, scope, socket: sim.socket, app: 'nvmf_tgt' });
        const report = await conductor.reportFrom(host, mark, 30_000).catch((err: unknown) => {
          throw new Error(`${(err as Error).message}\nagent stderr:\n${agent?.child.stderr.slice(-2000) ?? ''}`);
        });
        samples.push(report.atMs - agent.spawnedAt.epochMs);
        devices = report.devices;
        await agent.stop();
        agent = null;
      }
      const node = nodeStartMs();
      const value = median(samples);
      return {
        rows: [
          measuredRow({
            figure: FIGURE,
            metric: METRIC,
            unit: 'ms',
            direction: 'lower-is-better',
            value,
            bound: 1000,
            target: TARGET,
            limitedBy: `Node itself takes ${median(node).toFixed(0)} ms to start and exit on this machine; the rest is the agent's start-up (see the details)`,
          }),
        ],
        details: [
          `target already running: nvmf_tgt simulator, 10 bdevs incl. 2 NVMe namespaces, 2 subsystems, SPDK's 4 ms poll; Python oslo.messaging conductor on the same broker; ${reps} fresh agent processes, one after another`,
          `  spawn → first report_data received (${devices} devices): ${describeSamples(samples, 'ms', 0)}`,
          `  for reference, \`node -e 0\` start and exit: ${describeSamples(node, 'ms', 0)}`,
        ],
      };
    } finally {
      await agent?.stop();
      await conductor?.stop();
      await sim?.stop();
      await scope.cleanup();
    }
  },
};
