/**
 * The inventory change check (src/agent/change-watch.ts) on a hand-moved clock: a changed
 * fingerprint asks for a report; none before the first report, none while one runs, checks never
 * overlap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeWatch } from '../../../src/agent/change-watch.js';
import { getLogger } from '../../../src/util/log.js';
import { FakeClock, settle } from './fake-clock.js';

function harness() {
  const clock = new FakeClock();
  const state = { current: 'A', last: null as string | null, reporting: false, changes: 0, reads: 0, running: 0, maxRunning: 0, slowMs: 0 };
  const watch = new ChangeWatch({
    intervalMs: 1000,
    clock,
    logger: getLogger('test.change-watch'),
    lastFingerprint: () => state.last,
    registering: () => state.reporting,
    onChange: () => void state.changes++,
    currentFingerprint: async () => {
      state.reads++;
      state.running++;
      state.maxRunning = Math.max(state.maxRunning, state.running);
      if (state.slowMs > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, state.slowMs));
      state.running--;
      if (state.current === 'fail') throw new Error('target unreadable');
      return state.current;
    },
  });
  return { clock, state, watch };
}

test('nothing is compared before the first report', async () => {
  const { clock, state, watch } = harness();
  watch.start();
  await clock.advance(5000);
  assert.equal(state.reads, 0);
  assert.equal(state.changes, 0);
  await watch.stop();
});

test('a fingerprint that differs from the last report asks for one; an equal one does not', async () => {
  const { clock, state, watch } = harness();
  state.last = 'A';
  watch.start();
  await clock.advance(3000);
  assert.equal(state.reads, 3);
  assert.equal(state.changes, 0);
  state.current = 'B';
  await clock.advance(1000);
  assert.equal(state.changes, 1);
  state.last = 'B';
  await clock.advance(2000);
  assert.equal(state.changes, 1);
  await watch.stop();
});

test('skipped while a report runs; a failed read is not a change', async () => {
  const { clock, state, watch } = harness();
  state.last = 'A';
  state.current = 'B';
  state.reporting = true;
  watch.start();
  await clock.advance(3000);
  assert.equal(state.reads, 0);
  state.reporting = false;
  state.current = 'fail';
  await clock.advance(2000);
  assert.equal(state.reads, 2);
  assert.equal(state.changes, 0);
  await watch.stop();
});

test('checks never overlap, and stop() waits for the one running', async () => {
  const { clock, state, watch } = harness();
  state.last = 'A';
  state.slowMs = 2500;
  watch.start();
  await clock.advance(10_000);
  assert.equal(state.maxRunning, 1);
  assert.ok(state.reads >= 2);
  const stopping = watch.stop();
  await clock.advance(3000);
  await stopping;
  const reads = state.reads;
  await clock.advance(5000);
  await settle();
  assert.equal(state.reads, reads, 'no check after stop()');
});
