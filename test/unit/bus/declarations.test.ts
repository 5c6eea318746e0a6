import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consumerArguments, describeDeclaration, fanoutExchange, fanoutQueue, replyQueue, topicExchange, topicQueue } from '../../../src/bus/declarations.js';
import { type QueueFlags, resolveBusOptions } from '../../../src/bus/options.js';
import { uniqueQueuePart } from '../../../src/bus/queue-names.js';

const defaults: QueueFlags = {
  durable: false,
  autoDelete: false,
  quorum: false,
  ha: false,
  transientTtlMs: 1_800_000,
  transientQuorum: false,
  streamFanout: false,
  quorumLimits: { deliveryLimit: 0, maxMemoryLength: 0, maxMemoryBytes: 0 },
  cancelOnFailover: false,
  prefetchCount: 0,
  queueManager: null,
};

test("oslo's defaults (contract §1)", () => {
  assert.deepEqual(topicExchange('cyborg', defaults), { name: 'cyborg', type: 'topic', options: { durable: false, autoDelete: false } });
  assert.deepEqual(topicQueue('cyborg-agent.cn1', defaults), { name: 'cyborg-agent.cn1', options: { durable: false, autoDelete: false, arguments: {} } });
  assert.deepEqual(fanoutExchange('cyborg-agent', defaults), { name: 'cyborg-agent_fanout', type: 'fanout', options: { durable: false, autoDelete: true } });
  assert.deepEqual(fanoutQueue('cyborg-agent', 'abc', defaults), {
    name: 'cyborg-agent_fanout_abc',
    options: { durable: false, autoDelete: false, arguments: { 'x-expires': 1_800_000 } },
  });
  assert.deepEqual(replyQueue('abc', defaults), { name: 'reply_abc', options: { durable: false, autoDelete: false, arguments: { 'x-expires': 1_800_000 } } });
});

test('amqp_durable_queues and amqp_auto_delete apply to the topic exchange and the topic/server queues only', () => {
  const flags = { ...defaults, durable: true, autoDelete: true };
  assert.deepEqual(topicExchange('cyborg', flags).options, { durable: true, autoDelete: true });
  assert.deepEqual(topicQueue('t', flags).options, { durable: true, autoDelete: true, arguments: {} });
  assert.deepEqual(fanoutExchange('t', flags).options, { durable: false, autoDelete: true });
  assert.deepEqual(fanoutQueue('t', 'x', flags).options, { durable: false, autoDelete: false, arguments: { 'x-expires': 1_800_000 } });
});

