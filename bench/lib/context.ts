/** What every figure module receives, and the interface it implements. */
import type { FigureReport, FigureRow } from './results.js';

export interface BenchContext {
  quick: boolean;
  /** Pick the quick or the full value of a size or count. */
  size<T>(quick: T, full: T): T;
  /** Prints one progress line (to stderr, so the table on stdout stays clean). */
  progress(message: string): void;
  /** Aborted on Ctrl-C/SIGTERM: long loops check it and wind down. */
  signal: AbortSignal;
}

export interface FigureOutput {
  rows: FigureRow[];
  details: string[];
}

export interface Figure {
  id: string;
  title: string;
  /** Rows to report when the figure throws before producing its own (all "not measured"). */
  plannedRows(): Array<Pick<FigureRow, 'figure' | 'metric' | 'unit' | 'target'>>;
  run(ctx: BenchContext): Promise<FigureOutput>;
}

export type { FigureReport };
