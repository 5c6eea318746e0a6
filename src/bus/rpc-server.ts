/**
 * An RPC server wire-compatible with oslo.messaging's `RPCServer` on the rabbit driver.
 *
 * It consumes, on one channel of its own, the shared topic queue (`cyborg-agent`), one server
 * queue per name it answers to (`cyborg-agent.<name>`) and its own fanout queue
 * (`cyborg-agent_fanout_<hex>`), declared with oslo's flags. For each delivery, as oslo:
 * decode (an undecodable message is rejected without a reply), ack before any work (at most once),
 * drop a repeated `_unique_id`, dispatch, and reply once (`ReplySender`) when the request has a
 * `_msg_id`. Calls run concurrently; call-monitor heartbeats are sent when
 * the caller asked for them. `stop()` stops consuming, lets calls in flight finish (within a
 * deadline) and deletes the fanout queue, as oslo does on a clean close.
 */
import { FoldedLog } from '../util/folded-log.js';
import { inRequestScope } from '../util/request-scope.js';
import { instruments, type BusDropReason } from '../util/instrumentation.js';
import type { Channel, ConsumeMessage } from 'amqplib';
import { errorMessage } from '../util/errors.js';
import { getLogger } from '../util/log.js';
import { CallHeartbeat, callMonitorIntervalMs } from './call-heartbeat.js';
import type { ChannelAttachment } from './channel-attachment.js';
import { ConcurrencyLimiter } from './concurrency.js';
import type { BusConnection } from './broker-connection.js';
import { type UnpackedRequest, unpackRequest } from './context.js';
import { Deadline } from './deadline.js';
import { type QueueDeclaration, consumerArguments, fanoutExchange, fanoutQueue, topicExchange, topicQueue } from './declarations.js';
import { uniqueQueuePart } from './queue-names.js';
import { RecentMessageIds } from './dedup.js';
import { PING_METHOD, type RpcCallContext, type RpcEndpoint, pingEndpoint, resolveCall, validateEndpoint } from './dispatcher.js';
import { decodeEnvelope } from './envelope.js';
import { BusClosedError, BusUsageError, PythonException } from './errors.js';
import { ReplySender } from './reply-sender.js';
import { pythonStr, pythonTruthy } from './python-values.js';

export interface RpcServerOptions {
  /** oslo `Target.topic`, e.g. `cyborg-agent`. */
  topic: string;
  /**
   * The names the server answers to, each giving a `<topic>.<name>` queue: for the agent, Cyborg's
   * `CONF.host` and the hostname it reports (callers address it by either).
   */
  servers: readonly string[];
  /** Tried in order, as oslo's endpoint list. */
  endpoints: readonly RpcEndpoint[];
  /** The control exchange; default the transport's `controlExchange`. */
  exchange?: string;
  /** oslo `executor_thread_pool_size`; default 64. */
  maxConcurrentCalls?: number;
  /** Serve `oslo_rpc_server_ping`; default the transport's `pingEnabled`. */
  pingEnabled?: boolean;
}

export interface RpcServerQueues {
  exchange: string;
  topic: string;
  servers: string[];
  fanoutExchange: string;
  fanout: string;
}

export interface StopResult {
  /** Calls still running when the deadline passed (their handlers' signal was aborted). */
  abandonedCalls: number;
  fanoutQueueDeleted: boolean;
}

