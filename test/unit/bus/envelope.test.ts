import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MAX_JSON_DEPTH, MAX_MESSAGE_BYTES, decodeEnvelope, encodeEnvelope, nestsDeeperThan, osloPublishProperties } from '../../../src/bus/envelope.js';
import { pythonJsonDumps } from '../../../src/bus/python-values.js';
import { capturedMessages } from './captures.js';

const JSON_PROPS = { contentType: 'application/json', contentEncoding: 'utf-8' };
const PYTHON = '/usr/bin/python3';

test('every captured oslo message, encoded again, carries the same data in a 2.0 envelope', () => {
  const messages = capturedMessages();
  assert.ok(messages.length >= 20, 'the captures are loaded');
  for (const { name, message } of messages) {
    const captured = JSON.parse(message.body) as Record<string, unknown>;
    const inner = JSON.parse(captured['oslo.message'] as string) as Record<string, unknown>;
    const ours = JSON.parse(encodeEnvelope(inner).toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(ours), ['oslo.version', 'oslo.message'], name);
    assert.equal(ours['oslo.version'], '2.0', name);
    assert.equal(typeof ours['oslo.message'], 'string', `${name}: the message is nested as a JSON string`);
    assert.deepEqual(JSON.parse(ours['oslo.message'] as string), inner, name);
    assert.deepEqual(Object.keys(JSON.parse(ours['oslo.message'] as string) as object), Object.keys(inner), `${name}: key order kept`);
  }
});

test('exact big integers and non-ASCII text reach Python as the same values', (t) => {
  if (!existsSync(PYTHON)) {
    if (process.env.CI === 'true') assert.fail(`${PYTHON} is missing`);
    t.skip(`${PYTHON} is missing`);
    return;
  }
  const message = {
    method: 'report',
    args: {
      ticks: 18446744073709551615n,
      negative: -9223372036854775808n,
      small: 7n,
      safe: 9007199254740991,
      text: 'é✓😀\u007f"\\\n\u0000 lone \ud800 and \udfff',
      nested: [{ counter: 12345678901234567890n, label: 'Grüße' }, null, true, 1.5],
    },
  };
  const body = encodeEnvelope(message);
  // What kombu + oslo do with a delivered body: decode UTF-8, json.loads the envelope, then the message.
  const script = 'import json,sys; env = json.loads(sys.stdin.buffer.read().decode("utf-8")); print(json.dumps(json.loads(env["oslo.message"])))';
  const run = spawnSync(PYTHON, ['-c', script], { input: body });
  assert.equal(run.status, 0, run.stderr.toString());
  // Python writes back what it decoded in its own json.dumps form: ints exact (no float), text intact.
  assert.equal(run.stdout.toString('utf8').trimEnd(), pythonJsonDumps(message));
});

test('every captured oslo message decodes to what the capture says it holds', () => {
  for (const { name, message } of capturedMessages()) {
    const decoded = decodeEnvelope(Buffer.from(message.body, 'utf8'), JSON_PROPS);
    assert.ok(decoded.ok, name);
    assert.deepEqual(decoded.message, message['oslo.message'], name);
    assert.equal(decoded.legacyFormat, false);
  }
});

test('the publish properties are the captured ones', () => {
  const captured = capturedMessages().find(({ name }) => name === 'B.reply_ping')!.message.properties;
  const ours = osloPublishProperties();
  assert.deepEqual(
    {
      content_type: ours.contentType,
      content_encoding: ours.contentEncoding,
      delivery_mode: ours.deliveryMode,
      priority: ours.priority,
      application_headers: ours.headers,
    },
    captured,
  );
});

test('non-ASCII text survives a round trip, written as UTF-8', () => {
  const message = { method: 'echo', args: { text: 'é✓😀\u007f"\\\n' } };
  const body = encodeEnvelope(message);
  assert.ok(body.includes(Buffer.from('é✓😀', 'utf8')), 'UTF-8 in the body (any JSON is accepted)');
  const decoded = decodeEnvelope(body, JSON_PROPS);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.message, message);
});

test('what JSON cannot carry follows JSON.stringify: left out, null, or a TypeError', () => {
  const decoded = decodeEnvelope(encodeEnvelope({ a: undefined, f: () => 1, list: [undefined, Number.NaN, Infinity], when: new Date(0) }), JSON_PROPS);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.message, { list: [null, null, null], when: '1970-01-01T00:00:00.000Z' });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => encodeEnvelope(cyclic), TypeError);
  assert.throws(() => encodeEnvelope({ withBigint: 1n, cyclic }), TypeError, 'also on the exact-integer path');
});

