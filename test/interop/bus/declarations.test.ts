/**
 * Declaration compatibility: a Python oslo.messaging server and ours, on the same exchange and
 * topic with the same options, start in either order without a 406, and the broker lists the
 * objects each declared with identical flags — for oslo's defaults (also checked against the
 * capture test/fixtures/amqp/E_broker_objects.json) and for the durable, auto-delete, quorum and
 * HA variants.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BusOptions } from '../../../src/bus/index.js';
import { BrokerScope, countConsumers, listExchanges, listQueues, rabbitmqctlSkip, testAmqpUrl, type QueueRow } from '../../helpers/broker.js';
import { amqpFixturesDir } from '../../helpers/paths.js';
import { PythonPeer, pythonSkip, runPythonPeer } from '../../helpers/python.js';

const skip = (await rabbitmqctlSkip()) || (await pythonSkip());

interface Variant {
  name: string;
  ours: Partial<BusOptions>;
  oslo: Record<string, unknown>;
}

const VARIANTS: Variant[] = [
  { name: 'oslo defaults', ours: {}, oslo: {} },
  { name: 'amqp_durable_queues', ours: { durableQueues: true }, oslo: { amqp_durable_queues: true } },
  { name: 'amqp_auto_delete', ours: { autoDeleteQueues: true }, oslo: { amqp_auto_delete: true } },
  { name: 'rabbit_quorum_queue', ours: { quorumQueues: true }, oslo: { rabbit_quorum_queue: true } },
  { name: 'rabbit_ha_queues', ours: { haQueues: true }, oslo: { rabbit_ha_queues: true } },
  { name: 'rabbit_transient_queues_ttl=600', ours: { transientQueuesTtlSec: 600 }, oslo: { rabbit_transient_queues_ttl: 600 } },
];

/** The flag columns of a queue row (durable, auto_delete, exclusive, arguments). */
const flags = (row: QueueRow | undefined): string => (row ? [row.durable, row.autoDelete, row.exclusive, row.arguments].join('\t') : 'missing');

async function startBoth(t: TestContext, scope: BrokerScope, topic: string, variant: Variant, pythonFirst: boolean) {
  const startPython = () =>
    PythonPeer.start(t, 'rpc_server.py', { url: testAmqpUrl, exchange: scope.exchange, topic, server: 'py', rabbit: variant.oslo }).then((peer) => {
      scope.defer(() => peer.stop());
      return peer;
    });
  const startOurs = async () => {
    const bus = await scope.openTransport(variant.ours);
    const server = bus.createServer({ topic, servers: ['ts'], endpoints: [{ className: 'AgentEndpoint', methods: { ping: () => ({ pong: 'ts' }) } }] });
    await server.start();
    return { bus, server };
  };
  if (pythonFirst) {
    const peer = await startPython();
    return { peer, ...(await startOurs()) };
  }
  const ours = await startOurs();
  return { peer: await startPython(), ...ours };
}

for (const variant of VARIANTS) {
  test(`declarations coexist with oslo.messaging: ${variant.name}`, { skip, timeout: 120_000 }, async (t) => {
    const scope = new BrokerScope(t);
    for (const pythonFirst of [true, false]) {
      const topic = scope.topic(pythonFirst ? 'pyfirst' : 'tsfirst');
      const { peer, bus, server } = await startBoth(t, scope, topic, variant, pythonFirst);
      const fanoutOfPython = String(peer.events.find((e) => e.event === 'ready')?.fanout_queue);

      // Both serve: each by name, and the shared topic queue.
      const client = bus.createClient({ topic });
      assert.deepEqual(await client.prepare({ server: 'ts' }).call('ping'), { pong: 'ts' });
      assert.deepEqual(await client.prepare({ server: 'py' }).call('ping', { x: 1 }), { pong: 'py', kwargs: { x: 1 } });

      const queues = await listQueues();
      const row = (name: string) => queues.find((q) => q.name === name);
      assert.equal(flags(row(`${topic}.ts`)), flags(row(`${topic}.py`)), `${pythonFirst ? 'python first' : 'ours first'}: server queues`);
      assert.equal(flags(row(server.queues.fanout)), flags(row(fanoutOfPython)), 'fanout queues');
      assert.equal(await countConsumers(topic), 2, 'both consume the shared topic queue');
      const exchanges = await listExchanges();
      assert.ok(exchanges.some((e) => e.name === scope.exchange));
      assert.ok(exchanges.some((e) => e.name === `${topic}_fanout`));
    }
  });
}

test("with oslo's defaults, the broker's view matches the capture of real oslo objects", { skip, timeout: 120_000 }, async (t) => {
  const captured = JSON.parse(readFileSync(path.join(amqpFixturesDir, 'E_broker_objects.json'), 'utf8')) as { queues: string[]; exchanges: string[] };
  /** The capture's row for `name`, without its name and consumer count. */
  const capturedQueue = (name: string): string => {
    const line = captured.queues.find((q) => q.startsWith(`${name}\t`));
    assert.ok(line, `no ${name} in the capture`);
    return line.split('\t').slice(1, 5).join('\t');
  };
  const capturedExchange = (name: string): string => {
    const line = captured.exchanges.find((e) => e.startsWith(`${name}\t`));
    assert.ok(line, `no ${name} in the capture`);
    return line.split('\t').slice(1).join('\t');
  };

  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const bus = await scope.openTransport();
  const server = bus.createServer({ topic, servers: ['cn1'], endpoints: [{ className: 'AgentManager', methods: { ping: () => 'pong' } }] });
  await server.start();
  assert.equal(await bus.createClient({ topic, server: 'cn1' }).call('ping'), 'pong');
  // A Python caller's reply queue, for comparison with ours.
  const py = await runPythonPeer<{ results: Array<{ ok: boolean }>; reply_q: string }>('rpc_client.py', {
    url: testAmqpUrl,
    exchange: scope.exchange,
    topic,
    ops: [{ kind: 'call', method: 'ping', server: 'cn1' }],
  });
  scope.trackQueue(py.reply_q);
  assert.equal(py.results[0]!.ok, true);

  const queues = await listQueues();
  const row = (name: string) => queues.find((q) => q.name === name);
  assert.equal(flags(row(topic)), capturedQueue('cyborg-agent'));
  assert.equal(flags(row(`${topic}.cn1`)), capturedQueue('cyborg-agent.cap-agent-61fada'));
  assert.equal(flags(row(server.queues.fanout)), capturedQueue('cyborg-agent_fanout_1adaf14313e941148e95fa6be658589f'));
  assert.equal(flags(row(bus.replyQueueName)), capturedQueue('reply_76790eb93fbd4185a3dff250a6008965'));
  assert.equal(flags(row(bus.replyQueueName)), flags(row(py.reply_q)), "our reply queue is declared as a Python caller's");

  const exchanges = await listExchanges();
  const exchangeRow = (name: string) =>
    exchanges
      .find((e) => e.name === name)
      ?.raw.split('\t')
      .slice(1)
      .join('\t');
  assert.equal(exchangeRow(scope.exchange), capturedExchange('cyborg'));
  assert.equal(exchangeRow(`${topic}_fanout`), capturedExchange('cyborg-agent_fanout'));
});
