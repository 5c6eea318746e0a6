/**
 * Every publish of the process goes through one confirm channel (kombu publishes with confirms):
 * a publish resolves only when the broker has taken the message, and learns whether the broker
 * returned it (a mandatory reply whose queue is gone).
 *
 * The channel is opened lazily on the live connection and opened again after the broker closed it
 * (a 404 or 406 closes a channel, never the process). Each exchange is declared on it, with oslo's
 * flags, before its first publish: publishing to a missing exchange would close the channel.
 */
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { errorMessage } from '../util/errors.js';
import { getLogger } from '../util/log.js';
import { channelError } from './amqp-errors.js';
import type { Deadline } from './deadline.js';
import type { ExchangeDeclaration } from './declarations.js';
import { BusConnectionLostError, BusNotConnectedError, BusPublishError } from './errors.js';

export interface PublishRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  properties: Options.Publish;
  /** Declared (once per publish channel) before the first publish to it. */
  declare?: ExchangeDeclaration;
}

export interface PublishResult {
  /** The broker returned the (mandatory) message: no queue was bound to its routing key. */
  returned: boolean;
}

/** What the publisher needs of the connection. */
export interface LiveConnection {
  whenConnected(deadline: Deadline): Promise<ChannelModel>;
  currentModel(): ChannelModel | null;
}

interface OpenChannel {
  channel: ConfirmChannel;
  model: ChannelModel;
  declared: Set<string>;
  /** Why the broker closed the channel (reported before the unconfirmed publishes fail). */
  closedBy?: Error;
}

const CLOSE_TIMEOUT_MS = 5000;

export class ConfirmPublisher {
  private readonly log = getLogger('bus.publisher');
  private current: OpenChannel | null = null;
  private opening: Promise<OpenChannel> | null = null;
  /** Mandatory publishes awaiting their confirm, by exchange and routing key (see `watchReturn`). */
  private readonly returnWatch = new Map<string, ReturnWatch[]>();

  constructor(
    private readonly connection: LiveConnection,
    private readonly onReturned: (message: Message) => void,
  ) {}

  /** Publishes with a confirm; declares `req.declare` first (once per channel). */
  async publish(req: PublishRequest, deadline: Deadline): Promise<PublishResult> {
    const open = await this.channelFor(deadline);
    const where = { exchange: req.exchange, routingKey: req.routingKey };
    if (req.declare) await this.declareOnce(open, req.declare, deadline);

    const watch = req.properties.mandatory ? this.watchReturn(req) : null;
    let failure: Error | null = null;
    try {
      await deadline.race(
        new Promise<void>((resolve, reject) => {
          try {
            open.channel.publish(req.exchange, req.routingKey, req.content, req.properties, (err: unknown) => (err ? reject(err) : resolve()));
          } catch (err) {
            reject(err);
          }
        }),
        () => new BusPublishError(`the broker did not confirm a publish to ${describeTarget(where)} within ${deadline.totalMs} ms`, where),
      );
    } catch (err) {
      failure = this.publishFailure(err, open, where);
    }
    // The broker sends basic.return before the confirm of the same message: it is known by now.
    if (watch) this.unwatchReturn(watch);
    if (failure) throw failure;
    return { returned: watch?.returned === true };
  }

  /** Forgets the channel of a connection that is gone. */
  reset(): void {
    this.current = null;
    this.opening = null;
  }

  async close(): Promise<void> {
    const open = this.current;
    this.reset();
    if (!open) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([open.channel.close().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }

  private async channelFor(deadline: Deadline): Promise<OpenChannel> {
    const model = await this.connection.whenConnected(deadline);
    if (this.current && this.current.model === model) return this.current;
    if (!this.opening) {
      const opening = this.open(model);
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = null;
      });
    }
    return deadline.race(this.opening, () => new BusNotConnectedError(`no publish channel within ${deadline.totalMs} ms`));
  }

