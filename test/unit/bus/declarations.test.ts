import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDeclaration, fanoutExchange, fanoutQueue, replyQueue, topicExchange, topicQueue } from '../../../src/bus/declarations.js';
import type { QueueFlags } from '../../../src/bus/options.js';

const defaults: QueueFlags = { durable: false, autoDelete: false, quorum: false, ha: false, transientTtlMs: 1_800_000 };

test("oslo's defaults (contract §1)", () => {
  assert.deepEqual(topicExchange('cyborg', defaults), { name: 'cyborg', type: 'topic', options: { durable: false, autoDelete: false } });
  assert.deepEqual(topicQueue('cyborg-agent.cn1', defaults), { name: 'cyborg-agent.cn1', options: { durable: false, autoDelete: false, arguments: {} } });
  assert.deepEqual(fanoutExchange('cyborg-agent'), { name: 'cyborg-agent_fanout', type: 'fanout', options: { durable: false, autoDelete: true } });
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
  assert.deepEqual(fanoutExchange('t').options, { durable: false, autoDelete: true });
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
