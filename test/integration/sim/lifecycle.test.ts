/** The socket's lock file, "in use", signals and cleanup (contract §1.1, §5.5, §5.6, §5.7; kill.jsonl). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, rawExchange, SimConnection, startSim } from '../../helpers/sim.js';

test('the socket and its .lock exist while running, and both go on SIGTERM (exit 0)', async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  assert.ok(existsSync(sim.socket));
  assert.match(readFileSync(`${sim.socket}.lock`, 'utf8'), new RegExp(`^${sim.pid} `));
  assert.ok(existsSync(`/dev/shm/nvmf_trace.pid${sim.pid}`), 'the trace shm file exists while running');
  assert.equal(await sim.stop(), 0);
  assert.equal(existsSync(sim.socket), false);
  assert.equal(existsSync(`${sim.socket}.lock`), false);
  assert.equal(existsSync(`/dev/shm/nvmf_trace.pid${sim.pid}`), false, 'an unused trace file is removed at exit');
});

test('SIGINT stops it the same way; a second signal during shutdown is ignored', async () => {
  const sim = await startSim({ pollPeriodUs: 0, args: ['--sim-shutdown-delay-ms', '400'] });
  sim.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  sim.kill('SIGTERM');
  sim.kill('SIGINT');
  const exit = await sim.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.equal(existsSync(sim.socket), false);
});

test('after SIGKILL the socket, the lock and the trace file stay; the next start takes them over', async (t) => {
  const dir = makeTempDir('sim-stale-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socket = path.join(dir, 'spdk.sock');
  const first = await startSim({ socket, pollPeriodUs: 0 });
  first.kill('SIGKILL');
  assert.equal((await first.exited).signal, 'SIGKILL');
  assert.ok(existsSync(socket), 'socket left behind');
  assert.ok(existsSync(`${socket}.lock`), 'lock left behind');
  const second = await startSim({ socket, pollPeriodUs: 0 });
  assert.match(readFileSync(`${socket}.lock`, 'utf8'), new RegExp(`^${second.pid} `));
  assert.equal((await second.call('spdk_get_version')).error, undefined);
  assert.equal(await second.stop(), 0);
  assert.equal(existsSync(socket), false);
});

test("a socket in use by a live target: SPDK's error text, exit 1, the first target undisturbed", async (t) => {
  const dir = makeTempDir('sim-inuse-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socket = path.join(dir, 'spdk.sock');
  const first = await startSim({ socket, pollPeriodUs: 0 });
  const second = await startSim({ socket, pollPeriodUs: 0, waitReady: false });
  const exit = await second.exited;
  assert.equal(exit.code, 1);
  assert.match(
    second.stderr(),
    new RegExp(`rpc\\.c: 181:spdk_rpc_listen: \\*ERROR\\*: RPC Unix domain socket path ${socket.replace(/[.]/g, '\\.')} in use\\. Specify another\\.\\n`),
  );
  assert.match(
    second.stderr(),
    new RegExp(`rpc\\.c:  90:spdk_rpc_initialize: \\*ERROR\\*: Unable to start RPC service at ${socket.replace(/[.]/g, '\\.')}\\n`),
  );
  assert.match(second.stderr(), /spdk_app_stop'd on non-zero/);
  assert.equal((await first.call('spdk_get_version')).error, undefined, 'the first target still answers');
  assert.ok(existsSync(`${socket}.lock`));
  await first.stop();
});

test('a socket directory that does not exist, or a path too long for sun_path, stops start-up', async (t) => {
  const dir = makeTempDir('sim-path-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = path.join(dir, 'no', 'such', 'dir', 'spdk.sock');
  const a = await startSim({ socket: missing, pollPeriodUs: 0, waitReady: false });
  assert.equal((await a.exited).code, 1);
  assert.match(a.stderr(), new RegExp(`Cannot open lock file ${missing.replace(/[.]/g, '\\.')}\\.lock: No such file or directory`));
  assert.match(a.stderr(), /Unable to start RPC service at/);
  const long = path.join(dir, `${'x'.repeat(120)}.sock`);
  const b = await startSim({ socket: long, pollPeriodUs: 0, waitReady: false });
  assert.equal((await b.exited).code, 1);
  assert.match(b.stderr(), /RPC Listen address Unix socket path too long/);
});

test('spdk_kill_instance SIGTERM: reply true, every connection closes, files removed, exit 0', async () => {
  const sim = await startSim({ pollPeriodUs: 4000 });
  const other = await SimConnection.open(sim.socket);
  other.write('{"jsonrpc":"2.0","method":"spdk_get_version","id":1}');
  assert.equal((await other.readLines(1)).length, 1);
  const { replies, closed } = await rawExchange(sim.socket, '{"jsonrpc":"2.0","method":"spdk_kill_instance","params":{"sig_name":"SIGTERM"},"id":9}', {
    expectReplies: 0,
    timeoutMs: 5000,
  });
  assert.deepEqual(replies, ['{"jsonrpc":"2.0","id":9,"result":true}\n']);
  assert.ok(closed);
  assert.ok(await other.waitClosed());
  assert.deepEqual(await sim.exited, { code: 0, signal: null });
  assert.equal(existsSync(sim.socket), false);
});

test('spdk_kill_instance SIGKILL: no reply, the process dies, the socket stays; bad names are -32602', async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  assert.deepEqual((await sim.call('spdk_kill_instance', { sig_name: 'SIGSTOP' })).error, { code: -32602, message: 'Invalid parameters' });
  const { replies, closed } = await rawExchange(sim.socket, '{"jsonrpc":"2.0","method":"spdk_kill_instance","params":{"sig_name":"9"},"id":1}', {
    expectReplies: 0,
    timeoutMs: 5000,
  });
  assert.deepEqual(replies, []);
  assert.ok(closed);
  assert.equal((await sim.exited).signal, 'SIGKILL');
  assert.ok(existsSync(sim.socket));
});

test('--wait-for-rpc: spdk_kill_instance is refused in STARTUP, a signal still stops the target', async () => {
  const sim = await startSim({ pollPeriodUs: 0, args: ['--wait-for-rpc'] });
  const reply = await sim.call('spdk_kill_instance', { sig_name: 'SIGTERM' });
  assert.deepEqual(reply.error, { code: -1, message: 'Method may only be called after framework is initialized using framework_start_init RPC.' });
  assert.equal(await sim.stop(), 0);
});

test('--rpcs-allowed: every other method is -32601', async () => {
  const sim = await startSim({ pollPeriodUs: 0, args: ['--rpcs-allowed', 'spdk_get_version,bdev_get_bdevs'] });
  assert.deepEqual((await sim.call('bdev_get_bdevs')).result, []);
  assert.deepEqual((await sim.call('rpc_get_methods')).error, { code: -32601, message: 'Method not found' });
  await sim.stop();
});

test('a client that half-closes still gets its replies, then the connection ends', async () => {
  const sim = await startSim({ pollPeriodUs: 4000 });
  const { replies, closed } = await rawExchange(
    sim.socket,
    '{"jsonrpc":"2.0","method":"bdev_get_bdevs","params":{"name":"Late","timeout":300},"id":1}{"jsonrpc":"2.0","method":"spdk_get_version","id":2}',
    { expectReplies: 0, endAfterWrite: true, timeoutMs: 5000 },
  );
  assert.equal(replies.length, 2);
  assert.ok(replies[0]!.startsWith('{"jsonrpc":"2.0","id":2,'));
  assert.equal(replies[1], '{"jsonrpc":"2.0","id":1,"error":{"code":-110,"message":"Connection timed out"}}\n');
  assert.ok(closed);
  await sim.stop();
});

test('SIGTERM during start-up stops it before the socket is ever created', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['slow-start=1500'], waitReady: false });
  // Wait for the banner: the signal handlers are in place from then on.
  const deadline = Date.now() + 10000;
  while (!sim.stderr().includes('Reactor started') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  sim.kill('SIGTERM');
  assert.deepEqual(await sim.exited, { code: 0, signal: null });
  await new Promise((r) => setTimeout(r, 1600));
  assert.equal(existsSync(sim.socket), false);
  assert.equal(existsSync(`${sim.socket}.lock`), false);
});
