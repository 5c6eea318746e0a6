import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { nqnProblem } from '../../../src/sim/state/nqn.js';
import { checkHugepages, readHugepageInfo } from '../../../src/sim/app/hugepages.js';
import { acquireLock, releaseLock } from '../../../src/sim/app/lock-file.js';
import { FaultPlan } from '../../../src/sim/app/faults-runtime.js';
import { parseFaultList } from '../../../src/sim/cli/faults.js';

test('NQN validation as nvmf_nqn_is_valid', () => {
  for (const ok of [
    'nqn.2016-06.io.spdk:cnode1',
    'nqn.2014-08.org.nvmexpress.discovery',
    'nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    'nqn.2024-01.com.example.storage-1:a b',
  ]) {
    assert.equal(nqnProblem(ok), null, ok);
  }
  assert.match(nqnProblem('not-an-nqn-at-all')!, /must begin with "nqn."/);
  assert.match(nqnProblem('not-an-nqn')!, /length 10 < min 11/);
  assert.match(nqnProblem('nqn.2014-08.org.nvmexpress:uuid:0000')!, /uuid is not the correct length/);
  assert.match(nqnProblem('nqn.20x4-08.io.spdk:a')!, /Invalid date code/);
  assert.match(nqnProblem('nqn.2016-06.io.spdk')!, /user specified name/);
  assert.match(nqnProblem('nqn.2016-06.1o.spdk:a')!, /must start with a letter/);
  assert.match(nqnProblem('nqn.2016-06.io-.spdk:a')!, /alphanumeric/);
  assert.match(nqnProblem('nqn.2016-06.io.sp_dk:a')!, /valid characters/);
  assert.match(nqnProblem(`nqn.2016-06.io.spdk:${'x'.repeat(224)}`)!, /length/);
});

test('hugepages: DPDK refuses without free pages or with fewer than -s asks', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-meminfo-'));
  try {
    const file = path.join(dir, 'meminfo');
    writeFileSync(file, 'MemTotal: 1 kB\nHugePages_Total:     512\nHugePages_Free:      256\nHugepagesize:       2048 kB\n');
    const info = readHugepageInfo(file);
    assert.deepEqual(info, { pageSizeKb: 2048, total: 512, free: 256 });
    assert.deepEqual(checkHugepages(info, 512, true), { ok: true });
    assert.deepEqual(checkHugepages(info, undefined, true), { ok: true });
    const short = checkHugepages(info, 1024, true);
    assert.equal(short.ok, false);
    assert.deepEqual(!short.ok && short.lines, [
      'EAL: Not enough memory available! Requested: 1024MB, available: 512MB',
      'EAL: FATAL: Cannot init memory',
      'EAL: Cannot init memory',
    ]);
    const none = checkHugepages({ pageSizeKb: 2048, total: 0, free: 0 }, undefined, true);
    assert.deepEqual(!none.ok && none.lines, [
      'EAL: No available 2048 kB hugepages reported',
      'EAL: FATAL: Cannot get hugepage information.',
      'EAL: Cannot get hugepage information.',
    ]);
    const old = checkHugepages(null, undefined, false);
    assert.equal(!old.ok && old.lines[0], 'EAL: No free hugepages reported in hugepages-2048kB');
    assert.equal(readHugepageInfo(path.join(dir, 'missing')), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lock file: taken once, refused while its owner lives, taken over when the owner is dead', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-lock-'));
  try {
    const lock = path.join(dir, 'spdk.sock.lock');
    assert.deepEqual(acquireLock(lock), { ok: true });
    assert.match(readFileSync(lock, 'utf8'), new RegExp(`^${process.pid} `));
    // Our own pid counts as dead (a restart in-process); a live other process holds it.
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(lock, `${sleeper.pid}\n`);
      const refused = acquireLock(lock);
      assert.equal(refused.ok, false);
      assert.equal(!refused.ok && refused.reason, 'in-use');
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper.once('exit', r));
    }
    assert.deepEqual(acquireLock(lock), { ok: true }, 'the dead owner’s lock is taken over');
    releaseLock(lock);
    assert.equal(existsSync(lock), false);
    writeFileSync(lock, '1\n');
    releaseLock(lock);
    assert.equal(existsSync(lock), true, 'a lock owned by another pid is not removed');
    const inMissingDir = acquireLock(path.join(dir, 'no', 'such', 'x.lock'));
    assert.equal(!inMissingDir.ok && inMissingDir.reason, 'error');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fault plan: which request crashes, hangs or gets a mangled reply', () => {
  const plan = new FaultPlan(
    parseFaultList(
      'crash-after=10,hang-after=5,garbage-after=1,truncate-after=2,slow=5,slow=7,refuse-start=no-hugepages,ignore-sigterm,slow-start=100,exit-after=900',
      't',
    ),
  );
  assert.equal(plan.verdict(1).kind, 'serve');
  const garbage = plan.verdict(2);
  assert.ok(garbage.kind === 'serve' && garbage.transform);
  assert.ok(garbage.kind === 'serve' && !garbage.transform!('{"a":1}\n').startsWith('{'));
  const truncated = plan.verdict(3);
  assert.ok(truncated.kind === 'serve' && truncated.transform!('{"jsonrpc":"2.0","id":1,"result":true}\n') === '{"jsonrpc":"2.0","i');
  assert.equal(plan.verdict(4).kind, 'serve');
  assert.equal(plan.verdict(6).kind, 'hang');
  assert.equal(plan.verdict(11).kind, 'crash', 'crash wins over hang');
  assert.equal(plan.replyDelayMs, 12);
  assert.equal(plan.refusal, 'no-hugepages');
  assert.equal(plan.ignoreSigterm, true);
  assert.equal(plan.slowStartMs, 100);
  assert.equal(plan.exitAfterMs, 900);
});
