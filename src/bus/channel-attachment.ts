/**
 * A consumer's channel, kept alive: `setup` (declare, bind, consume) runs on a fresh channel of
 * its own the first time, after every reconnection, and after the broker closed just that channel
 * (a 406/404, a consumer cancelled because its queue was deleted). This is oslo's "redeclare
 * everything and re-create every consumer", per component.
 *
 * The first setup reports its failure to the caller (a server that cannot declare its queues must
 * not pretend to have started); later ones are logged and retried with the back-off.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { errorMessage } from '../util/errors.js';
import { getLogger } from '../util/log.js';
import { channelError } from './amqp-errors.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import { DeadlineWaiters, type Deadline } from './deadline.js';
import { BusClosedError, BusConnectionLostError, BusNotConnectedError } from './errors.js';

export type ChannelSetup = (channel: Channel) => Promise<void>;

const CLOSE_TIMEOUT_MS = 5000;

/**
 * What an attachment needs of the connection it lives on (as nats.js's heartbeats depend on a
 * narrow interface rather than on the protocol class): the current channel model, which
 * connection that is, and the back-off for setting a channel up again.
 */
export interface AttachmentHost {
  currentModel(): ChannelModel | null;
  /** Changes with every new connection: a setup begun on an older one is abandoned. */
  readonly generation: number;
  readonly isConnected: boolean;
  readonly options: { readonly retry: BackoffPolicy };
}

export class ChannelAttachment {
  private readonly log = getLogger('bus.channel');
  private channel: Channel | null = null;
  private channelGeneration = -1;
  private ready = false;
  private establishing: Promise<void> | null = null;
  /** A (re)connection asked for a setup while one was running: run again when it is done. */
  private establishAgain = false;
  private detached = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly readyWaiters = new DeadlineWaiters<Channel>();

  constructor(
    private readonly connection: AttachmentHost,
    readonly name: string,
    private readonly setup: ChannelSetup,
    private readonly onDetached: () => void,
  ) {}

  /** The channel, once its setup has completed (null while being set up again). */
  get current(): Channel | null {
    return this.ready ? this.channel : null;
  }

  /** Resolves with the channel once set up (at once if it is), or rejects at the deadline. */
  whenReady(deadline: Deadline): Promise<Channel> {
    if (this.detached) return Promise.reject(new BusClosedError(`${this.name} is closed`));
    const channel = this.current;
    if (channel) return Promise.resolve(channel);
    return this.readyWaiters.wait(
      deadline,
      () => new BusNotConnectedError(`${this.name} was not set up again within ${deadline.totalMs} ms`, { name: this.name }),
    );
  }

  /** First setup: its failure is thrown to the caller, and nothing is retried. */
  establishFirst(): Promise<void> {
    return this.run(true);
  }

  /** Setup after a reconnection or a lost channel; a failure is logged and retried later. */
  establish(): void {
    if (this.detached) return;
    if (this.establishing) {
      this.establishAgain = true;
      return;
    }
    this.run(false).catch(() => undefined);
  }

  /** Closes the channel so that it is set up again (e.g. after the broker cancelled a consumer). */
  reset(reason: string): void {
    const channel = this.channel;
    if (!channel || this.detached) return;
    this.log.warn('resetting channel', { name: this.name, reason });
    channel.close().catch(() => undefined);
  }

  /** Stops for good: no more setups; the channel is closed. */
  async detach(): Promise<void> {
    this.detached = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const channel = this.channel;
    this.channel = null;
    this.ready = false;
    const closed = new BusClosedError(`${this.name} is closed`);
    this.readyWaiters.rejectAll(closed);
    if (channel) await closeWithin(channel, CLOSE_TIMEOUT_MS);
    this.onDetached();
  }

  private run(first: boolean): Promise<void> {
    if (this.establishing) return this.establishing;
    const running = this.setUp(first).finally(() => {
      if (this.establishing !== running) return;
      this.establishing = null;
      if (this.establishAgain) {
        this.establishAgain = false;
        this.establish();
      }
    });
    this.establishing = running;
    return running;
  }

  private async setUp(first: boolean): Promise<void> {
    const model = this.connection.currentModel();
    if (!model || this.detached) {
      if (first) throw new BusNotConnectedError(`cannot set up ${this.name}: not connected`);
      return;
    }
    const generation = this.connection.generation;
    if (this.channel && this.channelGeneration === generation) return;

    let channel: Channel;
    try {
      channel = await model.createChannel();
    } catch (err) {
      const lost = new BusConnectionLostError(`cannot open a channel for ${this.name}: ${errorMessage(err)}`, { name: this.name }, err);
      if (first) throw lost;
      this.log.warn('cannot open a channel', { name: this.name, error: errorMessage(err) });
      // If the connection is going away, its reconnection calls establish() again; if not, retry.
      if (this.connection.isConnected && this.connection.generation === generation) this.scheduleRetry();
      return;
    }
    if (this.detached) {
      await closeWithin(channel, CLOSE_TIMEOUT_MS);
      return;
    }
    this.channel = channel;
    this.channelGeneration = generation;
    this.ready = false;
    channel.on('error', (err: Error) => this.log.warn('the broker closed a channel', { name: this.name, error: errorMessage(err) }));
    channel.on('close', () => this.onChannelClosed(channel, generation));

    try {
      await this.setup(channel);
    } catch (err) {
      const failure =
        this.connection.generation !== generation || !this.connection.isConnected
          ? new BusConnectionLostError(`connection lost while setting up ${this.name}`, { name: this.name }, err)
          : channelError(err, `setting up ${this.name}`, { name: this.name });
      if (first) this.detached = true;
      if (this.channel === channel) void closeWithin(channel, CLOSE_TIMEOUT_MS);
      if (first) throw failure;
      this.log.error('setting up a channel failed; it will be retried', { name: this.name, error: failure.message });
      return;
    }
    if (this.channel !== channel) return;
    this.failures = 0;
    this.ready = true;
    this.log.debug('channel ready', { name: this.name, generation });
    this.readyWaiters.resolveAll(channel);
  }

  private onChannelClosed(channel: Channel, generation: number): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.ready = false;
    if (this.detached) return;
    // amqplib closes the channels before it reports its connection closed: wait for that report,
    // so a channel that went down with its connection is left to the reconnection.
    setImmediate(() => {
      if (this.detached || this.channel || !this.connection.isConnected || this.connection.generation !== generation) return;
      this.scheduleRetry();
    });
  }

  /**
   * The first retry after a channel failure is immediate: a 404 on re-declaring a queue whose
   * node is going down (its quorum queue moves to another) usually succeeds at once. Failures in
   * a row then wait their back-off.
   */
  private scheduleRetry(): void {
    if (this.retryTimer || this.detached) return;
    this.failures++;
    const delayMs = this.failures === 1 ? 0 : backoffDelayMs(this.connection.options.retry, this.failures - 1);
    this.log.warn('channel lost while the connection is up; setting it up again', { name: this.name, delayMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.establish();
    }, delayMs);
  }
}

async function closeWithin(channel: Channel, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([channel.close().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
