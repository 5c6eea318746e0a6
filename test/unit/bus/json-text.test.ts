import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonText } from '../../../src/bus/json-text.js';

// The writing itself is tested in test/unit/util/exact-json.test.ts; here, what a message adds.

test('a message is written with exact integers', () => {
  assert.equal(jsonText({ a: 1n, list: [12345678901234567890n, 'x'] }), '{"a":1,"list":[12345678901234567890,"x"]}');
  assert.equal(jsonText({ s: 'é', n: 1.5 }), JSON.stringify({ s: 'é', n: 1.5 }));
});

test('what has no JSON text is a TypeError, never a silent "null" message', () => {
  assert.throws(() => jsonText(undefined), /undefined is not JSON serializable/);
  assert.throws(() => jsonText(() => 1), /function is not JSON serializable/);
  const cyclic: Record<string, unknown> = { n: 1n };
  cyclic.self = cyclic;
  assert.throws(() => jsonText(cyclic), TypeError);
});
