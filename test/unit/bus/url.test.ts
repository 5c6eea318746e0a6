import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusConfigError } from '../../../src/bus/errors.js';
import { maskAddress, maskUrlText, parseBrokerUrl } from '../../../src/bus/url.js';

test('a plain AMQP URL', () => {
  assert.deepEqual(parseBrokerUrl('amqp://guest:guest@127.0.0.1:5672/'), [
    { scheme: 'amqp', host: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost: '/', query: '' },
  ]);
});

test("oslo's transport_url: several brokers, rabbit scheme, a shared virtual host", () => {
  const brokers = parseBrokerUrl('rabbit://u1:p1@h1:5673,u2:p2@h2/cloud');
  assert.deepEqual(brokers, [
    { scheme: 'amqp', host: 'h1', port: 5673, username: 'u1', password: 'p1', vhost: 'cloud', query: '' },
    { scheme: 'amqp', host: 'h2', port: 5672, username: 'u2', password: 'p2', vhost: 'cloud', query: '' },
  ]);
});

test('percent-encoding, an @ in a password, IPv6, the default vhost written as %2F, and // for /', () => {
  const [a] = parseBrokerUrl('amqp://us%3Aer:p%40ss%2Fw:rd@[::1]:5700/%2F');
  assert.deepEqual(a, { scheme: 'amqp', host: '::1', port: 5700, username: 'us:er', password: 'p@ss/w:rd', vhost: '/', query: '' });
  const [b] = parseBrokerUrl('rabbit://user:p@ss@host:5672/');
  assert.equal(b!.password, 'p@ss', 'the last @ ends the credentials, as oslo parses them');
  assert.equal(parseBrokerUrl('rabbit://h//')[0]!.vhost, '/');
  assert.equal(parseBrokerUrl('amqp://h/a%2Fb')[0]!.vhost, 'a/b');
});

test('credentials and vhost from the defaults when the URL has none', () => {
  assert.deepEqual(parseBrokerUrl('amqp://h', { username: 'agent', password: 'secret', vhost: 'v' })[0], {
    scheme: 'amqp',
    host: 'h',
    port: 5672,
    username: 'agent',
    password: 'secret',
    vhost: 'v',
    query: '',
  });
  const named = parseBrokerUrl('amqp://agent@h/', { password: 'from-file' })[0]!;
  assert.deepEqual([named.username, named.password], ['agent', 'from-file']);
  const bare = parseBrokerUrl('amqp://h')[0]!;
  assert.deepEqual([bare.username, bare.password], ['guest', 'guest'], "amqplib's and oslo's default account");
  assert.equal(parseBrokerUrl('amqp://agent@h')[0]!.password, '', 'a named user gets no default password');
  assert.equal(parseBrokerUrl('amqp://')[0]!.host, 'localhost');
});

test('TLS: amqps:// (port 5671 by default), or any URL when tls is on for all', () => {
  assert.deepEqual([parseBrokerUrl('amqps://h')[0]!.scheme, parseBrokerUrl('amqps://h')[0]!.port], ['amqps', 5671]);
  const forced = parseBrokerUrl('rabbit://h', { tls: true })[0]!;
  assert.deepEqual([forced.scheme, forced.port], ['amqps', 5672], 'oslo keeps 5672 for rabbit:// with ssl');
});

test('bad URLs are refused with a message that never shows the password', () => {
  const bad = [
    'h1:5672',
    'http://u:secret@h/',
    'amqp://u:secret@h:99999/',
    'amqp://u:secret@h:port/',
    'amqp://u:secret@[::1/',
    'amqp://u:secret@/',
    'amqp://u:sec/ret@h/',
    'amqp://u:sec%zzret@h/',
    'amqp://u:sec?ret@h/',
  ];
  for (const url of bad) {
    assert.throws(
      () => parseBrokerUrl(url),
      (err: unknown) => err instanceof BusConfigError && !/secret|sec\/ret|sec%zz|sec\?ret|ret@/.test(err.message + JSON.stringify(err.toJSON())),
      url,
    );
  }
});

test('masking', () => {
  assert.equal(maskAddress(parseBrokerUrl('rabbit://u:secret@h1:5673/cloud')[0]!), 'amqp://u:***@h1:5673/cloud');
  assert.equal(maskAddress(parseBrokerUrl('amqps://u:secret@[::1]/a%2Fb')[0]!), 'amqps://u:***@[::1]:5671/a%2Fb');
  assert.equal(maskUrlText('rabbit://u1:p1@h1,u2:p2@h2/vh?x=1'), 'rabbit://u1:***@h1,u2:***@h2/vh?x=1');
  assert.equal(maskUrlText('amqp://u:pa/ss@h/v'), 'amqp://u:***@h/v');
  assert.equal(maskUrlText('amqp://u:p@ss@h/'), 'amqp://u:***@h/');
  assert.equal(maskUrlText('amqp://h:5672/'), 'amqp://h:5672/');
  assert.equal(maskUrlText('u:secret@h'), '***');
});
