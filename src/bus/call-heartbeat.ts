/**
 * Call-monitor heartbeats (oslo's dispatcher `_watchdog`): when a caller sets
 * `call_monitor_timeout`, its request carries `_timeout: N` and the server must send
 * `{"result": null, "failure": null, "ending": false}` every `int(N) / 2` seconds until the final
 * reply, or the caller gives up after N seconds even if its overall timeout is longer.
 *
 * Never when `_timeout` is null: such a caller has no monitor and crashes on a heartbeat
 * (`AttributeError: 'NoneType' object has no attribute 'restart'`).
 */
import { pythonInt, pythonTruthy } from './python-values.js';

/**
 * The heartbeat interval for a request's `_timeout`, or null for none: oslo starts the watchdog
 * only for a truthy value, computes `int(value) / 2`, and sends nothing when that is below 1 s (or
 * when `int()` fails).
 */
export function callMonitorIntervalMs(clientTimeout: unknown): number | null {
  if (!pythonTruthy(clientTimeout)) return null;
  const whole = pythonInt(clientTimeout);
  if (whole === undefined) return null;
  const intervalSec = whole / 2;
  return intervalSec < 1 ? null : intervalSec * 1000;
}

/** Sends heartbeats at a fixed interval until stopped, or until one fails to send (as oslo). */
export class CallHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private sent = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly send: () => Promise<void>,
    private readonly onSendFailure: (err: unknown) => void,
  ) {}

  start(): this {
    this.schedule();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get heartbeatsSent(): number {
    return this.sent;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.send().then(
        () => {
          this.sent++;
          this.schedule();
        },
        (err: unknown) => {
          // The broker or the caller is gone: the caller's own timeout will tell it.
          this.stopped = true;
          this.onSendFailure(err);
        },
      );
    }, this.intervalMs);
  }
}
