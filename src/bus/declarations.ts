/**
 * The exchanges and queues oslo.messaging declares, with exactly its flags
 * (`impl_rabbit.Connection.declare_*_consumer`, `*_send`, `_get_queue_arguments`): those of 14.x,
 * and with the options 18.x added (transient quorum queues, stream fanout, the queue manager,
 * quorum limits, cancel-on-failover) those of 18.x. With none of the new options set, 18.x
 * declares what 14.x does.
 *
 * RabbitMQ closes the channel with 406 PRECONDITION_FAILED when an object is declared again with
 * other `durable`, `auto_delete`, `x-expires` or `x-queue-type`, so any difference here would
 * break the first service (Python or ours) that declares after the other. Unknown arguments such
 * as `x-ha-policy` are not compared by the broker, but oslo sends them, so we do too.
 */
import type { Options } from 'amqplib';
import type { QueueFlags } from './options.js';

export interface ExchangeDeclaration {
  name: string;
  type: 'topic' | 'fanout';
  options: Options.AssertExchange & { durable: boolean; autoDelete: boolean };
}

export interface QueueDeclaration {
  name: string;
  options: Options.AssertQueue & { durable: boolean; autoDelete: boolean; arguments: Record<string, unknown> };
}

/** `durable` of the topic exchange and the topic/server queues: quorum queues are always durable. */
function topicDurable(flags: QueueFlags): boolean {
  return flags.durable || flags.quorum;
}

/** The control exchange (`cyborg`), declared by servers and before every topic publish. */
export function topicExchange(name: string, flags: QueueFlags): ExchangeDeclaration {
  return { name, type: 'topic', options: { durable: topicDurable(flags), autoDelete: flags.autoDelete } };
}

/** A shared topic queue (`cyborg-agent`) or a server queue (`cyborg-agent.<host>`): no `x-expires`. */
export function topicQueue(name: string, flags: QueueFlags): QueueDeclaration {
  const args = queueArguments(flags, { quorum: flags.quorum, ttlMs: 0, stream: false });
  return { name, options: { durable: topicDurable(flags), autoDelete: flags.autoDelete, arguments: args } };
}

/** `<topic>_fanout`: auto-delete; durable with oslo 18's transient quorum queues or stream fanout. */
export function fanoutExchange(topic: string, flags: QueueFlags): ExchangeDeclaration {
  return { name: `${topic}_fanout`, type: 'fanout', options: { durable: flags.transientQuorum || flags.streamFanout, autoDelete: true } };
}

/**
 * A server's fanout queue: its own `<topic>_fanout_<unique>` (a random hex, or the queue manager's
 * `<host>:<process>:<n>`), or with stream fanout the one `<topic>_fanout` stream every server of
 * the topic reads.
 */
export function fanoutQueue(topic: string, unique: string, flags: QueueFlags): QueueDeclaration {
  const name = flags.streamFanout ? `${topic}_fanout` : `${topic}_fanout_${unique}`;
  const args = queueArguments(flags, { quorum: flags.transientQuorum, ttlMs: flags.transientTtlMs, stream: flags.streamFanout });
  return { name, options: { durable: flags.transientQuorum || flags.streamFanout, autoDelete: false, arguments: args } };
}

/** A caller's reply queue, `reply_<unique>`, reached through the default exchange (never bound). */
export function replyQueue(unique: string, flags: QueueFlags): QueueDeclaration {
  const args = queueArguments(flags, { quorum: flags.transientQuorum, ttlMs: flags.transientTtlMs, stream: false });
  return { name: `reply_${unique}`, options: { durable: flags.transientQuorum, autoDelete: false, arguments: args } };
}

/** oslo's `_get_queue_arguments`, argument for argument (a stream queue takes only its type and max age). */
function queueArguments(flags: QueueFlags, kind: { quorum: boolean; ttlMs: number; stream: boolean }): Record<string, unknown> {
  if (kind.stream) {
    // oslo gives the TTL in seconds as a string ("1800s"): the stream keeps messages that long.
    return kind.ttlMs > 0 ? { 'x-queue-type': 'stream', 'x-max-age': `${Math.round(kind.ttlMs / 1000)}s` } : { 'x-queue-type': 'stream' };
  }
  const args: Record<string, unknown> = {};
  if (flags.ha) args['x-ha-policy'] = 'all';
  if (kind.quorum) {
    args['x-queue-type'] = 'quorum';
    const limits = flags.quorumLimits;
    if (limits.deliveryLimit > 0) args['x-delivery-limit'] = limits.deliveryLimit;
    if (limits.maxMemoryLength > 0) args['x-max-in-memory-length'] = limits.maxMemoryLength;
    if (limits.maxMemoryBytes > 0) args['x-max-in-memory-bytes'] = limits.maxMemoryBytes;
  }
  if (kind.ttlMs > 0) args['x-expires'] = kind.ttlMs;
  return args;
}

/**
 * The consumer arguments oslo passes with basic.consume: `x-cancel-on-ha-failover` when asked
 * for, or on a stream the offset to read from (`"last"` at first, the next offset after a
 * reconnection), which replaces it as in oslo.
 *
 * Unlike oslo, not on a quorum queue: RabbitMQ refuses the argument there (406 "invalid arg
 * 'x-cancel-on-ha-failover' … of queue type rabbit_quorum_queue"), so with quorum queues and
 * `enable_cancel_on_failover` oslo.messaging 18.1's own services cannot consume (seen in
 * test/interop/agent/oslo18-modes.test.ts). It concerns mirrored classic queues only.
 */
export function consumerArguments(flags: QueueFlags, queue: QueueDeclaration, streamOffset?: number | 'last'): Record<string, unknown> | undefined {
  if (streamOffset !== undefined) return { 'x-stream-offset': streamOffset };
  const type = queue.options.arguments['x-queue-type'];
  return flags.cancelOnFailover && type !== 'quorum' && type !== 'stream' ? { 'x-cancel-on-ha-failover': true } : undefined;
}

/** `"cyborg" (topic, durable=false, auto_delete=false)`: for error messages. */
export function describeDeclaration(decl: ExchangeDeclaration | QueueDeclaration): string {
  const kind = 'type' in decl ? `exchange "${decl.name}" (${decl.type}` : `queue "${decl.name}" (`;
  const args =
    'arguments' in decl.options && Object.keys(decl.options.arguments ?? {}).length > 0 ? `, arguments=${JSON.stringify(decl.options.arguments)}` : '';
  const sep = 'type' in decl ? ', ' : '';
  return `${kind}${sep}durable=${decl.options.durable}, auto_delete=${decl.options.autoDelete}${args})`;
}
