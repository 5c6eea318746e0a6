/** Establishing, losing and re-establishing the connection; the events the lifecycle code relies on. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { SpdkRpcClient } from '../../../../src/spdk/rpc/client.js';
import { RpcConnectionError } from '../../../../src/spdk/rpc/errors.js';
import { FakeSpdkServer } from '../../../helpers/fake-spdk-server.js';
import { repoRoot } from '../../../helpers/paths.js';
import { HANG_GUARD, TRANSPORTS, outcome, serverAndClient, until } from './setup.js';

const PYTHON = '/usr/bin/python3';
const clientModule = path.join(repoRoot, 'dist', 'src', 'spdk', 'rpc', 'client.js');

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spdk-client-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function newClient(t: TestContext, address: string, options: { connectTimeoutMs?: number } = {}): SpdkRpcClient {
  const client = new SpdkRpcClient({ address, ...options });
  t.after(() => client.close());
  return client;
}

async function expectConnectFailure(client: SpdkRpcClient, errno: string, reason: RegExp): Promise<void> {
  const connect = await outcome(client.connect());
  assert.ok(!connect.ok && connect.error instanceof RpcConnectionError, String(!connect.ok && connect.error));
  assert.equal(connect.error.phase, 'connect');
  assert.equal(connect.error.errno, errno);
  assert.equal(connect.error.address, client.address);
  assert.match(connect.error.message, reason);
  assert.ok(connect.error.message.startsWith(`${client.address}: cannot connect: `), connect.error.message);
  // A call made without connect() first fails the same way, naming its method.
  const call = await outcome(client.call('spdk_get_version'));
  assert.ok(!call.ok && call.error instanceof RpcConnectionError);
  assert.equal(call.error.errno, errno);
  assert.ok(call.error.message.startsWith(`spdk_get_version on ${client.address}: cannot connect: `), call.error.message);
  assert.equal(client.generation, 0);
  assert.equal(client.pending, 0);
}

test('no socket file: ENOENT, with a hint', HANG_GUARD, async (t) => {
  const dir = await tempDir(t);
  await expectConnectFailure(newClient(t, path.join(dir, 'spdk.sock')), 'ENOENT', /no such socket \(is the SPDK target running/);
});

test('a stale socket file left by a crashed target: ECONNREFUSED', HANG_GUARD, async (t) => {
  const dir = await tempDir(t);
  const socketPath = path.join(dir, 'spdk.sock');
  // A socket bound by a process that then died, as SPDK leaves it after SIGKILL.
  await execa(PYTHON, ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', socketPath]);
  await expectConnectFailure(newClient(t, socketPath), 'ECONNREFUSED', /connection refused \(nothing is listening/);
});

test('TCP: nothing listening on the port: ECONNREFUSED', HANG_GUARD, async (t) => {
  const server = await FakeSpdkServer.start({ transport: 'tcp' });
  await server.close(); // the port is now free
  await expectConnectFailure(newClient(t, server.address), 'ECONNREFUSED', /connection refused/);
});

test('a socket path too long for a Unix address is refused, not truncated', HANG_GUARD, async (t) => {
  const long = path.join(os.tmpdir(), 'x'.repeat(120), 'spdk.sock');
  await expectConnectFailure(newClient(t, long), 'ENAMETOOLONG', /over the 107-byte limit/);
});

test('a socket the agent may not use: EACCES, with a hint', HANG_GUARD, async (t) => {
  const server = await FakeSpdkServer.start({ transport: 'unix' });
  t.after(() => server.close());
  if (process.getuid?.() !== 0) {
    await chmod(server.address, 0o000);
    await expectConnectFailure(newClient(t, server.address), 'EACCES', /permission denied \(the socket belongs to another user/);
    return;
  }
  // Root may connect anywhere: ask as an unprivileged user, in a child process (the socket's directory is 0700).
  const script = `
    const { SpdkRpcClient } = await import(${JSON.stringify(clientModule)});
    const client = new SpdkRpcClient({ address: ${JSON.stringify(server.address)} });
    try { await client.connect(); console.log('connected'); }
    catch (err) { console.log(JSON.stringify({ name: err.name, errno: err.errno, message: err.message })); }
    await client.close();`;
  const child = await execa(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, reject: false, timeout: 20_000 });
  assert.equal(
    child.exitCode,
    0,
    `${child.stderr}${child.failed && child.exitCode === undefined ? ` (${process.execPath} must be executable by uid 65534: ${child.message})` : ''}`,
  );
  const reported = JSON.parse(child.stdout) as { name: string; errno: string; message: string };
  assert.equal(reported.name, 'RpcConnectionError');
  assert.equal(reported.errno, 'EACCES');
  assert.match(reported.message, /permission denied \(the socket belongs to another user/);
});

test('a target that never accepts: the connect deadline fires (ETIMEDOUT)', HANG_GUARD, async (t) => {
  // A TCP listener with a full backlog drops SYNs: connect() neither succeeds nor fails.
  const script = `
import socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
fill = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(s.getsockname())
    except BlockingIOError: pass
    fill.append(c)
print(s.getsockname()[1], flush=True)
sys.stdin.read()`;
  const listener = spawn(PYTHON, ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    listener.stdin.end();
    listener.kill('SIGKILL');
  });
  const port = Number(await new Promise<string>((resolve) => listener.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
  const client = newClient(t, `127.0.0.1:${port}`, { connectTimeoutMs: 300 });
  await expectConnectFailure(client, 'ETIMEDOUT', /no connection within 300 ms/);
});

for (const transport of TRANSPORTS) {
  test(`${transport}: 'connect' carries the generation; 'disconnect' fires when the target goes, with no call pending`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const events: string[] = [];
    client.on('connect', (generation) => events.push(`connect ${generation}`));
    const disconnected = new Promise<{ error?: Error; pending: number }>((resolve) => client.once('disconnect', resolve));
    await client.connect();
    await client.connect(); // already connected: no second connection
    assert.equal(client.connected, true);
    assert.equal(server.connections.length, 1);
    server.lastConnection!.end(); // the target exits while the agent is idle
    const info = await disconnected;
    assert.equal(info.pending, 0);
    assert.ok(info.error instanceof RpcConnectionError);
    assert.match(info.error.message, /the target closed the connection/);
    assert.equal(client.connected, false);
    await client.call('spdk_get_version');
    assert.deepEqual(events, ['connect 1', 'connect 2']);
  });

  test(`${transport}: concurrent first calls and connect() share one connection attempt`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    await Promise.all([client.connect(), client.call('spdk_get_version'), client.call('spdk_get_version'), client.connect()]);
    assert.equal(server.connections.length, 1);
    assert.equal(client.generation, 1);
  });
}

test('a restarted target on the same socket is reached by the next call (new generation)', HANG_GUARD, async (t) => {
  const first = await FakeSpdkServer.start({ transport: 'unix' });
  const client = newClient(t, first.address);
  await client.call('spdk_get_version');
  const socketPath = first.address;
  await first.close(); // the target is gone, its socket too
  await until(() => !client.connected, 'the client to notice');
  const down = await outcome(client.call('spdk_get_version'));
  assert.ok(!down.ok && down.error instanceof RpcConnectionError && down.error.errno === 'ENOENT');
  assert.equal(down.error.phase, 'connect');
  // The fake server cannot listen on a chosen path; a plain server answering SPDK-style will do.
  await mkdir(path.dirname(socketPath), { recursive: true });
  const second = createServer((socket) =>
    socket.on('data', (data: Buffer) => {
      const { id } = JSON.parse(data.toString()) as { id: number };
      socket.write(`{"jsonrpc":"2.0","id":${id},"result":"restarted"}\n`);
    }),
  );
  await new Promise<void>((resolve) => second.listen(socketPath, resolve));
  t.after(async () => {
    await new Promise<void>((resolve) => second.close(() => resolve()));
    await rm(path.dirname(socketPath), { recursive: true, force: true });
  });
  assert.equal(await client.call('spdk_get_version'), 'restarted');
  assert.equal(client.generation, 2);
});

test('an idle client does not keep the process alive; a pending call does', HANG_GUARD, async (t) => {
  const server = await FakeSpdkServer.start({ transport: 'unix' });
  t.after(() => server.close());
  // Answer after 300 ms: if the socket were not held while the call is pending, the child would exit first.
  server.handler = (request, connection) => void setTimeout(() => connection.reply(request, 'late but delivered'), 300);
  const script = `
    const { SpdkRpcClient } = await import(${JSON.stringify(clientModule)});
    const client = new SpdkRpcClient({ address: ${JSON.stringify(server.address)} });
    process.on('exit', () => console.log('exit'));
    console.log(await client.call('spdk_get_version'));
    // no close(): the process must still end on its own`;
  const child = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, timeout: 20_000 });
  assert.equal(child.timedOut, false, 'the idle client kept the process alive');
  assert.equal(child.exitCode, 0, child.stderr);
  assert.equal(child.stdout, 'late but delivered\nexit');
});
