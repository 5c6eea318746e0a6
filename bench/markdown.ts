/**
 * Prints a results file as the Markdown table bench/README.md shows:
 * `node dist/bench/markdown.js bench/results-full.json`.
 */
import { readFileSync } from 'node:fs';
import type { FigureRow, RunReport } from './lib/results.js';
import { formatNumber } from './lib/table.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(r: FigureRow): string {
  const value = r.value === null ? 'not measured' : `${formatNumber(r.value)} ${r.unit}`;
  const reference = r.baseline === null ? '' : r.baselineValue === null ? r.baseline : `${r.baseline}: ${formatNumber(r.baselineValue)} ${r.unit}`;
  const ratio = r.ratio === null ? '' : `${r.ratio >= 10 ? r.ratio.toFixed(0) : r.ratio.toFixed(2)}×`;
  const met = r.met === null ? (r.value === null ? 'not measured' : '—') : r.met ? 'met' : '**missed**';
  return `| ${cell(r.figure)} | ${cell(r.metric)} | ${value} | ${cell(reference)} | ${ratio} | ${cell(r.target)} | ${met} |`;
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node dist/bench/markdown.js <results.json>\n');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
const m = report.machine;
const lines = [
  `${report.mode} run, ${report.startedAt}, ${report.durationSec.toFixed(0)} s — ${String(m.cpus)} × ${String(m.cpuModel)}, ${String(m.memoryGb)} GB, Linux ${String(m.kernel)}, Node ${String(m.node)}, ${String(m.python)}`,
  '',
  '| figure | measured | value | reference | × better | target | met |',
  '|---|---|---|---|---|---|---|',
  ...report.figures.flatMap((f) => f.rows.map(row)),
];
process.stdout.write(`${lines.join('\n')}\n`);