const DEFAULT_STOP_TIMEOUT_MS = 20_000;
const BROKER_OP_TIMEOUT_MS = 5_000;

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export class RpcServer {
  private readonly log = getLogger('bus.server');
  /** Warnings a peer can cause at will (bad messages, failed calls): folded past a few a minute. */
  private readonly folded = new FoldedLog(this.log);
  private readonly topic: string;
  private readonly servers: string[];
  private readonly exchange: string;
  private readonly endpoints: RpcEndpoint[];
  /** The unique part of this server's fanout queue name (unused with stream fanout: one queue per topic). */
  private readonly fanoutUnique: string;
  /** With stream fanout: where to resume reading after a reconnection (oslo's `next_stream_offset`). */
  private nextStreamOffset: number | 'last' = 'last';
  private readonly limiter: ConcurrencyLimiter;
  private readonly recentIds = new RecentMessageIds();
  private readonly replies: ReplySender;
  private readonly stopController = new AbortController();
  private attachment: ChannelAttachment | null = null;
  private starting: Promise<void> | null = null;
  private consumers: { channel: Channel; tags: string[] } | null = null;
  private state: State = 'idle';

  constructor(
    private readonly connection: BusConnection,
    options: RpcServerOptions,
  ) {
    if (typeof options.topic !== 'string' || options.topic === '') throw new BusUsageError('RpcServer: topic must be a non-empty string');
    if (!Array.isArray(options.servers) || options.servers.length === 0 || options.servers.some((s) => typeof s !== 'string' || s === '')) {
      throw new BusUsageError('RpcServer: servers must list at least one non-empty server name');
    }
    if (!Array.isArray(options.endpoints) || options.endpoints.length === 0) throw new BusUsageError('RpcServer: at least one endpoint is needed');
    options.endpoints.forEach(validateEndpoint);
    const limit = options.maxConcurrentCalls ?? 64;
    if (!Number.isInteger(limit) || limit < 1) throw new BusUsageError('RpcServer: maxConcurrentCalls must be an integer ≥ 1');

    this.topic = options.topic;
    this.servers = [...new Set(options.servers)];
    this.exchange = options.exchange ?? connection.options.controlExchange;
    this.endpoints = [...options.endpoints];
    const declaresPing = this.endpoints.some((e) => Object.hasOwn(e.methods, PING_METHOD));
    if ((options.pingEnabled ?? connection.options.pingEnabled) && !declaresPing) this.endpoints.push(pingEndpoint());
    this.limiter = new ConcurrencyLimiter(limit);
    this.replies = new ReplySender(connection);
    this.fanoutUnique = uniqueQueuePart(connection.options.queues);
  }

  /** The names of what this server consumes from. */
  get queues(): RpcServerQueues {
    return {
      exchange: this.exchange,
      topic: this.topic,
      servers: this.servers.map((s) => `${this.topic}.${s}`),
      fanoutExchange: fanoutExchange(this.topic, this.connection.options.queues).name,
      fanout: fanoutQueue(this.topic, this.fanoutUnique, this.connection.options.queues).name,
    };
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Calls and casts being processed or waiting for a slot. */
  get inFlight(): number {
    return this.limiter.inFlight;
  }

  /** Declares the queues and starts consuming; rejects with a typed error if the broker refuses. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new BusUsageError(`RpcServer(${this.topic}) cannot start: it is ${this.state}`);
    this.state = 'starting';
    this.starting = this.attachAndConsume();
    try {
      await this.starting;
    } finally {
      this.starting = null;
    }
  }

  private async attachAndConsume(): Promise<void> {
    let attachment: ChannelAttachment;
    try {
      attachment = await this.connection.attach(
        `rpc server ${this.topic}`,
        (channel) => this.setUp(channel),
        new Deadline(this.connection.options.openTimeoutMs),
      );
    } catch (err) {
      if (this.state === 'starting') this.state = 'idle';
      throw err;
    }
    this.attachment = attachment;
    if (this.state !== 'starting') {
      // stop() was called while the queues were being declared.
      throw new BusClosedError(`RPC server ${this.topic} was stopped while starting`);
    }
    this.state = 'running';
    this.log.info('RPC server consuming', { ...this.queues });
  }

  /**
   * Stops consuming, waits for calls in flight (at most `timeoutMs`, then aborts their signal),
   * deletes the fanout queue. The topic and server queues stay, as with oslo.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<StopResult> {
    if (this.state !== 'running' && this.state !== 'starting') {
      return { abandonedCalls: 0, fanoutQueueDeleted: false };
    }
    const starting = this.starting;
    this.state = 'stopping';
    this.folded.flush();
    // A start in progress finishes (or fails) first, so that what it declared is cleaned up.
    if (starting) await starting.catch(() => undefined);
    const consumers = this.consumers;
    this.consumers = null;
    if (consumers) {
      for (const tag of consumers.tags) await withinTimeout(consumers.channel.cancel(tag), BROKER_OP_TIMEOUT_MS);
    }

    const timeoutMs = options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    let abandonedCalls = 0;
    const drained = await withinTimeout(this.limiter.idle(), timeoutMs);
    if (!drained) {
      abandonedCalls = this.limiter.inFlight;
      this.log.warn('stopping with calls still in flight after the grace period', { topic: this.topic, abandonedCalls, timeoutMs });
      this.stopController.abort(new BusClosedError(`RPC server ${this.topic} stopped`));
    }

    // A stream is shared by every server of the topic, and a queue manager's name is reused by the
    // next start: oslo deletes neither (their expiry policy does).
    const flags = this.connection.options.queues;
    const fanoutQueueDeleted = flags.streamFanout || flags.queueManager !== null ? false : await this.deleteFanoutQueue(consumers?.channel ?? null);
    await this.attachment?.detach();
    this.attachment = null;
    this.state = 'stopped';
    this.log.info('RPC server stopped', { topic: this.topic, abandonedCalls, fanoutQueueDeleted });
    return { abandonedCalls, fanoutQueueDeleted };
  }

  private async setUp(channel: Channel): Promise<void> {
    const flags = this.connection.options.queues;
    const exchange = topicExchange(this.exchange, flags);
    await channel.assertExchange(exchange.name, exchange.type, exchange.options);
    const queues: QueueDeclaration[] = [];
    for (const name of [this.topic, ...this.servers.map((s) => `${this.topic}.${s}`)]) {
      const queue = topicQueue(name, flags);
      await channel.assertQueue(queue.name, queue.options);
      await channel.bindQueue(queue.name, exchange.name, queue.name);
      queues.push(queue);
    }
    const fanout = fanoutExchange(this.topic, flags);
    await channel.assertExchange(fanout.name, fanout.type, fanout.options);
    const ownFanout = fanoutQueue(this.topic, this.fanoutUnique, flags);
    await channel.assertQueue(ownFanout.name, ownFanout.options);
    await channel.bindQueue(ownFanout.name, fanout.name, this.topic);
    queues.push(ownFanout);

    if (this.state === 'stopping' || this.state === 'stopped') return;
    // A stream is read with a prefetch (RabbitMQ requires one); oslo sets it on every channel.
    if (flags.prefetchCount > 0) await channel.prefetch(flags.prefetchCount, false);
    const tags: string[] = [];
    for (const queue of queues) {
      const isStream = flags.streamFanout && queue === ownFanout;
      const args = consumerArguments(flags, queue, isStream ? this.nextStreamOffset : undefined);
      const { consumerTag } = await channel.consume(
        queue.name,
        (msg) => {
          if (isStream && msg !== null) this.noteStreamOffset(msg);
          this.onDelivery(channel, queue.name, msg);
        },
        { noAck: false, ...(args ? { arguments: args } : {}) },
      );
      tags.push(consumerTag);
    }
    this.consumers = { channel, tags };
  }

  /** A stream delivery carries its offset: after a reconnection, reading resumes after it (as oslo's `_callback`). */
  private noteStreamOffset(msg: ConsumeMessage): void {
    const offset = (msg.properties.headers as Record<string, unknown> | undefined)?.['x-stream-offset'];
    if (typeof offset === 'number' && Number.isFinite(offset)) this.nextStreamOffset = offset + 1;
  }

  private onDelivery(channel: Channel, queue: string, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (its queue was deleted): declare and consume again.
      this.log.warn('the broker cancelled a consumer; setting the queues up again', { queue });
      if (this.state === 'running') this.attachment?.reset(`consumer of ${queue} cancelled by the broker`);
      return;
    }
    const where = { queue, exchange: msg.fields.exchange, routingKey: msg.fields.routingKey };
    const decoded = decodeEnvelope(msg.content, msg.properties);
    if (!decoded.ok) {
      this.folded.warn('undecodable', 'dropping a message oslo.messaging could not process either (no reply)', { ...where, reason: decoded.reason });
      dropped('undecodable');
      tryOn(() => channel.reject(msg, false));
      return;
    }
    if (!tryOn(() => channel.ack(msg))) {
      this.folded.warn('ack-failed', 'discarding a request: its ack failed (as oslo does)', where);
      dropped('ack_failed');
      return;
    }
    const request = unpackRequest(decoded.message);
    if (this.recentIds.checkAndRemember(request.uniqueId)) {
      this.folded.warn('duplicate', 'ignoring a duplicate message', {
        ...where,
        uniqueId: pythonStr(request.uniqueId),
        method: pythonStr(request.body.method),
      });
      dropped('duplicate');
      return;
    }
    this.limiter
      .run(() => this.process(queue, request))
      .catch((err: unknown) => {
        this.log.error('unexpected failure while processing a request', { ...where, error: errorMessage(err) });
      });
  }

  private async process(queue: string, request: UnpackedRequest): Promise<void> {
    const methodName = pythonStr(request.body.method ?? null);
    const wantsReply = pythonTruthy(request.msgId);
    const msgId = wantsReply ? pythonStr(request.msgId) : null;
    const replyQueue = typeof request.replyQueue === 'string' && request.replyQueue !== '' ? request.replyQueue : null;
    if (wantsReply && !replyQueue)
      this.folded.warn('no-reply-queue', 'a call without a reply queue (_reply_q) is served without a reply', { queue, method: methodName, msgId });

    const canReply = msgId !== null && replyQueue !== null;
    const interval = canReply ? callMonitorIntervalMs(request.clientTimeout) : null;
    const heartbeat =
      interval && canReply
        ? new CallHeartbeat(
            interval,
            () => this.replies.heartbeat(replyQueue, request.msgId, interval),
            (err) => this.log.debug('call-monitor heartbeat failed; no more for this call', { method: methodName, msgId, error: errorMessage(err) }),
          ).start()
        : null;

    let result: unknown = null;
    let failure: unknown = null;
    const startedAt = instruments.busRequest.active ? performance.now() : 0;
    let resolvedName: string | null = null;
    try {
      const call = resolveCall(this.endpoints, request.body);
      resolvedName = call.name;
      const context: RpcCallContext = {
        context: Object.freeze({ ...request.context }),
        method: call.name,
        kind: wantsReply ? 'call' : 'cast',
        msgId,
        clientTimeout: request.clientTimeout,
        queue,
        signal: this.stopController.signal,
      };
      const requestId = typeof request.context.request_id === 'string' ? request.context.request_id : undefined;
      // Every line logged while serving it names the request (util/request-scope.ts).
      result =
        (await inRequestScope({ ...(requestId !== undefined ? { request_id: requestId } : {}), ...(msgId !== null ? { msg_id: msgId } : {}) }, () => {
          // Checked first: the logger formats a line before it filters it by level.
          if (this.log.isDebugEnabled()) this.log.debug('serving', { queue, method: call.name, kind: context.kind, msgId });
          return call.method.handler(context, call.args);
        })) ?? null;
    } catch (err) {
      failure = err ?? new BusUsageError('the method threw a null value', { method: methodName });
      this.logFailure(methodName, msgId, err);
    } finally {
      heartbeat?.stop();
    }
    if (instruments.busRequest.active && startedAt > 0) {
      instruments.busRequest.publish({
        // A method the endpoints do not have is not a label value (any caller could invent one).
        method: resolvedName ?? 'unknown',
        kind: wantsReply ? 'call' : 'cast',
        outcome: failure === null ? 'ok' : 'failed',
        seconds: (performance.now() - startedAt) / 1000,
      });
    }
    if (!canReply) return;
    await this.replies.final(replyQueue, request.msgId, methodName, result, failure);
  }

  private logFailure(method: string, msgId: string | null, err: unknown): void {
    if (err instanceof PythonException) {
      this.folded.warn(`failed:${method}`, 'the method failed; the caller gets the failure', {
        method,
        msgId,
        pythonClass: `${err.pythonModule}.${err.pythonClass}`,
        error: err.message,
      });
    } else {
      this.log.error('the method threw an unexpected error; the caller gets it as a failure', {
        method,
        msgId,
        error: errorMessage(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
  }

  private async deleteFanoutQueue(channel: Channel | null): Promise<boolean> {
    const name = this.queues.fanout;
    let usable = channel && this.attachment?.current === channel ? channel : null;
    let temporary: Channel | null = null;
    try {
      if (!usable) {
        const model = this.connection.currentModel();
        if (!model) {
          this.log.warn('not connected: the fanout queue is left to expire', { queue: name });
          return false;
        }
        temporary = await model.createChannel();
        temporary.on('error', () => undefined);
        usable = temporary;
      }
      const deleted = await withinTimeout(usable.deleteQueue(name), BROKER_OP_TIMEOUT_MS);
      if (!deleted) this.log.warn('the fanout queue could not be deleted in time; it will expire', { queue: name });
      return deleted;
    } catch (err) {
      this.log.warn('the fanout queue could not be deleted; it will expire', { queue: name, error: errorMessage(err) });
      return false;
    } finally {
      if (temporary) await withinTimeout(temporary.close(), BROKER_OP_TIMEOUT_MS);
    }
  }
}

function dropped(reason: BusDropReason): void {
  if (instruments.busDrop.active) instruments.busDrop.publish({ reason });
}

function tryOn(action: () => void): boolean {
  try {
    action();
    return true;
  } catch {
    return false;
  }
}

/** True if `promise` fulfilled within `ms`; false if it failed or took longer. */
async function withinTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return outcome;
}
