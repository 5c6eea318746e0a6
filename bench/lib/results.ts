/**
 * The shape of a benchmark result, one row per figure and measured quantity, as written to
 * bench/results.json and printed in the table.
 *
 * `ratio` is always "how many times better than the reference": reference / value for times and
 * CPU (lower is better), value / reference for rates (higher is better). `ratioOf` says which way
 * it was taken, so a reader never has to guess. A row whose target is "at most 1.5× X" carries X as
 * its reference and its ratio reads below 1 when the value is above X.
 */

export type Direction = 'lower-is-better' | 'higher-is-better';

export interface FigureRow {
  /** "1", "2", … and a short name. */
  figure: string;
  /** What this row measured, e.g. "discovery, 2,000 bdevs / 200 subsystems". */
  metric: string;
  unit: string;
  direction: Direction;
  /** Null when not measured (see `notMeasured`). */
  value: number | null;
  /** The reference the value is compared with (a baseline, or the target's yardstick). */
  baseline: string | null;
  baselineValue: number | null;
  /** Times better than the reference (see the module comment); null without one. */
  ratio: number | null;
  /** How the ratio was taken, e.g. "sequential client / agent". */
  ratioOf: string | null;
  /** The target in words, e.g. "≥ 3× faster than the sequential client". */
  target: string;
  /** Whether the target is met; null when not measured or when the row has no target. */
  met: boolean | null;
  /** Why the row is not measured (broker unreachable, agent missing, a failure …). */
  notMeasured?: string;
  /** What limits a missed target, measured (filled in by the figure). */
  limitedBy?: string;
}

export interface FigureReport {
  id: string;
  title: string;
  rows: FigureRow[];
  /** What was measured: sizes, counts, repetitions, side figures. Printed under the table. */
  details: string[];
  durationSec: number;
  /**
   * The machine's 1-minute load average at the figure's start and end (the benchmark's own
   * processes included): on a shared host, other work shows up here and explains outliers.
   */
  loadAverage: [number, number];
  /** Set when the figure failed as a whole (its rows are then "not measured"). */
  error?: string;
}

export interface RunReport {
  mode: 'full' | 'quick';
  startedAt: string;
  durationSec: number;
  machine: Record<string, unknown>;
  figures: FigureReport[];
}

interface RowInput {
  figure: string;
  metric: string;
  unit: string;
  direction: Direction;
  value: number;
  baseline?: string;
  baselineValue?: number;
  /** The ratio needed to meet the target (ratio ≥ this); omit for rows without a ratio target. */
  needRatio?: number;
  /** An absolute bound instead: value ≤ bound (lower-is-better) or ≥ bound (higher-is-better). */
  bound?: number;
  target: string;
  limitedBy?: string;
}

/** A measured row: computes the ratio and whether the target is met. */
export function measuredRow(input: RowInput): FigureRow {
  let ratio: number | null = null;
  let ratioOf: string | null = null;
  if (input.baselineValue !== undefined && input.baseline !== undefined && input.value > 0 && input.baselineValue > 0) {
    ratio = input.direction === 'lower-is-better' ? input.baselineValue / input.value : input.value / input.baselineValue;
    ratioOf = input.direction === 'lower-is-better' ? `${input.baseline} / this` : `this / ${input.baseline}`;
  }
  let met: boolean | null = null;
  if (input.needRatio !== undefined) met = ratio !== null && ratio >= input.needRatio;
  if (input.bound !== undefined) {
    const within = input.direction === 'lower-is-better' ? input.value <= input.bound : input.value >= input.bound;
    met = met === null ? within : met && within;
  }
  const row: FigureRow = {
    figure: input.figure,
    metric: input.metric,
    unit: input.unit,
    direction: input.direction,
    value: input.value,
    baseline: input.baseline ?? null,
    baselineValue: input.baselineValue ?? null,
    ratio,
    ratioOf,
    target: input.target,
    met,
  };
  if (met === false && input.limitedBy) row.limitedBy = input.limitedBy;
  return row;
}

/** A row that could not be measured, saying why. Never carries a value. */
export function notMeasuredRow(figure: string, metric: string, unit: string, target: string, reason: string, baseline: string | null = null): FigureRow {
  return {
    figure,
    metric,
    unit,
    direction: 'lower-is-better',
    value: null,
    baseline,
    baselineValue: null,
    ratio: null,
    ratioOf: null,
    target,
    met: null,
    notMeasured: reason,
  };
}
