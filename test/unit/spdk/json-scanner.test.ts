import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamScanner, type ScanResult, type ScannedValue } from '../../../src/spdk/rpc/json-scanner.js';
import { allFixtures, allResponses, loadFixture } from '../../helpers/fixtures.js';

function scanAll(chunks: Buffer[], scanner = new JsonStreamScanner()): ScanResult[] {
  return chunks.flatMap((c) => scanner.push(c));
}

function values(results: ScanResult[]): ScannedValue[] {
  return results.filter((r): r is ScannedValue => r.kind === 'value');
}

function bytewise(text: string): Buffer[] {
  const b = Buffer.from(text);
  return Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1));
}

function isCompleteJsonReply(bytes: string): boolean {
  return bytes.startsWith('{') && bytes.endsWith('\n');
}

test('every complete fixture response is found whole, fed at once and one byte at a time', () => {
  const replies = allResponses().filter((r) => isCompleteJsonReply(r.bytes) && r.entry.name.indexOf('notification') < 0);
  assert.ok(replies.length > 150, `expected many fixture replies, found ${replies.length}`);
  for (const { entry, bytes } of replies) {
    for (const chunks of [[Buffer.from(bytes)], bytewise(bytes)]) {
      const found = values(scanAll(chunks));
      assert.equal(found.length, 1, `${entry.file} #${entry.seq} ${entry.name}`);
      assert.deepEqual(JSON.parse(found[0]!.bytes.toString()), JSON.parse(bytes), `${entry.file} #${entry.seq}`);
    }
  }
});

test('several replies in one read, and a reply split at every possible point', () => {
  const replies = allResponses()
    .filter((r) => isCompleteJsonReply(r.bytes))
    .slice(0, 40)
    .map((r) => r.bytes);
  const stream = replies.join('');
  const found = values(scanAll([Buffer.from(stream)]));
  assert.equal(found.length, replies.length);
  const one = replies[3]!;
  for (let cut = 1; cut < one.length; cut++) {
    const got = values(scanAll([Buffer.from(one.slice(0, cut)), Buffer.from(one.slice(cut))]));
    assert.equal(got.length, 1, `cut at ${cut}`);
    assert.equal(got[0]!.bytes.toString(), one.trimEnd());
  }
});

test('the boundary comes from the grammar, not the newline', () => {
  const pretty = '{\n  "jsonrpc": "2.0",\n  "id": 1,\n  "result": {"a": "x\\"}\\n{"}\n}';
  const found = values(scanAll([Buffer.from(pretty + pretty)]));
  assert.equal(found.length, 2);
  assert.deepEqual(JSON.parse(found[1]!.bytes.toString()), { jsonrpc: '2.0', id: 1, result: { a: 'x"}\n{' } });
});

test("SPDK's broken notification reply is dropped and the next reply still arrives (framing #9)", () => {
  const entry = loadFixture('framing.jsonl').find((e) => e.seq === 9)!;
  for (const chunks of [[Buffer.from(entry.response!)], bytewise(entry.response!)]) {
    const results = scanAll(chunks);
    const errors = results.filter((r) => r.kind === 'error');
    const found = values(results);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.kind === 'error' && errors[0]!.recoverable, true);
    assert.equal(found.length, 1);
    assert.deepEqual(JSON.parse(found[0]!.bytes.toString()), { jsonrpc: '2.0', id: 101, result: [] });
  }
});

test('a notification reply alone never completes, and does not throw', () => {
  const partial = allFixtures().filter((e) => e.name.startsWith('notification (no id) success'));
  assert.equal(partial.length, 1);
  const scanner = new JsonStreamScanner();
  assert.deepEqual(scanner.push(Buffer.from(partial[0]!.response!)), []);
  assert.ok(scanner.buffered > 0);
});

test('garbage stops the scanner until reset', () => {
  const scanner = new JsonStreamScanner();
  const results = scanner.push(Buffer.from('{"jsonrpc":"2.0","id":1,"result":true}\nhello\n{"id":2}'));
  assert.equal(values(results).length, 1);
  const error = results.find((r) => r.kind === 'error');
  assert.ok(error && error.kind === 'error' && !error.recoverable);
  assert.match(error.reason, /0x68 'h'/);
  assert.ok(scanner.dead);
  assert.deepEqual(scanner.push(Buffer.from('{"id":3}')), []);
  scanner.reset();
  assert.equal(values(scanner.push(Buffer.from('{"id":3}'))).length, 1);
});

test('long integer literals are located, short ones and floats are not', () => {
  const text = '{"a":9007199254740993,"b":[1,-18446744073709551615],"c":1.0000000000000000001,"d":"123456789012345678"}';
  const [v] = values(scanAll(bytewise(text)));
  assert.ok(v);
  const spans: string[] = [];
  for (let i = 0; i < v.longIntegers!.length; i += 2) spans.push(v.bytes.subarray(v.longIntegers![i], v.longIntegers![i + 1]).toString());
  assert.deepEqual(spans, ['9007199254740993', '-18446744073709551615']);
  const [plain] = values(scanAll([Buffer.from('{"ticks":3703058612194}')]));
  assert.equal(plain!.longIntegers, null);
});

test("SPDK's value count and nesting depth are measured (errors #68 and #69)", () => {
  const errors = loadFixture('errors.jsonl');
  const over = errors.find((e) => e.seq === 68)!;
  const under = errors.find((e) => e.seq === 69)!;
  const limited = () => new JsonStreamScanner({ maxValues: 1024, maxDepth: 64 });
  const tooMany = limited().push(Buffer.from(over.request));
  assert.equal(tooMany.length, 1);
  assert.equal(tooMany[0]!.kind, 'error');
  const fine = limited().push(Buffer.from(under.request));
  assert.equal(fine[0]!.kind, 'value');
  assert.ok((fine[0] as ScannedValue).values <= 1024);
  const deep = '['.repeat(65) + ']'.repeat(65);
  const r = limited().push(Buffer.from(deep));
  assert.equal(r[0]!.kind, 'error');
  assert.match((r[0] as { reason: string }).reason, /nesting/);
});

test('top-level members are recorded with their raw text (SPDK echoes the id verbatim)', () => {
  const scanner = new JsonStreamScanner({ recordMembers: true });
  const text = '{"jsonrpc":"2.0", "method":"x","params":{"id":5},"id" : 1.50}';
  const [v] = values(scanner.push(Buffer.from(text)));
  const members = Object.fromEntries(
    v!.members!.map((m) => [JSON.parse(v!.bytes.subarray(m.keyStart, m.keyEnd).toString()), v!.bytes.subarray(m.valueStart, m.valueEnd).toString()]),
  );
  assert.deepEqual(members, { jsonrpc: '"2.0"', method: '"x"', params: '{"id":5}', id: '1.50' });
});

test('a top-level scalar ends with the chunk only when asked (SPDK answers a bare `42`)', () => {
  assert.deepEqual(new JsonStreamScanner().push(Buffer.from('42')), []);
  const server = new JsonStreamScanner({ scalarEndsAtChunkEnd: true });
  const [v] = values(server.push(Buffer.from('42')));
  assert.equal(v!.bytes.toString(), '42');
});
