/**
 * Figure 9 — the CLI as an operator's shell runs it: whole processes, from spawn to exit, one after
 * another (median of the repetitions), on this machine's Node.js.
 *
 * - `spdk-agent --help` and `spdk-agent rpc spdk_get_version`, beside a bare `node -e 0` measured in
 *   the same run: the target is at most 50 ms above it. The rpc call is also shown beside SPDK's
 *   `rpc.py` (the bench's Python client, bench/baselines/rpc_call.py, stands in: it skips rpc.py's
 *   own imports and argument parser, so it is faster than the real tool).
 * - `spdk-agent discover --json` of a 2,000-bdev, 200-subsystem nvmf_tgt against the two Python
 *   processes that fetch the same bdevs and subsystems (rpc_call.py bdev_get_bdevs, then
 *   nvmf_get_subsystems): at least 3× faster.
 *
 * The targets are simulators with SPDK's 4 ms RPC poll.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { agentBin } from '../../test/helpers/paths.js';
import { createFakeSpdkTree, startSim, type SimHandle } from '../../test/helpers/sim.js';
import type { Figure } from '../lib/context.js';
import { buildTargetConfig } from '../lib/inventories.js';
import { PYTHON, baselinesDir } from '../lib/python.js';
import { measuredRow, notMeasuredRow, type FigureRow } from '../lib/results.js';
import { describeSamples, median } from '../lib/stats.js';

const FIGURE = '9 CLI start';
const BIG = { bdevs: 2000, subsystems: 200, vhostControllers: 0, nvmeDrives: true };
const ROWS = [
  { metric: 'spdk-agent --help, whole process', unit: 'ms', target: '≤ node -e 0 + 50 ms' },
  { metric: 'spdk-agent rpc spdk_get_version, whole process', unit: 'ms', target: '≤ node -e 0 + 50 ms' },
  { metric: 'spdk-agent discover --json, 2,000 bdevs + 200 subsystems', unit: 'ms', target: '≥ 3× faster than the two Python calls' },
];

/** Runs a command `reps` times in a row; each duration in ms (spawn to exit). */
function timeProcess(reps: number, file: string, args: string[], env: NodeJS.ProcessEnv = process.env): number[] {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    execFileSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    out.push(performance.now() - start);
  }
  return out;
}

