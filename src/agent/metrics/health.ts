/**
 * `/healthz` and `/readyz`: what a supervisor (Kubernetes probes, a load balancer, a script)
 * asks, answered from the daemon's state with a one-line reason.
 *
 * - Alive: the event loop turns. The answer itself comes from the loop; on top of that a 1 s
 *   ticker tells a loop that was blocked for more than `stallAfterMs` until a moment ago.
 * - Ready: the targets were looked after, the agent is connected to the bus and serves its topic,
 *   and the conductor accepted a report_data within the last two report periods (when the bus is
 *   disabled: the targets were looked after). Not ready while shutting down.
 */
import type { DaemonHealth } from '../daemon.js';

export interface HealthAnswer {
  ok: boolean;
  /** One line an operator reads. */
  reason: string;
  [field: string]: unknown;
}

const TICK_MS = 1000;
const DEFAULT_STALL_AFTER_MS = 10_000;

export class LivenessTicker {
  private lastTick = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly stallAfterMs = DEFAULT_STALL_AFTER_MS) {
    this.timer = setInterval(() => {
      this.lastTick = performance.now();
    }, TICK_MS);
    this.timer.unref();
  }

  check(now = performance.now()): HealthAnswer {
    const sinceTickMs = Math.round(now - this.lastTick);
    if (sinceTickMs > this.stallAfterMs) return { ok: false, reason: `the event loop was blocked for ${sinceTickMs} ms`, sinceTickMs };
    return { ok: true, reason: 'alive', sinceTickMs };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function readiness(health: DaemonHealth, now = Date.now()): HealthAnswer {
  if (health.stopping) return { ok: false, reason: 'shutting down' };
  if (!health.startedUp) return { ok: false, reason: 'starting: the targets are being started or adopted' };
  if (!health.busEnabled) return { ok: true, reason: 'ready (message bus disabled)' };
  if (!health.busConnected) return { ok: false, reason: 'not connected to the message bus' };
  if (!health.serving) return { ok: false, reason: 'connected to the message bus, not serving the agent topic yet' };
  if (!health.reporting) return { ok: true, reason: 'ready (serving beside another agent: no report_data)' };
  if (health.lastAcceptedAt === null) return { ok: false, reason: 'no report_data accepted by the conductor yet' };
  const ageSec = Math.round((now - Date.parse(health.lastAcceptedAt)) / 1000);
  const limitSec = 2 * health.reportIntervalSec;
  if (ageSec > limitSec) {
    return {
      ok: false,
      reason: `the last report_data accepted by the conductor is ${ageSec} s old (more than two periods, ${limitSec} s)`,
      lastAcceptedAt: health.lastAcceptedAt,
    };
  }
  return { ok: true, reason: 'ready', lastAcceptedAt: health.lastAcceptedAt };
}
