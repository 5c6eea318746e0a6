/**
 * The agent's Prometheus metrics (docs/metrics.md lists each one), on a registry of their own.
 *
 * Two kinds of source:
 * - events, counted as they happen: SPDK calls and bus requests (through util/instrumentation.ts,
 *   so the lower layers know nothing of Prometheus), target state changes, report_data outcomes;
 * - state, read when scraped: target states and versions, inventory sizes, RPC traffic, the bus
 *   connection, the per-bdev counters last read by the IostatSampler.
 *
 * Label values are bounded: target names come from the configuration, methods from SPDK's
 * catalogue and the agent's endpoint (past MAX_METHOD_LABELS, further names count as `other`),
 * outcomes and reasons from fixed sets, bdevs up to `perBdevSeriesLimit` per target. No pid, no
 * free text.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TargetState } from '../../spdk/lifecycle/types.js';
import type { U64 } from '../../spdk/methods/types.js';
import { instruments } from '../../util/instrumentation.js';
import { agentVersion } from '../agent-version.js';
import type { IostatSampler } from './iostat-sampler.js';
import type { MeasuredAgent } from './measured-agent.js';

const PREFIX = 'spdk_agent_';
const TARGET_STATES: readonly TargetState[] = ['stopped', 'starting', 'running', 'unresponsive', 'stopping', 'crashed', 'restarting', 'failed'];
/** SPDK calls take from well under a millisecond (a local socket) to the 30 s of a big inventory. */
const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Bus requests and report_data include a broker round trip and the conductor's work. */
const BUS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** More distinct SPDK method names than any release has: the rest are `other`. */
const MAX_METHOD_LABELS = 512;

