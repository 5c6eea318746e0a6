/**
 * Every combination of the RabbitMQ options a deployment sets, against real oslo.messaging peers on
 * one topic: oslo 18.1 (../shared/peers) for rabbit_quorum_queue × rabbit_transient_quorum_queue ×
 * rabbit_stream_fanout (with rabbit_qos_prefetch_count, which it needs) × use_queue_manager ×
 * enable_cancel_on_failover, and Debian's oslo 14.0.3 for the options it has (rabbit_quorum_queue ×
 * enable_cancel_on_failover × rabbit_qos_prefetch_count). For each: an oslo RPC server and ours
 * serve the same topic (oslo's declared first, so any flag of ours that differs is a 406), each
 * answers a call from the other side's client, a fanout cast from oslo's client reaches both, and
 * the broker lists our server, fanout and reply queues with oslo's type and flags.
 *
 * Combinations oslo refuses at start-up (stream fanout without transient quorum queues) are
 * refused by the agent with oslo's text (test/unit/bus). Where oslo's own consumers cannot run —
 * enable_cancel_on_failover with any quorum queue: RabbitMQ refuses x-cancel-on-ha-failover on a
 * quorum queue's consumer, and oslo 14 and 18.1 pass it on every consumer — the agent, which passes
 * it on classic queues only, is shown to serve with our own client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BusOptions } from '../../../src/bus/index.js';
import { BrokerScope, listQueues, queueTypes, rabbitmqctlSkip, type QueueRow } from '../../helpers/broker.js';
import { OSLO18_ENV, PythonPeer, oslo18Skip, pythonSkip, runPythonPeer } from '../../helpers/python.js';

const brokerSkip = await rabbitmqctlSkip();
const skip14 = brokerSkip || (await pythonSkip());
const skip18 = brokerSkip || (await oslo18Skip());

interface Combination {
  quorum: boolean;
  transientQuorum: boolean;
  streamFanout: boolean;
  queueManager: boolean;
  cancelOnFailover: boolean;
  prefetch: number;
}

function describe(c: Combination): string {
  const on = [
    c.quorum && 'quorum',
    c.transientQuorum && 'transient quorum',
    c.streamFanout && 'stream fanout',
    c.queueManager && 'queue manager',
    c.cancelOnFailover && 'cancel on failover',
    c.prefetch > 0 && `prefetch ${c.prefetch}`,
  ].filter(Boolean);
  return on.length ? on.join(' + ') : 'classic (defaults)';
}

function busOf(c: Combination): Partial<BusOptions> {
  return {
    quorumQueues: c.quorum,
    transientQuorumQueues: c.transientQuorum,
    streamFanout: c.streamFanout,
    useQueueManager: c.queueManager,
    ...(c.queueManager ? { queueManagerHostname: 'cn-qm' } : {}),
    cancelOnFailover: c.cancelOnFailover,
    qosPrefetchCount: c.prefetch,
  };
}

function rabbitOf(c: Combination, oslo18: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.quorum) out.rabbit_quorum_queue = true;
  if (c.cancelOnFailover) out.enable_cancel_on_failover = true;
  if (c.prefetch > 0) out.rabbit_qos_prefetch_count = c.prefetch;
  if (oslo18) {
    if (c.transientQuorum) out.rabbit_transient_quorum_queue = true;
    if (c.streamFanout) out.rabbit_stream_fanout = true;
    if (c.queueManager) Object.assign(out, { use_queue_manager: true, hostname: 'cn-qm', processname: 'oslo-peer' });
  }
  return out;
}

/** Every combination of the booleans that oslo's start-up checks allow. */
function oslo18Combinations(): Combination[] {
  const out: Combination[] = [];
  for (let bits = 0; bits < 32; bits++) {
    const [quorum, transientQuorum, streamFanout, queueManager, cancelOnFailover] = [0, 1, 2, 3, 4].map((i) => (bits & (1 << i)) !== 0) as [
      boolean,
      boolean,
      boolean,
      boolean,
      boolean,
    ];
    if (streamFanout && !transientQuorum) continue; // oslo: "rabbit_stream_fanout need rabbit_transient_quorum_queue"
    out.push({ quorum, transientQuorum, streamFanout, queueManager, cancelOnFailover, prefetch: streamFanout ? 10 : 0 });
  }
  return out;
}

function oslo14Combinations(): Combination[] {
  const out: Combination[] = [];
  for (const quorum of [false, true]) {
    for (const cancelOnFailover of [false, true]) {
      for (const prefetch of [0, 20]) out.push({ quorum, transientQuorum: false, streamFanout: false, queueManager: false, cancelOnFailover, prefetch });
    }
  }
  return out;
}

/** oslo's own consumers work: no cancel-on-failover on a quorum queue. */
const osloCanConsume = (c: Combination): boolean => !(c.cancelOnFailover && (c.quorum || c.transientQuorum));

const flags = (row: QueueRow | undefined, types: Map<string, string>): string =>
  row ? [types.get(row.name) ?? '?', row.durable, row.autoDelete, row.exclusive, row.arguments].join(' ') : 'missing';

interface Served {
  event: string;
  method?: string;
}

