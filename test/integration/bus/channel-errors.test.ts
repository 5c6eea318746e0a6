/**
 * Channel errors (406 PRECONDITION_FAILED, 404 NOT_FOUND) reach the caller as typed errors, and
 * the process, the connection and every other component keep working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { BusChannelError } from '../../../src/bus/index.js';
import { BrokerScope, brokerSkip, testAmqpUrl } from '../../helpers/broker.js';
import { rejectionOf } from '../../helpers/assertions.js';

const skip = await brokerSkip();

test('publishing to an exchange declared elsewhere with other flags fails with a 406, then publishing goes on', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const conn = await amqp.connect(testAmqpUrl);
  scope.defer(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  const durableExchange = `${scope.prefix}-durable`;
  await ch.assertExchange(durableExchange, 'topic', { durable: true, autoDelete: false });

  const bus = await scope.openTransport();
  const server = bus.createServer({ topic: scope.topic('agent'), servers: ['cn1'], endpoints: [{ className: 'A', methods: { ping: () => 'pong' } }] });
  await server.start();

  const err = await rejectionOf(bus.createClient({ topic: 'whatever', exchange: durableExchange }).cast('ping'), 'expected a 406');
  assert.ok(err instanceof BusChannelError, String(err));
  assert.equal(err.amqpCode, 406);
  assert.match(err.message, /durable/);
  assert.match(err.message, /amqp_durable_queues/, 'the error names the oslo option to align');

  assert.equal(await bus.createClient({ topic: scope.topic('agent'), server: 'cn1' }).call('ping'), 'pong', 'the transport still works');
});

test('a server whose queue exists with other flags does not start (406); the other servers keep serving', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const conn = await amqp.connect(testAmqpUrl);
  scope.defer(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  const clashing = scope.topic('clash');
  await ch.assertQueue(`${clashing}.cn1`, { durable: true, autoDelete: false });

  const bus = await scope.openTransport();
  const good = bus.createServer({ topic: scope.topic('good'), servers: ['cn1'], endpoints: [{ className: 'A', methods: { ping: () => 'pong' } }] });
  await good.start();

  const bad = bus.createServer({ topic: clashing, servers: ['cn1'], endpoints: [{ className: 'A', methods: { ping: () => 'pong' } }] });
  await assert.rejects(bad.start(), (e: unknown) => e instanceof BusChannelError && e.amqpCode === 406 && /inequivalent arg 'durable'/.test(e.message));
  assert.equal(bad.running, false);
  assert.equal(await bus.createClient({ topic: scope.topic('good'), server: 'cn1' }).call('ping'), 'pong');
});

test('publishing to an exchange deleted behind our back fails once with a 404, then it is declared again', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const bus = await scope.openTransport();
  const client = bus.createClient({ topic: scope.topic('agent') });
  await client.cast('first');

  const conn = await amqp.connect(testAmqpUrl);
  scope.defer(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  await ch.deleteExchange(scope.exchange);

  const err = await rejectionOf(client.cast('second'), 'expected a 404');
  assert.ok(err instanceof BusChannelError, String(err));
  assert.equal(err.amqpCode, 404);
  await client.cast('third');
  await ch.checkExchange(scope.exchange);
});

test('a server queue deleted behind our back is declared again and consumed again', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const bus = await scope.openTransport({ retry: { initialSec: 0.2, stepSec: 0.2, maxSec: 1 } });
  const server = bus.createServer({ topic, servers: ['cn1'], endpoints: [{ className: 'A', methods: { ping: () => 'pong' } }] });
  await server.start();
  const client = bus.createClient({ topic, server: 'cn1', timeoutMs: 2000 });
  assert.equal(await client.call('ping'), 'pong');

  const conn = await amqp.connect(testAmqpUrl);
  scope.defer(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  await ch.deleteQueue(`${topic}.cn1`);

  let answer: unknown = null;
  for (let i = 0; i < 50 && answer !== 'pong'; i++) answer = await client.call('ping').catch(() => null);
  assert.equal(answer, 'pong');
  assert.equal((await ch.checkQueue(`${topic}.cn1`)).consumerCount, 1);
});
