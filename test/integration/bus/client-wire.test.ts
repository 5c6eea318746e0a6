/**
 * Our client against a hand-written raw server (plain amqplib): what it puts on the wire is what
 * oslo puts there (captured in test/fixtures/amqp/A_oslo_requests.json), and whatever comes back —
 * malformed replies, legacy two-part replies, strangers' replies, heartbeats — is handled without
 * a hang or a wrong answer.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ConsumeMessage, type Options } from 'amqplib';
import { BusProtocolError, BusTimeoutError } from '../../../src/bus/index.js';
import { BrokerScope, brokerSkip, testAmqpUrl } from '../../helpers/broker.js';
import { amqpFixturesDir } from '../../helpers/paths.js';

const skip = await brokerSkip();

const REPLY_PROPS: Options.Publish = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, headers: {} };

interface Captured {
  wire: Array<{ body: string; properties: Record<string, unknown>; exchange: string; routing_key: string; 'oslo.message': Record<string, unknown> }>;
}
const captures = JSON.parse(readFileSync(path.join(amqpFixturesDir, 'A_oslo_requests.json'), 'utf8')) as Record<string, Captured>;

/** A raw server on `<topic>.raw` that records requests and answers as `behave` says. */
async function rawServer(
  t: TestContext,
  scope: BrokerScope,
  topic: string,
  behave: (req: Record<string, unknown>, reply: (body: unknown, props?: Options.Publish) => void) => void,
) {
  const conn = await amqp.connect(testAmqpUrl);
  scope.defer(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  await ch.assertExchange(scope.exchange, 'topic', { durable: false, autoDelete: false });
  const queue = `${topic}.raw`;
  await ch.assertQueue(queue, { durable: false, autoDelete: false });
  await ch.bindQueue(queue, scope.exchange, queue);
  await ch.assertExchange(`${topic}_fanout`, 'fanout', { durable: false, autoDelete: true });
  await ch.bindQueue(queue, `${topic}_fanout`, topic);
  const received: Array<{ msg: ConsumeMessage; envelope: Record<string, unknown>; message: Record<string, unknown> }> = [];
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    ch.ack(msg);
    const envelope = JSON.parse(msg.content.toString('utf8')) as Record<string, unknown>;
    const message = JSON.parse(envelope['oslo.message'] as string) as Record<string, unknown>;
    received.push({ msg, envelope, message });
    const reply = (body: unknown, props: Options.Publish = REPLY_PROPS): void => {
      const text = typeof body === 'string' ? body : JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(body) });
      ch.sendToQueue(String(message._reply_q), Buffer.from(text), props);
    };
    behave(message, reply);
  });
  void t;
  return { received };
}

