/**
 * The agent's presence on the message bus: one transport, the RPC server of the agent topic (under
 * every name the agent may be addressed by) and a client for the conductor topic.
 *
 * A broker that is down when the agent starts is not fatal: the link keeps trying in the
 * background (the transport's own back-off, capped by `bus.retry.maxSec`) while the targets are
 * supervised, and announces `ready` once it serves. After that the transport reconnects by itself;
 * each reconnection is announced as `reconnected`, so the agent can report again.
 */
import { EventEmitter } from 'node:events';
import type { BusConfig } from '../config/types.js';
import {
  BusTransport,
  resolveBusOptions,
  type BusOptions,
  type ResolvedBusOptions,
  type RpcClient,
  type RpcEndpoint,
  type RpcServer,
  type StopResult,
} from '../bus/index.js';
import { errorMessage } from '../util/errors.js';
import { getLogger, type Logger } from '../util/log.js';
import { AgentAlreadyRunningError, ForeignConsumerError } from './errors.js';

export interface BusLinkOptions {
  config: BusConfig;
  /** `<agentTopic>.<name>` queues: Cyborg's CONF.host and the reported hostname. */
  servers: readonly string[];
  endpoint: RpcEndpoint;
  /** First part of the broker connection name; default `spdk-agent`. */
  processName?: string;
  /** What to do when another program consumes the host's queue; default `refuse`. */
  onForeignConsumer?: 'refuse' | 'own-topic';
  logger?: Logger;
}

export interface BusLinkEvents {
  ready: [];
  reconnected: [];
  /** The host's queue belongs to someone else: the link does not serve (see `ForeignConsumerError`). */
  conflict: [error: AgentAlreadyRunningError | ForeignConsumerError];
}

/** The topic served instead of the agent topic when `onForeignConsumer: own-topic`. */
export const OWN_TOPIC = 'spdk-agent';
/** How long the owner of a busy queue has to answer the identifying ping. */
const IDENTIFY_TIMEOUT_MS = 5000;

/** How long one `open()` keeps trying before the link starts a fresh transport (and logs again). */
const OPEN_ATTEMPT_SEC = 300;

/** The transport options of the agent's `bus:` section (the password is revealed only here). */
export function busOptionsFromConfig(config: BusConfig, processName = 'spdk-agent'): BusOptions {
  return {
    urls: config.urls,
    username: config.username,
    password: config.password.reveal(),
    vhost: config.vhost,
    controlExchange: config.controlExchange,
    rpcResponseTimeoutSec: config.rpcResponseTimeoutSec,
    heartbeatSec: config.heartbeatSec,
    durableQueues: config.durableQueues,
    autoDeleteQueues: config.autoDeleteQueues,
    quorumQueues: config.quorumQueues,
    haQueues: config.haQueues,
    transientQueuesTtlSec: config.transientQueuesTtlSec,
    transientQuorumQueues: config.transientQuorumQueues,
    streamFanout: config.streamFanout,
    useQueueManager: config.useQueueManager,
    ...(config.queueManagerHostname !== undefined ? { queueManagerHostname: config.queueManagerHostname } : {}),
    // The counter in the queue names is per process: a CLI command names its own queues apart from the daemon's.
    queueManagerProcessName: config.queueManagerProcessName ?? processName,
    quorumDeliveryLimit: config.quorumDeliveryLimit,
    quorumMaxMemoryLength: config.quorumMaxMemoryLength,
    quorumMaxMemoryBytes: config.quorumMaxMemoryBytes,
    cancelOnFailover: config.cancelOnFailover,
    qosPrefetchCount: config.qosPrefetchCount,
    pingEnabled: config.pingEnabled,
    retry: config.retry,
    tls: {
      ...(config.tls.ca !== undefined ? { ca: config.tls.ca } : {}),
      ...(config.tls.cert !== undefined ? { cert: config.tls.cert } : {}),
      ...(config.tls.key !== undefined ? { key: config.tls.key } : {}),
      ...(config.tls.servername !== undefined ? { servername: config.tls.servername } : {}),
      verify: config.tls.verify,
    },
    openTimeoutSec: OPEN_ATTEMPT_SEC,
    processName,
  };
}

