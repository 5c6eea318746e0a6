/**
 * Connection loss: the broker closes our connection (rabbitmqctl close_connection, found by its
 * connection_name) while a call is pending. The call fails at once with a typed error; the
 * transport reconnects, declares everything again and serves again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BusConnectionLostError, BusNotConnectedError, type ConnectedInfo } from '../../../src/bus/index.js';
import { BrokerScope, brokerSkip, closeConnectionByName, countConsumers, rabbitmqctlSkip, TcpRelay, testAmqpUrl, waitFor } from '../../helpers/broker.js';
import { rejectionOf } from '../../helpers/assertions.js';

const skip = await rabbitmqctlSkip();
const brokerOnlySkip = await brokerSkip();

test('a cut connection fails the pending call at once, then everything is declared again and served', { skip, timeout: 90_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  // Auto-delete queues vanish with our consumers: serving again proves they were declared again.
  const options = { autoDeleteQueues: true, retry: { initialSec: 0.5, stepSec: 0.5, maxSec: 2 } };
  const busA = await scope.openTransport(options);
  const busB = await scope.openTransport(options);

  const serverA = busA.createServer({ topic, servers: ['a'], endpoints: [{ className: 'A', methods: { ping: () => 'pong from a' } }] });
  const serverB = busB.createServer({
    topic,
    servers: ['b'],
    endpoints: [
      {
        className: 'B',
        methods: {
          ping: () => 'pong from b',
          slow: async () => {
            await sleep(4000);
            return 'slow done';
          },
        },
      },
    ],
  });
  await serverA.start();
  await serverB.start();
  const toB = busA.createClient({ topic, server: 'b', timeoutMs: 30_000 });
  const toA = busB.createClient({ topic, server: 'a', timeoutMs: 30_000 });
  assert.equal(await toA.call('ping'), 'pong from a');

  const connections: ConnectedInfo[] = [];
  busA.onConnected((info) => connections.push(info));
  const lost: BusConnectionLostError[] = [];
  busA.onDisconnected((err) => lost.push(err));

  const pending = toB.call('slow');
  pending.catch(() => undefined);
  await waitFor('the slow call to be pending', () => busA.pendingCalls === 1);
  await closeConnectionByName(busA.connectionName, 'test: cut the connection');

  const err = await rejectionOf(pending, 'the pending call must fail, not wait for its reply');
  assert.ok(err instanceof BusConnectionLostError, String(err));
  assert.equal(err.context.method, 'slow');
  assert.match(err.message, /connection lost while waiting for the reply to slow/);
  assert.equal(lost.length, 1);
  assert.equal(busA.pendingCalls, 0);

  await waitFor('the reconnection', () => connections.length === 1, 30_000);
  assert.equal(connections[0]!.generation, 2);
  await waitFor('server A to consume again', async () => (await countConsumers(`${topic}.a`)) === 1, 30_000);

  assert.equal(await toA.call('ping'), 'pong from a', 'server A serves again');
  assert.equal(await toB.call('ping'), 'pong from b', "A's client works again (its reply queue is declared again)");
  // The reply to the failed slow call arrives late: it must not be taken for another call's.
  await sleep(3000);
  assert.equal(await toB.call('ping'), 'pong from b');
});

test('a silent partition is noticed by heartbeats; reconnection fails over to the next broker; calls never hang while down', {
  skip: brokerOnlySkip,
  timeout: 120_000,
}, async (t) => {
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const relayA = await TcpRelay.start(t);
  const relayB = await TcpRelay.start(t);
  const relayed = await scope.openTransport({
    urls: [relayA.url, relayB.url],
    heartbeatSec: 1,
    connectTimeoutSec: 2,
    retry: { initialSec: 0.2, stepSec: 0.2, maxSec: 1 },
  });
  const direct = await scope.openTransport({ urls: testAmqpUrl });
  assert.match(relayed.currentUrl ?? '', new RegExp(`:${relayA.port}/`));

  await relayed.createServer({ topic, servers: ['relayed'], endpoints: [{ className: 'A', methods: { where: () => 'relayed' } }] }).start();
  await direct
    .createServer({
      topic,
      servers: ['direct'],
      endpoints: [
        {
          className: 'B',
          methods: {
            slow: async () => {
              await sleep(8000);
              return 'slow';
            },
          },
        },
      ],
    })
    .start();
  const toRelayed = direct.createClient({ topic, server: 'relayed', timeoutMs: 20_000 });
  assert.equal(await toRelayed.call('where'), 'relayed');

  const pending = relayed.createClient({ topic, server: 'direct', timeoutMs: 60_000 }).call('slow');
  pending.catch(() => undefined);
  await waitFor('the call to be pending', () => relayed.pendingCalls === 1);
  const reconnected = new Promise<ConnectedInfo>((resolve) => relayed.onConnected(resolve));
  relayA.freeze();

  await assert.rejects(pending, BusConnectionLostError);
  const info = await reconnected;
  assert.match(info.url, new RegExp(`:${relayB.port}/`), 'the frozen first broker is skipped for the second');
  await waitFor(
    'the relayed server to serve again',
    async () => (await toRelayed.call('where', {}, { timeoutMs: 2000 }).catch(() => null)) === 'relayed',
    30_000,
  );

  // Every broker down: a call waits for a connection only until its own deadline.
  await relayA.kill();
  await relayB.kill();
  await waitFor('the disconnection', () => !relayed.isConnected, 20_000);
  const err = await rejectionOf(relayed.createClient({ topic, server: 'direct' }).call('slow', {}, { timeoutMs: 1500 }), 'no broker: the call must fail');
  assert.ok(err instanceof BusNotConnectedError, String(err));

  await relayB.revive();
  await waitFor('the reconnection to the revived broker', () => relayed.isConnected, 30_000);
  await waitFor('serving again', async () => (await toRelayed.call('where', {}, { timeoutMs: 2000 }).catch(() => null)) === 'relayed', 30_000);
});

test('a lost connection is replaced through the next broker at once, even a young one; a second young drop in a row waits its back-off', {
  skip: brokerOnlySkip,
  timeout: 60_000,
}, async (t) => {
  const scope = new BrokerScope(t);
  const relays = [await TcpRelay.start(t), await TcpRelay.start(t), await TcpRelay.start(t)];
  const transport = await scope.openTransport({
    urls: relays.map((r) => r.url),
    heartbeatSec: 1,
    connectTimeoutSec: 2,
    // A first delay long enough to tell "at once" from "after a back-off" by the events alone.
    retry: { initialSec: 3, stepSec: 1, maxSec: 5 },
  });
  const port = (): string => /:(\d+)\//.exec(transport.currentUrl ?? '')?.[1] ?? '';
  assert.equal(port(), String(relays[0]!.port));
  const waits: number[] = [];
  t.after(transport.onReconnecting((info) => waits.push(info.delayMs)));
  const connections: string[] = [];
  t.after(transport.onConnected((info) => connections.push(/:(\d+)\//.exec(info.url)?.[1] ?? '')));

  // The connection through the first relay is young (under 5 s) when it goes: no waiting, and the
  // next broker is tried first, not the one just lost.
  await relays[0]!.kill();
  await waitFor('connected through the second relay', () => connections.length === 1, 20_000, 20);
  assert.equal(connections[0], String(relays[1]!.port));
  assert.deepEqual(waits, [], 'no back-off before trying the other brokers');

  // Another young connection dropped right after: a broker that accepts and drops is not spun on.
  await relays[1]!.kill();
  await waitFor('connected through the third relay', () => connections.length === 2, 20_000, 20);
  assert.equal(connections[1], String(relays[2]!.port), 'the next one after the lost one');
  assert.ok(waits.length >= 1 && waits[0]! >= 3000, `a back-off before the second attempt: ${JSON.stringify(waits)}`);
});
