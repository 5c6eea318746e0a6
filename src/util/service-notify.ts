/**
 * Telling systemd how the service is doing (`Type=notify`, `WatchdogSec=`): `READY=1` once the
 * agent serves, `WATCHDOG=1` from the event loop (a hung agent stops sending them and systemd
 * restarts it), `STATUS=` lines for `systemctl status`, `STOPPING=1` at shutdown.
 *
 * Node cannot send a datagram on a Unix socket (NOTIFY_SOCKET is one), so each message is sent by
 * systemd's own `systemd-notify`, run with execa (no shell). It is a child of the agent, in the
 * unit's cgroup: the unit needs `NotifyAccess=all`. systemd-notify waits until systemd has
 * processed the message (its barrier), so a message is never lost to the sender having exited.
 * Outside systemd (no NOTIFY_SOCKET) nothing is sent.
 */
import { execa } from 'execa';
import { errorMessage } from './errors.js';
import type { Logger } from './log.js';

const NOTIFY_TIMEOUT_MS = 10_000;

export interface ServiceNotifierOptions {
  env?: NodeJS.ProcessEnv;
  /** The systemd-notify program; default `systemd-notify` on PATH. */
  program?: string;
  logger: Logger;
}

export class ServiceNotifier {
  private watchdog: NodeJS.Timeout | null = null;
  private failureLogged = false;
  /** Messages are sent one after another, in order. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly program: string,
    private readonly log: Logger,
  ) {}

  /** A notifier when systemd asked for notifications (NOTIFY_SOCKET is set), else null. */
  static fromEnvironment(options: ServiceNotifierOptions): ServiceNotifier | null {
    const env = options.env ?? process.env;
    if (!env.NOTIFY_SOCKET) return null;
    return new ServiceNotifier(env, options.program ?? 'systemd-notify', options.logger);
  }

  /** The watchdog period systemd expects (WATCHDOG_USEC, for this process), in ms; null when off. */
  get watchdogMs(): number | null {
    const usec = Number(this.env.WATCHDOG_USEC);
    if (!Number.isFinite(usec) || usec <= 0) return null;
    const pid = this.env.WATCHDOG_PID;
    if (pid !== undefined && pid !== '' && Number(pid) !== process.pid) return null;
    return usec / 1000;
  }

  ready(status: string): Promise<void> {
    return this.send(['--ready', `--status=${status}`]);
  }

  status(status: string): Promise<void> {
    return this.send([`--status=${status}`]);
  }

  stopping(status: string): Promise<void> {
    this.stopWatchdog();
    return this.send([`--status=${status}`, 'STOPPING=1']);
  }

  /** Sends WATCHDOG=1 at half the period systemd expects, from a timer of the event loop. */
  startWatchdog(): void {
    const periodMs = this.watchdogMs;
    if (periodMs === null || this.watchdog !== null) return;
    const ping = (): void => void this.send(['WATCHDOG=1']);
    ping();
    this.watchdog = setInterval(ping, Math.max(500, periodMs / 2));
    this.watchdog.unref();
  }

  stopWatchdog(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private send(args: string[]): Promise<void> {
    const sending = this.queue.then(async () => {
      try {
        await execa(this.program, args, { env: this.env, timeout: NOTIFY_TIMEOUT_MS, stdin: 'ignore' });
        this.failureLogged = false;
      } catch (err) {
        // Logged once until one works again: a watchdog failing every few seconds must not flood the log.
        if (!this.failureLogged) this.log.error(`cannot notify systemd (${this.program} ${args.join(' ')}): ${errorMessage(err).split('\n')[0]}`);
        this.failureLogged = true;
      }
    });
    this.queue = sending;
    return sending;
  }
}
