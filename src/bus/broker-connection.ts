/**
 * One AMQP connection for the whole process, with:
 * - failover over the broker list in order, and oslo's back-off between full cycles;
 * - reconnection forever once it has been up (every channel set up again, see `ChannelAttachment`);
 * - publishing through one confirm channel (`ConfirmPublisher`);
 * - events: `connected`, `disconnected` (pending calls must fail at once), `reconnecting`, `closed`.
 *
 * Consumers do not share the publish channel: each consumer owns a channel through an attachment,
 * so a 406 in one component's declarations cannot cancel another component's consumers.
 */
import { instruments } from '../util/instrumentation.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ChannelModel, Message } from 'amqplib';
import { errorMessage } from '../util/errors.js';
import { getLogger } from '../util/log.js';
import { describeConnectError, isPermanentConnectError } from './amqp-errors.js';
import { backoffDelayMs, sleep } from './backoff.js';
import { closeQuietly, connectToBroker } from './broker-connect.js';
import { ChannelAttachment, type ChannelSetup } from './channel-attachment.js';
import { Deadline, DeadlineWaiters } from './deadline.js';
import { BusClosedError, BusConnectionError, BusConnectionLostError, BusNotConnectedError, BusUsageError } from './errors.js';
import type { ResolvedBusOptions } from './options.js';
import { ConfirmPublisher, type PublishRequest, type PublishResult } from './publisher.js';
import { type ConnectableBroker, maskAddress } from './url.js';

export type { PublishRequest, PublishResult } from './publisher.js';

export interface ConnectedInfo {
  /** The broker, masked. */
  url: string;
  /** Incremented on every new connection. */
  generation: number;
}

export interface ReconnectingInfo {
  attempt: number;
  delayMs: number;
  errors: string[];
}

/** A connection that lived less than this is counted as a failed attempt before reconnecting. */
const SHORT_LIVED_MS = 5000;

export interface BusConnectionEvents {
  connected: [info: ConnectedInfo];
  disconnected: [err: BusConnectionLostError];
  reconnecting: [info: ReconnectingInfo];
  returned: [message: Message];
  closed: [];
}

export class BusConnection extends EventEmitter<BusConnectionEvents> {
  /** `<process>:<pid>:<uuid4>`, as kombu names its connections: find it in `rabbitmqctl list_connections`. */
  readonly connectionName: string;
  private readonly log = getLogger('bus.connection');
  private state: 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' = 'idle';
  private model: ChannelModel | null = null;
  private broker: ConnectableBroker | null = null;
  private generationCounter = 0;
  private connectedAt = 0;
  private shortLivedDrops = 0;
  private readonly publisher: ConfirmPublisher;
  private readonly attachments = new Set<ChannelAttachment>();
  private readonly connectedWaiters = new DeadlineWaiters<ChannelModel>();
  private readonly closeController = new AbortController();

  constructor(readonly options: ResolvedBusOptions) {
    super();
    this.connectionName = `${options.processName}:${process.pid}:${randomUUID()}`;
    this.publisher = new ConfirmPublisher(this, (message) => this.emit('returned', message));
  }

  get generation(): number {
    return this.generationCounter;
  }

