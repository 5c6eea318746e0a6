import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, packContext, unpackRequest, uuidHex } from '../../../src/bus/context.js';
import { capturedContext } from './captures.js';

test("the admin context is Cyborg's, key for key and in order, with a fresh request_id", () => {
  const captured = capturedContext();
  const ours = Object.entries(adminContext());
  assert.deepEqual(
    ours.map(([k]) => k),
    captured.map(([k]) => k),
  );
  for (const [key, value] of captured) {
    if (key !== 'request_id') assert.deepEqual(adminContext()[key], value, key);
  }
  const a = adminContext().request_id as string;
  const b = adminContext().request_id as string;
  assert.match(a, /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, b);
});

test('pack and unpack: _context_ keys after the others; control keys split out', () => {
  const message: Record<string, unknown> = { method: 'm', args: { x: 1 }, version: '1.0', _msg_id: 'id', _reply_q: 'reply_q', _timeout: 2, _unique_id: 'u' };
  packContext(message, { user: 'alice', roles: ['admin'] });
  assert.deepEqual(Object.keys(message).slice(-2), ['_context_user', '_context_roles']);
  const unpacked = unpackRequest(message);
  assert.deepEqual(unpacked, {
    context: { user: 'alice', roles: ['admin'] },
    msgId: 'id',
    replyQueue: 'reply_q',
    clientTimeout: 2,
    uniqueId: 'u',
    body: { method: 'm', args: { x: 1 }, version: '1.0' },
  });
  assert.deepEqual(unpackRequest({ method: 'cast' }), {
    context: {},
    msgId: null,
    replyQueue: null,
    clientTimeout: null,
    uniqueId: null,
    body: { method: 'cast' },
  });
  assert.match(uuidHex(), /^[0-9a-f]{32}$/);
});
