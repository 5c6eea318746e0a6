/**
 * Supervision against the simulator: crashes and restarts (back-off, the attempt cap), a clean exit
 * someone else caused, a hang (unresponsive, and back), adoption of a target started by someone
 * else (its pid, its crash noticed through the lost connection, left running when the agent exits).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TargetManager } from '../../../src/spdk/lifecycle/manager.js';
import { detectSpdk } from '../../../src/spdk/install/index.js';
import { SpdkRpcClient } from '../../../src/spdk/rpc/client.js';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { traceBufferPath } from '../../../src/spdk/lifecycle/trace-buffer.js';
import { EventLog, answers, fakeTree, isAlive, killTracked, spec, startForeign, supervisor, trackPid } from './harness.js';

/** Whether the dead target's /dev/shm trace buffer is gone (it is disposed of asynchronously). */
async function traceBufferGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && existsSync(traceBufferPath('nvmf_tgt', pid)); i++) await delay(20);
  return !existsSync(traceBufferPath('nvmf_tgt', pid));
}

test('killed six times: restarted with exponential back-off five times (the cap), then the target is failed', async (t) => {
  const tree = await fakeTree(t);
  // Each incarnation serves the start-up calls, then dies by SIGKILL on a later health probe.
  const target = spec(tree, {
    args: ['--no-huge', '-s', '256', '--sim-fault', 'crash-after=4'],
    restart: { policy: 'on-failure', maxAttempts: 5, initialDelaySec: 0.05, maxDelaySec: 0.4 },
  });
  const sup = supervisor(t, tree, target);
  const log = new EventLog(sup);
  await sup.start();
  const failed = await log.waitFor('failed', 60_000);

  assert.match(failed.reason, /^gave up after 5 restart attempts; the last end: killed by SIGKILL$/);
  assert.equal(sup.status().lastError, failed.reason, 'a failed target always says why');
  const oneLife = ['starting→running', 'running→crashed'];
  const restart = ['crashed→restarting', 'restarting→starting'];
  assert.deepEqual(log.transitions(), ['stopped→starting', ...oneLife, ...Array.from({ length: 5 }, () => [...restart, ...oneLife]).flat(), 'crashed→failed']);
  const restarts = log.events.filter((e) => e.to === 'restarting');
  assert.deepEqual(
    restarts.map((e) => [e.attempt, e.delayMs]),
    [
      [1, 50],
      [2, 100],
      [3, 200],
      [4, 400],
      [5, 400],
    ],
    'doubling, capped at maxDelaySec',
  );
  const crashes = log.events.filter((e) => e.to === 'crashed');
  const pids = crashes.map((e) => e.pid);
  assert.equal(new Set(pids).size, 6, 'six different processes, each killed');
  for (const crash of crashes) assert.equal(crash.signal, 'SIGKILL');
  for (const pid of pids) assert.equal(await isAlive(pid!), false);
  assert.equal(sup.status().restarts, 5);
  // A crash leaves SPDK's trace buffer in /dev/shm; untraced, it is removed, not piled up per attempt.
  for (const pid of pids) assert.equal(await traceBufferGone(pid!), true, `trace buffer of pid ${pid} removed`);
});

test('restart policy never: a crash leaves the target failed', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(t, tree, spec(tree, { args: ['--no-huge', '-s', '256', '--sim-fault', 'exit-after=300'] }));
  const log = new EventLog(sup);
  await sup.start();
  const failed = await log.waitFor('failed');
  assert.match(failed.reason, /^killed by SIGKILL; restart policy is never$/);
  assert.match(sup.status().lastError ?? '', /killed by SIGKILL \(restart policy never\)/);
  assert.deepEqual(log.transitions().slice(-2), ['running→crashed', 'crashed→failed']);
});

test('a clean exit someone else asked for (kill_instance from another client) is not restarted on-failure', async (t) => {
  const tree = await fakeTree(t);
  const target = spec(tree, { restart: { policy: 'on-failure', maxAttempts: 3, initialDelaySec: 0.05, maxDelaySec: 1 } });
  const sup = supervisor(t, tree, target);
  const log = new EventLog(sup);
  const { pid } = await sup.start();
  const other = new SpdkRpcClient({ address: target.socket!, timeoutMs: 5000 });
  await other.call('spdk_kill_instance', { sig_name: 'SIGTERM' }).catch(() => undefined);
  await other.close();
  const stopped = await log.waitFor('stopped', 10_000, 1);
  assert.match(stopped.reason, /exited cleanly/);
  const crashed = log.events.find((e) => e.to === 'crashed');
  assert.equal(crashed?.exitCode, 0);
  assert.equal(crashed?.pid, pid);
  assert.equal(
    log.events.some((e) => e.to === 'restarting'),
    false,
  );
});

