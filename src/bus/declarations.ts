/**
 * The exchanges and queues oslo.messaging 14 declares, with exactly its flags
 * (`impl_rabbit.Connection.declare_*_consumer`, `*_send`, `_get_queue_arguments`).
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
  const args: Record<string, unknown> = {};
  if (flags.ha) args['x-ha-policy'] = 'all';
  if (flags.quorum) args['x-queue-type'] = 'quorum';
  return { name, options: { durable: topicDurable(flags), autoDelete: flags.autoDelete, arguments: args } };
}

/** `<topic>_fanout`: never durable, always auto-delete (oslo 14 has no option for it). */
export function fanoutExchange(topic: string): ExchangeDeclaration {
  return { name: `${topic}_fanout`, type: 'fanout', options: { durable: false, autoDelete: true } };
}

/** A process's own fanout queue, `<topic>_fanout_<hex>`. */
export function fanoutQueue(topic: string, uniqueHex: string, flags: QueueFlags): QueueDeclaration {
  return transientQueue(`${topic}_fanout_${uniqueHex}`, flags);
}

/** A caller's reply queue, `reply_<hex>`, reached through the default exchange (never bound). */
export function replyQueue(uniqueHex: string, flags: QueueFlags): QueueDeclaration {
  return transientQueue(`reply_${uniqueHex}`, flags);
}

/** Reply and fanout queues: classic, not durable, not auto-delete, expiring when unused. */
function transientQueue(name: string, flags: QueueFlags): QueueDeclaration {
  const args: Record<string, unknown> = {};
  if (flags.ha) args['x-ha-policy'] = 'all';
  if (flags.transientTtlMs > 0) args['x-expires'] = flags.transientTtlMs;
  return { name, options: { durable: false, autoDelete: false, arguments: args } };
}

/** `"cyborg" (topic, durable=false, auto_delete=false)`: for error messages. */
export function describeDeclaration(decl: ExchangeDeclaration | QueueDeclaration): string {
  const kind = 'type' in decl ? `exchange "${decl.name}" (${decl.type}` : `queue "${decl.name}" (`;
  const args =
    'arguments' in decl.options && Object.keys(decl.options.arguments ?? {}).length > 0 ? `, arguments=${JSON.stringify(decl.options.arguments)}` : '';
  const sep = 'type' in decl ? ', ' : '';
  return `${kind}${sep}durable=${decl.options.durable}, auto_delete=${decl.options.autoDelete}${args})`;
}
