import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamScanner, type ScannedValue } from '../../../../src/spdk/rpc/json-scanner.js';
import { decodeJson, parseJsonExact, parseJsonText, stringifyJson } from '../../../../src/spdk/rpc/json.js';

function scanned(text: string): ScannedValue {
  const [v] = new JsonStreamScanner({ scalarEndsAtChunkEnd: true }).push(Buffer.from(text));
  assert.ok(v && v.kind === 'value', `not one value: ${text}`);
  return v;
}

function decode(text: string): unknown {
  const v = scanned(text);
  return decodeJson(v.bytes, v.longIntegers);
}

test('integers beyond 2^53 decode as bigint, everything else as number', () => {
  const text =
    '{"tick_rate":2450000000,"ticks":18446744073709551615,"safe16":9007199254740991,"unsafe16":9007199254740993,' +
    '"neg":-9223372036854775808,"negSafe":-9007199254740991,"small":[0,-1,3703058612194],"float":1.0000000000000000001,' +
    '"exp":12345678901234567e3,"str":"123456789012345678901234"}';
  const out = decode(text) as Record<string, unknown>;
  assert.equal(out.ticks, 18446744073709551615n);
  assert.equal(out.safe16, 9007199254740991);
  assert.equal(out.unsafe16, 9007199254740993n);
  assert.equal(out.neg, -9223372036854775808n);
  assert.equal(out.negSafe, -9007199254740991);
  assert.deepEqual(out.small, [0, -1, 3703058612194]);
  assert.equal(typeof out.float, 'number');
  assert.equal(typeof out.exp, 'number');
  assert.equal(out.str, '123456789012345678901234');
  assert.equal(out.tick_rate, 2450000000);
});

test('long integers in arrays, nested objects, at the top level and beside non-ASCII text stay exact', () => {
  const text = '{"names":["é→😀",{"deep":[[18446744073709551614]]}],"x":"ü","y":-18446744073709551615}';
  assert.deepEqual(decode(text), { names: ['é→😀', { deep: [[18446744073709551614n]] }], x: 'ü', y: -18446744073709551615n });
  assert.equal(decode('123456789012345678901234567890'), 123456789012345678901234567890n);
  assert.deepEqual(decode('[9007199254740992,9007199254740992]'), [9007199254740992n, 9007199254740992n]);
});

test('a string that looks like a marker is never turned into a number', () => {
  // \u0000 and \u0001 escapes in the text must not be confused with the decoder's markers.
  const text = '{"a":"\\u0000123","b":"\\u00010","c":18446744073709551615,"d":"\\u0001"}';
  assert.deepEqual(decode(text), { a: '\u0000123', b: '\u00010', c: 18446744073709551615n, d: '\u0001' });
});

test('every control-character escape in a reply: the exact parser takes over and is still exact', () => {
  const controls: string[] = [];
  for (let c = 0; c < 0x20; c++) controls.push(`\\u00${c.toString(16).padStart(2, '0')}`);
  const text = `{"s":"${controls.join('')}","n":18446744073709551615,"m":[1.5,true,null,{"__proto__":2}]}`;
  const out = decode(text) as Record<string, unknown>;
  assert.equal(out.n, 18446744073709551615n);
  assert.equal((out.s as string).length, 32);
  assert.equal(Object.getPrototypeOf((out.m as unknown[])[3]), Object.prototype);
  assert.deepEqual(Object.keys((out.m as Record<string, unknown>[])[3]!), ['__proto__']);
});

test('the exact parser agrees with JSON.parse on ordinary JSON and rejects invalid text', () => {
  const samples = ['{"a":[1,2,{"b":"c\\n\\"d"}],"e":-0.5e-3,"f":null,"g":false,"h":"\\ud83d\\ude00"}', '[]', '{}', '"x"', '0', ' [ 1 , 2 ] '];
  for (const s of samples) assert.deepEqual(parseJsonExact(s), JSON.parse(s), s);
  for (const bad of ['{"a":1,}', '[1 2]', '{"a" 1}', 'tru', '01', '"\u0001"', '[1]x', '']) {
    assert.throws(() => parseJsonExact(bad), SyntaxError, bad);
  }
});

test('invalid JSON with long integers still throws instead of being repaired', () => {
  // A leading zero is invalid JSON; the marker rewrite must not hide it.
  assert.throws(() => decode('{"a":01234567890123456789}'), SyntaxError);
  assert.throws(() => decode('{"a":18446744073709551615,"b":tru}'), SyntaxError);
});

test('parseJsonText: one exact value, or a SyntaxError naming the problem', () => {
  assert.deepEqual(parseJsonText(' {"num_blocks":18446744073709551615} \n'), { num_blocks: 18446744073709551615n });
  assert.equal(parseJsonText('42'), 42);
  assert.throws(() => parseJsonText('{"a":1'), /unexpected end/);
  assert.throws(() => parseJsonText('{"a":1}{"b":2}'), /after the JSON value/);
  assert.throws(() => parseJsonText('   '), /no JSON value/);
  assert.throws(() => parseJsonText('{a:1}'), SyntaxError);
});

test('stringifyJson writes bigint as a bare integer and matches JSON.stringify otherwise', () => {
  assert.equal(stringifyJson({ a: 18446744073709551615n, b: [1n, -2n] }), '{"a":18446744073709551615,"b":[1,-2]}');
  const value = { s: 'x"y', n: 1.5, t: true, z: null, u: undefined, f: () => 1, arr: [undefined, NaN, 'q'], nested: { e: {}, l: [] }, d: new Date(0) };
  for (const indent of [undefined, 2, '\t']) {
    const withBig = { ...value, big: 5n };
    const expected = JSON.stringify({ ...value, big: 5 }, null, indent);
    assert.equal(stringifyJson(withBig, indent), expected, `indent ${String(indent)}`);
    assert.equal(stringifyJson(value, indent), JSON.stringify(value, null, indent));
  }
  assert.equal(stringifyJson(undefined), 'null');
  assert.equal(stringifyJson(12345678901234567890n), '12345678901234567890');
  const cyclic: Record<string, unknown> = { big: 1n };
  cyclic.self = cyclic;
  assert.throws(() => stringifyJson(cyclic), TypeError);
});

test('decode → stringify round-trips uint64 values exactly', () => {
  const text = '{"ticks":18446744073709551615,"bdevs":[{"read_latency_ticks":9007199254740993,"name":"Null0"}]}';
  assert.equal(stringifyJson(decode(text)), text);
});
