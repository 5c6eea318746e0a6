/** A target's log file: where it is, and the follower that reads, reports and caps it (target-log.ts). */
import { test } from 'node:test';
import { memoryLogger } from '../../../helpers/logs.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TargetLogFollower, processLogFile, targetLogFile } from '../../../../src/spdk/lifecycle/target-log.js';
import { scratch } from '../../config/scratch.js';

test('targetLogFile: <dir>/<name>.log, else beside the socket, none for a tcp target', () => {
  assert.equal(targetLogFile({ name: 'nvmf0', socket: '/var/tmp/spdk.sock' }, '/var/log/spdk-agent'), '/var/log/spdk-agent/nvmf0.log');
  assert.equal(targetLogFile({ name: 'nvmf0', socket: '/var/tmp/spdk.sock' }, undefined), '/var/tmp/spdk.sock.log');
  assert.equal(targetLogFile({ name: 'remote' }, undefined), undefined);
});

test('the follower reads what is written after it starts; error lines reach the agent log as warnings, the rest at debug', async (t) => {
  const dir = scratch(t);
  const file = dir.write('nvmf0.log', 'old line before the follower\n');
  const { logger, lines } = memoryLogger();
  const follower = new TargetLogFollower({ file, maxBytes: 1 << 20, logger, target: 'nvmf0', intervalMs: 10_000 });
  await follower.poll();
  appendFileSync(file, '[2026] app.c: 1:x: *NOTICE*: Reactor started\n[2026] bdev.c: 2:y: *ERROR*: Bdev name Malloc0 already exists\npartial');
  await follower.poll();
  assert.deepEqual(follower.recentLines(), ['[2026] app.c: 1:x: *NOTICE*: Reactor started', '[2026] bdev.c: 2:y: *ERROR*: Bdev name Malloc0 already exists']);
  const logged = lines();
  assert.deepEqual(
    logged.map((l) => [l.level, l.message, l.target]),
    [
      ['debug', '[2026] app.c: 1:x: *NOTICE*: Reactor started', 'nvmf0'],
      ['warn', '[2026] bdev.c: 2:y: *ERROR*: Bdev name Malloc0 already exists', 'nvmf0'],
    ],
  );
  appendFileSync(file, ' line ends\n');
  await follower.stop();
  assert.equal(follower.recentLines(1)[0], 'partial line ends');
});

test('past maxBytes the file is copied to .1 and truncated; the writer’s next lines land at the start and are read', async (t) => {
  const dir = scratch(t);
  const file = dir.write('vhost0.log', '');
  // The target's own descriptor, in append mode, as spawn.ts gives it.
  const fd = openSync(file, 'a');
  t.after(() => closeSync(fd));
  const { logger, lines } = memoryLogger();
  const follower = new TargetLogFollower({ file, fromOffset: 0, maxBytes: 65536, logger, target: 'vhost0', intervalMs: 10_000 });
  const line = `${'x'.repeat(99)}\n`;
  for (let i = 0; i < 700; i++) appendFileSync(fd, line);
  await follower.poll();
  assert.equal(follower.rotated, 1);
  assert.equal(statSync(`${file}.1`).size, 70_000, 'everything written so far is in the rotated copy');
  assert.equal(statSync(file).size, 0);
  appendFileSync(fd, 'after the rotation\n');
  assert.equal(readFileSync(file, 'utf8'), 'after the rotation\n', 'O_APPEND: the writer continues at the new end');
  await follower.poll();
  assert.equal(follower.recentLines(1)[0], 'after the rotation');
  assert.ok(lines().some((l) => l.message === 'target log rotated' && l.rotatedTo === `${file}.1`));
  await follower.stop();
});

test('a file truncated by someone else (logrotate copytruncate) is read again from its start', async (t) => {
  const dir = scratch(t);
  const file = dir.write('t.log', 'a\nb\n');
  const { logger } = memoryLogger();
  const follower = new TargetLogFollower({ file, fromOffset: 0, maxBytes: 1 << 20, logger, target: 't', intervalMs: 10_000 });
  await follower.poll();
  truncateSync(file, 0);
  writeFileSync(file, 'c\n');
  await follower.poll();
  assert.deepEqual(follower.recentLines(), ['a', 'b', 'c']);
  await follower.stop();
});

test('a missing file is reported once, not every poll', async (t) => {
  const dir = scratch(t);
  const { logger, lines } = memoryLogger();
  const follower = new TargetLogFollower({ file: path.join(dir.dir, 'gone.log'), maxBytes: 1 << 20, logger, target: 'g', intervalMs: 10_000 });
  for (let i = 0; i < 3; i++) await follower.poll();
  assert.equal(lines().filter((l) => /cannot read the target's log file/.test(String(l.message))).length, 1);
  await follower.stop();
});

test('processLogFile: a process whose stderr is a file names it; a pipe is not a log file', async (t) => {
  const dir = scratch(t);
  const file = dir.write('child.log', '');
  const fd = openSync(file, 'a');
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  t.after(() => child.kill('SIGKILL'));
  await new Promise((resolve) => child.once('spawn', resolve));
  assert.equal(await processLogFile(child.pid!), file);
  const piped = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => piped.kill('SIGKILL'));
  await new Promise((resolve) => piped.once('spawn', resolve));
  assert.equal(await processLogFile(piped.pid!), undefined);
  assert.equal(await processLogFile(999_999_999), undefined);
});