test('restart policy always restarts even a clean exit', async (t) => {
  const tree = await fakeTree(t);
  const target = spec(tree, { restart: { policy: 'always', maxAttempts: 1, initialDelaySec: 0.05, maxDelaySec: 1 } });
  const sup = supervisor(t, tree, target);
  const log = new EventLog(sup);
  const first = await sup.start();
  const other = new SpdkRpcClient({ address: target.socket!, timeoutMs: 5000 });
  await other.call('spdk_kill_instance', { sig_name: 'SIGTERM' }).catch(() => undefined);
  await other.close();
  await log.waitFor('restarting');
  const running = log.events.length;
  const again = await log.waitFor('running', 15_000, running);
  assert.notEqual(again.pid, first.pid);
  assert.equal(await answers(target.socket!), true);
});

test('a stop the operator asked for is not a crash', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(t, tree, spec(tree, { restart: { policy: 'always', maxAttempts: 5, initialDelaySec: 0.05, maxDelaySec: 1 } }));
  const log = new EventLog(sup);
  await sup.start();
  await sup.stop();
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(log.transitions(), ['stopped→starting', 'starting→running', 'running→stopping', 'stopping→stopped']);
});

test('a hang makes the target unresponsive; answering again makes it running', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(t, tree, spec(tree), { healthIntervalMs: 150, healthTimeoutMs: 400 });
  const log = new EventLog(sup);
  const { pid } = await sup.start();
  // Frozen: alive (state T, not a zombie), silent.
  process.kill(pid!, 'SIGSTOP');
  t.after(() => {
    try {
      process.kill(pid!, 'SIGCONT');
    } catch {
      // gone
    }
  });
  const unresponsive = await log.waitFor('unresponsive');
  assert.match(unresponsive.reason, /no answer/);
  assert.equal(unresponsive.pid, pid);
  assert.equal(sup.status().state, 'unresponsive');
  process.kill(pid!, 'SIGCONT');
  const back = await log.waitFor('running', 15_000, log.events.indexOf(unresponsive));
  assert.equal(back.reason, 'answering again');
});

test('a hung simulator (stops answering after N requests) becomes unresponsive', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(t, tree, spec(tree, { args: ['--no-huge', '-s', '256', '--sim-fault', 'hang-after=3'] }), {
    healthIntervalMs: 150,
    healthTimeoutMs: 400,
  });
  const log = new EventLog(sup);
  const { pid } = await sup.start();
  await log.waitFor('unresponsive');
  assert.equal(await isAlive(pid!), true);
});

test('a target hung past restart.unresponsiveSec is stopped with signals and restarted, and the restart counts', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(
    t,
    tree,
    spec(tree, {
      args: ['--no-huge', '-s', '256', '--sim-fault', 'hang-after=3'],
      restart: { policy: 'on-failure', maxAttempts: 3, initialDelaySec: 0.05, maxDelaySec: 1, unresponsiveSec: 1 },
      stopTimeoutSec: 2,
    }),
    { healthIntervalMs: 150, healthTimeoutMs: 400 },
  );
  const log = new EventLog(sup);
  const { pid } = await sup.start();
  const unresponsive = await log.waitFor('unresponsive');
  assert.equal(sup.status().reason, unresponsive.reason, 'the state says why');
  const stopping = await log.waitFor('stopping', 15_000, log.events.indexOf(unresponsive));
  assert.match(stopping.reason, /^unresponsive for 1 s: stopped with signals to restart it$/);
  const back = await log.waitFor('running', 20_000, log.events.indexOf(stopping));
  assert.deepEqual(log.transitions().slice(log.events.indexOf(unresponsive)), [
    'running→unresponsive',
    'unresponsive→stopping',
    'stopping→crashed',
    'crashed→restarting',
    'restarting→starting',
    'starting→running',
  ]);
  assert.notEqual(back.pid, pid);
  assert.equal(await isAlive(pid!), false, 'the hung process was stopped');
  assert.equal(sup.status().restarts, 1);
  assert.match(sup.status().lastError ?? '', /hung: no answer for 1 s/);
  t.diagnostic(
    `hung target: unresponsive → running again in ${Date.parse(back.at) - Date.parse(unresponsive.at)} ms (unresponsiveSec 1, SIGTERM, restart back-off 50 ms)`,
  );
});

test('restart policy never: a hang past restart.unresponsiveSec is reported, not acted on', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(
    t,
    tree,
    spec(tree, { args: ['--no-huge', '-s', '256', '--sim-fault', 'hang-after=3'], restart: { policy: 'never', unresponsiveSec: 0.5 } }),
    { healthIntervalMs: 150, healthTimeoutMs: 400 },
  );
  const log = new EventLog(sup);
  const { pid } = await sup.start();
  await log.waitFor('unresponsive');
  await delay(1500);
  assert.equal(sup.status().state, 'unresponsive');
  assert.equal(await isAlive(pid!), true);
  assert.match(sup.status().lastError ?? '', /unresponsive for more than 0\.5 s \(restart policy never\)/);
});

