/**
 * Our RPC client calls a real Python oslo.messaging RPCServer (14.x): results, failures of
 * builtin and Cyborg classes, call-monitor heartbeats, casts, fanout casts, the report_data call,
 * timeouts and late replies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { BusTimeoutError, RemoteError } from '../../../src/bus/index.js';
import { BrokerScope, brokerSkip, testAmqpUrl, waitFor } from '../../helpers/broker.js';
import { amqpFixturesDir } from '../../helpers/paths.js';
import { PythonPeer, pythonSkip } from '../../helpers/python.js';
import { rejectionOf } from '../../helpers/assertions.js';

const skip = (await brokerSkip()) || (await pythonSkip());

/** The `args` of the report_data request captured from real oslo.messaging (contract §3.6). */
function capturedReportArgs(): Record<string, unknown> {
  const captures = JSON.parse(readFileSync(path.join(amqpFixturesDir, 'A_oslo_requests.json'), 'utf8')) as {
    call_report_data: { wire: Array<{ 'oslo.message': { args: Record<string, unknown> } }> };
  };
  return captures.call_report_data.wire[0]!['oslo.message'].args;
}

test('our RPC client against a Python RPCServer', { skip, timeout: 180_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const topic = scope.topic('conductor');
  const peer = await PythonPeer.start(t, 'rpc_server.py', { url: testAmqpUrl, exchange: scope.exchange, topic, server: 'pycond' });
  scope.defer(() => peer.stop());
  const bus = await scope.openTransport({ rpcResponseTimeoutSec: 20 });
  const client = bus.createClient({ topic, server: 'pycond' });

  await t.test('a result', async () => {
    assert.deepEqual(await client.call('ping', { x: 1 }), { pong: 'pycond', kwargs: { x: 1 } });
    const value = { list: [1, 2.5, 'é✓'], none: null, flag: false, nested: { a: {} } };
    assert.deepEqual(await client.call('echo', { value }), value);
  });

  await t.test('a builtin failure becomes a RemoteError of class ValueError, module builtins', async () => {
    const err = await rejectionOf(client.call('fail_builtin', { message: 'bad input' }), 'expected a failure');
    assert.ok(err instanceof RemoteError);
    assert.equal(err.className, 'ValueError');
    assert.equal(err.module, 'builtins');
    assert.equal(err.remoteMessage, 'bad input');
    assert.deepEqual(err.remoteArgs, ['bad input']);
    assert.deepEqual(err.remoteKwargs, {});
    assert.match(err.remoteTraceback.join(''), /ValueError: bad input/);
    assert.equal(err.context.method, 'fail_builtin');
  });

  await t.test('a Cyborg PlacementResourceProviderNotFound is recognisable, with its kwargs', async () => {
    const err = await rejectionOf(client.call('fail_cyborg', { resource_provider: 'cn1.example.org' }), 'expected a failure');
    assert.ok(err instanceof RemoteError);
    assert.ok(err.is('PlacementResourceProviderNotFound'));
    assert.equal(err.module, 'cyborg.common.exception');
    assert.deepEqual(err.remoteKwargs, { resource_provider: 'cn1.example.org', code: 404 });
    assert.equal(err.remoteMessage, 'Placement resource provider not found: cn1.example.org.');
  });

  await t.test('an unknown method is NoSuchMethod from the oslo dispatcher', async () => {
    await assert.rejects(client.call('nosuch'), (e: unknown) => e instanceof RemoteError && e.is('NoSuchMethod', 'oslo_messaging.rpc.dispatcher'));
  });

  await t.test('with callMonitorTimeoutMs, the server heartbeats keep a long call alive', async () => {
    assert.equal(await client.call('slow', { seconds: 3 }, { callMonitorTimeoutMs: 2000, timeoutMs: 20_000 }), 'done after 3s');
  });

  await t.test('report_data with the captured device list reaches the Python endpoint intact, with an admin context', async () => {
    const args = capturedReportArgs();
    assert.equal(await bus.createClient({ topic }).call('report_data', args), null);
    const served = await peer.waitForEvent('served', 10_000, (e) => e.method === 'report_data');
    assert.deepEqual(served.args, args);
    const context = served.context as Record<string, unknown>;
    assert.equal(context.is_admin, true);
    assert.equal(context.user_identity, '- - - - -');
    assert.match(String(context.request_id), /^req-[0-9a-f-]{36}$/);
    assert.equal(context.client_timeout, null);
  });

  await t.test('a cast and a fanout cast are served by the Python server', async () => {
    await client.cast('ping', { via: 'cast' });
    await bus.createClient({ topic }).fanoutCast('ping', { via: 'fanout' });
    await peer.waitForEvent('served', 10_000, (e) => (e.args as Record<string, unknown>).via === 'cast');
    await peer.waitForEvent('served', 10_000, (e) => (e.args as Record<string, unknown>).via === 'fanout');
  });

  await t.test('a call nobody consumes times out, and its request expires from the queue', async () => {
    // A server queue that exists but has no consumer: the request waits there until it expires.
    const conn = await amqp.connect(testAmqpUrl);
    t.after(() => conn.close().catch(() => undefined));
    const ch = await conn.createChannel();
    const idle = `${topic}.idle`;
    await ch.assertQueue(idle, { durable: false, autoDelete: false });
    await ch.bindQueue(idle, scope.exchange, idle);
    const err = await rejectionOf(bus.createClient({ topic, server: 'idle' }).call('ping', {}, { timeoutMs: 1500 }), 'expected a timeout');
    assert.ok(err instanceof BusTimeoutError);
    assert.equal(err.context.method, 'ping');
    assert.equal(bus.pendingCalls, 0);
    // The request carried expiration = the call timeout: the broker drops it instead of keeping it for a late run.
    await waitFor('the request to expire from the idle queue', async () => (await ch.checkQueue(idle)).messageCount === 0, 10_000);
  });

  await t.test('a late reply is dropped and never answers a later call', async () => {
    await assert.rejects(client.call('slow', { seconds: 2 }, { timeoutMs: 800 }), BusTimeoutError);
    await sleep(2500);
    assert.deepEqual(await client.call('echo', { value: 'fresh' }), 'fresh');
  });
});
