/**
 * When report_data runs (src/agent/registration-scheduler.ts), on a clock the test moves by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistrationScheduler, type RegistrationOutcome } from '../../../src/agent/registration-scheduler.js';
import { RegistrationFailedError } from '../../../src/agent/errors.js';
import { FakeClock, settle } from './fake-clock.js';

const INTERVAL = 60_000;

interface Run {
  reasons: string[];
  at: number;
  succeed(): void;
  fail(err: unknown): void;
}

function harness(options: { autoSucceed?: boolean; debounceMs?: number } = {}) {
  const clock = new FakeClock();
  const runs: Run[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const scheduler = new RegistrationScheduler({
    intervalMs: INTERVAL,
    debounceMs: options.debounceMs ?? 200,
    clock,
    run: (reasons) =>
      new Promise<void>((resolve, reject) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const done = (): void => void inFlight--;
        runs.push({
          reasons: [...reasons],
          at: clock.now(),
          succeed: () => {
            done();
            resolve();
          },
          fail: (err) => {
            done();
            reject(err);
          },
        });
        if (options.autoSucceed !== false) {
          done();
          resolve();
        }
      }),
  });
  return { clock, runs, scheduler, maxInFlight: () => maxInFlight };
}

test('the start-up report runs at once and carries the requests made before it', async () => {
  const { runs, scheduler } = harness();
  void scheduler.request('nvmf0: stopped → starting');
  await settle();
  assert.equal(runs.length, 0, 'nothing before start()');
  scheduler.start();
  await settle();
  assert.deepEqual(
    runs.map((r) => r.reasons),
    [['start-up', 'nvmf0: stopped → starting']],
  );
  scheduler.stop();
});

test('then one report per interval', async () => {
  const { clock, runs, scheduler } = harness();
  const t0 = clock.now();
  scheduler.start();
  await clock.advance(3 * INTERVAL + 10);
  assert.deepEqual(
    runs.map((r) => r.at - t0),
    [0, INTERVAL, 2 * INTERVAL, 3 * INTERVAL],
  );
  assert.deepEqual(
    runs.slice(1).map((r) => r.reasons),
    [['periodic'], ['periodic'], ['periodic']],
  );
  scheduler.stop();
});

test('a change is reported within a second (after the debounce), and resets nothing else', async () => {
  const { clock, runs, scheduler } = harness();
  scheduler.start();
  await clock.advance(10_000);
  const asked = clock.now();
  const outcome = scheduler.request('vhost0: running → stopped');
  await clock.advance(199);
  assert.equal(runs.length, 1, 'waits for the debounce');
  await clock.advance(1);
  assert.equal(runs.length, 2);
  assert.ok(runs[1]!.at - asked <= 1000);
  assert.deepEqual(runs[1]!.reasons, ['vhost0: running → stopped']);
  assert.equal((await outcome).ok, true);
  scheduler.stop();
});

test('a burst of changes gives one report', async () => {
  const { clock, runs, scheduler } = harness();
  scheduler.start();
  await clock.advance(5000);
  for (const reason of ['a: running → crashed', 'a: crashed → restarting', 'inventory changed']) void scheduler.request(reason);
  await clock.advance(1000);
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[1]!.reasons, ['a: running → crashed', 'a: crashed → restarting', 'inventory changed']);
  scheduler.stop();
});

test('never two at once: changes during a report give exactly one more report after it', async () => {
  const { clock, runs, scheduler, maxInFlight } = harness({ autoSucceed: false });
  scheduler.start();
  await settle();
  assert.equal(runs.length, 1);
  const waits: Array<Promise<RegistrationOutcome>> = [];
  for (let i = 0; i < 5; i++) waits.push(scheduler.request(`change ${i}`));
  await clock.advance(30_000);
  assert.equal(runs.length, 1, 'no second report while the first runs');
  assert.equal(scheduler.busy, true);
  runs[0]!.succeed();
  await clock.advance(200);
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[1]!.reasons, ['change 0', 'change 1', 'change 2', 'change 3', 'change 4']);
  runs[1]!.succeed();
  const outcomes = await Promise.all(waits);
  assert.ok(
    outcomes.every((o) => o.ok && o.reasons.length === 5),
    'each request is answered by the report that covered it',
  );
  await clock.advance(1000);
  assert.equal(runs.length, 2, 'and no pile-up after it');
  assert.equal(maxInFlight(), 1);
  scheduler.stop();
});

test('an explicit request (discover) skips the debounce, and takes waiting changes along', async () => {
  const { clock, runs, scheduler } = harness();
  scheduler.start();
  await clock.advance(10_000);
  void scheduler.request('vhost0: running → stopped');
  await clock.advance(50);
  assert.equal(runs.length, 1, 'the change waits for its debounce');
  const outcome = scheduler.request('discover', { immediate: true });
  await settle();
  assert.equal(runs.length, 2, 'no wait for the explicit request');
  assert.deepEqual(runs[1]!.reasons, ['vhost0: running → stopped', 'discover']);
  assert.equal((await outcome).ok, true);
  await clock.advance(1000);
  assert.equal(runs.length, 2, "the change's debounce does not run a report of its own afterwards");
  scheduler.stop();
});

test('an explicit request during a report runs right after it, without the debounce', async () => {
  const { clock, runs, scheduler } = harness({ autoSucceed: false });
  scheduler.start();
  await settle();
  void scheduler.request('discover', { immediate: true });
  await clock.advance(10);
  assert.equal(runs.length, 1, 'never two at once');
  runs[0]!.succeed();
  await clock.advance(0);
  await settle();
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[1]!.reasons, ['discover']);
  runs[1]!.succeed();
  scheduler.stop();
});

test('a failed report (no resource provider, timeout) is retried at the next period, not at once', async () => {
  const { clock, runs, scheduler } = harness({ autoSucceed: false });
  const t0 = clock.now();
  scheduler.start();
  await settle();
  runs[0]!.fail(new RegistrationFailedError({ kind: 'no-resource-provider', message: 'no provider', hostname: 'cn1', topic: 'cyborg-conductor' }));
  await clock.advance(INTERVAL - 1);
  assert.equal(runs.length, 1, 'no early retry');
  await clock.advance(1);
  assert.equal(runs.length, 2);
  assert.equal(runs[1]!.at - t0, INTERVAL);
  runs[1]!.fail(new RegistrationFailedError({ kind: 'timeout', message: 'no answer', hostname: 'cn1', topic: 'cyborg-conductor' }));
  await clock.advance(INTERVAL);
  assert.equal(runs.length, 3);
  const outcome = scheduler.request('later');
  runs[2]!.succeed();
  await clock.advance(200);
  runs[3]!.succeed();
  assert.equal((await outcome).ok, true);
  scheduler.stop();
});

test('a report that took longer than the interval is not followed by another at once', async () => {
  const { clock, runs, scheduler } = harness({ autoSucceed: false });
  scheduler.start();
  await clock.advance(INTERVAL + 5000);
  runs[0]!.fail(new Error('timed out'));
  await clock.advance(999);
  assert.equal(runs.length, 1);
  await clock.advance(1);
  assert.equal(runs.length, 2, 'one second after it ended');
  scheduler.stop();
});

test('stop(): waiting requests are answered as failed, and nothing runs any more', async () => {
  const { clock, runs, scheduler } = harness({ autoSucceed: false });
  scheduler.start();
  await settle();
  const waiting = scheduler.request('late change');
  scheduler.stop();
  const outcome = await waiting;
  assert.equal(outcome.ok, false);
  assert.match(String(outcome.error), /shutting down/);
  runs[0]!.succeed();
  await scheduler.idle();
  await clock.advance(3 * INTERVAL);
  assert.equal(runs.length, 1);
  assert.equal((await scheduler.request('after stop')).ok, false);
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('a new period (a configuration reload) re-times the waiting periodic registration from the last start', async () => {
  const { clock, runs, scheduler } = harness();
  scheduler.start();
  await settle();
  assert.equal(runs.length, 1);
  await clock.advance(10_000);
  scheduler.setInterval(15_000);
  await clock.advance(4_999);
  assert.equal(runs.length, 1, 'not before 15 s after the last start');
  await clock.advance(1);
  assert.deepEqual(runs[1]?.reasons, ['periodic']);
  await clock.advance(15_000);
  assert.equal(runs.length, 3, 'and every 15 s from then on');
  assert.throws(() => scheduler.setInterval(0), RangeError);
  scheduler.stop();
});

function retryingHarness(retryable: (error: unknown) => boolean) {
  const clock = new FakeClock();
  const runs: Array<{ reasons: string[]; at: number }> = [];
  const outcomes: Array<'ok' | Error> = [];
  const scheduler = new RegistrationScheduler({
    intervalMs: INTERVAL,
    clock,
    retryable,
    run: async (reasons) => {
      runs.push({ reasons: [...reasons], at: clock.now() });
      const next = outcomes.shift() ?? 'ok';
      if (next !== 'ok') throw next;
    },
  });
  return { clock, runs, outcomes, scheduler };
}

test('a transient failure is retried with back-off (1 s, 2 s, 4 s …) with the same reasons, until one gets through', async () => {
  const transient = new Error('publish refused');
  const { clock, runs, outcomes, scheduler } = retryingHarness((e) => e === transient);
  outcomes.push(transient, transient, transient, 'ok');
  scheduler.start();
  await settle();
  assert.equal(runs.length, 1);
  await clock.advance(999);
  assert.equal(runs.length, 1, 'not before 1 s');
  await clock.advance(1);
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[1]!.reasons, ['start-up', 'retry after a transient failure'], 'the start-up reason is kept: it is always sent');
  await clock.advance(2000);
  assert.equal(runs.length, 3);
  await clock.advance(4000);
  assert.equal(runs.length, 4, 'the fourth attempt got through');
  await clock.advance(20_000);
  assert.equal(runs.length, 4, 'no retry after a success');
  assert.deepEqual(
    runs.map((r) => r.at - runs[0]!.at),
    [0, 1000, 3000, 7000],
  );
  scheduler.stop();
});

test('a failure that is not transient waits for the next period; transient ones are retried at least every 30 s while they last', async () => {
  const permanent = new Error('no resource provider');
  const transient = new Error('timeout');
  const { clock, runs, outcomes, scheduler } = retryingHarness((e) => e === transient);
  outcomes.push(permanent);
  scheduler.start();
  await clock.advance(INTERVAL - 1);
  assert.equal(runs.length, 1, 'no early retry of a permanent failure');
  // Transient failures from now on: the back-off doubles up to its 30 s cap.
  for (let i = 0; i < 10; i++) outcomes.push(transient);
  await clock.advance(1);
  assert.equal(runs.length, 2, 'the period');
  const periodStart = runs[1]!.at;
  await clock.advance(65_000);
  const retries = runs.slice(2);
  assert.deepEqual(
    retries.map((r) => r.at - periodStart),
    [1000, 3000, 7000, 15000, 31000, 61000],
  );
  assert.ok(
    retries.every((r) => r.reasons.includes('periodic') && r.reasons.includes('retry after a transient failure')),
    'each retry is the periodic report again',
  );
  scheduler.stop();
});

test('stop() cancels a waiting retry', async () => {
  const transient = new Error('timeout');
  const { clock, runs, outcomes, scheduler } = retryingHarness(() => true);
  outcomes.push(transient);
  scheduler.start();
  await settle();
  scheduler.stop();
  await clock.advance(5000);
  assert.equal(runs.length, 1);
});