export interface AgentMetricsOptions {
  agent: MeasuredAgent;
  iostat?: IostatSampler;
  /** prom-client's process and Node.js collectors; default true. */
  defaultCollectors?: boolean;
}

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly methods = new Set<string>();
  /** SPDK client address → target name, rebuilt when an address is not found. */
  private targetByAddress = new Map<string, string>();

  constructor(private readonly options: AgentMetricsOptions) {
    const registers = [this.registry];
    const agent = options.agent;
    // The event-loop delay is sampled every 100 ms, not prom-client's default 10 ms: at 10 ms the
    // sampling timer alone cost 10–17% more CPU per bus request (bench figure 8); lags an operator
    // cares about are far longer than 100 ms.
    if (options.defaultCollectors !== false) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });

    new Gauge({
      name: `${PREFIX}build_info`,
      help: 'Always 1: the agent version and the Node.js it runs on.',
      labelNames: ['version', 'nodejs'],
      registers,
    }).set({ version: agentVersion(), nodejs: process.versions.node }, 1);

    // ---------------------------------------------------------------- targets
    const targets = (): ReturnType<MeasuredAgent['targets']> => agent.targets();
    new Gauge({
      name: `${PREFIX}target_state`,
      help: 'One series per target and lifecycle state: 1 for the state the target is in, 0 for the others.',
      labelNames: ['target', 'state'],
      registers,
      collect() {
        this.reset();
        for (const target of targets()) {
          const now = target.status().state;
          for (const state of TARGET_STATES) this.set({ target: target.spec.name, state }, state === now ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: `${PREFIX}target_up`,
      help: 'Whether the target is running and answering JSON-RPC (1) or not (0).',
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        for (const target of targets()) this.set({ target: target.spec.name }, target.status().state === 'running' ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}target_info`,
      help: 'Always 1: the target application, who started it, and its SPDK version (empty until it answered).',
      labelNames: ['target', 'app', 'ownership', 'version'],
      registers,
      collect() {
        this.reset();
        for (const target of targets()) {
          const status = target.status();
          this.set({ target: target.spec.name, app: target.spec.app, ownership: status.ownership ?? '', version: shortVersion(status.version) }, 1);
        }
      },
    });
    const restarts = new Counter({
      name: `${PREFIX}target_restarts_total`,
      help: 'Restarts of the target by the agent (after a crash, a hang or an exit) since the agent started.',
      labelNames: ['target'],
      registers,
    });
    const crashes = new Counter({
      name: `${PREFIX}target_crashes_total`,
      help: 'Unexpected ends of the target (exit, signal, socket or process gone) since the agent started.',
      labelNames: ['target'],
      registers,
    });
    new Gauge({
      name: `${PREFIX}target_last_exit_info`,
      help: 'Always 1: how the target last ended (exit code, or the signal that ended it); no series before its first end.',
      labelNames: ['target', 'code', 'signal'],
      registers,
      collect() {
        this.reset();
        for (const target of targets()) {
          const exit = target.status().lastExit;
          if (exit) this.set({ target: target.spec.name, code: exit.exitCode === undefined ? '' : String(exit.exitCode), signal: exit.signal ?? '' }, 1);
        }
      },
    });
    new Gauge({
      name: `${PREFIX}target_last_exit_timestamp_seconds`,
      help: 'When the target last ended (Unix time); no series before its first end.',
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        for (const target of targets()) {
          const exit = target.status().lastExit;
          if (exit) this.set({ target: target.spec.name }, Date.parse(exit.at) / 1000);
        }
      },
    });
    for (const target of targets()) {
      restarts.inc({ target: target.spec.name }, 0);
      crashes.inc({ target: target.spec.name }, 0);
    }
    this.unsubscribe.push(
      agent.onTargetState((event) => {
        if (event.to === 'restarting') restarts.inc({ target: event.target });
        if (event.to === 'crashed') crashes.inc({ target: event.target });
      }),
    );

    // ---------------------------------------------------------------- SPDK JSON-RPC
    const rpcDuration = new Histogram({
      name: `${PREFIX}spdk_rpc_duration_seconds`,
      help: 'SPDK JSON-RPC calls, from the call to its answer (or failure), by target and method.',
      labelNames: ['target', 'method'],
      buckets: RPC_BUCKETS,
      registers,
    });
    const rpcCalls = new Counter({
      name: `${PREFIX}spdk_rpc_calls_total`,
      help: 'SPDK JSON-RPC calls by target, method and outcome (ok, rpc_error, timeout, connection, protocol, too_large, aborted).',
      labelNames: ['target', 'method', 'outcome'],
      registers,
    });
    const rpcErrors = new Counter({
      name: `${PREFIX}spdk_rpc_errors_total`,
      help: 'JSON-RPC error answers from SPDK, by target, method and JSON-RPC error code.',
      labelNames: ['target', 'method', 'code'],
      registers,
    });
    const rpcReconnects = new Counter({
      name: `${PREFIX}spdk_rpc_reconnects_total`,
      help: 'Connections to the target opened again after one was lost.',
      labelNames: ['target'],
      registers,
    });
    this.unsubscribe.push(
      instruments.spdkCall.subscribe((event) => {
        const target = this.targetOf(event.address);
        if (target === undefined) return; // a client of no configured target (a CLI helper in the same process)
        const method = this.methodLabel(event.method);
        rpcDuration.observe({ target, method }, event.seconds);
        rpcCalls.inc({ target, method, outcome: event.outcome });
        if (event.outcome === 'rpc_error') rpcErrors.inc({ target, method, code: String(event.rpcCode ?? '') });
      }),
      instruments.spdkConnect.subscribe((event) => {
        const target = this.targetOf(event.address);
        if (target !== undefined && event.generation > 1) rpcReconnects.inc({ target });
      }),
    );
    const traffic = (direction: 'bytesIn' | 'bytesOut') =>
      function (this: Counter) {
        this.reset();
        for (const target of targets()) {
          const counted = target.caller.traffic;
          if (counted) this.inc({ target: target.spec.name }, counted[direction]);
        }
      };
    new Counter({
      name: `${PREFIX}spdk_rpc_received_bytes_total`,
      help: 'Bytes received from the target over JSON-RPC.',
      labelNames: ['target'],
      registers,
      collect: traffic('bytesIn'),
    });
    new Counter({
      name: `${PREFIX}spdk_rpc_sent_bytes_total`,
      help: 'Bytes sent to the target over JSON-RPC.',
      labelNames: ['target'],
      registers,
      collect: traffic('bytesOut'),
    });

    // ---------------------------------------------------------------- inventory
    const inventoryGauge = (name: string, help: string, count: (inventory: NonNullable<ReturnType<typeof inventoryOf>>) => number | undefined) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        labelNames: ['target'],
        registers,
        collect() {
          this.reset();
          for (const target of targets()) {
            const inventory = inventoryOf(agent, target.spec.name, target.status().state);
            const value = inventory === null ? 0 : count(inventory);
            if (value !== undefined) this.set({ target: target.spec.name }, value);
          }
        },
      });
    inventoryGauge('bdevs', 'Block devices (bdevs) of the running target, as last read; 0 when it is not running.', (i) => i.bdevs.length);
    inventoryGauge('nvmf_subsystems', 'NVMe-oF subsystems of the running target (NVMe-oF apps only).', (i) =>
      i.nvmf === undefined ? undefined : (i.nvmf.subsystems?.length ?? 0),
    );
    inventoryGauge('vhost_controllers', 'vhost controllers of the running target (vhost apps only).', (i) =>
      i.vhost === undefined ? undefined : (i.vhost.controllers?.length ?? 0),
    );
    const devices = new Gauge({
      name: `${PREFIX}cyborg_devices`,
      help: 'Cyborg devices (NVMe drives) of the target in the last report_data built, stubs included.',
      labelNames: ['target'],
      registers,
    });
    const deployables = new Gauge({
      name: `${PREFIX}cyborg_deployables`,
      help: 'Cyborg deployables (the exports of its drives) of the target in the last report_data built.',
      labelNames: ['target'],
      registers,
    });

    // ---------------------------------------------------------------- per-bdev I/O
    const iostat = options.iostat;
    const bdevCounter = (name: string, help: string, field: 'bytesRead' | 'readOps' | 'bytesWritten' | 'writeOps') =>
      new Counter({
        name: `${PREFIX}bdev_${name}`,
        help,
        labelNames: ['target', 'bdev'],
        registers,
        collect() {
          this.reset();
          if (!iostat) return;
          for (const target of targets()) {
            for (const bdev of iostat.of(target.spec.name)?.bdevs ?? []) this.inc({ target: target.spec.name, bdev: bdev.bdev }, exact(bdev[field]));
          }
        },
      });
    bdevCounter('read_bytes_total', 'Bytes read from the bdev (SPDK bdev_get_iostat), per bdev up to metrics.perBdevSeriesLimit per target.', 'bytesRead');
    bdevCounter('read_operations_total', 'Read operations completed by the bdev.', 'readOps');
    bdevCounter('written_bytes_total', 'Bytes written to the bdev.', 'bytesWritten');
    bdevCounter('write_operations_total', 'Write operations completed by the bdev.', 'writeOps');
    new Gauge({
      name: `${PREFIX}bdev_series_omitted`,
      help: 'Bdevs of the target left without per-bdev series (past metrics.perBdevSeriesLimit).',
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        if (!iostat) return;
        for (const target of targets()) {
          const read = iostat.of(target.spec.name);
          if (read) this.set({ target: target.spec.name }, read.omitted);
        }
      },
    });

    // ---------------------------------------------------------------- bus
    new Gauge({
      name: `${PREFIX}bus_connected`,
      help: 'Whether the agent is connected to the message bus (1) or not (0).',
      registers,
      collect() {
        this.set(agent.health().busConnected ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}bus_serving`,
      help: 'Whether the agent consumes its topic and answers requests (1) or not (0).',
      registers,
      collect() {
        this.set(agent.health().serving ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}bus_requests_in_flight`,
      help: 'Requests from the bus being served now (or waiting for a slot).',
      registers,
      collect() {
        this.set(agent.busInFlight());
      },
    });
    const busReconnects = new Counter({ name: `${PREFIX}bus_reconnects_total`, help: 'Connections to the broker opened again after one was lost.', registers });
    const busRequests = new Counter({
      name: `${PREFIX}bus_requests_total`,
      help: 'Requests served from the bus by method (unknown: not a method of the agent), kind (call, cast) and outcome (ok, failed).',
      labelNames: ['method', 'kind', 'outcome'],
      registers,
    });
    const busDuration = new Histogram({
      name: `${PREFIX}bus_request_duration_seconds`,
      help: 'Time to serve a request from the bus, from its arrival to its answer, by method.',
      labelNames: ['method'],
      buckets: BUS_BUCKETS,
      registers,
    });
    const busDropped = new Counter({
      name: `${PREFIX}bus_messages_dropped_total`,
      help: 'Messages from the bus dropped unserved, by reason (undecodable, duplicate, ack_failed).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['undecodable', 'duplicate', 'ack_failed']) busDropped.inc({ reason }, 0);
    this.unsubscribe.push(
      instruments.busRequest.subscribe((event) => {
        busRequests.inc({ method: event.method, kind: event.kind, outcome: event.outcome });
        busDuration.observe({ method: event.method }, event.seconds);
      }),
      instruments.busDrop.subscribe((event) => busDropped.inc({ reason: event.reason })),
      instruments.busConnection.subscribe((event) => {
        if (event.state === 'connected' && event.generation > 1) busReconnects.inc();
      }),
    );

    // ---------------------------------------------------------------- registration
    const registrations = new Counter({
      name: `${PREFIX}registrations_total`,
      help: 'report_data calls to the conductor by outcome (accepted, or why not: timeout, connection, refused, no-resource-provider, internal).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['accepted', 'timeout', 'connection', 'refused', 'no-resource-provider', 'internal']) registrations.inc({ outcome }, 0);
    const registrationDuration = new Histogram({
      name: `${PREFIX}registration_duration_seconds`,
      help: 'Time from sending report_data to the conductor’s answer (or the failure).',
      buckets: BUS_BUCKETS,
      registers,
    });
    new Gauge({
      name: `${PREFIX}last_registration_accepted_timestamp_seconds`,
      help: 'When the conductor last accepted a report_data (Unix time); 0 before the first.',
      registers,
      collect() {
        const at = agent.health().lastAcceptedAt;
        this.set(at === null ? 0 : Date.parse(at) / 1000);
      },
    });
    this.unsubscribe.push(
      agent.onRegistration((event) => {
        registrations.inc({ outcome: event.ok ? 'accepted' : (event.error?.kind ?? 'internal') });
        registrationDuration.observe(event.seconds);
        const perTarget = new Map<string, { devices: number; deployables: number }>();
        event.built.sources.forEach((source, index) => {
          const counts = perTarget.get(source.target) ?? { devices: 0, deployables: 0 };
          counts.devices++;
          counts.deployables += event.built.devices[index]?.deployable_list.length ?? 0;
          perTarget.set(source.target, counts);
        });
        devices.reset();
        deployables.reset();
        for (const target of agent.targets()) {
          const counts = perTarget.get(target.spec.name) ?? { devices: 0, deployables: 0 };
          devices.set({ target: target.spec.name }, counts.devices);
          deployables.set({ target: target.spec.name }, counts.deployables);
        }
      }),
    );
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops counting events (the registry's state-read metrics stay readable). */
  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  private targetOf(address: string): string | undefined {
    let name = this.targetByAddress.get(address);
    if (name === undefined) {
      this.targetByAddress = new Map(this.options.agent.targets().map((t) => [t.caller.address, t.spec.name]));
      name = this.targetByAddress.get(address);
    }
    return name;
  }

  private methodLabel(method: string): string {
    if (this.methods.has(method)) return method;
    if (this.methods.size >= MAX_METHOD_LABELS) return 'other';
    this.methods.add(method);
    return method;
  }
}

function inventoryOf(agent: MeasuredAgent, target: string, state: TargetState) {
  if (state !== 'running') return null;
  return agent.latestInventory(target)?.inventory ?? null;
}

/** `SPDK v24.01 git sha1 …` → `v24.01`: the label stays one value per release. */
function shortVersion(version: string | undefined): string {
  if (version === undefined) return '';
  const match = /v?\d+\.\d+(\.\d+)?(-pre)?/.exec(version);
  return match ? (match[0].startsWith('v') ? match[0] : `v${match[0]}`) : version.slice(0, 32);
}

/** The one conversion of a 64-bit counter: exact up to 2^53, the nearest double past it. */
function exact(value: U64): number {
  return typeof value === 'bigint' ? Number(value) : value;
}
