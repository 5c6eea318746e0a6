import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, sleep } from '../../../src/bus/backoff.js';

test("oslo's default back-off: 1 s, then 2 s more each time, capped at 30 s", () => {
  const policy = { initialMs: 1000, stepMs: 2000, maxMs: 30_000 };
  const sequence = Array.from({ length: 18 }, (_, i) => backoffDelayMs(policy, i + 1) / 1000);
  assert.deepEqual(sequence, [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 30, 30, 30]);
});

test('other policies, and nonsense cycle numbers', () => {
  const policy = { initialMs: 500, stepMs: 0, maxMs: 500 };
  assert.equal(backoffDelayMs(policy, 1), 500);
  assert.equal(backoffDelayMs(policy, 100), 500);
  assert.equal(backoffDelayMs({ initialMs: 100, stepMs: 100, maxMs: 250 }, 0), 100, 'cycle 0 counts as the first');
  assert.equal(backoffDelayMs({ initialMs: 100, stepMs: 100, maxMs: 250 }, 2), 200);
  assert.equal(backoffDelayMs({ initialMs: 100, stepMs: 100, maxMs: 250 }, 3), 250);
});

test('sleep resolves, and rejects as soon as its signal aborts', async () => {
  await sleep(5);
  const controller = new AbortController();
  const pending = sleep(60_000, controller.signal);
  controller.abort(new Error('closing'));
  await assert.rejects(pending, /closing/);
  await assert.rejects(sleep(10, controller.signal), /closing/, 'an aborted signal rejects at once');
});