test('a JSON object without the envelope keys is taken as a legacy (1.0) message', () => {
  const decoded = decodeEnvelope(Buffer.from('{"method": "ping", "args": {}}'), JSON_PROPS);
  assert.ok(decoded.ok);
  assert.equal(decoded.legacyFormat, true);
  assert.deepEqual(decoded.message, { method: 'ping', args: {} });
});

test('what oslo cannot decode is refused, with the reason', () => {
  const good = encodeEnvelope({ method: 'ping' });
  const cases: Array<[string, Buffer, Record<string, unknown>, RegExp]> = [
    ['no content_type', good, { contentEncoding: 'utf-8' }, /no content_type/],
    ['text/plain', good, { contentType: 'text/plain' }, /text\/plain/],
    ['an unknown encoding', good, { contentType: 'application/json', contentEncoding: 'latin-1' }, /content_encoding/],
    ['invalid JSON', Buffer.from('{"oslo.version": '), JSON_PROPS, /not valid JSON/],
    ['an array', Buffer.from('[]'), JSON_PROPS, /array, not an object/],
    ['a string', Buffer.from('"x"'), JSON_PROPS, /string, not an object/],
    ['envelope 2.1', Buffer.from('{"oslo.version": "2.1", "oslo.message": "{}"}'), JSON_PROPS, /envelope version "2.1"/],
    ['envelope 3.0', Buffer.from('{"oslo.version": "3.0", "oslo.message": "{}"}'), JSON_PROPS, /envelope version "3.0"/],
    ['envelope version as a number', Buffer.from('{"oslo.version": 2, "oslo.message": "{}"}'), JSON_PROPS, /envelope version 2/],
    ['a message that is not a string', Buffer.from('{"oslo.version": "2.0", "oslo.message": {}}'), JSON_PROPS, /not a string/],
    ['a message that is not JSON', Buffer.from('{"oslo.version": "2.0", "oslo.message": "{x"}'), JSON_PROPS, /not valid JSON/],
    ['a message that is a list', Buffer.from('{"oslo.version": "2.0", "oslo.message": "[1]"}'), JSON_PROPS, /array, not an object/],
  ];
  for (const [what, body, props, reason] of cases) {
    const decoded = decodeEnvelope(body, props);
    assert.equal(decoded.ok, false, what);
    if (!decoded.ok) assert.match(decoded.reason, reason, what);
  }
});

test('the envelope version follows the RPC version rule against 2.0', () => {
  const withVersion = (v: string) => decodeEnvelope(Buffer.from(`{"oslo.version": "${v}", "oslo.message": "{}"}`), JSON_PROPS).ok;
  assert.equal(withVersion('2.0'), true);
  assert.equal(withVersion('2.0.0'), true);
  assert.equal(withVersion('2.0.1'), false, 'a higher revision than 2.0.0');
  assert.equal(withVersion('1.0'), false, 'another major version');
  assert.equal(withVersion('2.x'), false, 'not a version');
});

test('bounds before decoding: a body over the size limit, or nested deeper than the limit (outside or inside oslo.message), is dropped with the reason', () => {
  const json = { contentType: 'application/json' };
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
  const tooBig = decodeEnvelope(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20), json);
  assert.deepEqual(tooBig, { ok: false, reason: `body of ${MAX_MESSAGE_BYTES + 1} bytes, over the limit of ${MAX_MESSAGE_BYTES}` });
  const outer = decodeEnvelope(Buffer.from(`{"a":${deep(MAX_JSON_DEPTH + 1)}}`), json);
  assert.equal(outer.ok ? '' : outer.reason, `body nested deeper than ${MAX_JSON_DEPTH} levels`);
  const inner = decodeEnvelope(
    Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': `{"method":"ping","args":{"x":${deep(MAX_JSON_DEPTH)}}}` })),
    json,
  );
  assert.equal(inner.ok ? '' : inner.reason, `"oslo.message" nested deeper than ${MAX_JSON_DEPTH} levels`);
  const fine = decodeEnvelope(
    Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': `{"method":"ping","args":{"x":${deep(MAX_JSON_DEPTH - 3)},"s":"[[[[[[\\\\\\"]]"}}` })),
    json,
  );
  assert.equal(fine.ok, true, 'brackets inside strings do not count');
  assert.equal(nestsDeeperThan('"[[[["', 1), false);
  assert.equal(nestsDeeperThan('[{"a":[1]}]', 2), true);
  assert.equal(nestsDeeperThan('[{"a":[1]}]', 3), false);
});
