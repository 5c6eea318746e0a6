import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrencyLimiter } from '../../../src/bus/concurrency.js';

test('at most N tasks run at once; the others wait their turn in order; idle() waits for all', async () => {
  const limiter = new ConcurrencyLimiter(2);
  const releases: Array<() => void> = [];
  const started: number[] = [];
  const task = (n: number) => () =>
    new Promise<number>((resolve) => {
      started.push(n);
      releases.push(() => resolve(n));
    });
  const results = [1, 2, 3, 4].map((n) => limiter.run(task(n)));
  assert.deepEqual(started, [1, 2]);
  assert.equal(limiter.inFlight, 4);
  let idle = false;
  void limiter.idle().then(() => (idle = true));
  releases[0]!();
  await results[0];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [1, 2, 3]);
  releases[1]!();
  releases[2]!();
  await Promise.all([results[1], results[2]]);
  await new Promise((r) => setImmediate(r));
  assert.equal(idle, false);
  releases[3]!();
  assert.deepEqual(await Promise.all(results), [1, 2, 3, 4]);
  await new Promise((r) => setImmediate(r));
  assert.equal(idle, true);
  assert.equal(limiter.inFlight, 0);
});

test('a failing task frees its slot and rejects its own promise only', async () => {
  const limiter = new ConcurrencyLimiter(1);
  const failing = limiter.run(async () => {
    throw new Error('boom');
  });
  const next = limiter.run(async () => 'next');
  await assert.rejects(failing, /boom/);
  assert.equal(await next, 'next');
  await limiter.idle();
});
