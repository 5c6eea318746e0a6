import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DUPLICATE_MEMBER, JsonFloat, JsonSyntaxError, parseJson, type JsonObject } from '../../../src/sim/json/json-parser.js';
import { RawJson, toJson } from '../../../src/sim/json/json-writer.js';

test('parser: values, exact big integers, numbers written with a fraction or exponent', () => {
  const v = parseJson('{"a":[1,-2,true,false,null,"x"],"big":123456789012345678901234567890,"safe":9007199254740991,"f":1.50,"e":1e3}') as JsonObject;
  assert.deepEqual(v.a, [1, -2, true, false, null, 'x']);
  assert.equal(v.big, 123456789012345678901234567890n);
  assert.equal(v.safe, 9007199254740991);
  assert.ok(v.f instanceof JsonFloat);
  assert.equal((v.f as JsonFloat).raw, '1.50');
  assert.equal((v.e as JsonFloat).value, 1000);
});

test('parser: a repeated member is recorded (SPDK rejects it), __proto__ is just a member', () => {
  const v = parseJson('{"name":"a","name":"b","__proto__":{"x":1}}') as JsonObject;
  assert.equal(v[DUPLICATE_MEMBER], 'name');
  assert.equal(v.name, 'b');
  assert.deepEqual(Object.keys(v), ['name', '__proto__']);
  assert.equal(Object.getPrototypeOf(v), null);
});

test('parser: escapes decode; NUL, control characters and bad grammar are syntax errors', () => {
  assert.equal(parseJson('"a\\n\\u00e9\\"\\\\"'), 'a\né"\\');
  for (const bad of ['"\\u0000"', '"a\u0001"', '{"a":1,}', '[1,]', '01', '1.', '-', 'tru', '{"a" 1}', '"unterminated', '{} {}', '']) {
    assert.throws(() => parseJson(bad), JsonSyntaxError, bad);
  }
});

test('parser: comments only when allowed (config files)', () => {
  const text = '/* header */ {"a": 1, // trailing\n "b": 2}';
  assert.deepEqual({ ...(parseJson(text, { allowComments: true }) as JsonObject) }, { a: 1, b: 2 });
  assert.throws(() => parseJson(text), JsonSyntaxError);
  assert.throws(() => parseJson('/* open', { allowComments: true }), JsonSyntaxError);
});

test('writer: compact, insertion order, bigint literals, raw fragments, undefined members left out', () => {
  assert.equal(toJson({ b: 1, a: [true, null, 'x"y'], skip: undefined, n: 2n ** 64n - 1n }), '{"b":1,"a":[true,null,"x\\"y"],"n":18446744073709551615}');
  assert.equal(toJson([new RawJson('{"name":"a","name":"a"}')]), '[{"name":"a","name":"a"}]');
  assert.equal(toJson({}), '{}');
  assert.equal(toJson([]), '[]');
  assert.equal(toJson(Number.NaN), 'null');
});
