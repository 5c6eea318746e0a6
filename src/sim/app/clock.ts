/**
 * The simulated TSC: ticks = start + elapsed × tick_rate, from a monotonic high-resolution clock.
 * A real TSC counts from host boot, so by default the counter starts at uptime × tick_rate; with
 * --sim-ticks-start it can start beyond 2^53, where a client that parses with `JSON.parse` loses
 * precision (the bug class this exists to catch). Ticks are `bigint`, written as exact literals.
 */
import { readFileSync } from 'node:fs';

export class TickClock {
  private readonly startNs = process.hrtime.bigint();
  readonly startTicks: bigint;

  constructor(
    readonly tickRate: number,
    ticksStart: bigint | undefined,
  ) {
    this.startTicks = ticksStart ?? TickClock.uptimeTicks(tickRate);
  }

  private static uptimeTicks(tickRate: number): bigint {
    try {
      const seconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
      if (Number.isFinite(seconds)) return (BigInt(Math.floor(seconds * 1000)) * BigInt(tickRate)) / 1000n;
    } catch {
      // No /proc: start from zero.
    }
    return 0n;
  }

  /** Ticks elapsed since the app started. */
  elapsed(): bigint {
    return ((process.hrtime.bigint() - this.startNs) * BigInt(this.tickRate)) / 1_000_000_000n;
  }

  /** The counter now (uint64, wraps like a real one would never in practice). */
  now(): bigint {
    return (this.startTicks + this.elapsed()) & 0xffffffffffffffffn;
  }

  /** Seconds since the app started. */
  seconds(): number {
    return Number(process.hrtime.bigint() - this.startNs) / 1e9;
  }
}
