/** Prints a run: the table of figures (stdout), then what limits each missed target and the details. */
import Table from 'cli-table3';
import type { FigureRow, RunReport } from './results.js';

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 10_000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function valueCell(row: FigureRow): string {
  if (row.value === null) return 'not measured';
  return `${formatNumber(row.value)} ${row.unit}`;
}

function baselineCell(row: FigureRow): string {
  if (row.baseline === null) return '';
  if (row.baselineValue === null) return row.baseline;
  return `${row.baseline}: ${formatNumber(row.baselineValue)} ${row.unit}`;
}

function ratioCell(row: FigureRow): string {
  return row.ratio === null ? '' : `${row.ratio >= 10 ? row.ratio.toFixed(0) : row.ratio.toFixed(2)}×`;
}

function metCell(row: FigureRow): string {
  if (row.met === null) return row.value === null ? 'not measured' : '';
  return row.met ? 'met' : 'MISSED';
}

export function printReport(report: RunReport): void {
  const table = new Table({
    head: ['figure', 'measured', 'value', 'reference', '× better', 'target', 'met'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [13, 34, 14, 30, 9, 26, 8],
  });
  for (const figure of report.figures) {
    for (const row of figure.rows) table.push([row.figure, row.metric, valueCell(row), baselineCell(row), ratioCell(row), row.target, metCell(row)]);
  }
  const out: string[] = [];
  const m = report.machine;
  out.push(
    `spdk-agent benchmarks (${report.mode}) — ${report.startedAt} — ${String(m.cpus)} × ${String(m.cpuModel)}, ${String(m.memoryGb)} GB, Node ${String(m.node)}, ${String(m.python)}; ${report.durationSec.toFixed(0)} s`,
  );
  out.push('"× better": reference ÷ value for times and CPU, value ÷ reference for rates (above 1 = better than the reference).');
  out.push(table.toString());

  const missed = report.figures.flatMap((f) => f.rows).filter((r) => r.met === false);
  if (missed.length > 0) {
    out.push('', 'Missed targets and what limits them (measured):');
    for (const row of missed) out.push(`  - ${row.figure} / ${row.metric}: ${row.limitedBy ?? 'see the details below'}`);
  }
  const unmeasured = report.figures.flatMap((f) => f.rows).filter((r) => r.value === null);
  if (unmeasured.length > 0) {
    out.push('', 'Not measured:');
    for (const row of unmeasured) out.push(`  - ${row.figure} / ${row.metric}: ${row.notMeasured ?? 'unknown reason'}`);
  }
  out.push('', 'What each figure measured:');
  for (const figure of report.figures) {
    const [before, after] = figure.loadAverage;
    out.push(`  Figure ${figure.id} — ${figure.title} (${figure.durationSec.toFixed(1)} s; machine load average ${before.toFixed(1)} → ${after.toFixed(1)})`);
    for (const line of figure.details) out.push(`    ${line}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
