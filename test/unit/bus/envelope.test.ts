import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEnvelope, encodeEnvelope, osloPublishProperties } from '../../../src/bus/envelope.js';
import { capturedMessages } from './captures.js';

const JSON_PROPS = { contentType: 'application/json', contentEncoding: 'utf-8' };

test('every captured oslo message is re-encoded byte for byte', () => {
  const messages = capturedMessages();
  assert.ok(messages.length >= 20, 'the captures are loaded');
  for (const { name, message } of messages) {
    const inner = JSON.parse(JSON.parse(message.body)['oslo.message'] as string) as Record<string, unknown>;
    assert.equal(encodeEnvelope(inner).toString('utf8'), message.body, name);
  }
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

test('non-ASCII text is escaped as Python does, and survives a round trip', () => {
  const message = { method: 'echo', args: { text: 'é✓😀\u007f"\\\n' } };
  const body = encodeEnvelope(message).toString('utf8');
  assert.match(body, /\\\\u00e9\\\\u2713\\\\ud83d\\\\ude00\\\\u007f/);
  assert.ok(/^[\x20-\x7e]*$/.test(body), 'the body is printable ASCII');
  const decoded = decodeEnvelope(Buffer.from(body), JSON_PROPS);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.message, message);
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