  get isConnected(): boolean {
    return this.model !== null;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** The broker in use (masked), or null while disconnected. */
  get currentUrl(): string | null {
    return this.model && this.broker ? maskAddress(this.broker) : null;
  }

  /** The channel model of the current connection (attachments create their channels on it). */
  currentModel(): ChannelModel | null {
    return this.model;
  }

  /** Connects to the first broker that answers; retries whole cycles until `openTimeoutMs`. */
  async open(): Promise<void> {
    if (this.state !== 'idle') throw new BusUsageError(`the connection is already ${this.state}`);
    this.state = 'connecting';
    const deadline = new Deadline(this.options.openTimeoutMs);
    for (let cycle = 1; ; cycle++) {
      const attempt = await this.tryBrokers(deadline);
      if (this.isClosed) {
        await closeQuietly(attempt.model);
        throw new BusClosedError('the transport was closed while connecting');
      }
      if (attempt.model) {
        this.adopt(attempt.model, attempt.broker!);
        return;
      }
      const urls = this.options.brokers.map(maskAddress);
      if (attempt.permanent) {
        throw new BusConnectionError(`cannot connect to the message bus: ${attempt.errors.join('; ')}`, { urls, errors: attempt.errors });
      }
      const delayMs = backoffDelayMs(this.options.retry, cycle);
      if (deadline.remainingMs() <= delayMs) {
        throw new BusConnectionError(`no broker reachable within ${this.options.openTimeoutMs} ms (${cycle} attempt(s)): ${attempt.errors.join('; ')}`, {
          urls,
          errors: attempt.errors,
          attempts: cycle,
        });
      }
      this.log.warn('no broker reachable, retrying', { attempt: cycle, delayMs, errors: attempt.errors });
      this.emit('reconnecting', { attempt: cycle, delayMs, errors: attempt.errors } satisfies ReconnectingInfo);
      try {
        await sleep(delayMs, this.closeController.signal);
      } catch {
        throw new BusClosedError('the transport was closed while connecting');
      }
    }
  }

  /** Resolves with the live connection, waiting for a reconnection until the deadline. */
  whenConnected(deadline: Deadline): Promise<ChannelModel> {
    if (this.isClosed) return Promise.reject(new BusClosedError('the message bus transport is closed'));
    if (this.model) return Promise.resolve(this.model);
    return this.connectedWaiters.wait(
      deadline,
      () =>
        new BusNotConnectedError(`not connected to any broker within ${deadline.totalMs} ms (reconnecting)`, { urls: this.options.brokers.map(maskAddress) }),
    );
  }

  /**
   * Runs `setup` on a channel of its own now and after every reconnection or loss of that channel.
   * Resolves once the first setup succeeded; rejects (and forgets the setup) if it failed.
   */
  async attach(name: string, setup: ChannelSetup, deadline: Deadline): Promise<ChannelAttachment> {
    await this.whenConnected(deadline);
    const attachment = new ChannelAttachment(this, name, setup, () => this.attachments.delete(attachment));
    this.attachments.add(attachment);
    try {
      await deadline.race(attachment.establishFirst(), () => new BusNotConnectedError(`setting up ${name} took longer than ${deadline.totalMs} ms`));
    } catch (err) {
      await attachment.detach();
      throw err;
    }
    return attachment;
  }

  /** Publishes with a confirm; declares `req.declare` first (once per channel). */
  publish(req: PublishRequest, deadline: Deadline): Promise<PublishResult> {
    return this.publisher.publish(req, deadline);
  }

  /** Closes everything: attachments, the publish channel, the connection. Pending waits fail. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.state = 'closed';
    const closed = new BusClosedError('the message bus transport is closed');
    this.closeController.abort(closed);
    this.connectedWaiters.rejectAll(closed);
    await Promise.all([...this.attachments].map((a) => a.detach()));
    await this.publisher.close();
    const model = this.model;
    this.model = null;
    if (model) {
      await closeQuietly(model);
      this.log.info('disconnected from the message bus', { url: this.broker ? maskAddress(this.broker) : undefined });
    }
    this.emit('closed');
  }

  /** Each broker once, in the configured order — or, after losing `after`, starting with the one after it. */
  private async tryBrokers(
    deadline: Deadline | null,
    after: ConnectableBroker | null = null,
  ): Promise<{ model?: ChannelModel; broker?: ConnectableBroker; errors: string[]; permanent: boolean }> {
    const errors: string[] = [];
    let permanent = true;
    const all = this.options.brokers;
    const lostAt = after === null ? -1 : all.indexOf(after);
    const order = lostAt < 0 ? all : [...all.slice(lostAt + 1), ...all.slice(0, lostAt + 1)];
    for (const broker of order) {
      if (this.isClosed) break;
      const masked = maskAddress(broker);
      try {
        const model = await this.connectTo(broker, deadline);
        return { model, broker, errors, permanent: false };
      } catch (err) {
        const line = describeConnectError(err, masked);
        errors.push(line);
        if (!isPermanentConnectError(err)) permanent = false;
        this.log.warn('cannot connect to broker', { url: masked, error: line });
      }
    }
    return { errors, permanent: permanent && errors.length > 0 };
  }

  private connectTo(broker: ConnectableBroker, deadline: Deadline | null): Promise<ChannelModel> {
    const limitMs = Math.min(this.options.connectTimeoutMs, deadline ? Math.max(1, deadline.remainingMs()) : Infinity);
    return connectToBroker(broker, this.options, this.connectionName, limitMs);
  }

  private adopt(model: ChannelModel, broker: ConnectableBroker): void {
    const url = maskAddress(broker);
    this.model = model;
    this.broker = broker;
    this.generationCounter++;
    this.connectedAt = Date.now();
    this.state = 'connected';
    const generation = this.generationCounter;
    model.on('error', (err: Error) => this.log.warn('connection error', { url, error: errorMessage(err) }));
    model.on('close', (err?: Error) => this.onConnectionClosed(model, broker, err));
    model.on('blocked', (reason: string) => this.log.error('the broker blocked the connection (resource alarm)', { url, reason }));
    model.on('unblocked', () => this.log.info('the broker unblocked the connection', { url }));
    this.log.info('connected to the message bus', { url, connectionName: this.connectionName, generation });
    this.connectedWaiters.resolveAll(model);
    if (instruments.busConnection.active) instruments.busConnection.publish({ state: 'connected', generation });
    this.emit('connected', { url, generation } satisfies ConnectedInfo);
    for (const attachment of this.attachments) attachment.establish();
  }

  private onConnectionClosed(model: ChannelModel, broker: ConnectableBroker, err?: Error): void {
    if (model !== this.model) return;
    this.model = null;
    this.publisher.reset();
    if (this.isClosed) return;
    const url = maskAddress(broker);
    const lived = Date.now() - this.connectedAt;
    this.shortLivedDrops = lived < SHORT_LIVED_MS ? this.shortLivedDrops + 1 : 0;
    this.state = 'reconnecting';
    const reason = err ? errorMessage(err) : 'closed by the broker';
    const lost = new BusConnectionLostError(`connection to ${url} lost: ${reason}`, { url, generation: this.generationCounter });
    this.log.warn('connection to the message bus lost, reconnecting', { url, error: reason, generation: this.generationCounter });
    if (instruments.busConnection.active) instruments.busConnection.publish({ state: 'disconnected', generation: this.generationCounter });
    this.emit('disconnected', lost);
    void this.reconnect();
  }

  /**
   * After a lost connection: the other brokers first (the one just lost is most likely the one
   * down), at once. A connection that lived less than SHORT_LIVED_MS is no reason to wait either —
   * one node of a cluster going down often drops a connection made moments before — but a second
   * short-lived drop in a row is a broker accepting and dropping: from then on each cycle waits
   * its back-off, so the agent does not spin on it.
   */
  private async reconnect(): Promise<void> {
    const lost = this.broker;
    let failed = Math.max(0, this.shortLivedDrops - 1);
    let errors: string[] = [];
    for (;;) {
      if (failed > 0) {
        const delayMs = backoffDelayMs(this.options.retry, failed);
        this.emit('reconnecting', { attempt: failed, delayMs, errors } satisfies ReconnectingInfo);
        try {
          await sleep(delayMs, this.closeController.signal);
        } catch {
          return;
        }
      }
      if (this.isClosed) return;
      const attempt = await this.tryBrokers(null, lost);
      if (this.isClosed) {
        await closeQuietly(attempt.model);
        return;
      }
      if (attempt.model) {
        this.adopt(attempt.model, attempt.broker!);
        return;
      }
      failed++;
      errors = attempt.errors;
      this.log.warn('reconnection failed, retrying', { attempt: failed, delayMs: backoffDelayMs(this.options.retry, failed), errors });
    }
  }
}