test('adoption: found by its socket, its pid through /proc; its crash is noticed through the lost connection', async (t) => {
  const tree = await fakeTree(t);
  const foreign = await startForeign(t, tree);
  // A probe period far longer than the test: only the disconnect event can notice the crash.
  const sup = supervisor(t, tree, spec(tree, { socket: foreign.socket }), { healthIntervalMs: 600_000 });
  const log = new EventLog(sup);
  const status = await sup.attach();
  assert.equal(status.state, 'running');
  assert.equal(status.ownership, 'adopted');
  assert.equal(status.pid, foreign.pid);
  assert.match(status.version ?? '', /SPDK v24\.01/);

  process.kill(foreign.pid, 'SIGKILL');
  const crashed = await log.waitFor('crashed', 10_000);
  assert.equal(crashed.pid, foreign.pid);
  // The test process is its parent: it may be seen as a zombie before Node reaps it.
  assert.match(crashed.reason, /adopted target went away: process \d+ (is gone|exited \(zombie\))/);
  await log.waitFor('failed');
  // Its arguments were read from /proc when it was adopted: untraced, its trace buffer is removed.
  assert.equal(await traceBufferGone(foreign.pid), true);
});

test('adopted targets are left running when the agent exits, unless stopOnAgentExit', async (t) => {
  const tree = await fakeTree(t);
  const keep = await startForeign(t, tree);
  const drop = await startForeign(t, tree);
  const manager = new TargetManager(
    {
      sourceDir: tree.root,
      searchPath: false,
      targets: [spec(tree, { name: 'keep', socket: keep.socket }), spec(tree, { name: 'drop', socket: drop.socket, stopOnAgentExit: true })],
    },
    { healthIntervalMs: 200, hugepagePaths: tree.hugepagePaths, installation: () => detectSpdk({ sourceDir: tree.root, searchPath: false }) },
  );
  t.after(() => manager.shutdown());
  const log = new EventLog(manager);
  const results = await manager.startAll();
  assert.deepEqual(
    results.map((r) => [r.name, r.action, r.status.pid]),
    [
      ['keep', 'adopted', keep.pid],
      ['drop', 'adopted', drop.pid],
    ],
  );
  await manager.shutdown();
  assert.equal(await isAlive(keep.pid), true, 'keep is still running');
  assert.equal(await answers(keep.socket), true);
  assert.equal(await isAlive(drop.pid), false, 'drop was stopped');
  assert.ok(log.events.some((e) => e.target === 'drop' && e.to === 'stopped'));
  assert.equal(
    log.events.some((e) => e.target === 'keep' && e.to === 'stopped'),
    false,
  );
  await killTracked(keep.pid);
});

test('a spawned target outlives the agent letting go of it, and the next agent adopts it', async (t) => {
  const tree = await fakeTree(t);
  const target = spec(tree);
  const first = supervisor(t, tree, target);
  const { pid } = await first.start();
  trackPid(pid);
  await first.shutdown();
  assert.equal(await isAlive(pid!), true);
  assert.equal(await answers(target.socket!), true);

  const second = supervisor(t, tree, target);
  const status = await second.start();
  assert.equal(status.ownership, 'adopted');
  assert.equal(status.pid, pid);
  await second.stop();
  assert.equal(await isAlive(pid!), false);
});

test('the manager: autostart targets are started, others only adopted, unknown names listed', async (t) => {
  const tree = await fakeTree(t);
  const manager = new TargetManager(
    {
      sourceDir: tree.root,
      searchPath: false,
      targets: [
        spec(tree, { name: 'auto', autostart: true }),
        spec(tree, { name: 'manual' }),
        spec(tree, { name: 'off', autostart: true, enabled: false, disabledReason: 'vhost is not in accelerator_servers' }),
      ],
    },
    { healthIntervalMs: 200, hugepagePaths: tree.hugepagePaths },
  );
  t.after(async () => {
    await Promise.all(manager.all().map((s) => s.stop({ force: true }).catch(() => undefined)));
    await manager.shutdown();
  });
  const results = await manager.startAll();
  assert.deepEqual(
    results.map((r) => [r.name, r.action]),
    [
      ['auto', 'started'],
      ['manual', 'not-running'],
      ['off', 'disabled'],
    ],
  );
  trackPid(results[0]!.status.pid);
  assert.deepEqual(
    manager.status().map((s) => [s.name, s.state]),
    [
      ['auto', 'running'],
      ['manual', 'stopped'],
      ['off', 'stopped'],
    ],
  );
  assert.throws(() => manager.get('nope'), /unknown target "nope"; configured targets: auto, manual, off/);
});
