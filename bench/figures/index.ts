/** The figures, in the order they run. */
import type { Figure } from '../lib/context.js';
import { busFigure } from './bus.js';
import { cliStartFigure } from './cli-start.js';
import { discoveryFigure } from './discovery.js';
import { fleetFigure } from './fleet.js';
import { largeRepliesFigure } from './large-replies.js';
import { memoryFigure } from './memory.js';
import { metricsFigure } from './metrics.js';
import { queueModesFigure } from './queue-modes.js';
import { startupFigure } from './startup.js';
import { throughputFigure } from './throughput.js';

export const figures: Figure[] = [
  discoveryFigure,
  throughputFigure,
  largeRepliesFigure,
  busFigure,
  fleetFigure,
  startupFigure,
  memoryFigure,
  metricsFigure,
  cliStartFigure,
  queueModesFigure,
];
