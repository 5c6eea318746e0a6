import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { captureProcessRef, processCondition, signalProcess } from '../../../../src/spdk/lifecycle/process-ref.js';
import { ForeignProcessHandle } from '../../../../src/spdk/lifecycle/target-process.js';

function sleeper(t: { after: (fn: () => void) => void }) {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

test('a pid whose start time no longer matches is "reused" and is not signalled', async (t) => {
  const stranger = sleeper(t);
  await once(stranger, 'spawn');
  const real = await captureProcessRef(stranger.pid!);
  assert.ok(real);
  // The target we once knew had this pid but started at another time: the pid was reused.
  const stale = { pid: stranger.pid!, startTime: real.startTime - 1 };
  assert.equal(await processCondition(stale), 'reused');
  assert.equal(await signalProcess(stale, 'SIGKILL'), 'reused');
  const handle = new ForeignProcessHandle(stale, '/proc');
  assert.equal(await handle.signal('SIGKILL'), false);
  assert.equal(await handle.waitForExit(10), true, 'a reused pid means the target is gone');
  // Still alive: nothing was sent to it.
  assert.equal(await processCondition(real), 'alive');
  assert.equal(stranger.exitCode, null);
  assert.equal(stranger.signalCode, null);
});

test('the same process is signalled, then reads as gone once reaped', async (t) => {
  const child = sleeper(t);
  await once(child, 'spawn');
  const ref = await captureProcessRef(child.pid!);
  assert.ok(ref);
  assert.equal(await processCondition(ref), 'alive');
  const exited = once(child, 'exit');
  assert.equal(await signalProcess(ref, 'SIGTERM'), 'alive');
  const [, signal] = await exited;
  assert.equal(signal, 'SIGTERM');
  assert.equal(await processCondition(ref), 'gone');
  assert.equal(await signalProcess(ref, 'SIGKILL'), 'gone');
});

test('an exited but unreaped child is a zombie, and waitForExit counts it as exited', async (t) => {
  // A shell that forks a short-lived child and then ignores it leaves a zombie until the shell exits.
  const parent = spawn('sh', ['-c', 'sleep 0.1 & exec sleep 60'], { stdio: 'ignore' });
  t.after(() => {
    if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
  });
  await once(parent, 'spawn');
  // Find the short sleep: the child of `parent` (before exec, sh forked it).
  const { readdir, readFile } = await import('node:fs/promises');
  let zombiePid: number | undefined;
  const deadline = Date.now() + 5000;
  while (zombiePid === undefined && Date.now() < deadline) {
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent.pid && Number(name) !== parent.pid) zombiePid = Number(name);
    }
    if (zombiePid === undefined) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(zombiePid, 'found the forked child');
  const ref = await captureProcessRef(zombiePid);
  assert.ok(ref);
  const handle = new ForeignProcessHandle(ref, '/proc', 20);
  assert.equal(await handle.waitForExit(5000), true);
  assert.equal(await processCondition(ref), 'zombie');
});
