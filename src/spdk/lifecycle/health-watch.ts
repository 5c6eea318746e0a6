/**
 * Watching one running target: a periodic probe (one request with a short deadline) for
 * hangs, and, for a target the agent did not spawn, the RPC connection's `disconnect` event plus a
 * /proc check for crashes (no exit event reaches the agent for a process that is not its child).
 *
 * One watch per process held: once stopped it reports nothing more, so a late probe of an old
 * process can never move the state of its successor. It only reports; the supervisor decides.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage } from '../../util/errors.js';
import { RpcConnectionError } from '../rpc/errors.js';
import { adoptedGoneReason } from './existing-target.js';
import type { FrameworkCalls, LifecycleRpcClient } from './rpc-link.js';
import type { TargetProcess } from './target-process.js';

export interface HealthWatchOptions {
  /** The process (a child, or adopted with its pid), or undefined for an adopted one without a visible pid. */
  process: TargetProcess | undefined;
  socket: string | undefined;
  client: LifecycleRpcClient;
  calls: FrameworkCalls;
  intervalMs: number;
  timeoutMs: number;
  /** How long to watch a pid after a lost connection before calling the target silent. */
  goneCheckMs: number;
  /** An adopted target went away (a child's exit is the supervisor's own event). */
  onGone(reason: string): void;
  /** It is there but did not answer in time. */
  onSilent(reason: string): void;
  /** It answered (with its version, when that could be read). */
  onAnswering(version: string | undefined): void;
}

export class HealthWatch {
  private timer: NodeJS.Timeout | undefined;
  private active = false;
  private probing = false;
  private readonly onDisconnect = (): void => void this.afterDisconnect();

  constructor(private readonly options: HealthWatchOptions) {}

  start(): void {
    this.active = true;
    this.timer = setInterval(() => void this.probe(), this.options.intervalMs);
    this.options.client.on('disconnect', this.onDisconnect);
    // Connected now, the loss of the connection is the first sign of a crash.
    this.options.client.connect().catch(() => void this.probe());
  }

  stop(): void {
    this.active = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.options.client.off('disconnect', this.onDisconnect);
  }

  /** One check: is the process there, does the RPC answer? */
  async probe(): Promise<void> {
    if (!this.active || this.probing) return;
    this.probing = true;
    try {
      if (await this.gone()) return;
      try {
        await this.options.calls.ping(this.options.client, this.options.timeoutMs);
        // Cached per connection by the catalogue: no second round trip after the first.
        const version = await this.options.calls.version(this.options.client, this.options.timeoutMs).catch(() => undefined);
        if (this.active) this.options.onAnswering(version);
      } catch (err) {
        // A lost connection usually means the process is on its way out: give its exit a moment
        // to show, so a crash is reported as a crash and not as a hang first.
        if (err instanceof RpcConnectionError && this.options.process) await this.options.process.waitForExit(this.options.goneCheckMs);
        if (!this.active || (await this.gone())) return;
        this.options.onSilent(`no answer: ${errorMessage(err)}`);
      }
    } finally {
      this.probing = false;
    }
  }

  /** Whether the process is gone; an adopted one is reported gone here, a child by its exit event. */
  private async gone(): Promise<boolean> {
    const process = this.options.process;
    if (process?.kind === 'child') return (await process.condition()) !== 'alive';
    const reason = await adoptedGoneReason(process, this.options.socket);
    if (reason === undefined) return false;
    if (this.active) {
      this.stop();
      this.options.onGone(reason);
    }
    return true;
  }

  private async afterDisconnect(): Promise<void> {
    if (!this.active || this.options.process?.kind === 'child') return;
    // The socket closes a little before the process is gone (kill_instance: ~0.15 s): watch a moment.
    const until = Date.now() + this.options.goneCheckMs;
    while (this.active && Date.now() < until) {
      if (await this.gone()) return;
      await delay(50);
    }
    await this.probe();
  }
}