test('requests carry exactly what oslo.messaging puts on the wire', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const raw = await rawServer(t, scope, topic, (req, reply) => {
    if (req._msg_id) reply({ result: 'ok', failure: null, ending: true, _msg_id: req._msg_id, _unique_id: 'u' });
  });
  const bus = await scope.openTransport();
  const client = bus.createClient({ topic, server: 'raw' });

  assert.equal(await client.call('ping', { x: 1 }), 'ok');
  assert.equal(await client.call('ping', { x: 2 }, { timeoutMs: 10_000 }), 'ok');
  await client.cast('ping', { x: 3 });
  await bus.createClient({ topic }).fanoutCast('ping', { x: 4 });
  for (let i = 0; i < 50 && raw.received.length < 4; i++) await sleep(100);
  assert.equal(raw.received.length, 4);
  const [call1, call2, cast, fanout] = raw.received as [(typeof raw.received)[0], (typeof raw.received)[0], (typeof raw.received)[0], (typeof raw.received)[0]];

  const capturedCall = captures.call_ping!.wire[0]!;
  const capturedCast = captures.cast_ping!.wire[0]!;
  const capturedFanout = captures.fanout_cast_ping!.wire[0]!;
  const props = (m: ConsumeMessage) => ({
    content_type: m.properties.contentType,
    content_encoding: m.properties.contentEncoding,
    delivery_mode: m.properties.deliveryMode,
    priority: m.properties.priority,
    application_headers: m.properties.headers,
    ...(m.properties.expiration !== undefined ? { expiration: m.properties.expiration } : {}),
  });

  await t.test('message properties (expiration = the call timeout, on calls only)', () => {
    assert.deepEqual(props(call1.msg), capturedCall.properties);
    assert.deepEqual(props(call2.msg), { ...capturedCall.properties, expiration: '10000' });
    assert.deepEqual(props(cast.msg), capturedCast.properties);
    assert.deepEqual(props(fanout.msg), capturedFanout.properties);
  });

  await t.test('exchange and routing keys', () => {
    assert.equal(call1.msg.fields.exchange, scope.exchange);
    assert.equal(call1.msg.fields.routingKey, `${topic}.raw`);
    assert.equal(fanout.msg.fields.exchange, `${topic}_fanout`);
    assert.equal(fanout.msg.fields.routingKey, '');
  });

  await t.test('the envelope, and the keys of the message in oslo order', () => {
    const keysOf = (body: string) => Object.keys(JSON.parse(JSON.parse(body)['oslo.message'] as string) as object);
    assert.deepEqual(Object.keys(call1.envelope), ['oslo.version', 'oslo.message']);
    assert.equal(call1.envelope['oslo.version'], '2.0');
    assert.deepEqual(Object.keys(call1.message), keysOf(capturedCall.body));
    assert.deepEqual(Object.keys(cast.message), keysOf(capturedCast.body));
    assert.deepEqual(Object.keys(fanout.message), keysOf(capturedFanout.body));
  });

  await t.test('control keys and the admin context with a fresh request_id', () => {
    assert.match(String(call1.message._msg_id), /^[0-9a-f]{32}$/);
    assert.equal(call1.message._reply_q, bus.replyQueueName);
    assert.equal(call1.message._timeout, null);
    assert.match(String(call1.message._unique_id), /^[0-9a-f]{32}$/);
    assert.equal(call1.message.version, '1.0');
    const captured = capturedCall['oslo.message'];
    for (const [key, value] of Object.entries(captured)) {
      if (key.startsWith('_context_') && key !== '_context_request_id') assert.deepEqual(call1.message[key], value, key);
    }
    assert.match(String(call1.message._context_request_id), /^req-[0-9a-f-]{36}$/);
    assert.notEqual(call1.message._context_request_id, call2.message._context_request_id);
    assert.notEqual(call1.message._unique_id, call2.message._unique_id);
  });
});

test('odd replies: legacy two-part, strangers, missing failure, bad failure JSON, no content_type, heartbeats', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  await rawServer(t, scope, topic, (req, reply) => {
    const id = req._msg_id;
    switch (req.method) {
      case 'legacy_two_part':
        reply({ result: 'first', failure: null, ending: false, _msg_id: id });
        reply({ result: null, failure: null, ending: true, _msg_id: id });
        break;
      case 'stranger_first':
        reply({ result: 'wrong', failure: null, ending: true, _msg_id: 'f'.repeat(32) });
        reply({ result: 'right', failure: null, ending: true, _msg_id: id });
        break;
      case 'no_failure_key':
        reply({ result: 'r', ending: true, _msg_id: id });
        break;
      case 'bad_failure_json':
        reply({ result: null, failure: '{"class": "ValueEr', ending: true, _msg_id: id });
        break;
      case 'no_content_type':
        reply({ result: 'r', failure: null, ending: true, _msg_id: id }, { ...REPLY_PROPS, contentType: undefined });
        break;
      case 'heartbeats':
        for (let i = 1; i <= 3; i++) setTimeout(() => reply({ result: null, failure: null, ending: false, _msg_id: id }), i * 600);
        setTimeout(() => reply({ result: 'after heartbeats', failure: null, ending: true, _msg_id: id }), 2400);
        break;
      default:
        break;
    }
  });
  const bus = await scope.openTransport();
  const client = bus.createClient({ topic, server: 'raw', timeoutMs: 10_000 });

  assert.equal(await client.call('legacy_two_part'), 'first', 'the last non-null result before ending');
  assert.equal(await client.call('stranger_first'), 'right', "another call's reply is never taken for ours");
  await assert.rejects(client.call('no_failure_key'), (e: unknown) => e instanceof BusProtocolError && /no "failure" key/.test(e.message));
  await assert.rejects(client.call('bad_failure_json'), (e: unknown) => e instanceof BusProtocolError && /not valid JSON/.test(e.message));
  await assert.rejects(client.call('no_content_type', {}, { timeoutMs: 1500 }), BusTimeoutError);
  assert.equal(await client.call('heartbeats', {}, { callMonitorTimeoutMs: 1000 }), 'after heartbeats');
  assert.equal(bus.pendingCalls, 0);
});
