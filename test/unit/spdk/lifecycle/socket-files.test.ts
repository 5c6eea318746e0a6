import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probeSocket, removeStaleSocketFiles } from '../../../../src/spdk/lifecycle/socket-files.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sockfiles-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function listen(socket: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((c) => c.destroy());
    server.once('error', reject);
    server.listen(socket, () => resolve(server));
  });
}

test('probeSocket tells listening, refused (stale file) and missing apart', async (t) => {
  const dir = await tempDir(t);
  const live = path.join(dir, 'live.sock');
  const server = await listen(live);
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  assert.deepEqual(await probeSocket(live), { kind: 'listening' });
  const stale = path.join(dir, 'stale.sock');
  await writeFile(stale, '');
  assert.deepEqual(await probeSocket(stale), { kind: 'refused' });
  assert.deepEqual(await probeSocket(path.join(dir, 'none.sock')), { kind: 'missing' });
});

test('a socket something listens on is never removed', async (t) => {
  const dir = await tempDir(t);
  const socket = path.join(dir, 'spdk.sock');
  const server = await listen(socket);
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  await writeFile(`${socket}.lock`, '');
  assert.deepEqual(await removeStaleSocketFiles(socket, 100), []);
  await access(socket);
  await access(`${socket}.lock`);
});

test('a socket that stops listening within the settle time is removed with its lock', async (t) => {
  const dir = await tempDir(t);
  const socket = path.join(dir, 'spdk.sock');
  await writeFile(`${socket}.lock`, '');
  // A process listening on the socket, SIGKILLed a moment later: the kernel leaves the file behind,
  // as after a target's SIGKILL, and until then the socket still accepts.
  const holder = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.after(() => void holder.kill('SIGKILL'));
  await once(holder.stdout!, 'data');
  setTimeout(() => holder.kill('SIGKILL'), 150);
  const removed = await removeStaleSocketFiles(socket, 5000);
  assert.deepEqual(removed.sort(), [socket, `${socket}.lock`].sort());
  await assert.rejects(access(socket));
  await assert.rejects(access(`${socket}.lock`));
});

test('a lock left without its socket is removed', async (t) => {
  const dir = await tempDir(t);
  const socket = path.join(dir, 'spdk.sock');
  await writeFile(`${socket}.lock`, '');
  assert.deepEqual(await removeStaleSocketFiles(socket), [`${socket}.lock`]);
});
