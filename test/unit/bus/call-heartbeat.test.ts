import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallHeartbeat, callMonitorIntervalMs } from '../../../src/bus/call-heartbeat.js';

test('the heartbeat interval is int(_timeout)/2 s, and none below 1 s or for a null/falsy/unparsable _timeout', () => {
  const cases: Array<[unknown, number | null]> = [
    [null, null],
    [0, null],
    [1, null],
    [2, 1000],
    [3, 1500],
    [2.9, 1000],
    [60, 30_000],
    ['4', 2000],
    ['2.5', null],
    [true, null],
    [[], null],
    ['', null],
  ];
  for (const [timeout, expected] of cases) assert.equal(callMonitorIntervalMs(timeout), expected, JSON.stringify(timeout));
});

test('heartbeats go out at the interval until stopped', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let sent = 0;
  const heartbeat = new CallHeartbeat(
    1000,
    async () => void sent++,
    () => assert.fail('no failure expected'),
  ).start();
  t.mock.timers.tick(999);
  assert.equal(sent, 0);
  t.mock.timers.tick(1);
  assert.equal(sent, 1);
  heartbeat.stop();
  t.mock.timers.tick(10_000);
  assert.equal(sent, 1);
});

test('a heartbeat that cannot be sent ends the heartbeats (as oslo), and is reported', async () => {
  let attempts = 0;
  const failures: unknown[] = [];
  const heartbeat = new CallHeartbeat(
    5,
    async () => {
      attempts++;
      throw new Error('broker gone');
    },
    (err) => failures.push(err),
  ).start();
  await new Promise((resolve) => setTimeout(resolve, 60));
  heartbeat.stop();
  assert.equal(attempts, 1);
  assert.equal(failures.length, 1);
  assert.equal(heartbeat.heartbeatsSent, 0);
});