export const cliStartFigure: Figure = {
  id: '9',
  title: 'CLI start: --help, rpc and discover as whole processes',
  plannedRows: () => ROWS.map((r) => ({ figure: FIGURE, ...r })),
  async run(ctx) {
    const reps = ctx.size(5, 20);
    const details: string[] = [];
    const rows: FigureRow[] = [];
    const env = { ...process.env, SPDK_AGENT_LOG_LEVEL: 'error' };
    let small: SimHandle | null = null;
    let big: SimHandle | null = null;
    const dir = mkdtempSync(path.join(tmpdir(), 'spdk-agent-bench-cli-'));
    try {
      ctx.progress('figure 9: node -e 0, spdk-agent --help');
      // Warm the file cache (and Node 22's compile cache) once, as a shell that ran the command before.
      timeProcess(1, process.execPath, [agentBin, '--help'], env);
      const bare = timeProcess(reps, process.execPath, ['-e', '0']);
      const help = timeProcess(reps, process.execPath, [agentBin, '--help'], env);
      const floor = median(bare);
      details.push(`Node.js ${process.version}; ${reps} runs each, in a row; node -e 0: ${describeSamples(bare, 'ms')}`);
      details.push(`  spdk-agent --help: ${describeSamples(help, 'ms')}`);
      rows.push(
        measuredRow({
          figure: FIGURE,
          ...ROWS[0]!,
          direction: 'lower-is-better',
          value: median(help),
          baseline: 'node -e 0 + 50 ms',
          baselineValue: floor + 50,
          bound: floor + 50,
          limitedBy: `the bundled commander and the command definitions load (${(median(help) - floor).toFixed(0)} ms above bare Node); Node 22+ keeps compiled code across runs (module.enableCompileCache), Node 20 cannot`,
        }),
      );

      ctx.progress('figure 9: spdk-agent rpc spdk_get_version, and the Python stand-in for rpc.py');
      small = await startSim({
        app: 'nvmf_tgt',
        jsonConfig: buildTargetConfig({ bdevs: 10, subsystems: 2, vhostControllers: 0, nvmeDrives: true }, { withNvmf: true, withVhost: false }),
      });
      timeProcess(1, process.execPath, [agentBin, 'rpc', '-s', small.socket, 'spdk_get_version'], env);
      const rpc = timeProcess(reps, process.execPath, [agentBin, 'rpc', '-s', small.socket, 'spdk_get_version'], env);
      const rpcPy = timeProcess(reps, PYTHON, [path.join(baselinesDir, 'rpc_call.py'), small.socket, 'spdk_get_version'], {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: '1',
      });
      details.push(
        `  spdk-agent rpc spdk_get_version: ${describeSamples(rpc, 'ms')}; the Python stand-in for rpc.py (rpc_call.py, without rpc.py's imports and argument parser): ${describeSamples(rpcPy, 'ms')}`,
      );
      rows.push(
        measuredRow({
          figure: FIGURE,
          ...ROWS[1]!,
          direction: 'lower-is-better',
          value: median(rpc),
          baseline: 'node -e 0 + 50 ms',
          baselineValue: floor + 50,
          bound: floor + 50,
          limitedBy: `the SPDK client's bundle loads and the call waits for the target's 4 ms polls (${(median(rpc) - floor).toFixed(0)} ms above bare Node; the Python stand-in takes ${median(rpcPy).toFixed(0)} ms)`,
        }),
      );

      ctx.progress(`figure 9: discover --json of ${BIG.bdevs} bdevs and ${BIG.subsystems} subsystems, and the two Python calls`);
      big = await startSim({ app: 'nvmf_tgt', jsonConfig: buildTargetConfig(BIG, { withNvmf: true, withVhost: false }) });
      const tree = path.join(dir, 'spdk');
      createFakeSpdkTree(tree);
      const configFile = path.join(dir, 'agent.yaml');
      writeFileSync(
        configFile,
        dump({
          agent: { host: 'bench', reportedHostname: 'bench', runtimeDir: path.join(dir, 'run') },
          bus: { enabled: false },
          spdk: { sourceDir: tree, searchPath: false, targets: [{ name: 'big', app: 'nvmf_tgt', socket: big.socket, autostart: false, adopt: true }] },
        }),
        { mode: 0o600 },
      );
      const discoverArgs = [agentBin, 'discover', '--json', '--config', configFile];
      timeProcess(1, process.execPath, discoverArgs, env);
      const discoverReps = ctx.size(3, 10);
      const discover = timeProcess(discoverReps, process.execPath, discoverArgs, env);
      const pyEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
      const twoPython: number[] = [];
      for (let i = 0; i < discoverReps; i++) {
        const bdevs = timeProcess(1, PYTHON, [path.join(baselinesDir, 'rpc_call.py'), big.socket, 'bdev_get_bdevs'], pyEnv)[0]!;
        const subsystems = timeProcess(1, PYTHON, [path.join(baselinesDir, 'rpc_call.py'), big.socket, 'nvmf_get_subsystems'], pyEnv)[0]!;
        twoPython.push(bdevs + subsystems);
      }
      details.push(
        `  spdk-agent discover --json (${BIG.bdevs} bdevs, ${BIG.subsystems} subsystems, 2 NVMe drives; every section of the inventory, not only those two): ${describeSamples(discover, 'ms')}; ` +
          `two Python processes (bdev_get_bdevs, then nvmf_get_subsystems): ${describeSamples(twoPython, 'ms')}`,
      );
      rows.push(
        measuredRow({
          figure: FIGURE,
          ...ROWS[2]!,
          direction: 'lower-is-better',
          value: median(discover),
          baseline: 'two Python calls',
          baselineValue: median(twoPython),
          needRatio: 3,
          limitedBy:
            'discover reads every section of the inventory (methods, version, bdevs, controllers, transports, subsystems) and renders it; the Python calls read two',
        }),
      );
      return { rows, details };
    } catch (err) {
      const reason = `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      return {
        rows: ROWS.map((r) => rows.find((x) => x.metric === r.metric) ?? notMeasuredRow(FIGURE, r.metric, r.unit, r.target, reason)),
        details: [...details, reason],
      };
    } finally {
      await small?.stop();
      await big?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
