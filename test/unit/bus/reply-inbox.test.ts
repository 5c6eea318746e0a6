import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusProtocolError, BusTimeoutError, RemoteError } from '../../../src/bus/errors.js';
import { ReplyInbox } from '../../../src/bus/reply-inbox.js';
import { capturedFailures } from './captures.js';

const call = (msgId: string, extra: Record<string, unknown> = {}) => ({ msgId, method: 'report_data', topic: 'cyborg-conductor', timeoutMs: 60_000, ...extra });

test('a final reply completes its call; a reply for an unknown _msg_id is dropped', async () => {
  const inbox = new ReplyInbox();
  const pending = inbox.wait(call('a'));
  assert.equal(inbox.deliver({ result: 'x', failure: null, ending: true, _msg_id: 'zzz' }), 'unknown-msg-id');
  assert.equal(inbox.deliver({ result: { ok: 1 }, failure: null, ending: true, _msg_id: 'a' }), 'completed');
  assert.deepEqual(await pending, { ok: 1 });
  assert.equal(inbox.size, 0);
  assert.equal(inbox.deliver({ result: 'late', failure: null, ending: true, _msg_id: 'a' }), 'unknown-msg-id', 'a late reply');
});

test('legacy two-part replies: the last non-null result before ending', async () => {
  const inbox = new ReplyInbox();
  const pending = inbox.wait(call('a'));
  assert.equal(inbox.deliver({ result: 'first', failure: null, ending: false, _msg_id: 'a' }), 'partial');
  assert.equal(inbox.deliver({ result: null, failure: null, ending: true, _msg_id: 'a' }), 'completed');
  assert.equal(await pending, 'first');
});

test('a failure rejects with a RemoteError; a reply without "failure" with a protocol error', async () => {
  const inbox = new ReplyInbox();
  const cyborg = capturedFailures().find(({ name }) => name === 'B.reply_cyborg_fail')!.failure;
  const failing = inbox.wait(call('a'));
  inbox.deliver({ result: null, failure: cyborg, ending: true, _msg_id: 'a' });
  await assert.rejects(
    failing,
    (err: unknown) => err instanceof RemoteError && err.is('PlacementResourceProviderNotFound') && err.context.method === 'report_data',
  );
  const malformed = inbox.wait(call('b'));
  assert.equal(inbox.deliver({ result: 'r', ending: true, _msg_id: 'b' }), 'failed');
  await assert.rejects(malformed, BusProtocolError);
  const badJson = inbox.wait(call('c'));
  inbox.deliver({ result: null, failure: '{oops', ending: true, _msg_id: 'c' });
  await assert.rejects(badJson, BusProtocolError);
});

test('the overall timeout, and the call monitor restarted by heartbeats', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const inbox = new ReplyInbox();
  const overall = inbox.wait(call('a', { timeoutMs: 1000 }));
  t.mock.timers.tick(1000);
  await assert.rejects(overall, (err: unknown) => err instanceof BusTimeoutError && err.context.kind === 'response' && /message ID a/.test(err.message));

  const monitored = inbox.wait(call('b', { timeoutMs: 10_000, callMonitorTimeoutMs: 2000 }));
  t.mock.timers.tick(1500);
  assert.equal(inbox.deliver({ result: null, failure: null, ending: false, _msg_id: 'b' }), 'heartbeat');
  t.mock.timers.tick(1500);
  assert.equal(inbox.has('b'), true, 'the heartbeat restarted the monitor');
  t.mock.timers.tick(500);
  await assert.rejects(monitored, (err: unknown) => err instanceof BusTimeoutError && err.context.kind === 'call-monitor');
  assert.equal(inbox.size, 0);
});

test('failAll and cancel settle pending calls at once', async () => {
  const inbox = new ReplyInbox();
  const a = inbox.wait(call('a'));
  const b = inbox.wait(call('b'));
  const c = inbox.wait(call('c'));
  inbox.cancel('c', new Error('publish failed'));
  await assert.rejects(c, /publish failed/);
  assert.equal(
    inbox.failAll((info) => new Error(`lost ${info.msgId}`)),
    2,
  );
  await assert.rejects(a, /lost a/);
  await assert.rejects(b, /lost b/);
  assert.equal(inbox.size, 0);
});
