import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamScanner, type ScannedValue } from '../../../src/spdk/rpc/json-scanner.js';
import { parseJson } from '../../../src/sim/json/json-parser.js';
import { readEnvelope } from '../../../src/sim/rpc/envelope.js';
import { errorReply, resultReply } from '../../../src/sim/rpc/reply.js';
import { RawJson } from '../../../src/sim/json/json-writer.js';

function envelope(text: string) {
  const results = new JsonStreamScanner({ recordMembers: true, scalarEndsAtChunkEnd: true }).push(Buffer.from(text));
  const value = results[0] as ScannedValue;
  assert.equal(value.kind, 'value');
  return readEnvelope(parseJson(text), value);
}

test('envelope: a request; the id is kept as the raw text the client sent', () => {
  assert.deepEqual(envelope('{"jsonrpc":"2.0","method":"m","id":1.50}'), { kind: 'request', method: 'm', params: undefined, id: '1.50' });
  assert.equal((envelope('{"method":"m","id":1e3}') as { id: string }).id, '1e3');
  assert.equal((envelope('{"method":"m","id":123456789012345678901234567890}') as { id: string }).id, '123456789012345678901234567890');
  assert.equal((envelope('{"method":"m","id":"abc-\\u00e9"}') as { id: string }).id, '"abc-\\u00e9"');
  assert.equal((envelope('{"method":"m","\\u0069d":7}') as { id: string }).id, '7', 'an escaped member name is still "id"');
});

test('envelope: notifications (no id, id null) and params null = absent', () => {
  assert.deepEqual(envelope('{"method":"m"}'), { kind: 'request', method: 'm', params: undefined, id: null });
  assert.deepEqual(envelope('{"method":"m","id":null,"params":null}'), { kind: 'request', method: 'm', params: undefined, id: null });
});

test('envelope: SPDK answers -32600 with "id":null for these (errors.jsonl #40-#43, #48, #54-#56, #61-#64)', () => {
  for (const text of [
    '{"jsonrpc":"1.0","method":"m","id":1}',
    '{"jsonrpc":2.0,"method":"m","id":1}',
    '{"jsonrpc":"2.0","id":1}',
    '{"jsonrpc":"2.0","method":5,"id":1}',
    '{"jsonrpc":"2.0","method":"m","id":1,"extra":1}',
    '{"jsonrpc":"2.0","method":"m","method":"m","id":1}',
    '{"method":"m","id":{"a":1}}',
    '{"method":"m","id":[1]}',
    '{"method":"m","id":true}',
    '[{"method":"m","id":1}]',
    '[]',
    '42',
    '"m"',
  ]) {
    assert.deepEqual(envelope(text), { kind: 'invalid', id: null }, text);
  }
});

test('envelope: a bad params type fails with the id echoed (errors.jsonl #44)', () => {
  assert.deepEqual(envelope('{"method":"m","params":"x","id":106}'), { kind: 'invalid', id: '106' });
  assert.deepEqual(envelope('{"method":"m","params":7,"id":"q"}'), { kind: 'invalid', id: '"q"' });
});

test("replies: SPDK's bytes, including the broken reply to a successful notification", () => {
  assert.equal(resultReply('7', true), '{"jsonrpc":"2.0","id":7,"result":true}\n');
  assert.equal(resultReply('1e3', new RawJson('[1]')), '{"jsonrpc":"2.0","id":1e3,"result":[1]}\n');
  assert.equal(resultReply(null, { a: 1 }), '{"jsonrpc":"2.0","id":null,"result":{"a":1}', 'no closing brace, no newline');
  assert.equal(errorReply(null, -32601, 'Method not found'), '{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"Method not found"}}\n');
  assert.equal(
    errorReply('"x"', -32603, 'subsystem busy, retry later.\n'),
    '{"jsonrpc":"2.0","id":"x","error":{"code":-32603,"message":"subsystem busy, retry later.\\n"}}\n',
  );
});