export class BusLink extends EventEmitter<BusLinkEvents> {
  private readonly log: Logger;
  private readonly resolved: ResolvedBusOptions;
  private readonly closing = new AbortController();
  private opening: BusTransport | null = null;
  private transportInUse: BusTransport | null = null;
  private server: RpcServer | null = null;
  private client: RpcClient | null = null;
  private loop: Promise<void> | null = null;
  private topicServed: string;
  private registrationAllowed = true;

  /** Throws `BusConfigError` (naming the field) when the options cannot work. */
  constructor(private readonly options: BusLinkOptions) {
    super();
    this.log = options.logger ?? getLogger('agent.bus');
    this.resolved = resolveBusOptions(busOptionsFromConfig(options.config, options.processName));
    this.topicServed = options.config.agentTopic;
  }

  /** The topic the agent serves: the agent topic, or `spdk-agent` beside a foreign consumer. */
  get topic(): string {
    return this.topicServed;
  }

  /** False when serving under its own topic beside another agent: report_data would erase its devices. */
  get reporting(): boolean {
    return this.registrationAllowed;
  }

  /** The server's queues, once serving. */
  get queues(): Record<string, unknown> | null {
    return this.server ? { ...this.server.queues } : null;
  }

  /** Calls being served now. */
  get inFlight(): number {
    return this.server?.inFlight ?? 0;
  }

  get transport(): BusTransport | null {
    return this.transportInUse;
  }

  /** The client of the conductor topic, once connected. */
  get conductor(): RpcClient | null {
    return this.client;
  }

  /** Serving the agent topic. */
  get serving(): boolean {
    return this.server?.running === true;
  }

  get connected(): boolean {
    return this.transportInUse?.isConnected === true;
  }

