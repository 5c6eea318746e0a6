import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareReplies, parseTree, UuidMap } from '../../integration/sim/json-compare.js';

test('compare: identical replies match; volatile counters only need the right type', () => {
  const uuids = new UuidMap();
  assert.deepEqual(compareReplies('{"id":1,"result":{"ticks":5,"bytes_read":7}}', '{"id":1,"result":{"ticks":999,"bytes_read":7}}', { uuids }), []);
  assert.deepEqual(compareReplies('{"ticks":5}', '{"ticks":"5"}', { uuids }).length, 1);
});

test('compare: a mismatch names the path and both values', () => {
  const problems = compareReplies('{"result":[{"name":"Malloc0","claimed":false}]}', '{"result":[{"name":"Malloc1","claimed":false}]}', {
    uuids: new UuidMap(),
  });
  assert.deepEqual(problems, ['$.result[0].name: expected "Malloc0", simulator has "Malloc1"']);
  const members = compareReplies('{"a":1,"b":2}', '{"b":2,"a":1}', { uuids: new UuidMap() });
  assert.match(members[0]!, /^\$: members differ\n {4}expected: a,b\n {4}simulator: b,a$/);
  assert.match(compareReplies('[1,2]', '[1]', { uuids: new UuidMap() })[0]!, /expected 2 items, simulator has 1/);
});

test('compare: duplicate member names are kept (virtio_blk_get_transports)', () => {
  assert.deepEqual(parseTree('{"name":"a","name":"a"}'), {
    kind: 'object',
    members: [
      ['name', { kind: 'string', value: 'a' }],
      ['name', { kind: 'string', value: 'a' }],
    ],
  });
  assert.equal(compareReplies('{"name":"a","name":"a"}', '{"name":"a"}', { uuids: new UuidMap() }).length, 1);
});

test('compare: the id is compared as raw text', () => {
  assert.deepEqual(compareReplies('{"id":1.50}', '{"id":1.50}', { uuids: new UuidMap() }), []);
  assert.match(compareReplies('{"id":1.50}', '{"id":1.5}', { uuids: new UuidMap() })[0]!, /echoed verbatim/);
});

test('compare: UUIDs map one-to-one across a scenario; NGUIDs count as their UUID; pinned ones must come back', () => {
  const uuids = new UuidMap();
  const a = 'f576a7fa-2a2f-4d2d-8573-95e3ee335cad';
  const b = '29c0a0e1-1e6a-4e83-b10f-2816b0a43220';
  const x = '11111111-aaaa-4bbb-8ccc-000000000001';
  const y = '11111111-aaaa-4bbb-8ccc-000000000002';
  assert.deepEqual(compareReplies(`{"uuid":"${a}"}`, `{"uuid":"${x}"}`, { uuids }), []);
  assert.deepEqual(compareReplies('{"nguid":"F576A7FA2A2F4D2D857395E3EE335CAD"}', '{"nguid":"11111111AAAA4BBB8CCC000000000001"}', { uuids }), []);
  assert.match(compareReplies(`{"uuid":"${a}"}`, `{"uuid":"${y}"}`, { uuids })[0]!, /was 11111111-aaaa-4bbb-8ccc-000000000001 earlier/);
  assert.match(compareReplies(`{"uuid":"${b}"}`, `{"uuid":"${x}"}`, { uuids })[0]!, /already stands for/);
  uuids.pin('11111111-2222-3333-4444-555555555555');
  assert.match(compareReplies('{"uuid":"11111111-2222-3333-4444-555555555555"}', `{"uuid":"${y}"}`, { uuids })[0]!, /earlier/);
});
