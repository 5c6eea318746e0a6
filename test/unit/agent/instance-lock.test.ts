/** One agent per host: the lock file (src/agent/instance-lock.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { acquireInstanceLock, lockFileOf } from '../../../src/agent/instance-lock.js';
import { AgentAlreadyRunningError } from '../../../src/agent/errors.js';
import { scratch } from '../config/scratch.js';

/** A fake /proc where `pid` runs `cmdline`. */
function fakeProc(root: string, pid: number, cmdline: string[]): void {
  mkdirSync(path.join(root, String(pid)), { recursive: true });
  writeFileSync(path.join(root, String(pid), 'cmdline'), `${cmdline.join('\0')}\0`);
}

test('the first agent takes the lock; a second for the same host is refused, naming the first', async (t) => {
  const dir = scratch(t);
  const procRoot = path.join(dir.dir, 'proc');
  fakeProc(procRoot, 4242, ['/usr/bin/node', '/usr/lib/spdk-agent/bin/spdk-agent', 'run']);
  const runtime = path.join(dir.dir, 'run', 'nested');
  const first = await acquireInstanceLock({ dir: runtime, host: 'cn1', pid: 4242, procRoot, files: { agent: '/etc/spdk-agent/agent.yaml' } });
  assert.equal(first.file, lockFileOf(runtime, 'cn1'));
  assert.equal(JSON.parse(readFileSync(first.file, 'utf8')).pid, 4242);

  await assert.rejects(acquireInstanceLock({ dir: runtime, host: 'cn1', pid: 5555, procRoot }), (err: unknown) => {
    assert.ok(err instanceof AgentAlreadyRunningError);
    assert.match(err.message, /another spdk-agent for host cn1 is running: pid 4242, started .*configuration \/etc\/spdk-agent\/agent\.yaml/);
    assert.match(err.message, /kill -TERM 4242/);
    return true;
  });
  // Another host on the same machine is another lock.
  const other = await acquireInstanceLock({ dir: runtime, host: 'cn2', pid: 5555, procRoot });
  await other.release();
  await first.release();
  assert.equal(existsSync(first.file), false, 'released: the file is gone');
});

test('a lock left by a dead agent, or by a pid now running something else, is taken over', async (t) => {
  const dir = scratch(t);
  const procRoot = path.join(dir.dir, 'proc');
  fakeProc(procRoot, 777, ['/usr/sbin/sshd']);
  const runtime = path.join(dir.dir, 'run');
  mkdirSync(runtime);
  for (const stale of [{ pid: 999999, startedAt: 'x', host: 'cn1' }, { pid: 777, startedAt: 'x', host: 'cn1' }, 'not json']) {
    writeFileSync(lockFileOf(runtime, 'cn1'), typeof stale === 'string' ? stale : JSON.stringify(stale));
    const lock = await acquireInstanceLock({ dir: runtime, host: 'cn1', pid: 1234, procRoot });
    assert.equal(JSON.parse(readFileSync(lock.file, 'utf8')).pid, 1234);
    await lock.release();
  }
});

test('release leaves a lock that another agent took since alone; odd host names stay inside the directory', async (t) => {
  const dir = scratch(t);
  const lock = await acquireInstanceLock({ dir: dir.dir, host: '../../etc/x y', pid: 1 });
  assert.equal(path.dirname(lock.file), dir.dir);
  writeFileSync(lock.file, JSON.stringify({ pid: 2, startedAt: 'x', host: 'h' }));
  await lock.release();
  assert.equal(existsSync(lock.file), true);
});
