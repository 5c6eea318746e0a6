/**
 * The same raw requests, sent to a real Python oslo.messaging server and to ours, must get the
 * same answer: the same result, the same failure (class, module, message), or — for what oslo
 * cannot decode — no reply at all, with the server still serving afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import amqp, { type Options } from 'amqplib';
import { BrokerScope, brokerSkip, testAmqpUrl, waitFor } from '../../helpers/broker.js';
import { PythonPeer, pythonSkip } from '../../helpers/python.js';

const skip = (await brokerSkip()) || (await pythonSkip());

const JSON_PROPS: Options.Publish = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, headers: {} };

/** Requests that oslo answers; the value is the message without its control keys. */
const ANSWERED: Record<string, Record<string, unknown>> = {
  ping: { method: 'ping', args: { x: 1, text: 'é✓' }, version: '1.0' },
  legacy_format: { method: 'ping', args: { legacy: true } },
  no_method: { args: {} },
  method_null: { method: null, args: {} },
  method_int: { method: 5, args: {} },
  args_list: { method: 'ping', args: [1, 2] },
  args_null: { method: 'ping', args: null },
  version_without_minor: { method: 'ping', args: {}, version: '1' },
  version_int: { method: 'ping', args: {}, version: 1 },
  version_null: { method: 'ping', args: {}, version: null },
  version_not_a_number: { method: 'ping', args: {}, version: '1.a' },
  version_bad_revision: { method: 'ping', args: {}, version: '1.0.x' },
  version_revision_ok: { method: 'ping', args: {}, version: '1.0.0' },
  unknown_method_bad_version: { method: 'nosuch', args: {}, version: '3.0' },
  timeout_not_a_number: { method: 'ping', args: {}, _timeout: 'abc' },
};

/** Raw bodies oslo drops without replying (each given a reply address: a reply would be a bug). */
type Control = Record<string, unknown>;
const DROPPED: Record<string, (control: Control) => { body: string; props: Options.Publish }> = {
  no_content_type: (c) => ({ body: envelope({ method: 'ping', args: {}, ...c }), props: { ...JSON_PROPS, contentType: undefined } }),
  text_plain: (c) => ({ body: envelope({ method: 'ping', args: {}, ...c }), props: { ...JSON_PROPS, contentType: 'text/plain' } }),
  invalid_json: (c) => ({ body: envelope({ method: 'ping', args: {}, ...c }).slice(0, -7), props: JSON_PROPS }),
  array_body: (c) => ({ body: JSON.stringify([{ method: 'ping', args: {}, ...c }]), props: JSON_PROPS }),
  envelope_2_1: (c) => ({
    body: JSON.stringify({ 'oslo.version': '2.1', 'oslo.message': JSON.stringify({ method: 'ping', args: {}, ...c }) }),
    props: JSON_PROPS,
  }),
  message_not_a_string: (c) => ({ body: JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': { method: 'ping', args: {}, ...c } }), props: JSON_PROPS }),
  message_invalid_json: (c) => ({
    body: JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ method: 'ping', ...c }).slice(1) }),
    props: JSON_PROPS,
  }),
  empty_msg_id: (c) => ({ body: envelope({ method: 'ping', args: {}, ...c, _msg_id: '' }), props: JSON_PROPS }),
  cast_with_bad_method: (c) => ({ body: envelope({ method: 'nosuch', args: {}, ...c, _msg_id: undefined }), props: JSON_PROPS }),
};

function envelope(message: Record<string, unknown>): string {
  return JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) });
}

interface Answer {
  result?: unknown;
  failure?: { class: unknown; module: unknown; message: unknown };
  ending?: unknown;
}

test('raw requests get the same answers from a Python oslo server and from ours', { skip, timeout: 120_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const pyTopic = scope.topic('py');
  const tsTopic = scope.topic('ts');
  const peer = await PythonPeer.start(t, 'rpc_server.py', { url: testAmqpUrl, exchange: scope.exchange, topic: pyTopic, server: 's1' });
  scope.defer(() => peer.stop());
  const bus = await scope.openTransport();
  const server = bus.createServer({
    topic: tsTopic,
    servers: ['s1'],
    endpoints: [{ className: 'AgentEndpoint', methods: { ping: (_ctx, args) => ({ pong: 's1', kwargs: args }) } }],
  });
  await server.start();

  const conn = await amqp.connect(testAmqpUrl);
  scope.defer(() => conn.close());
  const ch = await conn.createChannel();
  const replyQueue = (await ch.assertQueue('', { exclusive: true })).queue;
  const answers = new Map<string, Answer[]>();
  await ch.consume(
    replyQueue,
    (msg) => {
      if (!msg) return;
      const reply = JSON.parse(JSON.parse(msg.content.toString('utf8'))['oslo.message'] as string) as Record<string, unknown>;
      const failure = reply.failure ? (JSON.parse(reply.failure as string) as Record<string, unknown>) : undefined;
      const answer: Answer = failure ? { failure: { class: failure.class, module: failure.module, message: failure.message } } : { result: reply.result };
      answer.ending = reply.ending;
      const key = String(reply._msg_id);
      answers.set(key, [...(answers.get(key) ?? []), answer]);
    },
    { noAck: true },
  );

  const send = (topic: string, body: string, props: Options.Publish): void => {
    ch.sendToQueue(`${topic}.s1`, Buffer.from(body, 'utf8'), props);
  };
  const control = (topic: string, name: string): Control => ({ _msg_id: `${name}-${topic}`, _reply_q: replyQueue, _timeout: null, _unique_id: randomUUID() });
  for (const topic of [pyTopic, tsTopic]) {
    for (const [name, message] of Object.entries(ANSWERED)) {
      const full = { ...message, ...control(topic, name), _timeout: message._timeout ?? null };
      send(topic, name === 'legacy_format' ? JSON.stringify(full) : envelope(full), JSON_PROPS);
    }
    for (const [name, make] of Object.entries(DROPPED)) {
      const { body, props } = make(control(topic, name));
      send(topic, body, props);
    }
    send(topic, envelope({ method: 'ping', args: { sync: true }, ...control(topic, 'sync') }), JSON_PROPS);
  }
  await waitFor('both servers to answer the final request', () => answers.has(`sync-${pyTopic}`) && answers.has(`sync-${tsTopic}`));

  for (const name of Object.keys(ANSWERED)) {
    await t.test(`answered: ${name}`, () => {
      const fromPython = answers.get(`${name}-${pyTopic}`);
      const fromOurs = answers.get(`${name}-${tsTopic}`);
      assert.ok(fromPython, `the Python server did not answer ${name}`);
      assert.deepEqual(fromOurs, fromPython);
    });
  }
  await t.test('dropped without a reply by both, and both keep serving', () => {
    for (const name of Object.keys(DROPPED)) {
      assert.equal(answers.get(`${name}-${pyTopic}`), undefined, `Python replied to ${name}`);
      assert.equal(answers.get(`${name}-${tsTopic}`), undefined, `we replied to ${name}`);
    }
    assert.deepEqual(answers.get(`sync-${tsTopic}`), answers.get(`sync-${pyTopic}`));
  });
});
