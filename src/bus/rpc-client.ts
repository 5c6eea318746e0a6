/**
 * An RPC client wire-compatible with oslo.messaging's `RPCClient` on the rabbit driver.
 *
 * A call publishes `{method, args, version, _msg_id, _reply_q, _timeout, _unique_id,
 * _context_*}` to the control exchange with routing key `<topic>` or `<topic>.<server>`, with the
 * call's timeout as the message `expiration` (so a request nobody picked up in time is never run
 * late), and waits in the reply inbox. Casts carry no `_msg_id`/`_reply_q`/`_timeout` and no
 * expiration; fanout casts go to `<topic>_fanout`. Every exchange is declared (with oslo's flags)
 * before its first publish, since publishing to a missing exchange closes the channel.
 */
import type { BusConnection } from './broker-connection.js';
import { type RequestContext, adminContext, packContext, uuidHex } from './context.js';
import { Deadline } from './deadline.js';
import { fanoutExchange, topicExchange } from './declarations.js';
import { isPlainObject, encodeEnvelope, osloPublishProperties } from './envelope.js';
import { BusUsageError } from './errors.js';
import type { ReplyListener } from './reply-listener.js';
import { versionIsCompatible } from './versions.js';

export interface RpcClientOptions {
  /** oslo `Target.topic`, e.g. `cyborg-conductor`. */
  topic: string;
  /** oslo `Target.server`: send to `<topic>.<server>` instead of the shared topic queue. */
  server?: string;
  /** The control exchange; default the transport's `controlExchange`. */
  exchange?: string;
  /** oslo `Target.version`; default "1.0" (what Cyborg sends). */
  version?: string;
  /** oslo `Target.namespace`; Cyborg sends none. */
  namespace?: string;
  /** oslo `version_cap`: refuse locally to send a version above it. */
  versionCap?: string;
  /** Call timeout; default the transport's `rpcResponseTimeoutSec`. */
  timeoutMs?: number;
  /** oslo `call_monitor_timeout`: ask the server for heartbeats and fail when they stop. */
  callMonitorTimeoutMs?: number;
  /** The request context; default Cyborg's admin context with a fresh request_id per request. */
  context?: RequestContext | (() => RequestContext);
}

export interface SendOptions {
  timeoutMs?: number;
  callMonitorTimeoutMs?: number;
  context?: RequestContext;
}

export class RpcClient {
  constructor(
    private readonly connection: BusConnection,
    private readonly replies: ReplyListener,
    readonly target: Readonly<RpcClientOptions>,
  ) {
    if (typeof target.topic !== 'string' || target.topic === '') throw new BusUsageError('RpcClient: topic must be a non-empty string');
    if (target.server !== undefined && (typeof target.server !== 'string' || target.server === '')) {
      throw new BusUsageError('RpcClient: server must be a non-empty string when given');
    }
    checkTimeout(target.timeoutMs, 'timeoutMs');
    checkTimeout(target.callMonitorTimeoutMs, 'callMonitorTimeoutMs');
  }

  /** A client for the same target with some options changed (oslo's `prepare()`). */
  prepare(overrides: Partial<RpcClientOptions>): RpcClient {
    return new RpcClient(this.connection, this.replies, { ...this.target, ...overrides });
  }

  /**
   * Calls `method` and resolves with its result. Rejects with `RemoteError` (the method raised),
   * `BusTimeoutError`, `BusConnectionLostError` (the connection went while waiting), or another
   * `BusError`.
   */
  async call<T = unknown>(method: string, args: Record<string, unknown> = {}, options: SendOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.target.timeoutMs ?? this.connection.options.rpcResponseTimeoutMs;
    const callMonitorTimeoutMs = options.callMonitorTimeoutMs ?? this.target.callMonitorTimeoutMs;
    checkTimeout(timeoutMs, 'timeoutMs');
    checkTimeout(callMonitorTimeoutMs, 'callMonitorTimeoutMs');
    const message = this.makeMessage(method, args);
    const deadline = new Deadline(timeoutMs);
    const replyQueue = await this.replies.ready(deadline);

    const msgId = uuidHex();
    message._msg_id = msgId;
    message._reply_q = replyQueue;
    // oslo sends the monitor timeout in (possibly fractional) seconds, or null.
    message._timeout = callMonitorTimeoutMs === undefined ? null : callMonitorTimeoutMs / 1000;
    message._unique_id = uuidHex();
    packContext(message, this.contextFor(options));
    const content = encodeRequest(message, method);

    const reply = this.replies.inbox.wait({
      msgId,
      method,
      topic: this.target.topic,
      server: this.target.server,
      timeoutMs: Math.max(1, deadline.remainingMs()),
      callMonitorTimeoutMs,
    });
    reply.catch(() => undefined);
    // The reply, not the broker's confirm of the request, completes the call: a reply proves the
    // request was taken. A publish that fails first (nack, connection lost, no confirm in time)
    // fails the call through the inbox; one that fails after the reply changes nothing.
    this.connection
      .publish(
        {
          exchange: this.exchangeName(),
          routingKey: this.routingKey(),
          content,
          properties: { ...osloPublishProperties(), expiration: String(Math.trunc(timeoutMs)), mandatory: false },
          declare: topicExchange(this.exchangeName(), this.connection.options.queues),
        },
        deadline,
      )
      .catch((err: unknown) => this.replies.inbox.cancel(msgId, err as Error));
    return (await reply) as T;
  }

