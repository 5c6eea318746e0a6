import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson } from '../../../src/sim/json/json-parser.js';
import { arrayOf, bool, DecodeFailure, decodeParams, i32, object, opt, req, str, u32, u64, uuid } from '../../../src/sim/rpc/decode.js';

const schema = { name: opt(str), num_blocks: req(u64), block_size: req(u32), uuid: opt(uuid), flag: opt(bool) };

function decode(text: string | undefined, options = {}) {
  return decodeParams(text === undefined ? undefined : parseJson(text), schema, options);
}

test('decode: a valid object, optional members absent', () => {
  assert.deepEqual(decode('{"num_blocks":8,"block_size":512}'), { num_blocks: 8, block_size: 512 });
  assert.deepEqual(decode('{"name":"M","num_blocks":8,"block_size":512,"uuid":"AAAAAAAA-2222-3333-4444-555555555555","flag":false}'), {
    name: 'M',
    num_blocks: 8,
    block_size: 512,
    uuid: 'aaaaaaaa-2222-3333-4444-555555555555',
    flag: false,
  });
});

test('decode: strict like spdk_json_decode_object', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"num_blocks":8}', /missing required member "block_size"/],
    ['{"num_blocks":"8","block_size":512}', /not a number/],
    ['{"num_blocks":8,"block_size":512,"bogus":1}', /unknown member "bogus"/],
    ['{"num_blocks":8,"num_blocks":8,"block_size":512}', /appears twice/],
    ['{"num_blocks":-1,"block_size":512}', /out of range/],
    ['{"num_blocks":1e3,"block_size":512}', /not an integer/],
    ['{"num_blocks":8.0,"block_size":512}', /not an integer/],
    ['{"num_blocks":8,"block_size":4294967296}', /out of range/],
    ['{"num_blocks":8,"block_size":512,"uuid":"nope"}', /not a UUID/],
    ['{"num_blocks":8,"block_size":512,"flag":1}', /not a boolean/],
    ['["M",8,512]', /not an object/],
  ];
  for (const [text, why] of cases) {
    assert.throws(
      () => decode(text),
      (err: unknown) => err instanceof DecodeFailure && why.test(err.reason),
      text,
    );
  }
  assert.throws(() => decode(undefined), DecodeFailure, 'absent params fail a handler that needs them');
});

test('decode: relaxed mode ignores unknown members; optional params may be absent', () => {
  assert.deepEqual(decode('{"num_blocks":8,"block_size":512,"extra":{"x":1}}', { relaxed: true }), { num_blocks: 8, block_size: 512 });
  assert.deepEqual(decodeParams(undefined, { name: opt(str) }, { optional: true }), {});
  assert.throws(() => decodeParams(undefined, { name: req(str) }, { optional: true }), DecodeFailure);
});

test('decode: nested objects, arrays and signed ranges', () => {
  const s = { maps: req(arrayOf(object({ pg_tag: req(i32), ig_tag: req(i32) }))) };
  assert.deepEqual(decodeParams(parseJson('{"maps":[{"pg_tag":1,"ig_tag":-2}]}'), s), { maps: [{ pg_tag: 1, ig_tag: -2 }] });
  assert.throws(() => decodeParams(parseJson('{"maps":[{"pg_tag":1}]}'), s), DecodeFailure);
  assert.throws(() => decodeParams(parseJson('{"maps":[{"pg_tag":2147483648,"ig_tag":1}]}'), s), DecodeFailure);
  assert.throws(() => decodeParams(parseJson('{"maps":{}}'), s), DecodeFailure);
});