test('rabbit_quorum_queue: quorum topic queues, durable, and a durable exchange; transient queues unchanged', () => {
  const flags = { ...defaults, quorum: true };
  assert.deepEqual(topicExchange('cyborg', flags).options, { durable: true, autoDelete: false });
  assert.deepEqual(topicQueue('t', flags).options, { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum' } });
  assert.deepEqual(replyQueue('x', flags).options.arguments, { 'x-expires': 1_800_000 });
});

test('rabbit_ha_queues adds x-ha-policy everywhere; a zero TTL drops x-expires', () => {
  const ha = { ...defaults, ha: true };
  assert.deepEqual(topicQueue('t', ha).options.arguments, { 'x-ha-policy': 'all' });
  assert.deepEqual(fanoutQueue('t', 'x', ha).options.arguments, { 'x-ha-policy': 'all', 'x-expires': 1_800_000 });
  assert.deepEqual(replyQueue('x', { ...defaults, transientTtlMs: 0 }).options.arguments, {});
});

test('declarations are described for error messages', () => {
  assert.equal(describeDeclaration(topicExchange('cyborg', defaults)), 'exchange "cyborg" (topic, durable=false, auto_delete=false)');
  assert.equal(describeDeclaration(replyQueue('x', defaults)), 'queue "reply_x" (durable=false, auto_delete=false, arguments={"x-expires":1800000})');
});

// oslo.messaging 18.x (../shared/peers/oslo.messaging-18.1.0, impl_rabbit.py).

test('rabbit_transient_quorum_queue: reply and fanout queues are quorum queues, durable, with x-expires; the fanout exchange is durable', () => {
  const flags = { ...defaults, quorum: true, transientQuorum: true };
  assert.deepEqual(fanoutExchange('t', flags).options, { durable: true, autoDelete: true });
  assert.deepEqual(fanoutQueue('t', 'x', flags), {
    name: 't_fanout_x',
    options: { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum', 'x-expires': 1_800_000 } },
  });
  assert.deepEqual(replyQueue('x', flags).options, { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum', 'x-expires': 1_800_000 } });
});

test('rabbit_quorum_delivery_limit and max_memory_*: on every quorum queue, topic and transient', () => {
  const flags = { ...defaults, quorum: true, transientQuorum: true, quorumLimits: { deliveryLimit: 5, maxMemoryLength: 1000, maxMemoryBytes: 0 } };
  const expected = { 'x-queue-type': 'quorum', 'x-delivery-limit': 5, 'x-max-in-memory-length': 1000 };
  assert.deepEqual(topicQueue('t', flags).options.arguments, expected);
  assert.deepEqual(replyQueue('x', flags).options.arguments, { ...expected, 'x-expires': 1_800_000 });
});

test('rabbit_stream_fanout: one <topic>_fanout stream queue, durable, with only its type and x-max-age', () => {
  const flags = { ...defaults, transientQuorum: true, streamFanout: true, prefetchCount: 10 };
  assert.deepEqual(fanoutQueue('cyborg-agent', 'ignored', flags), {
    name: 'cyborg-agent_fanout',
    options: { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'stream', 'x-max-age': '1800s' } },
  });
  assert.deepEqual(fanoutQueue('t', 'x', { ...flags, transientTtlMs: 0 }).options.arguments, { 'x-queue-type': 'stream' });
  const stream = fanoutQueue('t', 'x', flags);
  assert.deepEqual(consumerArguments(flags, stream, 'last'), { 'x-stream-offset': 'last' });
  assert.deepEqual(
    consumerArguments({ ...flags, cancelOnFailover: true }, stream, 42),
    { 'x-stream-offset': 42 },
    'the offset replaces cancel-on-failover, as in oslo',
  );
});

test('enable_cancel_on_failover: consumers ask for x-cancel-on-ha-failover', () => {
  const classic = topicQueue('t', defaults);
  assert.equal(consumerArguments(defaults, classic), undefined);
  assert.deepEqual(consumerArguments({ ...defaults, cancelOnFailover: true }, classic), { 'x-cancel-on-ha-failover': true });
  // RabbitMQ refuses it on quorum queues (406), which oslo 18.1's own consumers run into.
  const quorum = { ...defaults, quorum: true, transientQuorum: true, cancelOnFailover: true };
  assert.equal(consumerArguments(quorum, topicQueue('t', quorum)), undefined);
  assert.equal(consumerArguments(quorum, replyQueue('x', quorum)), undefined);
});

test("use_queue_manager: names <host>:<process>:<n> counted from 1, as oslo's QManager", () => {
  const flags = { ...defaults, queueManager: { hostname: 'cn-qm-test', processName: 'spdk-agent' } };
  assert.equal(uniqueQueuePart(flags), 'cn-qm-test:spdk-agent:1');
  assert.equal(replyQueue(uniqueQueuePart(flags), flags).name, 'reply_cn-qm-test:spdk-agent:2');
  assert.equal(fanoutQueue('cyborg-agent', uniqueQueuePart(flags), flags).name, 'cyborg-agent_fanout_cn-qm-test:spdk-agent:3');
  assert.match(uniqueQueuePart(defaults), /^[0-9a-f]{32}$/, 'random without it');
});

test("oslo 18's start-up checks, with its texts", () => {
  const base = { urls: ['amqp://h/'] };
  assert.throws(
    () => resolveBusOptions({ ...base, quorumQueues: true, haQueues: true }),
    /Configuration Error: rabbit_quorum_queue and rabbit_ha_queues both enabled, queue type is quorum or HA \(mirrored\) not both/,
  );
  assert.throws(
    () => resolveBusOptions({ ...base, transientQuorumQueues: true, streamFanout: true }),
    /Configuration Error: rabbit_stream_fanout need rabbit_qos_prefetch_count to be set to a value greater than 0\./,
  );
  assert.throws(
    () => resolveBusOptions({ ...base, streamFanout: true, qosPrefetchCount: 10 }),
    /Configuration Error: rabbit_stream_fanout need rabbit_transient_quorum_queue to be set to true\./,
  );
  assert.throws(() => resolveBusOptions({ ...base, quorumDeliveryLimit: -1 }), /bus\.quorumDeliveryLimit must be a whole number ≥ 0/);
  const ok = resolveBusOptions({
    ...base,
    transientQuorumQueues: true,
    streamFanout: true,
    qosPrefetchCount: 10,
    useQueueManager: true,
    processName: 'spdk-agent',
  });
  assert.equal(ok.queues.queueManager?.processName, 'spdk-agent');
});
