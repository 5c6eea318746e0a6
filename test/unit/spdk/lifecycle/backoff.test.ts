import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBackoff, backoffDelayMs } from '../../../../src/spdk/lifecycle/backoff.js';

const policy = { policy: 'on-failure' as const, maxAttempts: 4, initialDelaySec: 1, maxDelaySec: 5 };

test('delays double from the initial one and stop at the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy, n)),
    [1000, 2000, 4000, 5000, 5000],
  );
  assert.equal(backoffDelayMs({ initialDelaySec: 0.05, maxDelaySec: 30 }, 3), 200);
});

test('on-failure: restarts failures up to maxAttempts, not clean exits; reset starts the count again', () => {
  const backoff = new RestartBackoff(policy);
  assert.deepEqual(backoff.next(false), { restart: false, why: 'clean-exit', attempts: 0 });
  assert.deepEqual(backoff.next(true), { restart: true, attempt: 1, delayMs: 1000 });
  assert.deepEqual(backoff.next(true), { restart: true, attempt: 2, delayMs: 2000 });
  assert.deepEqual(backoff.next(true), { restart: true, attempt: 3, delayMs: 4000 });
  assert.deepEqual(backoff.next(true), { restart: true, attempt: 4, delayMs: 5000 });
  assert.deepEqual(backoff.next(true), { restart: false, why: 'exhausted', attempts: 4 });
  backoff.reset();
  assert.deepEqual(backoff.next(true), { restart: true, attempt: 1, delayMs: 1000 });
});

test('always restarts clean exits too; never restarts nothing', () => {
  assert.equal(new RestartBackoff({ ...policy, policy: 'always' }).next(false).restart, true);
  assert.deepEqual(new RestartBackoff({ ...policy, policy: 'never' }).next(true), { restart: false, why: 'policy', attempts: 0 });
});

test('maxAttempts 0 gives up at once', () => {
  assert.deepEqual(new RestartBackoff({ ...policy, maxAttempts: 0 }).next(true), { restart: false, why: 'exhausted', attempts: 0 });
});
