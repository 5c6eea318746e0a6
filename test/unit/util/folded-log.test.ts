/** Repeated warnings folded into one summary line per interval (src/util/folded-log.ts). */
import { test } from 'node:test';
import { memoryLogger } from '../../helpers/logs.js';
import assert from 'node:assert/strict';
import { FoldedLog } from '../../../src/util/folded-log.js';
import { FakeClock } from '../agent/fake-clock.js';

test('the first few of each kind in full, the rest counted into one summary per interval, per kind', async () => {
  const clock = new FakeClock();
  const { logger, lines } = memoryLogger();
  const folded = new FoldedLog(logger, { fullPerInterval: 3, intervalMs: 60_000, clock });
  for (let i = 0; i < 5000; i++) folded.warn('undecodable', `bad message ${i}`, { n: i });
  for (let i = 0; i < 10; i++) folded.warn('duplicate', `duplicate ${i}`);
  assert.deepEqual(
    lines().map((l) => l.message),
    ['bad message 0', 'bad message 1', 'bad message 2', 'duplicate 0', 'duplicate 1', 'duplicate 2'],
  );
  assert.equal(lines()[2]!.furtherOnesFoldedForMs, 60_000, 'the last full line says more are folded');
  await clock.advance(60_000);
  const summary = lines().at(-1)!;
  assert.equal(summary.message, '5004 more of the same warnings in the last 60 s, not logged one by one');
  assert.deepEqual(summary.folded, { undecodable: 4997, duplicate: 7 });
  assert.equal(summary.level, 'warn');
  // A new interval: full lines again.
  folded.warn('undecodable', 'bad message again');
  assert.equal(lines().at(-1)!.message, 'bad message again');
  await clock.advance(120_000);
  assert.equal(lines().filter((l) => l.folded !== undefined).length, 1, 'no summary for an interval without folding');
});

test('flush writes what was folded at once (the server is stopping)', () => {
  const clock = new FakeClock();
  const { logger, lines } = memoryLogger();
  const folded = new FoldedLog(logger, { fullPerInterval: 1, intervalMs: 60_000, clock });
  folded.warn('k', 'one');
  folded.warn('k', 'two');
  folded.flush();
  assert.deepEqual(lines().at(-1)!.folded, { k: 1 });
});
