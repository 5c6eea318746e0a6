import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBrokerUrl, parseAmqpUrl, unquote, withDefaultVhost } from '../../../src/config/bus-url.js';

test('an amqp URL: host, default port, vhost, credentials (percent-decoded), query kept', () => {
  const parsed = parseAmqpUrl('amqp://spdk:p%40ss%2Fw@rabbit.example:5673/cyborg?heartbeat=10');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, {
    scheme: 'amqp',
    host: 'rabbit.example',
    port: 5673,
    vhost: 'cyborg',
    query: '?heartbeat=10',
    username: 'spdk',
    password: 'p@ss/w',
  });
  assert.equal(formatBrokerUrl(parsed.value), 'amqp://rabbit.example:5673/cyborg?heartbeat=10');
});

test('amqps defaults to 5671; "/" or no path names no vhost; IPv6 keeps its brackets', () => {
  const a = parseAmqpUrl('AMQPS://[fd00::1]/');
  assert.ok(a.ok);
  assert.equal(formatBrokerUrl(a.value), 'amqps://[fd00::1]:5671');
  const b = parseAmqpUrl('amqp://h');
  assert.ok(b.ok);
  assert.equal(b.value.vhost, undefined);
  assert.equal(b.value.port, 5672);
});

test('the vhost "/" is written as %2F, a vhost in the URL is kept', () => {
  assert.equal(withDefaultVhost('amqp://h:5672', '/'), 'amqp://h:5672/%2F');
  assert.equal(withDefaultVhost('amqp://h:5672?heartbeat=5', 'v h'), 'amqp://h:5672/v%20h?heartbeat=5');
  assert.equal(withDefaultVhost('amqp://h:5672/own', '/'), 'amqp://h:5672/own');
  const parsed = parseAmqpUrl('amqp://h/%2F');
  assert.ok(parsed.ok);
  assert.equal(parsed.value.vhost, '/');
  assert.equal(formatBrokerUrl(parsed.value), 'amqp://h:5672/%2F');
});

test('bad URLs give reasons that never contain the URL text', () => {
  const cases: Array<[string, RegExp]> = [
    ['rabbit://u:Hunter2@h/', /must use amqp:\/\/ or amqps:\/\/ \(got rabbit:\/\/\); rabbit:\/\/ is oslo's transport_url form/],
    ['http://u:Hunter2@h/', /must use amqp:\/\/ or amqps:\/\/ \(got http:\/\/\)$/],
    ['u:Hunter2@h', /is not a URL/],
    ['amqp://u:Hunter2@h:99999/', /is not a valid URL/],
    ['amqp:///vhost', /names no host/],
    ['amqp://u:Hunt#er2@h:5672/', /is not a valid URL|#fragment/],
    ['amqp://u:12/Hunter2@h/', /percent-encoded/],
    ['amqp://u:Hunter2@h/v#frag', /#fragment/],
  ];
  for (const [url, expected] of cases) {
    const parsed = parseAmqpUrl(url);
    assert.equal(parsed.ok, false, url);
    const reason = parsed.ok ? '' : parsed.reason;
    assert.match(reason, expected, url);
    assert.doesNotMatch(reason, /Hunter|er2/, url);
  }
});

test('unquote decodes valid escapes like Python and keeps invalid ones', () => {
  assert.equal(unquote('a%20b%2Fc'), 'a b/c');
  assert.equal(unquote('100%'), '100%');
  assert.equal(unquote('%zz%41'), '%zzA');
  assert.equal(unquote('%C3%A9'), 'é');
  assert.equal(unquote('%C3'), '%C3');
});
