import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamScanner, type ScannedValue } from '../../../../src/spdk/rpc/json-scanner.js';
import { RequestRejection, encodeRequest } from '../../../../src/spdk/rpc/request.js';
import { loadFixture } from '../../../helpers/fixtures.js';

const LIMITS = { maxBytes: 32_768, maxValues: 1024 };

function spdkCount(text: string): ScannedValue {
  const [v] = new JsonStreamScanner().push(Buffer.from(text));
  assert.ok(v && v.kind === 'value');
  return v;
}

test('a request is compact JSON with an integer id and no params member when there are none', () => {
  assert.equal(encodeRequest(1, 'spdk_get_version', undefined, LIMITS), '{"jsonrpc":"2.0","method":"spdk_get_version","id":1}');
  assert.equal(encodeRequest(2, 'spdk_get_version', {}, LIMITS), '{"jsonrpc":"2.0","method":"spdk_get_version","id":2}');
  assert.equal(encodeRequest(3, 'spdk_get_version', { a: undefined }, LIMITS), '{"jsonrpc":"2.0","method":"spdk_get_version","id":3}');
  assert.equal(
    encodeRequest(4, 'bdev_get_bdevs', { name: 'Malloc0', timeout: undefined, flag: false, zero: 0 }, LIMITS),
    '{"jsonrpc":"2.0","method":"bdev_get_bdevs","id":4,"params":{"name":"Malloc0","flag":false,"zero":0}}',
  );
  assert.equal(encodeRequest(5, 'x', { big: 18446744073709551615n }, LIMITS), '{"jsonrpc":"2.0","method":"x","id":5,"params":{"big":18446744073709551615}}');
});

test('the request the real target accepted is byte-identical to ours (framing #1)', () => {
  const entry = loadFixture('framing.jsonl').find((e) => e.seq === 1)!;
  assert.equal(encodeRequest(90, 'spdk_get_version', undefined, LIMITS), entry.request);
});

test('requests over the byte limit are refused with the size and the limit', () => {
  const overhead = encodeRequest(1, 'bdev_malloc_create', { name: '' }, LIMITS).length;
  const ok = encodeRequest(1, 'bdev_malloc_create', { name: 'x'.repeat(32_768 - overhead) }, LIMITS);
  assert.equal(Buffer.byteLength(ok), 32_768);
  assert.throws(
    () => encodeRequest(1, 'bdev_malloc_create', { name: 'x'.repeat(32_769 - overhead) }, LIMITS),
    (err: unknown) => err instanceof RequestRejection && /32769 bytes, over the target's limit of 32768 bytes/.test(err.reason) && err.context.bytes === 32_769,
  );
  // Multi-byte characters count as bytes, not characters.
  assert.throws(() => encodeRequest(1, 'x', { name: 'é'.repeat(17_000) }, LIMITS), /bytes, over the target's limit/);
});

test('requests over the value limit are refused; the count is SPDK’s (errors #68/#69)', () => {
  const errors = loadFixture('errors.jsonl');
  const dropped = spdkCount(errors.find((e) => e.seq === 68)!.request).values;
  const accepted = spdkCount(errors.find((e) => e.seq === 69)!.request).values;
  // Build requests of exactly those counts with our encoder.
  const params = (n: number) => ({ list: new Array<number>(n).fill(0) });
  // envelope {jsonrpc,method,id,params:{list:[...]}}: 2 + 3*2 + 1 key + 2 + 1 key + 2 + n
  const overhead = 14;
  const within = encodeRequest(1, 'spdk_get_version', params(accepted - overhead), LIMITS);
  assert.equal(spdkCount(within).values, accepted);
  assert.throws(
    () => encodeRequest(1, 'spdk_get_version', params(dropped - overhead), LIMITS),
    (err: unknown) => err instanceof RequestRejection && new RegExp(`holds ${dropped} JSON values, over the target's limit of 1024`).test(err.reason),
  );
  assert.doesNotThrow(() => encodeRequest(1, 'x', params(1024 - overhead), LIMITS));
  assert.throws(() => encodeRequest(1, 'x', params(1025 - overhead), LIMITS), /1025 JSON values/);
});

test('requests nested deeper than SPDK allows are refused', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 70; i++) deep = [deep];
  assert.throws(() => encodeRequest(1, 'x', { deep }, LIMITS), /nesting deeper than 64/);
});

test('params that are not an object of named params, or not JSON, are refused', () => {
  assert.throws(() => encodeRequest(1, 'x', [1, 2] as unknown as Record<string, unknown>, LIMITS), /not an array/);
  assert.throws(() => encodeRequest(1, 'x', 'a' as unknown as Record<string, unknown>, LIMITS), /not a string/);
  const cyclic: Record<string, unknown> = {};
  cyclic.me = cyclic;
  assert.throws(() => encodeRequest(1, 'x', cyclic, LIMITS), /cannot be written as JSON/);
  assert.throws(() => encodeRequest(1, '', undefined, LIMITS), /non-empty string/);
  assert.throws(() => encodeRequest(1, 5 as unknown as string, undefined, LIMITS), /non-empty string/);
  // A params object that serialises to nothing is left out rather than sent as {}.
  assert.equal(encodeRequest(1, 'x', { f: () => 1 }, LIMITS), '{"jsonrpc":"2.0","method":"x","id":1}');
});
