/**
 * Our client and our server together on the real broker: addressing, casts and fanout,
 * concurrency, call-monitor heartbeats, graceful stop, ping, and the client's argument checks.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { BusTimeoutError, BusUsageError, type RpcCallContext, type RpcEndpoint } from '../../../src/bus/index.js';
import { BrokerScope, brokerSkip, listQueues, rabbitmqctlSkip, testAmqpUrl, waitFor } from '../../helpers/broker.js';
import { rejectionOf } from '../../helpers/assertions.js';
import { captureLogs } from '../../helpers/logs.js';

const skip = await brokerSkip();
const ctlSkip = await rabbitmqctlSkip();

/** A new scope's transport and a started server `cn1` on the scope's `agent` topic, serving `methods`. */
async function serving(t: TestContext, methods: RpcEndpoint['methods']) {
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const bus = await scope.openTransport();
  const server = bus.createServer({ topic, servers: ['cn1'], endpoints: [{ className: 'AgentManager', methods }] });
  await server.start();
  return { scope, topic, bus, server };
}

test('calls reach the server by topic and by each of its names; casts and fanout casts too', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const busA = await scope.openTransport();
  const busB = await scope.openTransport();

  const seen: Array<{ server: string; method: string; kind: string; queue: string; args: unknown }> = [];
  const endpointFor = (server: string) => ({
    className: 'AgentManager',
    methods: {
      whoami: (ctx: RpcCallContext) => ({ server, queue: ctx.queue }),
      note: (ctx: RpcCallContext, args: Record<string, unknown>) => {
        seen.push({ server, method: ctx.method, kind: ctx.kind, queue: ctx.queue, args });
      },
    },
  });
  const serverA = busA.createServer({ topic, servers: ['cn1', 'cn1.example.org'], endpoints: [endpointFor('A')] });
  const serverB = busB.createServer({ topic, servers: ['cn2'], endpoints: [endpointFor('B')] });
  await serverA.start();
  await serverB.start();

  const client = busA.createClient({ topic });
  assert.deepEqual(await client.prepare({ server: 'cn1' }).call('whoami'), { server: 'A', queue: `${topic}.cn1` });
  assert.deepEqual(await client.prepare({ server: 'cn1.example.org' }).call('whoami'), { server: 'A', queue: `${topic}.cn1.example.org` });
  assert.deepEqual(await client.prepare({ server: 'cn2' }).call('whoami'), { server: 'B', queue: `${topic}.cn2` });
  const viaTopic = (await client.call('whoami')) as { queue: string };
  assert.equal(viaTopic.queue, topic, 'a call without a server goes to the shared topic queue');

  await client.prepare({ server: 'cn2' }).cast('note', { n: 1 });
  await client.fanoutCast('note', { n: 2 });
  await waitFor('the cast and both fanout deliveries', () => seen.length >= 3);
  await sleep(200);
  assert.deepEqual(
    seen.filter((s) => (s.args as { n: number }).n === 1),
    [{ server: 'B', method: 'note', kind: 'cast', queue: `${topic}.cn2`, args: { n: 1 } }],
  );
  const fanout = seen
    .filter((s) => (s.args as { n: number }).n === 2)
    .map((s) => s.server)
    .sort();
  assert.deepEqual(fanout, ['A', 'B'], 'a fanout cast reaches every server of the topic');
});

test('a slow call does not block the others', { skip, timeout: 60_000 }, async (t) => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { topic, bus, server } = await serving(t, { blocked: async () => gate.then(() => 'released'), quick: () => 'quick' });
  const client = bus.createClient({ topic, server: 'cn1', timeoutMs: 20_000 });
  const slow = client.call('blocked');
  assert.equal(await client.call('quick'), 'quick', 'answered while the other call is still running');
  await waitFor('only the blocked call to remain in flight', () => server.inFlight === 1);
  release();
  assert.equal(await slow, 'released');
});

test('call-monitor: our server heartbeats keep a call alive; without heartbeats the monitor fails it early', { skip, timeout: 60_000 }, async (t) => {
  const { topic, bus } = await serving(t, {
    slow: async (ctx) => {
      await sleep(3000);
      return `timeout was ${String(ctx.clientTimeout)}`;
    },
  });
  const client = bus.createClient({ topic, timeoutMs: 30_000 });
  assert.equal(await client.prepare({ server: 'cn1' }).call('slow', {}, { callMonitorTimeoutMs: 2000 }), 'timeout was 2');

  // A server name nobody consumes: no reply and no heartbeat, so the 2 s monitor fires long before the 30 s timeout.
  const started = Date.now();
  const err = await rejectionOf(client.prepare({ server: 'nobody' }).call('slow', {}, { callMonitorTimeoutMs: 2000 }), 'expected a timeout');
  assert.ok(err instanceof BusTimeoutError);
  assert.equal(err.context.kind, 'call-monitor');
  assert.ok(Date.now() - started < 25_000, 'the call-monitor timeout, not the overall one, ended the call');
});