  private async open(model: ChannelModel): Promise<OpenChannel> {
    let channel: ConfirmChannel;
    try {
      channel = await model.createConfirmChannel();
    } catch (err) {
      throw new BusConnectionLostError(`cannot open a publish channel: ${errorMessage(err)}`, {}, err);
    }
    const open: OpenChannel = { channel, model, declared: new Set() };
    channel.on('error', (err: Error) => {
      open.closedBy = err;
      this.log.warn('the broker closed the publish channel; it will be reopened', { error: errorMessage(err) });
    });
    channel.on('close', () => {
      if (this.current === open) this.reset();
    });
    channel.on('return', (message: Message) => {
      this.markReturned(message);
      this.onReturned(message);
    });
    if (this.connection.currentModel() === model) this.current = open;
    return open;
  }

  private async declareOnce(open: OpenChannel, decl: ExchangeDeclaration, deadline: Deadline): Promise<void> {
    const key = `${decl.name}|${decl.type}|${decl.options.durable}|${decl.options.autoDelete}`;
    if (open.declared.has(key)) return;
    try {
      await deadline.race(
        open.channel.assertExchange(decl.name, decl.type, decl.options),
        () => new BusNotConnectedError(`declaring exchange ${decl.name} took longer than ${deadline.totalMs} ms`),
      );
    } catch (err) {
      if (err instanceof BusNotConnectedError) throw err;
      if (this.connection.currentModel() !== open.model) {
        throw new BusConnectionLostError(`connection lost while declaring exchange ${decl.name}`, { exchange: decl.name }, err);
      }
      throw channelError(err, `declaring exchange "${decl.name}" (${decl.type}, durable=${decl.options.durable}, auto_delete=${decl.options.autoDelete})`, {
        exchange: decl.name,
      });
    }
    open.declared.add(key);
  }

  /**
   * A returned message is matched to its publish by exchange, routing key and content. Comparing
   * the bytes only when a message comes back keeps the common case (nothing returned) free of
   * work; two pending publishes with the same bytes cannot occur (each carries a fresh _unique_id).
   */
  private watchReturn(req: PublishRequest): ReturnWatch {
    const watch: ReturnWatch = { key: routeOf(req.exchange, req.routingKey), content: req.content, returned: false };
    const pending = this.returnWatch.get(watch.key);
    if (pending) pending.push(watch);
    else this.returnWatch.set(watch.key, [watch]);
    return watch;
  }

  private unwatchReturn(watch: ReturnWatch): void {
    const pending = this.returnWatch.get(watch.key);
    if (!pending) return;
    const index = pending.indexOf(watch);
    if (index >= 0) pending.splice(index, 1);
    if (pending.length === 0) this.returnWatch.delete(watch.key);
  }

  private markReturned(message: Message): void {
    const pending = this.returnWatch.get(routeOf(message.fields.exchange, message.fields.routingKey));
    const watch = pending?.find((w) => !w.returned && w.content.equals(message.content));
    if (watch) watch.returned = true;
  }

  private publishFailure(err: unknown, open: OpenChannel, where: Record<string, unknown>): Error {
    if (err instanceof BusPublishError) return err;
    const target = describeTarget(where);
    if (this.connection.currentModel() !== open.model) {
      return new BusConnectionLostError(`connection lost before the broker confirmed a publish to ${target}`, where, err);
    }
    if (errorMessage(err) === 'message nacked') return new BusPublishError(`the broker refused (nack) a publish to ${target}`, where, err);
    if (open.closedBy) return channelError(open.closedBy, `publishing to ${target}`, where);
    return new BusPublishError(`publish to ${target} failed: ${errorMessage(err)}`, where, err);
  }
}

interface ReturnWatch {
  key: string;
  content: Buffer;
  returned: boolean;
}

function routeOf(exchange: string, routingKey: string): string {
  return `${exchange}\u0000${routingKey}`;
}

function describeTarget(where: Record<string, unknown>): string {
  return `exchange "${String(where.exchange)}" with routing key "${String(where.routingKey)}"`;
}