  /** Starts connecting in the background; never rejects (failures are logged and retried). */
  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      if (!this.closing.signal.aborted) this.log.error('message bus link stopped unexpectedly', { error: errorMessage(err) });
    });
  }

  /** Stops consuming, lets the calls in flight finish (within `timeoutMs`), deletes the fanout queue. */
  async stopServing(timeoutMs: number): Promise<StopResult | null> {
    const server = this.server;
    if (!server) return null;
    return server.stop({ timeoutMs });
  }

  /** Closes the transport (or gives up connecting). Servers still running get a short grace. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([this.opening?.close(), this.transportInUse?.close({ serverStopTimeoutMs: 2000 })]);
    await this.loop;
  }

  private async run(): Promise<void> {
    const transport = await this.connect();
    if (!transport) return;
    this.transportInUse = transport;
    transport.onConnected((info) => {
      if (info.generation > 1) {
        this.log.info('message bus connection back', { url: info.url });
        this.emit('reconnected');
      }
    });
    this.client = transport.createClient({ topic: this.options.config.conductorTopic, version: '1.0', versionCap: '1.0' });
    const conflict = await this.checkQueueOwners(transport);
    if (conflict) {
      this.emit('conflict', conflict);
      return;
    }
    if (!(await this.serve(transport))) return;
    this.emit('ready');
  }

  /** A connected transport, or null once closing. */
  private async connect(): Promise<BusTransport | null> {
    for (let attempt = 1; !this.closing.signal.aborted; attempt++) {
      const transport = new BusTransport(this.resolved);
      this.opening = transport;
      try {
        await transport.open();
        this.opening = null;
        if (this.closing.signal.aborted) {
          await transport.close();
          return null;
        }
        return transport;
      } catch (err) {
        this.opening = null;
        if (this.closing.signal.aborted) return null;
        const delayMs = this.resolved.retry.maxMs;
        this.log.warn('message bus unreachable: targets are still supervised, reports start once it connects', {
          attempt,
          retryInMs: delayMs,
          error: errorMessage(err),
        });
        if (!(await this.pause(delayMs))) return null;
      }
    }
    return null;
  }

  /**
   * Before consuming: is anyone else on the host's queues? A spdk-agent answers `ping` as itself
   * (a second agent for this host: refused); anything else (OpenStack's cyborg-agent answers
   * NoSuchMethod) is a foreign consumer: refused, or with `own-topic` the agent serves
   * `spdk-agent` and does not report. Returns the conflict, or null when the link may serve.
   */
  private async checkQueueOwners(transport: BusTransport): Promise<AgentAlreadyRunningError | ForeignConsumerError | null> {
    const { config } = this.options;
    for (const server of this.options.servers) {
      const queue = `${config.agentTopic}.${server}`;
      let found: { consumers: number } | null;
      try {
        found = await transport.inspectQueue(queue);
      } catch (err) {
        this.log.warn('could not check for other consumers of the host queue; going on', { queue, error: errorMessage(err) });
        continue;
      }
      if (!found || found.consumers === 0) continue;
      const answer = await this.identify(transport, server);
      if (answer.agent === 'spdk-agent') {
        return new AgentAlreadyRunningError(
          `another spdk-agent already serves ${queue} (host ${String(answer.pong)}, pid ${String(answer.pid ?? 'unknown')}, version ${String(answer.version)}): ` +
            'one agent per host; stop the other one first',
          { queue, otherHost: answer.pong, otherPid: answer.pid },
        );
      }
      const foreign = new ForeignConsumerError({ queue, consumers: found.consumers, answer: answer.description });
      if (this.options.onForeignConsumer !== 'own-topic') return foreign;
      this.topicServed = OWN_TOPIC;
      this.registrationAllowed = false;
      this.log.warn(`${foreign.message}. agent.onForeignConsumer is own-topic: serving topic ${OWN_TOPIC}, sending no report_data`, { queue });
      return null;
    }
    return null;
  }

  /** Asks whoever consumes `<agentTopic>.<server>` who it is. */
  private async identify(transport: BusTransport, server: string): Promise<Record<string, unknown> & { description: string }> {
    const client = transport.createClient({ topic: this.options.config.agentTopic, server, timeoutMs: IDENTIFY_TIMEOUT_MS });
    try {
      const answer = await client.call<Record<string, unknown>>('ping', {});
      const fields = answer !== null && typeof answer === 'object' ? answer : {};
      return { ...fields, description: `answered ${JSON.stringify(answer).slice(0, 200)}` };
    } catch (err) {
      return { description: `answered with ${errorMessage(err).split('\n')[0]}` };
    }
  }

  /** Starts the RPC server, retrying while the broker refuses it (e.g. 406: queue flags differ). */
  private async serve(transport: BusTransport): Promise<boolean> {
    const { config } = this.options;
    for (let attempt = 1; !this.closing.signal.aborted; attempt++) {
      const server = transport.createServer({ topic: this.topicServed, servers: this.options.servers, endpoints: [this.options.endpoint] });
      try {
        await server.start();
        this.server = server;
        this.log.info('serving the agent topic', { ...server.queues });
        return true;
      } catch (err) {
        if (this.closing.signal.aborted) return false;
        await server.stop({ timeoutMs: 1000 }).catch(() => undefined);
        const delayMs = Math.min(this.resolved.retry.maxMs, this.resolved.retry.initialMs + (attempt - 1) * this.resolved.retry.stepMs);
        this.log.error('cannot serve the agent topic; retrying', {
          topic: this.topicServed,
          exchange: config.controlExchange,
          attempt,
          retryInMs: delayMs,
          error: errorMessage(err),
        });
        if (!(await this.pause(delayMs))) return false;
      }
    }
    return false;
  }

  /** Waits, or returns false at once when the link is closing. */
  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const signal = this.closing.signal;
      if (signal.aborted) return resolve(false);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