test('stop() lets calls in flight finish, then deletes the fanout queue; the server queues stay', { skip: skip || ctlSkip, timeout: 60_000 }, async (t) => {
  const { topic, bus, server } = await serving(t, {
    slow: async () => {
      await sleep(1500);
      return 'finished';
    },
  });
  const fanoutName = server.queues.fanout;
  assert.ok((await listQueues()).some((q) => q.name === fanoutName));

  const call = bus.createClient({ topic, server: 'cn1' }).call('slow');
  await waitFor('the call to be running', () => server.inFlight === 1);
  const stopped = await server.stop({ timeoutMs: 20_000 });
  assert.deepEqual(stopped, { abandonedCalls: 0, fanoutQueueDeleted: true });
  assert.equal(await call, 'finished');
  const names = (await listQueues()).map((q) => q.name);
  assert.ok(!names.includes(fanoutName), 'the fanout queue is deleted');
  assert.ok(names.includes(topic) && names.includes(`${topic}.cn1`), 'the topic and server queues stay');
});

test('stop() with a short grace period aborts the signal of calls still running', { skip, timeout: 60_000 }, async (t) => {
  let aborted = false;
  const { topic, bus, server } = await serving(t, {
    forever: (ctx) =>
      new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          resolve('aborted');
        });
      }),
  });
  void bus.createClient({ topic, server: 'cn1', timeoutMs: 5000 }).cast('forever');
  await waitFor('the cast to be running', () => server.inFlight === 1);
  const stopped = await server.stop({ timeoutMs: 300 });
  assert.equal(stopped.abandonedCalls, 1);
  assert.equal(aborted, true);
});

test('oslo_rpc_server_ping answers "pong" when ping is enabled, NoSuchMethod otherwise', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const bus = await scope.openTransport({ pingEnabled: true });
  const withPing = bus.createServer({ topic: scope.topic('ping'), servers: ['cn1'], endpoints: [{ className: 'A', methods: { x: () => 1 } }] });
  const withoutPing = bus.createServer({
    topic: scope.topic('noping'),
    servers: ['cn1'],
    pingEnabled: false,
    endpoints: [{ className: 'A', methods: { x: () => 1 } }],
  });
  await withPing.start();
  await withoutPing.start();
  assert.equal(await bus.createClient({ topic: scope.topic('ping') }).call('oslo_rpc_server_ping'), 'pong');
  await assert.rejects(bus.createClient({ topic: scope.topic('noping') }).call('oslo_rpc_server_ping'), (e: unknown) => (e as Error).name === 'RemoteError');
});

test('the client refuses bad method names, non-object args and versions above its cap, without sending', { skip, timeout: 30_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const bus = await scope.openTransport();
  const client = bus.createClient({ topic: scope.topic('agent') });
  await assert.rejects(client.call(''), BusUsageError);
  await assert.rejects(client.call('m', [] as unknown as Record<string, unknown>), BusUsageError);
  await assert.rejects(client.cast('m', null as unknown as Record<string, unknown>), BusUsageError);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await assert.rejects(client.cast('m', { cyclic }), /cannot be serialised to JSON/);
  await assert.rejects(client.prepare({ version: '1.5', versionCap: '1.0' }).call('m'), /above the version cap 1\.0/);
  assert.throws(() => bus.createClient({ topic: '' }), BusUsageError);
  assert.throws(() => bus.createServer({ topic: 'x', servers: [], endpoints: [{ className: 'A', methods: {} }] }), BusUsageError);
  assert.throws(() => bus.createServer({ topic: 'x', servers: ['a'], endpoints: [{ className: 'A', methods: { m: 42 as never } }] }), BusUsageError);
});

test('a reply whose caller is gone is returned by the broker and logged; the server keeps serving', { skip, timeout: 30_000 }, async (t) => {
  const logs = captureLogs(t, 'info', { format: 'auto' });

  const { scope, topic, bus } = await serving(t, { ping: () => 'pong' });

  const conn = await amqp.connect(testAmqpUrl);
  scope.defer(() => conn.close());
  const ch = await conn.createChannel();
  const gone = `reply_${scope.prefix}gone`;
  const request = { method: 'ping', args: {}, version: '1.0', _msg_id: 'a'.repeat(32), _reply_q: gone, _timeout: null, _unique_id: 'b'.repeat(32) };
  ch.publish(scope.exchange, `${topic}.cn1`, Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(request) })), {
    contentType: 'application/json',
  });
  await waitFor('the returned reply to be logged', () => logs.text().includes('reply returned by the broker'));
  assert.ok(logs.text().includes(gone));
  assert.equal(await bus.createClient({ topic, server: 'cn1' }).call('ping'), 'pong');
});
