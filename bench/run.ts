/**
 * `npm run bench` (full, under 10 minutes on a 2-core machine) and `npm run bench -- --quick`
 * (smaller versions of every figure, under a minute). Runs the figures one after another, prints
 * the table and the details of what was measured, and writes bench/results.json (plus a copy per
 * mode, bench/results-full.json / bench/results-quick.json).
 *
 * Options: --quick; --only 1,2,4 (a subset, for working on one figure); --out FILE.
 *
 * Whatever happens (a figure failing, Ctrl-C, SIGTERM), every process the run started is stopped and
 * every broker object it declared is deleted before it exits.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { configureLogging } from '../src/util/log.js';
import { repoRoot } from '../test/helpers/paths.js';
import { runCleanups } from './lib/cleanup.js';
import type { BenchContext, Figure } from './lib/context.js';
import { killAllNow, runningChildren, stopAll } from './lib/processes.js';
import { machineInfo } from './lib/proc.js';
import { pythonVersion } from './lib/python.js';
import { notMeasuredRow, type FigureReport, type RunReport } from './lib/results.js';
import { printReport } from './lib/table.js';
import { figures } from './figures/index.js';

interface Options {
  quick: boolean;
  only: Set<string> | null;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { quick: false, only: null, out: path.join(repoRoot, 'bench', 'results.json') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!value) usage(`--only needs a list of figure numbers`);
      options.only = new Set(value.split(',').map((s) => s.trim()));
    } else if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!value) usage('--out needs a file name');
      options.out = path.resolve(value);
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write('usage: node dist/bench/run.js [--quick] [--only 1,2,…] [--out FILE]\n');
      process.exit(0);
    } else usage(`unknown option ${arg}`);
  }
  return options;
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: node dist/bench/run.js [--quick] [--only 1,2,…] [--out FILE]\n`);
  process.exit(2);
}

async function runFigure(figure: Figure, ctx: BenchContext): Promise<FigureReport> {
  const start = performance.now();
  const loadBefore = loadavg()[0]!;
  ctx.progress(`— figure ${figure.id}: ${figure.title}`);
  try {
    const output = await figure.run(ctx);
    return {
      id: figure.id,
      title: figure.title,
      rows: output.rows,
      details: output.details,
      durationSec: (performance.now() - start) / 1000,
      loadAverage: [loadBefore, loadavg()[0]!],
    };
  } catch (err) {
    const message = ctx.signal.aborted ? 'interrupted' : err instanceof Error ? err.message : String(err);
    ctx.progress(`figure ${figure.id} failed: ${message}`);
    return {
      id: figure.id,
      title: figure.title,
      rows: figure.plannedRows().map((r) => notMeasuredRow(r.figure, r.metric, r.unit, r.target, `failed: ${message.split('\n')[0]}`)),
      details: [`figure ${figure.id} failed: ${message}`],
      durationSec: (performance.now() - start) / 1000,
      loadAverage: [loadBefore, loadavg()[0]!],
      error: message,
    };
  } finally {
    // Nothing a figure started outlives it, even when it failed halfway: processes first (an agent
    // still connected could declare again what the cleanup deletes), then broker objects.
    await stopAll();
    await runCleanups();
  }
}

/** Set once a signal arrived: the run then ends through it (cleanup, exit 130/143), never normally. */
let shutdown: Promise<void> | null = null;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  configureLogging({ level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'error' });
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shutdown !== null) {
      // A second signal: no more waiting.
      killAllNow();
      process.exit(130);
    }
    process.stderr.write(`\nbench: ${signal}: stopping what was started and deleting broker objects (again to force); no results written\n`);
    abort.abort();
    shutdown = (async () => {
      await stopAll(2000);
      await runCleanups(5000);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllNow);

  const ctx: BenchContext = {
    quick: options.quick,
    size: (quick, full) => (options.quick ? quick : full),
    progress: (message) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`),
    signal: abort.signal,
  };

  const startedAt = new Date();
  const started = performance.now();
  const selected = figures.filter((f) => options.only === null || options.only.has(f.id));
  const reports: FigureReport[] = [];
  for (const figure of selected) {
    if (abort.signal.aborted) break;
    reports.push(await runFigure(figure, ctx));
    const left = runningChildren();
    if (left.length > 0) ctx.progress(`warning: still running after figure ${figure.id}: ${left.join(', ')}`);
  }

  if (shutdown !== null) await shutdown; // exits the process

  const report: RunReport = {
    mode: options.quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(),
    durationSec: (performance.now() - started) / 1000,
    machine: { ...machineInfo(), python: pythonVersion() },
    figures: reports,
  };
  printReport(report);
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  const copy = path.join(path.dirname(options.out), `results-${report.mode}.json`);
  if (options.only === null && copy !== options.out) copyFileSync(options.out, copy);
  process.stderr.write(`bench: results written to ${path.relative(process.cwd(), options.out) || options.out}\n`);
}

main().then(
  async () => {
    if (shutdown !== null) await shutdown;
    process.exit(0);
  },
  async (err: unknown) => {
    if (shutdown !== null) await shutdown;
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await stopAll(2000);
    await runCleanups(5000);
    process.exit(1);
  },
);
