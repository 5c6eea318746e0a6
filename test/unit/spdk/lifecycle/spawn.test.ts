/**
 * Spawning, with small shell scripts standing in for an SPDK app: exit status, the output ring
 * (pipe mode), the log file (file mode: the target outlives the command), a binary that cannot run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import winston from 'winston';
import { Writable } from 'node:stream';
import { describeExit, spawnTarget } from '../../../../src/spdk/lifecycle/spawn.js';

const quiet = winston.createLogger({ transports: [new winston.transports.Stream({ stream: new Writable({ write: (_c, _e, cb) => cb() }) })] });

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spawn-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('pipe mode: arguments and env reach the app as given, its lines reach the ring, its exit is reported', async () => {
  const spawned = await spawnTarget({
    target: 't',
    binary: '/bin/sh',
    args: ['-c', 'echo "args: $0 $1"; echo "env: $SPDK_X" >&2; exit 3', 'a b', '$HOME'],
    env: { SPDK_X: 'from config' },
    output: { kind: 'pipe' },
    logger: quiet,
  });
  assert.ok(spawned.pid && spawned.pid > 0);
  const exit = await spawned.exited;
  assert.deepEqual({ code: exit.exitCode, signal: exit.signal }, { code: 3, signal: undefined });
  assert.equal(describeExit(exit), 'exit code 3');
  // `exited` waits for the output to drain: the last lines are there.
  const lines = await spawned.recentLines();
  assert.ok(lines.includes('args: a b $HOME'), JSON.stringify(lines));
  assert.ok(lines.includes('env: from config'), JSON.stringify(lines));
  assert.equal(spawned.kill('SIGTERM'), false, 'no signal once it has exited');
});

test('file mode: output is appended to the file, and the recent lines are those written since the spawn', async (t) => {
  const dir = await tempDir(t);
  const log = path.join(dir, 'tgt.sock.log');
  await writeFile(log, 'an older run\n');
  const spawned = await spawnTarget({
    target: 't',
    binary: '/bin/sh',
    args: ['-c', 'echo first; echo "*ERROR*: second" >&2'],
    output: { kind: 'file', path: log },
    logger: quiet,
  });
  const exit = await spawned.exited;
  assert.equal(exit.exitCode, 0);
  assert.equal(await readFile(log, 'utf8'), 'an older run\nfirst\n*ERROR*: second\n');
  assert.deepEqual(await spawned.recentLines(), ['first', '*ERROR*: second']);
});

test('a signal ends it and is reported', async () => {
  const spawned = await spawnTarget({ target: 't', binary: '/bin/sleep', args: ['30'], output: { kind: 'pipe' }, logger: quiet });
  assert.equal(spawned.kill('SIGTERM'), true);
  const exit = await spawned.exited;
  assert.equal(exit.signal, 'SIGTERM');
  assert.equal(describeExit(exit), 'killed by SIGTERM');
});

test('a binary that cannot run: no pid, and the spawn error', async (t) => {
  const dir = await tempDir(t);
  const spawned = await spawnTarget({ target: 't', binary: path.join(dir, 'missing_tgt'), args: [], output: { kind: 'pipe' }, logger: quiet });
  assert.equal(spawned.pid, undefined);
  const exit = await spawned.exited;
  assert.ok(exit.spawnError);
  assert.match(describeExit(exit), /could not run: .*ENOENT/);
});
