import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonText } from '../../../src/bus/json-text.js';

test('without a bigint the text is exactly JSON.stringify', () => {
  const value = { s: 'x"y é', n: 1.5, t: true, z: null, u: undefined, arr: [undefined, 'q', NaN], nested: { e: {}, l: [] }, d: new Date(0) };
  assert.equal(jsonText(value), JSON.stringify(value));
  assert.equal(jsonText('plain'), '"plain"');
});

test('a bigint is written as its exact integer literal, wherever it is', () => {
  assert.equal(jsonText(18446744073709551615n), '18446744073709551615');
  assert.equal(jsonText(-5n), '-5');
  assert.equal(
    jsonText({ a: 1n, list: [2n, 'x', { deep: 12345678901234567890n }], s: 'kept' }),
    '{"a":1,"list":[2,"x",{"deep":12345678901234567890}],"s":"kept"}',
  );
});

test('strings that look like the bigint markers stay strings', () => {
  // Every control character is escaped by JSON.stringify; a string made of a NUL and digits must
  // come out as that string, never as a number, whatever marker the encoder picks.
  const value = { big: 42n, fake: '\u00001234', alsoFake: '\u0000abcdef0123456789' + '7', key: { '\u000099': 1 } };
  const text = jsonText(value);
  assert.deepEqual(JSON.parse(text), { big: 42, fake: '\u00001234', alsoFake: '\u0000abcdef01234567897', key: { '\u000099': 1 } });
});

test('what has no JSON text is a TypeError', () => {
  assert.throws(() => jsonText(undefined), TypeError);
  assert.throws(() => jsonText(() => 1), TypeError);
  const cyclic: Record<string, unknown> = { n: 1n };
  cyclic.self = cyclic;
  assert.throws(() => jsonText(cyclic), TypeError);
});

test('a string imitating the marker of this encoding makes it write again with another marker', () => {
  const nonces = ['abc', 'def'];
  const value = { big: 42n, imitation: '\u0000abc123' };
  assert.equal(jsonText(value, () => nonces.shift()!), '{"big":42,"imitation":"\\u0000abc123"}');
  assert.deepEqual(nonces, [], 'the second marker was used');
  assert.throws(() => jsonText(value, () => 'abc'), TypeError, 'gives up rather than turn the string into a number');
});