async function againstOslo(t: import('node:test').TestContext, c: Combination, oslo18: boolean): Promise<void> {
  const scope = new BrokerScope(t);
  const topic = scope.topic('combo');
  const env = oslo18 ? OSLO18_ENV : {};
  const peerParams = { url: scope.url, exchange: scope.exchange, rabbit: rabbitOf(c, oslo18), oslo18 };
  const peer = await PythonPeer.start(t, 'rpc_server.py', { ...peerParams, topic, server: 'py' }, 60_000, env);
  scope.defer(() => peer.stop());

  const bus = await scope.openTransport(busOf(c));
  const fanouts: string[] = [];
  const server = bus.createServer({
    topic,
    servers: ['ts'],
    endpoints: [
      {
        className: 'AgentEndpoint',
        methods: { ping: (_ctx: unknown, args: Record<string, unknown>) => (args.fanout ? void fanouts.push('ping') : { pong: 'ts' }) },
      },
    ],
  });
  await server.start();
  scope.defer(() => server.stop());

  const client = bus.createClient({ topic });
  assert.deepEqual(
    await client.prepare({ server: 'py', timeoutMs: 30_000 }).call('ping', { x: 1 }),
    { pong: 'py', kwargs: { x: 1 } },
    'our client → oslo server',
  );
  const out = await runPythonPeer<{ results: Array<{ ok: boolean; result?: unknown }>; reply_q: string | null }>(
    'rpc_client.py',
    {
      ...peerParams,
      topic,
      ops: [
        { kind: 'call', method: 'ping', args: {}, server: 'ts', timeout: 30 },
        { kind: 'fanout', method: 'ping', args: { fanout: true } },
      ],
    },
    90_000,
    env,
  );
  scope.trackQueue(out.reply_q);
  assert.ok(out.results[0]?.ok, `oslo client → our server: ${JSON.stringify(out.results[0])}`);
  assert.deepEqual(out.results[0]?.result, { pong: 'ts' });
  assert.ok(out.results[1]?.ok, `oslo fanout cast: ${JSON.stringify(out.results[1])}`);
  const deadline = Date.now() + 20_000;
  while (
    (fanouts.length === 0 ||
      !peer.events.some((e) => (e as Served).event === 'served' && (e as Served).method === 'ping' && JSON.stringify(e).includes('fanout'))) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(fanouts.length, 1, 'the fanout cast reached our server once');
  assert.ok(
    peer.events.some((e) => (e as Served).event === 'served' && JSON.stringify(e).includes('fanout')),
    'and the oslo server',
  );

  const [rows, types] = await Promise.all([listQueues(), queueTypes()]);
  const row = (name: string | null | undefined) => rows.find((q) => q.name === name);
  assert.equal(flags(row(`${topic}.ts`), types), flags(row(`${topic}.py`), types), 'server queues');
  const osloFanout = String(peer.events.find((e) => (e as Served).event === 'ready')?.fanout_queue ?? `${topic}_fanout`);
  assert.equal(flags(row(server.queues.fanout), types), flags(row(osloFanout), types), 'fanout queues');
  if (c.streamFanout) assert.equal(types.get(server.queues.fanout), 'stream');
  assert.equal(flags(row(bus.replyQueueName), types), flags(row(out.reply_q), types), 'reply queues');
  if (c.queueManager) assert.match(bus.replyQueueName, /^reply_cn-qm:[^:]+:\d+$/);
}

async function alone(t: import('node:test').TestContext, c: Combination): Promise<void> {
  const scope = new BrokerScope(t);
  const topic = scope.topic('alone');
  const bus = await scope.openTransport(busOf(c));
  const server = bus.createServer({ topic, servers: ['ts'], endpoints: [{ className: 'AgentEndpoint', methods: { ping: () => ({ pong: 'ts' }) } }] });
  await server.start();
  scope.defer(() => server.stop());
  const client = bus.createClient({ topic });
  assert.deepEqual(await client.prepare({ server: 'ts', timeoutMs: 30_000 }).call('ping'), { pong: 'ts' });
  assert.deepEqual(await client.call('ping'), { pong: 'ts' }, 'through the shared topic queue');
  const types = await queueTypes();
  assert.equal(types.get(`${topic}.ts`), c.quorum ? 'quorum' : 'classic');
  assert.equal(types.get(bus.replyQueueName), c.transientQuorum ? 'quorum' : 'classic');
}

for (const c of oslo18Combinations()) {
  const title = osloCanConsume(c)
    ? `oslo.messaging 18.1 and the agent on one topic, ${describe(c)}: calls both ways, a fanout cast, oslo's queue flags`
    : `${describe(c)}: oslo 18.1's consumers cannot run (x-cancel-on-ha-failover on a quorum queue); the agent serves`;
  test(title, { skip: osloCanConsume(c) ? skip18 : brokerSkip, timeout: 180_000 }, (t) => (osloCanConsume(c) ? againstOslo(t, c, true) : alone(t, c)));
}

for (const c of oslo14Combinations()) {
  const title = osloCanConsume(c)
    ? `oslo.messaging 14.0.3 and the agent on one topic, ${describe(c)}: calls both ways, a fanout cast, oslo's queue flags`
    : `${describe(c)} (oslo 14.0.3's options): oslo's consumers cannot run; the agent serves`;
  test(title, { skip: osloCanConsume(c) ? skip14 : brokerSkip, timeout: 180_000 }, (t) => (osloCanConsume(c) ? againstOslo(t, c, false) : alone(t, c)));
}
