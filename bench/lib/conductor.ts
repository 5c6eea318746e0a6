/**
 * The Python conductor peer (bench/baselines/conductor.py) seen from the harness: when each
 * `report_data` arrived (its wall clock, comparable with Date.now() here), and a fanout `discover`
 * cast on command.
 */
import type { BrokerScope } from './broker.js';
import type { Child, LineEvent } from './processes.js';
import { oslo18Path, startPeer, stopPeer } from './python.js';

export interface RegistrationEvent {
  /** Arrival, ms since the epoch. */
  atMs: number;
  host: string;
  devices: number;
  deployables: number;
  bytes: number;
}

export class Conductor {
  private constructor(private readonly peer: Child) {}

  /**
   * On the scope's conductor topic; its `discover` casts go to the scope's agent topic. With
   * `oslo18Rabbit`, oslo.messaging 18.1 with those [oslo_messaging_rabbit] options (quorum queues,
   * stream fanout) instead of Debian's 14.
   */
  static async start(scope: BrokerScope, oslo18Rabbit?: Record<string, unknown>): Promise<Conductor> {
    const params = { url: scope.url, exchange: scope.exchange, topic: scope.conductorTopic, agent_topic: scope.agentTopic };
    const peer = oslo18Rabbit
      ? startPeer('conductor.py', { ...params, oslo18: true, rabbit: oslo18Rabbit }, 'python conductor (oslo 18)', { PYTHONPATH: oslo18Path })
      : startPeer('conductor.py', params, 'python conductor');
    const ready = await peer.waitForEvent('ready', 60_000);
    scope.trackQueue(ready.fanout_queue);
    return new Conductor(peer);
  }

  /** A mark in the event log: reports after it are "new". */
  mark(): number {
    return this.peer.events.length;
  }

  reportsSince(mark: number): RegistrationEvent[] {
    return this.peer.events
      .slice(mark)
      .filter((e) => e.event === 'report')
      .map(toReport);
  }

  /** The first report from `host` after `mark`. */
  async reportFrom(host: string, mark: number, timeoutMs: number): Promise<RegistrationEvent> {
    return toReport(await this.peer.waitForEvent('report', timeoutMs, (e) => e.host === host, mark));
  }

  /** Waits until every host in `hosts` has reported after `mark`; returns the first report of each. */
  async reportsFromAll(hosts: readonly string[], mark: number, timeoutMs: number): Promise<Map<string, RegistrationEvent>> {
    const wanted = new Set(hosts);
    return this.peer.waitUntil(`report_data from all ${hosts.length} agents`, timeoutMs, () => {
      const first = new Map<string, RegistrationEvent>();
      for (const report of this.reportsSince(mark)) if (wanted.has(report.host) && !first.has(report.host)) first.set(report.host, report);
      return first.size === wanted.size ? first : undefined;
    });
  }

  /** Sends a fanout `discover` cast to every agent; resolves with when it was sent (ms since the epoch). */
  async castDiscover(timeoutMs = 30_000): Promise<number> {
    const mark = this.mark();
    this.peer.send('cast_discover');
    const cast = await this.peer.waitForEvent('cast', timeoutMs, () => true, mark);
    return (cast.t as number) * 1000;
  }

  /** Asks it to stop; after a short grace it is terminated (nothing of it is measured any more). */
  stop(graceMs = 500): Promise<void> {
    return stopPeer(this.peer, graceMs);
  }
}

function toReport(e: LineEvent): RegistrationEvent {
  return { atMs: (e.t as number) * 1000, host: String(e.host), devices: Number(e.devices), deployables: Number(e.deployables), bytes: Number(e.bytes) };
}