  /** Sends `method` to one server of the topic (or to `server`) without waiting for a result. */
  async cast(method: string, args: Record<string, unknown> = {}, options: SendOptions = {}): Promise<void> {
    const message = this.makeMessage(method, args);
    message._unique_id = uuidHex();
    packContext(message, this.contextFor(options));
    await this.connection.publish(
      {
        exchange: this.exchangeName(),
        routingKey: this.routingKey(),
        content: encodeRequest(message, method),
        properties: { ...osloPublishProperties(), mandatory: false },
        declare: topicExchange(this.exchangeName(), this.connection.options.queues),
      },
      new Deadline(options.timeoutMs ?? this.target.timeoutMs ?? this.connection.options.rpcResponseTimeoutMs),
    );
  }

  /** Sends `method` to every server of the topic (`<topic>_fanout`); there is never a reply. */
  async fanoutCast(method: string, args: Record<string, unknown> = {}, options: SendOptions = {}): Promise<void> {
    const message = this.makeMessage(method, args);
    message._unique_id = uuidHex();
    packContext(message, this.contextFor(options));
    const exchange = fanoutExchange(this.target.topic, this.connection.options.queues);
    await this.connection.publish(
      {
        exchange: exchange.name,
        routingKey: '',
        content: encodeRequest(message, method),
        properties: { ...osloPublishProperties(), mandatory: false },
        declare: exchange,
      },
      new Deadline(options.timeoutMs ?? this.target.timeoutMs ?? this.connection.options.rpcResponseTimeoutMs),
    );
  }

  /** `{method, args, [namespace], version}` in oslo's key order; validates what we were given. */
  private makeMessage(method: string, args: Record<string, unknown>): Record<string, unknown> {
    if (typeof method !== 'string' || method === '') throw new BusUsageError('the RPC method name must be a non-empty string');
    if (!isPlainObject(args)) throw new BusUsageError(`the arguments of ${method} must be an object of keyword arguments`, { method });
    const version = this.target.version ?? '1.0';
    if (this.target.versionCap !== undefined) {
      let allowed: boolean;
      try {
        allowed = versionIsCompatible(this.target.versionCap, version);
      } catch {
        allowed = false;
      }
      if (!allowed) {
        throw new BusUsageError(`version ${version} of ${method} is above the version cap ${this.target.versionCap}`, {
          method,
          version,
          versionCap: this.target.versionCap,
        });
      }
    }
    const message: Record<string, unknown> = { method, args };
    if (this.target.namespace !== undefined) message.namespace = this.target.namespace;
    message.version = version;
    return message;
  }

  private contextFor(options: SendOptions): RequestContext {
    if (options.context) return options.context;
    const configured = this.target.context;
    if (typeof configured === 'function') return configured();
    return configured ?? adminContext();
  }

  private exchangeName(): string {
    return this.target.exchange ?? this.connection.options.controlExchange;
  }

  private routingKey(): string {
    return this.target.server ? `${this.target.topic}.${this.target.server}` : this.target.topic;
  }
}

/** The envelope of a request; arguments that JSON cannot carry (a cycle, a symbol…) are a usage error. */
function encodeRequest(message: Record<string, unknown>, method: string): Buffer {
  try {
    return encodeEnvelope(message);
  } catch (err) {
    throw new BusUsageError(`the arguments of ${method} cannot be serialised to JSON: ${(err as Error).message}`, { method });
  }
}

function checkTimeout(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new BusUsageError(`${name} must be a positive number of milliseconds`);
}
