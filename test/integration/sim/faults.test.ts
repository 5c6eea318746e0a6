/** Fault injection: each way a target misbehaves, from --sim-fault and from the environment. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rawExchange, SimConnection, startSim } from '../../helpers/sim.js';

const VERSION = '{"jsonrpc":"2.0","method":"spdk_get_version","id":%ID%}';
const req = (id: number): string => VERSION.replace('%ID%', String(id));

test('crash-after=N: N requests are served, the next kills the process with no reply and no cleanup', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['crash-after=2'] });
  // startSim's readiness probe was request 1.
  assert.equal((await sim.call('spdk_get_version')).error, undefined);
  const { replies, closed } = await rawExchange(sim.socket, req(3), { expectReplies: 0, timeoutMs: 5000 });
  assert.deepEqual(replies, []);
  assert.ok(closed);
  assert.equal((await sim.exited).signal, 'SIGKILL');
  assert.ok(existsSync(sim.socket) && existsSync(`${sim.socket}.lock`), 'a crash leaves socket and lock');
});

test('--sim-crash-signal picks how the crash dies', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['crash-after=1'], args: ['--sim-crash-signal', 'SIGSEGV'] });
  await rawExchange(sim.socket, req(2), { expectReplies: 0, timeoutMs: 5000 });
  assert.equal((await sim.exited).signal, 'SIGSEGV');
});

test('hang-after=N: alive, connection open, silence; SIGTERM still stops it', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['hang-after=1'] });
  const conn = await SimConnection.open(sim.socket);
  conn.write(req(2));
  assert.equal(await conn.readUntilIdle(500, 2000), '');
  assert.equal(conn.closed, false, 'the connection stays open');
  const late = await SimConnection.open(sim.socket);
  late.write(req(3));
  assert.equal(await late.readUntilIdle(300, 1000), '', 'new connections are not served either');
  assert.equal(sim.process.exitCode, null, 'the process is alive');
  conn.close();
  late.close();
  assert.equal(await sim.stop(), 0);
});

test('slow=MS delays every reply; the answers are unchanged and in order', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['slow=300'] });
  const conn = await SimConnection.open(sim.socket);
  conn.write(req(10) + req(11));
  assert.deepEqual(await conn.readLines(2, 150), [], 'nothing before the delay');
  const lines = await conn.readLines(2, 5000);
  assert.equal(lines.length, 2);
  assert.ok(lines[0]!.startsWith('{"jsonrpc":"2.0","id":10,') && lines[1]!.startsWith('{"jsonrpc":"2.0","id":11,'));
  conn.close();
  await sim.stop();
});

test('garbage-after=N and truncate-after=N mangle one reply each, then service goes on', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['garbage-after=1', 'truncate-after=2'] });
  const conn = await SimConnection.open(sim.socket);
  conn.write(req(2));
  const garbage = await conn.readLines(1, 3000);
  assert.equal(garbage.length, 1);
  assert.throws(() => JSON.parse(garbage[0]!), 'garbage is not JSON');
  conn.write(req(3));
  const truncated = await conn.readUntilIdle(300, 3000);
  assert.ok(truncated.length > 0 && !truncated.endsWith('\n'));
  assert.ok('{"jsonrpc":"2.0","id":3,"result":{"version":"SPDK v24.01 git sha1 0786843e99"'.startsWith(truncated.slice(0, 40)));
  conn.close();
  assert.equal((await sim.call('spdk_get_version')).error, undefined, 'the fourth request is answered normally');
  await sim.stop();
});

test("refuse-start: each reason prints SPDK's text and exits 1 without a socket", async () => {
  const cases: Array<[string, RegExp]> = [
    ['socket-in-use', /RPC Unix domain socket path .* in use\. Specify another\./],
    ['no-hugepages', /EAL: No available 2048 kB hugepages reported[\s\S]*Failed to initialize DPDK[\s\S]*Unable to initialize SPDK env/],
    ['core-locked', /Cannot create lock on core 0, probably process \d+ has claimed it\.\n[\s\S]*Unable to acquire lock on assigned core mask - exiting\./],
    ['dpdk-version', /DPDK version 21\.08\.0 is not supported\./],
    ['socket-dir', /Cannot open lock file .*\.lock: No such file or directory/],
  ];
  for (const [reason, text] of cases) {
    const sim = await startSim({ pollPeriodUs: 0, faults: [`refuse-start=${reason}`], waitReady: false });
    assert.equal((await sim.exited).code, 1, reason);
    assert.match(sim.stderr(), text, reason);
    assert.equal(existsSync(sim.socket), false, reason);
  }
});

test('ignore-sigterm: SIGTERM, SIGINT and spdk_kill_instance do not stop it; SIGKILL does', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['ignore-sigterm'] });
  sim.kill('SIGTERM');
  sim.kill('SIGINT');
  assert.equal((await sim.call('spdk_kill_instance', { sig_name: 'SIGTERM' })).result, true);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await sim.call('spdk_get_version')).error, undefined, 'still serving');
  sim.kill('SIGKILL');
  assert.equal((await sim.exited).signal, 'SIGKILL');
});

test('slow-start=MS: the socket appears only after MS (v24.01: socket = ready)', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['slow-start=700'], waitReady: false });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(existsSync(sim.socket), false);
  await sim.waitReady(10000);
  assert.ok(existsSync(sim.socket));
  await sim.stop();
});

test('exit-after=MS: the process dies on its own like a crash', async () => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['exit-after=400'] });
  const exit = await sim.exited;
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(existsSync(sim.socket), 'no cleanup');
});

test('faults also come from SPDK_SIM_FAULTS and SPDK_SIM_OPTS', async () => {
  const a = await startSim({ pollPeriodUs: 0, env: { SPDK_SIM_FAULTS: 'crash-after=1' } });
  await rawExchange(a.socket, req(2), { expectReplies: 0, timeoutMs: 5000 });
  assert.equal((await a.exited).signal, 'SIGKILL');
  const b = await startSim({ pollPeriodUs: 0, env: { SPDK_SIM_OPTS: "--sim-fault 'refuse-start=core-locked'" }, waitReady: false });
  assert.equal((await b.exited).code, 1);
  assert.match(b.stderr(), /Unable to acquire lock on assigned core mask/);
});
