/**
 * The JSON-RPC client against the SPDK simulator (bin/spdk-sim), a separate process that behaves
 * like nvmf_tgt v24.01 on the wire: pipelining, out-of-order answers, uint64 counters, limits, faults.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { SpdkRpcClient, type DisconnectInfo } from '../../../src/spdk/rpc/client.js';
import { JsonRpcError, RpcConnectionError, RpcProtocolError, RpcRequestError } from '../../../src/spdk/rpc/errors.js';
import { configureLogging } from '../../../src/util/log.js';
import { startSim, type StartSimOptions } from '../../helpers/sim.js';

configureLogging({ level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'error' });

const GUARD = { timeout: 60_000 };

async function simAndClient(t: TestContext, options: StartSimOptions = {}): Promise<{ client: SpdkRpcClient; stop: () => Promise<number | null> }> {
  const sim = await startSim({ app: 'nvmf_tgt', args: ['--no-huge', '-s', '512'], ...options });
  const client = new SpdkRpcClient({ address: sim.socket, timeoutMs: 20_000 });
  t.after(async () => {
    await client.close();
    await sim.stop();
    rmSync(sim.dir, { recursive: true, force: true }); // startSim leaves it after a clean stop
  });
  return { client, stop: () => sim.stop() };
}

test('many concurrent callers pipeline over one connection (SPDK poll period 4 ms)', GUARD, async (t) => {
  const { client } = await simAndClient(t);
  const names = Array.from({ length: 20 }, (_, i) => `Null${i}`);
  const created = await Promise.all(names.map((name) => client.call('bdev_null_create', { name, num_blocks: 64, block_size: 512 })));
  assert.deepEqual(created, names);
  const mixed = await Promise.all([
    ...Array.from({ length: 500 }, () => client.call<{ version: string }>('spdk_get_version')),
    ...names.map((name) => client.call<Array<{ name: string }>>('bdev_get_bdevs', { name })),
  ]);
  for (const v of mixed.slice(0, 500)) assert.match((v as { version: string }).version, /^SPDK v24\.01/);
  mixed.slice(500).forEach((b, i) => {
    assert.equal((b as Array<{ name: string }>)[0]!.name, names[i]);
  });
  assert.equal(client.generation, 1);
});

test('answers come back out of order: bdev_get_bdevs with a timeout waits while later calls complete (framing #11)', GUARD, async (t) => {
  const { client } = await simAndClient(t, { pollPeriodUs: 0 });
  const order: string[] = [];
  const waiting = client.call<Array<{ name: string }>>('bdev_get_bdevs', { name: 'LateBdev', timeout: 5000 }).then((r) => {
    order.push('bdev_get_bdevs');
    return r;
  });
  const version = await client.call<{ version: string }>('spdk_get_version');
  order.push('spdk_get_version');
  assert.match(version.version, /^SPDK v24\.01/);
  assert.equal(await client.call('bdev_malloc_create', { name: 'LateBdev', num_blocks: 64, block_size: 512 }), 'LateBdev');
  order.push('bdev_malloc_create');
  const bdevs = await waiting;
  assert.equal(bdevs[0]!.name, 'LateBdev');
  assert.deepEqual(order, ['spdk_get_version', 'bdev_malloc_create', 'bdev_get_bdevs']);
});

test('uint64 tick counters beyond 2^53 arrive exact, as bigint', GUARD, async (t) => {
  const start = 2n ** 62n;
  const { client } = await simAndClient(t, { pollPeriodUs: 0, args: ['--no-huge', '-s', '512', '--sim-ticks-start', String(start)] });
  await client.call('bdev_null_create', { name: 'Null0', num_blocks: 64, block_size: 512 });
  const first = await client.call<{ tick_rate: number; ticks: bigint }>('bdev_get_iostat');
  const second = await client.call<{ ticks: bigint }>('bdev_get_iostat');
  assert.equal(typeof first.ticks, 'bigint');
  assert.equal(typeof first.tick_rate, 'number');
  assert.ok(first.ticks >= start, `${first.ticks} < ${start}`);
  assert.ok(second.ticks > first.ticks);
  // Above 2^62 a double can only hold multiples of 1024: a value that went through one would be one.
  assert.ok(first.ticks % 1024n !== 0n || second.ticks % 1024n !== 0n, `${first.ticks} ${second.ticks}`);
});

test('errors, refused requests and unknown methods leave the connection usable', GUARD, async (t) => {
  const { client } = await simAndClient(t, { pollPeriodUs: 0 });
  const missing = await client.call('bdev_get_bdevs', { name: 'nope' }).catch((e: unknown) => e);
  assert.ok(missing instanceof JsonRpcError && missing.rpcCode === -19 && missing.rpcMessage === 'No such device');
  const unknown = await client.call('no_such_method').catch((e: unknown) => e);
  assert.ok(unknown instanceof JsonRpcError && unknown.isMethodNotFound);
  const tooBig = await client.call('bdev_malloc_create', { name: 'x'.repeat(40_000), num_blocks: 8, block_size: 512 }).catch((e: unknown) => e);
  assert.ok(tooBig instanceof RpcRequestError);
  // SPDK (and the simulator) would have closed the connection on that request: it was never sent.
  assert.equal(client.generation, 1);
  assert.equal(await client.call('bdev_malloc_create', { name: 'Malloc0', num_blocks: 8, block_size: 512 }), 'Malloc0');
  assert.equal(client.generation, 1);
});

test('a crashing target fails the calls pending on it at once', GUARD, async (t) => {
  // Request counts include startSim's readiness probe: the crash comes within the client's first calls.
  const { client } = await simAndClient(t, { pollPeriodUs: 0, faults: ['crash-after=3'] });
  const disconnects: DisconnectInfo[] = [];
  client.on('disconnect', (d) => disconnects.push(d));
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => client.call('spdk_get_version')));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.ok(failed.length >= 3, `${failed.length} calls failed`);
  for (const r of failed) assert.ok(r.reason instanceof RpcConnectionError, String(r.reason));
  assert.equal(disconnects.length, 1);
  assert.equal(disconnects[0]!.pending, failed.length);
});

test('a target that dies while the client is idle is noticed by the disconnect event', GUARD, async (t) => {
  const { client } = await simAndClient(t, { pollPeriodUs: 0, faults: ['exit-after=1500'] });
  await client.connect();
  const info = await new Promise<DisconnectInfo>((resolve) => client.once('disconnect', resolve));
  assert.equal(info.pending, 0);
  assert.ok(info.error instanceof RpcConnectionError);
  assert.equal(client.connected, false);
});

test('garbage instead of a reply is a protocol error; the next call reconnects', GUARD, async (t) => {
  const { client } = await simAndClient(t, { pollPeriodUs: 0, faults: ['garbage-after=1'] });
  const outcomes: unknown[] = [];
  for (let i = 0; i < 3; i++)
    outcomes.push(
      await client.call('spdk_get_version').then(
        () => 'ok',
        (e: unknown) => e,
      ),
    );
  const protocolErrors = outcomes.filter((o) => o instanceof RpcProtocolError);
  assert.equal(protocolErrors.length, 1, String(outcomes));
  assert.equal(outcomes.filter((o) => o === 'ok').length, 2, String(outcomes));
  assert.equal(outcomes.at(-1), 'ok');
  assert.equal(client.generation, 2);
});

test('spdk_kill_instance: the reply, then the disconnect event as the target exits', GUARD, async (t) => {
  const { client } = await simAndClient(t, { pollPeriodUs: 0 });
  const disconnected = new Promise<DisconnectInfo>((resolve) => client.once('disconnect', resolve));
  assert.equal(await client.call('spdk_kill_instance', { sig_name: 'SIGTERM' }), true);
  const info = await disconnected;
  assert.equal(info.pending, 0);
  assert.ok(info.error instanceof RpcConnectionError);
  const after = await client.call('spdk_get_version').catch((e: unknown) => e);
  // Gone (ENOENT), or still on its way out (ECONNREFUSED, or a reset by the exiting process).
  assert.ok(after instanceof RpcConnectionError, String(after));
});
