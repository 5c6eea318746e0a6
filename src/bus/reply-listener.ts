/**
 * The process's reply queue, `reply_<hex>` (oslo's `ReplyWaiter`): declared lazily before the
 * first call, never bound (replies come through the default exchange), consumed with acks, and
 * declared again after a reconnection under the same name. Replies go to the `ReplyInbox`.
 *
 * When the connection is lost, every pending call fails at once: its request may or may not have
 * run, and waiting on would only end in a timeout (or, worse, a reply the caller no longer
 * expects). A late reply for a failed call is dropped by its unknown `_msg_id`.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { errorMessage } from '../util/errors.js';
import { getLogger } from '../util/log.js';
import type { ChannelAttachment } from './channel-attachment.js';
import type { BusConnection } from './broker-connection.js';
import { Deadline } from './deadline.js';
import { consumerArguments, replyQueue } from './declarations.js';
import { uniqueQueuePart } from './queue-names.js';
import { decodeEnvelope } from './envelope.js';
import { BusClosedError, BusConnectionLostError, BusNotConnectedError, BusTimeoutError } from './errors.js';
import { ReplyInbox } from './reply-inbox.js';

const DELETE_TIMEOUT_MS = 5000;

export class ReplyListener {
  readonly inbox = new ReplyInbox();
  readonly queueName: string;
  private readonly log = getLogger('bus.client');
  private readonly unique: string;
  private attachment: ChannelAttachment | null = null;
  private attaching: Promise<ChannelAttachment> | null = null;
  private closed = false;
  private declared = false;

  constructor(private readonly connection: BusConnection) {
    this.unique = uniqueQueuePart(connection.options.queues);
    this.queueName = replyQueue(this.unique, connection.options.queues).name;
    connection.on('disconnected', (lost) => {
      const failed = this.inbox.failAll(
        (info) =>
          new BusConnectionLostError(
            `connection lost while waiting for the reply to ${info.method} (msg_id ${info.msgId}): the call may or may not have run`,
            { method: info.method, topic: info.topic, server: info.server, msgId: info.msgId, url: lost.context.url },
            lost,
          ),
      );
      if (failed > 0) this.log.warn('failed the pending calls: connection lost', { pendingCalls: failed });
    });
  }

  /** Makes sure the reply queue exists and is consumed; returns its name. */
  async ready(deadline: Deadline): Promise<string> {
    if (this.closed) throw new BusClosedError('the RPC client transport is closed');
    if (this.attachment) {
      await this.attachment.whenReady(deadline);
      return this.queueName;
    }
    if (!this.attaching) {
      const attaching = this.connection.attach(`reply queue ${this.queueName}`, (channel) => this.setUp(channel), deadline);
      this.attaching = attaching;
      attaching.then(
        (attachment) => {
          if (this.closed) void attachment.detach();
          else this.attachment = attachment;
        },
        () => {
          if (this.attaching === attaching) this.attaching = null;
        },
      );
    }
    await deadline.race(this.attaching, () => new BusNotConnectedError(`the reply queue ${this.queueName} was not ready within ${deadline.totalMs} ms`));
    return this.queueName;
  }

  /** Fails pending calls, stops consuming and deletes the reply queue (nothing else uses it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inbox.failAll(
      (info) => new BusClosedError(`the transport was closed while waiting for the reply to ${info.method}`, { method: info.method, msgId: info.msgId }),
    );
    const attachment = this.attachment ?? (await this.attaching?.catch(() => null)) ?? null;
    this.attachment = null;
    const channel = attachment?.current ?? null;
    if (channel && this.declared) {
      try {
        await new Deadline(DELETE_TIMEOUT_MS).race(
          channel.deleteQueue(this.queueName),
          () => new BusTimeoutError(`deleting the reply queue took longer than ${DELETE_TIMEOUT_MS} ms`, { queue: this.queueName }),
        );
      } catch (err) {
        this.log.debug('the reply queue could not be deleted; it will expire', { queue: this.queueName, error: errorMessage(err) });
      }
    }
    await attachment?.detach();
  }

  private async setUp(channel: Channel): Promise<void> {
    const flags = this.connection.options.queues;
    const decl = replyQueue(this.unique, flags);
    await channel.assertQueue(decl.name, decl.options);
    this.declared = true;
    if (flags.prefetchCount > 0) await channel.prefetch(flags.prefetchCount, false);
    const args = consumerArguments(flags, decl);
    await channel.consume(decl.name, (msg) => this.onDelivery(channel, msg), { noAck: false, ...(args ? { arguments: args } : {}) });
  }

  private onDelivery(channel: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      if (this.closed) return;
      this.log.warn('the broker cancelled the reply consumer; declaring the reply queue again', { queue: this.queueName });
      this.attachment?.reset('reply consumer cancelled by the broker');
      return;
    }
    const decoded = decodeEnvelope(msg.content, msg.properties);
    if (!decoded.ok) {
      this.log.warn('dropping an undecodable reply', { queue: this.queueName, reason: decoded.reason });
      safely(() => channel.reject(msg, false));
      return;
    }
    safely(() => channel.ack(msg));
    const reply = decoded.message;
    const outcome = this.inbox.deliver(reply);
    if (outcome === 'unknown-msg-id') {
      this.log.info('dropping a reply nobody waits for (late, after a timeout or a lost connection)', { msgId: String(reply._msg_id) });
    }
  }
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // The channel is gone: a redelivered reply finds no caller waiting and is dropped.
  }
}
