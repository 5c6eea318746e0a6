import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BusConfigError } from '../../../src/bus/errors.js';
import { resolveBusOptions } from '../../../src/bus/options.js';

test("the defaults are oslo.messaging's (and Cyborg's control exchange)", () => {
  const options = resolveBusOptions({ urls: 'amqp://h/' });
  assert.equal(options.controlExchange, 'cyborg');
  assert.equal(options.rpcResponseTimeoutMs, 60_000);
  assert.equal(options.heartbeatSec, 60);
  assert.deepEqual(options.queues, {
    durable: false,
    autoDelete: false,
    quorum: false,
    ha: false,
    transientTtlMs: 1_800_000,
    transientQuorum: false,
    streamFanout: false,
    quorumLimits: { deliveryLimit: 0, maxMemoryLength: 0, maxMemoryBytes: 0 },
    cancelOnFailover: false,
    prefetchCount: 0,
    queueManager: null,
  });
  assert.deepEqual(options.retry, { initialMs: 1000, stepMs: 2000, maxMs: 30_000 });
  assert.equal(options.pingEnabled, false);
  assert.equal(options.loginMethod, 'AMQPLAIN');
  assert.deepEqual(options.tls, { ca: undefined, cert: undefined, key: undefined, servername: undefined, verify: true });
  assert.ok(options.processName.length > 0);
});

test('broker lists: several URLs, each possibly an oslo comma list, flattened in order', () => {
  const { brokers } = resolveBusOptions({ urls: ['rabbit://a:1@h1,a:1@h2/', 'amqp://h3/'], username: 'u', password: 'p' });
  assert.deepEqual(
    brokers.map((b) => b.host),
    ['h1', 'h2', 'h3'],
  );
  assert.deepEqual([brokers[2]!.username, brokers[2]!.password], ['u', 'p']);
});

test('every bad option is refused with the name of the field', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ urls: [] }, /bus\.urls/],
    [{ urls: [''] }, /bus\.urls/],
    [{ urls: 'amqp://h', heartbeatSec: -1 }, /bus\.heartbeatSec/],
    [{ urls: 'amqp://h', rpcResponseTimeoutSec: 0 }, /bus\.rpcResponseTimeoutSec/],
    [{ urls: 'amqp://h', durableQueues: 'yes' }, /bus\.durableQueues/],
    [{ urls: 'amqp://h', quorumQueues: true, haQueues: true }, /bus\.quorumQueues and bus\.haQueues/],
    [{ urls: 'amqp://h', retry: { initialSec: 5, maxSec: 1 } }, /bus\.retry\.maxSec/],
    [{ urls: 'amqp://h', controlExchange: '' }, /bus\.controlExchange/],
    [{ urls: 'amqp://h', loginMethod: 'EXTERNAL' }, /bus\.loginMethod/],
    [{ urls: 'amqp://h', tls: { ca: '/nonexistent/ca.pem' } }, /bus\.tls\.ca: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/],
    [{ urls: 'amqp://h', tls: { verify: 'no' } }, /bus\.tls\.verify/],
    [{ urls: 'ftp://h' }, /unsupported scheme/],
  ];
  for (const [input, message] of bad) {
    assert.throws(
      () => resolveBusOptions(input as never),
      (err: unknown) => err instanceof BusConfigError && message.test(err.message),
      JSON.stringify(input),
    );
  }
});

test('TLS files are read when the options are resolved', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bus-options-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'ca.pem'), 'CA PEM');
  const options = resolveBusOptions({ urls: 'amqps://h', tls: { ca: path.join(dir, 'ca.pem'), servername: 'broker.example', verify: false } });
  assert.equal(options.tls.ca?.toString(), 'CA PEM');
  assert.equal(options.tls.servername, 'broker.example');
  assert.equal(options.tls.verify, false);
});
