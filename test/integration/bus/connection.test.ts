/**
 * Connecting: failover over a broker list, oslo's comma form, a list of dead brokers, a virtual
 * host of the test's own, kombu-like client properties and the negotiated heartbeat — and no
 * password in any log line or error while all of that happens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusConfigError, BusConnectionError, openTransport } from '../../../src/bus/index.js';
import {
  BrokerScope,
  brokerSkip,
  closeConnectionByName,
  listQueues,
  rabbitmqctl,
  rabbitmqctlSkip,
  randomToken,
  testAmqpUrl,
  waitFor,
} from '../../helpers/broker.js';
import { rejectionOf } from '../../helpers/assertions.js';
import { captureLogs } from '../../helpers/logs.js';

const skip = await brokerSkip();
const ctlSkip = await rabbitmqctlSkip();
const broker = new URL(testAmqpUrl);
const hostPort = `${broker.hostname}:${broker.port || '5672'}`;
const guest = `${decodeURIComponent(broker.username || 'guest')}:${decodeURIComponent(broker.password || 'guest')}`;
/** A port nothing listens on. */
const DEAD = '127.0.0.1:1';

test('a broker list whose first URL is dead connects to the second', { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const bus = await scope.openTransport({ urls: [`amqp://${guest}@${DEAD}/`, testAmqpUrl] });
  assert.equal(bus.isConnected, true);
  assert.match(bus.currentUrl ?? '', new RegExp(`@${hostPort.replace('.', '\\.')}/$`));
});

test("oslo's transport_url form rabbit://u:p@h1,u:p@h2/ fails over the same way", { skip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const bus = await scope.openTransport({ urls: `rabbit://${guest}@${DEAD},${guest}@${hostPort}/` });
  assert.match(bus.currentUrl ?? '', new RegExp(`^amqp://guest:\\*\\*\\*@${hostPort.replace('.', '\\.')}/$`));
});

test('when no broker answers, opening fails with every broker named (masked) and the reason', { skip, timeout: 60_000 }, async () => {
  const err = await rejectionOf(
    openTransport({
      urls: [`amqp://guest:hunter2@${DEAD}/`, 'amqp://guest:hunter2@127.0.0.1:2/'],
      openTimeoutSec: 2,
      retry: { initialSec: 0.2, stepSec: 0.2, maxSec: 0.5 },
    }),
    'expected a connection error',
  );
  assert.ok(err instanceof BusConnectionError, String(err));
  assert.match(err.message, /127\.0\.0\.1:1/);
  assert.match(err.message, /127\.0\.0\.1:2/);
  assert.match(err.message, /ECONNREFUSED/);
  assert.doesNotMatch(err.message + JSON.stringify(err.toJSON()), /hunter2/);
});

test('a virtual host of the test: declared objects live there, and everything works', { skip: ctlSkip, timeout: 60_000 }, async (t) => {
  const vhost = `spdk-agent-test-${randomToken()}`;
  await rabbitmqctl(['add_vhost', vhost]);
  t.after(() => rabbitmqctl(['delete_vhost', vhost]));
  await rabbitmqctl(['set_permissions', '-p', vhost, decodeURIComponent(broker.username || 'guest'), '.*', '.*', '.*']);
  const scope = new BrokerScope(t, vhost);
  const topic = scope.topic('agent');
  const bus = await scope.openTransport({ urls: `rabbit://${guest}@${hostPort}/${encodeURIComponent(vhost)}` });
  const server = bus.createServer({ topic, servers: ['cn1'], endpoints: [{ className: 'A', methods: { where: () => 'in the vhost' } }] });
  await server.start();
  assert.equal(await bus.createClient({ topic, server: 'cn1' }).call('where'), 'in the vhost');
  const names = (await listQueues(vhost)).map((q) => q.name);
  assert.ok(names.includes(`${topic}.cn1`));
  assert.ok(names.includes(bus.replyQueueName));
  assert.ok(!(await listQueues('/')).some((q) => q.name === `${topic}.cn1`), 'nothing lands in the default vhost');
});

test('client properties like kombu, and the negotiated heartbeat (60 s by default)', { skip: ctlSkip, timeout: 60_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const byDefault = await scope.openTransport();
  const fast = await scope.openTransport({ heartbeatSec: 7 });
  const out = await rabbitmqctl(['list_connections', '--no-table-headers', 'timeout', 'client_properties']);
  const lineOf = (name: string) => out.split('\n').find((l) => l.includes(`{"connection_name","${name}"}`)) ?? '';
  assert.match(byDefault.connectionName, new RegExp(`^[^:]+:${process.pid}:[0-9a-f-]{36}$`));
  assert.match(lineOf(byDefault.connectionName), /^60\t/);
  assert.match(lineOf(fast.connectionName), /^7\t/);
  for (const capability of ['authentication_failure_close', 'connection.blocked', 'consumer_cancel_notify']) {
    assert.match(lineOf(byDefault.connectionName), new RegExp(`\\{"${capability.replace('.', '\\.')}",true\\}`));
  }
});

test('the password never reaches a log line or an error', { skip: ctlSkip, timeout: 90_000 }, async (t) => {
  const user = `spdk-agent-test-${randomToken()}`;
  const password = `p@ss/w:rd-${randomToken(8)}`;
  const encoded = encodeURIComponent(password);
  await rabbitmqctl(['add_user', user, password]);
  t.after(() => rabbitmqctl(['delete_user', user]));
  await rabbitmqctl(['set_permissions', '-p', '/', user, '.*', '.*', '.*']);

  const logs = captureLogs(t, 'debug', { format: 'auto' });

  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const errors: string[] = [];
  // A dead broker first (its failure is logged with the URL), then the real one.
  const bus = await scope.openTransport({ urls: [`amqp://${user}:${encoded}@${DEAD}/`, `amqp://${user}:${encoded}@${hostPort}/`] });
  const server = bus.createServer({ topic, servers: ['cn1'], endpoints: [{ className: 'A', methods: { ping: () => 'pong' } }] });
  await server.start();
  assert.equal(await bus.createClient({ topic, server: 'cn1' }).call('ping'), 'pong');
  // A reconnection logs the URL again.
  const reconnected = new Promise<void>((resolve) => bus.onConnected(() => resolve()));
  await closeConnectionByName(bus.connectionName);
  await reconnected;
  await waitFor(
    'serving again',
    async () =>
      (await bus
        .createClient({ topic, server: 'cn1' })
        .call('ping')
        .catch(() => null)) === 'pong',
  );
  // The password given apart from the URL, refused credentials, and an unparsable URL.
  await openTransport({ urls: `amqp://${user}@${hostPort}/`, password: `wrong-${password}`, openTimeoutSec: 5 }).catch((e: Error) =>
    errors.push(e.message, JSON.stringify(e)),
  );
  try {
    await openTransport({ urls: `amqp://${user}:${encoded}@${hostPort}:notaport/` });
  } catch (e) {
    assert.ok(e instanceof BusConfigError);
    errors.push((e as Error).message, JSON.stringify(e));
  }
  await bus.close();

  const captured = logs.text();
  assert.ok(captured.includes(`${user}:***@`), 'the masked URL is logged, so the capture works');
  assert.ok(captured.includes('connected to the message bus'));
  assert.ok(errors.length >= 4);
  for (const text of [captured, ...errors]) {
    assert.ok(!text.includes(password), 'the password appears');
    assert.ok(!text.includes(encoded), 'the encoded password appears');
    assert.ok(!text.includes(password.slice(8)), 'a part of the password appears');
  }
});
