import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactJsonText } from '../../../src/util/exact-json.js';

test('without a bigint the text is exactly JSON.stringify, with or without indentation', () => {
  const value = { s: 'x"y é', n: 1.5, t: true, z: null, u: undefined, f: () => 1, arr: [undefined, 'q', NaN], nested: { e: {}, l: [] }, d: new Date(0) };
  for (const indent of [undefined, 2, '\t']) {
    assert.equal(exactJsonText(value, indent === undefined ? {} : { indent }), JSON.stringify(value, null, indent));
  }
  assert.equal(exactJsonText('plain'), '"plain"');
});

test('a bigint is written as its exact integer literal, wherever it is, indented or not', () => {
  assert.equal(exactJsonText(18446744073709551615n), '18446744073709551615');
  assert.equal(exactJsonText(-5n), '-5');
  assert.equal(exactJsonText(Object(7n)), '7', 'a BigInt wrapper object too');
  assert.equal(
    exactJsonText({ a: 1n, list: [2n, 'x', { deep: 12345678901234567890n }], s: 'kept' }),
    '{"a":1,"list":[2,"x",{"deep":12345678901234567890}],"s":"kept"}',
  );
  const value = { u: undefined, big: 18446744073709551615n, list: [1n, undefined] };
  assert.equal(exactJsonText(value, { indent: 2 }), '{\n  "big": 18446744073709551615,\n  "list": [\n    1,\n    null\n  ]\n}');
  assert.equal(exactJsonText(value, { indent: '\t' }), '{\n\t"big": 18446744073709551615,\n\t"list": [\n\t\t1,\n\t\tnull\n\t]\n}');
});

test('strings that look like the bigint markers stay strings', () => {
  // Every control character is escaped by JSON.stringify; a string made of a NUL and digits must
  // come out as that string, never as a number, whatever marker the encoder picks.
  const value = { big: 42n, fake: '\u00001234', alsoFake: '\u0000abcdef0123456789' + '7', key: { '\u000099': 1 } };
  assert.deepEqual(JSON.parse(exactJsonText(value)!), { big: 42, fake: '\u00001234', alsoFake: '\u0000abcdef01234567897', key: { '\u000099': 1 } });
});

test('a string imitating the marker of this encoding makes it write again with another marker', () => {
  const nonces = ['abc', 'def'];
  const value = { big: 42n, imitation: '\u0000abc123' };
  assert.equal(exactJsonText(value, { nonce: () => nonces.shift()! }), '{"big":42,"imitation":"\\u0000abc123"}');
  assert.deepEqual(nonces, [], 'the second marker was used');
  assert.throws(() => exactJsonText(value, { nonce: () => 'abc' }), TypeError, 'gives up rather than turn the string into a number');
  assert.throws(() => exactJsonText(value, { nonce: () => 'not hex' }), RangeError);
});

test('no text: undefined, as JSON.stringify; a cycle is a TypeError on both paths', () => {
  assert.equal(exactJsonText(undefined), undefined);
  assert.equal(
    exactJsonText(() => 1),
    undefined,
  );
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => exactJsonText(cyclic), TypeError);
  assert.throws(() => exactJsonText({ n: 1n, cyclic }), TypeError);
});
