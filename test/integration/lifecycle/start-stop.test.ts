/**
 * Starting and stopping targets of fake SPDK trees whose apps are the simulator: each layout, the
 * failures a start can meet (SPDK's own "socket in use", a start that never finishes, no binary,
 * no hugepages), and the stop escalation on a target that ignores SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { traceBufferPath } from '../../../src/spdk/lifecycle/trace-buffer.js';
import { access, readFile } from 'node:fs/promises';
import { HugepagesError, TargetNotStartableError, TargetStartError } from '../../../src/spdk/lifecycle/errors.js';
import { EventLog, answers, fakeTree, isAlive, spec, startForeign, supervisor } from './harness.js';
import { rejectionOf } from '../../helpers/assertions.js';

for (const layout of ['source', 'source-legacy', 'prefix'] as const) {
  test(`start and stop a target of a ${layout} layout`, async (t) => {
    const tree = await fakeTree(t, { layout });
    const target = spec(tree);
    const sup = supervisor(t, tree, target);
    const log = new EventLog(sup);
    const phases: string[] = [];
    const status = await sup.start({ onPhase: (p) => phases.push(p) });

    assert.equal(status.state, 'running');
    assert.equal(status.ownership, 'spawned');
    assert.ok(status.pid && (await isAlive(status.pid)));
    assert.match(status.version ?? '', /^SPDK v24\.01/);
    assert.deepEqual(phases, ['checking', 'hugepages', 'spawning', 'waiting-for-socket', 'waiting-for-init']);
    assert.equal(await answers(target.socket!), true);

    const outcome = await sup.stop();
    assert.deepEqual(outcome, { method: 'kill_instance', sent: ['kill_instance SIGTERM'], removedFiles: [] });
    assert.equal(sup.state, 'stopped');
    assert.equal(await isAlive(status.pid), false);
    // A clean exit removes the socket and its lock (SPDK's spdk_rpc_server_close).
    await assert.rejects(access(target.socket!));
    await assert.rejects(access(`${target.socket!}.lock`));
    assert.deepEqual(log.transitions(), ['stopped→starting', 'starting→running', 'running→stopping', 'stopping→stopped']);
    const stopped = log.events.at(-1)!;
    assert.equal(stopped.pid, status.pid);
    assert.equal(stopped.exitCode, 0);
    assert.equal(stopped.reason, 'stopped by spdk_kill_instance SIGTERM');
    assert.ok(!Number.isNaN(Date.parse(stopped.at)));
  });
}

test('a vhost target gets -S, and its output reaches the ring of recent lines', async (t) => {
  const tree = await fakeTree(t);
  const target = spec(tree, { name: 'vhost0', app: 'vhost', vhostSocketDir: tree.dir });
  const sup = supervisor(t, tree, target);
  await sup.start();
  const lines = await sup.recentOutput();
  assert.ok(
    lines.some((l) => /Starting SPDK v24\.01/.test(l)),
    `start-up banner in ${JSON.stringify(lines)}`,
  );
  const methods = await sup.caller.call<string[]>('rpc_get_methods');
  assert.ok(methods.includes('vhost_create_blk_controller'));
});

test("a start that fails with SPDK's own error: socket in use", async (t) => {
  const tree = await fakeTree(t);
  const target = spec(tree, { args: ['--no-huge', '-s', '256', '--sim-fault', 'refuse-start=socket-in-use'] });
  const sup = supervisor(t, tree, target);
  const log = new EventLog(sup);
  const err = await rejectionOf(sup.start(), 'the start should fail');
  assert.ok(err instanceof TargetStartError, String(err));
  assert.equal(err.reason, 'exited');
  assert.notEqual(err.exitCode, 0);
  assert.ok(
    err.lastLines.some((l) => l.includes(`RPC Unix domain socket path ${target.socket} in use. Specify another.`)),
    `SPDK's text in ${JSON.stringify(err.lastLines)}`,
  );
  assert.match(err.message, /nvmf0: start failed: nvmf_tgt exited during start-up \(exit code \d+\)/);
  assert.equal(sup.state, 'failed');
  assert.deepEqual(log.transitions(), ['stopped→starting', 'starting→failed']);
});

test('a socket already answering is adopted, not started twice; with adopt off the start is refused', async (t) => {
  const tree = await fakeTree(t);
  const foreign = await startForeign(t, tree);
  const adopter = supervisor(t, tree, spec(tree, { socket: foreign.socket }));
  const status = await adopter.start();
  assert.equal(status.ownership, 'adopted');
  assert.equal(status.pid, foreign.pid);
  await adopter.detach();

  const refuser = supervisor(t, tree, spec(tree, { name: 'strict', socket: foreign.socket, adopt: false }));
  await assert.rejects(
    refuser.start(),
    (err: unknown) => err instanceof TargetStartError && err.reason === 'socket-in-use' && err.message.includes(`pid ${foreign.pid}`),
  );
  assert.equal(await isAlive(foreign.pid), true, 'the running target is left alone');
});

test('a start that does not finish in time is killed and reported as a timeout', async (t) => {
  const tree = await fakeTree(t);
  const target = spec(tree, { startTimeoutSec: 1, stopTimeoutSec: 2, args: ['--no-huge', '-s', '256', '--sim-fault', 'slow-start=30000'] });
  const sup = supervisor(t, tree, target);
  const err = await rejectionOf(sup.start(), 'the start should time out');
  assert.ok(err instanceof TargetStartError, String(err));
  assert.equal(err.reason, 'timeout');
  assert.match(err.message, /not ready within 1 s/);
  const spawnedPid = err.context.pid as number;
  assert.ok(spawnedPid > 0);
  assert.equal(await isAlive(spawnedPid), false, 'the half-started process is gone');
});

test('a target held in STARTUP (--wait-for-rpc) is ready once it answers, and stops by signal', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(t, tree, spec(tree, { args: ['--no-huge', '-s', '256', '--wait-for-rpc'] }));
  const status = await sup.start();
  assert.equal(status.state, 'running');
  // spdk_kill_instance is RUNTIME-only: -1, then SIGTERM.
  const outcome = await sup.stop();
  assert.deepEqual(outcome, { method: 'SIGTERM', sent: ['SIGTERM'], removedFiles: [] });
  assert.equal(await isAlive(status.pid!), false);
});

test('a stop that needs SIGKILL: the target ignores SIGTERM; socket and lock are removed afterwards', async (t) => {
  const tree = await fakeTree(t);
  const target = spec(tree, { stopTimeoutSec: 2, args: ['--no-huge', '-s', '256', '--sim-fault', 'ignore-sigterm'] });
  const sup = supervisor(t, tree, target);
  const log = new EventLog(sup);
  const { pid } = await sup.start();
  await access(target.socket!);
  await access(`${target.socket!}.lock`);
  const outcome = await sup.stop();
  assert.equal(outcome.method, 'SIGKILL');
  assert.deepEqual(outcome.sent, ['kill_instance SIGTERM', 'SIGTERM', 'SIGKILL']);
  assert.deepEqual([...outcome.removedFiles].sort(), [target.socket!, `${target.socket!}.lock`].sort());
  await assert.rejects(access(target.socket!));
  await assert.rejects(access(`${target.socket!}.lock`));
  assert.equal(await isAlive(pid!), false);
  const stopped = log.events.at(-1)!;
  assert.equal(stopped.to, 'stopped');
  assert.equal(stopped.signal, 'SIGKILL');
  // SIGKILL leaves SPDK's trace buffer behind too; untraced, it goes with the socket files.
  for (let i = 0; i < 100 && existsSync(traceBufferPath('nvmf_tgt', pid!)); i++) await delay(20);
  assert.equal(existsSync(traceBufferPath('nvmf_tgt', pid!)), false);
});

test('stop --force kills at once', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(t, tree, spec(tree));
  const { pid } = await sup.start();
  const outcome = await sup.stop({ force: true });
  assert.deepEqual(outcome.sent, ['SIGKILL']);
  assert.equal(await isAlive(pid!), false);
});

test('a hung target is stopped: kill_instance goes unanswered, SIGTERM ends it', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(t, tree, spec(tree, { stopTimeoutSec: 4, args: ['--no-huge', '-s', '256', '--sim-fault', 'hang-after=3'] }));
  const log = new EventLog(sup);
  const { pid } = await sup.start();
  await log.waitFor('unresponsive');
  const outcome = await sup.stop();
  assert.equal(outcome.method, 'SIGTERM');
  assert.equal(await isAlive(pid!), false);
});

test('no binary anywhere: not startable, with the places looked at', async (t) => {
  const tree = await fakeTree(t, { apps: ['vhost'] });
  const sup = supervisor(t, tree, spec(tree));
  await assert.rejects(
    sup.start(),
    (err: unknown) =>
      err instanceof TargetNotStartableError &&
      /no nvmf_tgt binary found/.test(err.message) &&
      (err.context.searched as string[]).some((p) => p.endsWith('build/bin/nvmf_tgt')),
  );
  assert.equal(sup.state, 'failed');
});

test('a tcp target cannot be started', async (t) => {
  const tree = await fakeTree(t);
  const sup = supervisor(
    t,
    tree,
    { name: 'remote', app: 'nvmf_tgt', tcp: '127.0.0.1:1', restart: { policy: 'never', maxAttempts: 0, initialDelaySec: 1, maxDelaySec: 1 } },
    { healthTimeoutMs: 300 },
  );
  await assert.rejects(sup.start(), (err: unknown) => err instanceof TargetNotStartableError && /reached through 127\.0\.0\.1:1/.test(err.message));
});

test('no hugepages: nothing is spawned and the error names both fixes', async (t) => {
  const tree = await fakeTree(t, { hugepages: { total: 0, free: 0 } });
  const target = spec(tree, { memSizeMb: 512, args: [], env: tree.simEnv });
  const sup = supervisor(t, tree, target);
  const log = new EventLog(sup);
  const err = await rejectionOf(sup.start(), 'the start should fail');
  assert.ok(err instanceof HugepagesError, String(err));
  assert.match(err.message, /needs 512 MB of hugepages but only 0 MB are free/);
  assert.match(err.fixes[0]!, /HUGEMEM=512 .*scripts\/setup\.sh/);
  assert.match(err.fixes[1]!, /--no-huge/);
  assert.deepEqual(log.transitions(), ['stopped→starting', 'starting→failed']);
  assert.equal(
    log.events.some((e) => e.pid !== undefined),
    false,
    'no process was spawned',
  );
});

test('no hugepages but allocate: the fake setup.sh reserves them (HUGEMEM/NRHUGE, no shell) and the target starts', async (t) => {
  const tree = await fakeTree(t, { hugepages: { total: 0, free: 0 }, dirName: 'spdk tree $HOME' });
  const target = spec(tree, { memSizeMb: 512, args: [], env: tree.simEnv });
  const sup = supervisor(t, tree, target, { hugepages: { allocate: true, useSetupScript: true, paths: tree.hugepagePaths } });
  const status = await sup.start();
  assert.equal(status.state, 'running');
  assert.deepEqual(await tree.setupRuns(), [{ args: ['config'], env: { HUGEMEM: '512', NRHUGE: '256', PCI_ALLOWED: 'none' } }]);
  assert.match(await readFile(tree.hugepagePaths.meminfo, 'utf8'), /HugePages_Total:\s+256/);
});

for (const [emulated, versionText] of [
  ['17.07', /SPDK v17\.07/],
  ['19.04', /^SPDK v19\.04/],
  ['25.09', /^SPDK v25\.09/],
] as const) {
  test(`an SPDK ${emulated} target (other method names, no version call on 17.07) starts, stays running, stops`, async (t) => {
    // --no-huge exists from v24.01 on: older targets get (fake) hugepages.
    const tree = await fakeTree(t, { hugepages: { total: 512, free: 512 } });
    const target = spec(tree, { args: ['-s', '256'], env: { ...tree.simEnv, SPDK_SIM_OPTS: `--sim-emulate-version ${emulated}` } });
    const sup = supervisor(t, tree, target, { healthIntervalMs: 100 });
    const log = new EventLog(sup);
    const status = await sup.start();
    assert.equal(status.state, 'running');
    assert.match(status.version ?? '', versionText);
    // Several probes later it is still running: the probe works on this version too.
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(sup.state, 'running', log.transitions().join(', '));
    const outcome = await sup.stop();
    assert.equal(outcome.method, 'kill_instance');
    assert.equal(await isAlive(status.pid!), false);
  });
}
