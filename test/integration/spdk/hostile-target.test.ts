/**
 * A target (or anything listening on its socket) that sends what no SPDK sends: a reply that never
 * ends, a reply over the client's limit, an id nobody asked with, a key twice, a connection closed
 * in the middle of a reply. The client never buffers without bound, fails the call with a typed
 * error, and serves the next call on a new connection. Played by the simulator's fault modes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpdkRpcClient } from '../../../src/spdk/rpc/client.js';
import { RpcConnectionError, RpcReplyTooLargeError, RpcTimeoutError } from '../../../src/spdk/rpc/errors.js';
import { startSim } from '../../helpers/sim.js';

const MIB = 1024 * 1024;

/** The test process's RSS while `work` runs, sampled every 20 ms: its peak over the start. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthBytes: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growthBytes: peak - before };
  } finally {
    clearInterval(timer);
  }
}

test('an endless reply is cut at maxReplyBytes: a typed error naming target, method and size; memory bounded; the next call works', {
  timeout: 60_000,
}, async (t) => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['endless-reply-after=1'] });
  t.after(() => sim.stop());
  const client = new SpdkRpcClient({ address: sim.socket, maxReplyBytes: 32 * MIB, timeoutMs: 30_000 });
  t.after(() => client.close());
  const disconnects: unknown[] = [];
  client.on('disconnect', (info) => disconnects.push(info.error));
  const { result: error, growthBytes } = await peakRssGrowth(() =>
    client.call('bdev_get_bdevs').then(
      () => null,
      (err: unknown) => err,
    ),
  );
  assert.ok(error instanceof RpcReplyTooLargeError, String(error));
  assert.equal(error.code, 'SPDK_RPC_REPLY_TOO_LARGE');
  assert.equal(error.context.method, 'bdev_get_bdevs');
  assert.equal(error.context.address, sim.socket);
  assert.equal(error.context.limitBytes, 32 * MIB);
  assert.ok((error.context.bytes as number) > 32 * MIB);
  assert.match(error.message, /bdev_get_bdevs on .*spdk\.sock: the reply passed the limit of 33554432 bytes/);
  assert.ok(disconnects[0] instanceof RpcReplyTooLargeError, 'the connection was reset');
  assert.ok(growthBytes < 200 * MIB, `RSS grew by ${Math.round(growthBytes / MIB)} MiB for a 32 MiB limit`);
  t.diagnostic(`endless reply, maxReplyBytes 32 MiB: cut after ${error.context.bytes} bytes; RSS peak +${Math.round(growthBytes / MIB)} MiB`);
  const version = (await client.call('spdk_get_version')) as { version: string };
  assert.match(version.version, /^SPDK v24\.01/);
  assert.equal(client.generation, 2, 'on a new connection');
});

test('an endless reply under the default limit is cut at the call’s deadline: the connection is reset, not left buffering', { timeout: 60_000 }, async (t) => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['endless-reply-after=1'] });
  t.after(() => sim.stop());
  const client = new SpdkRpcClient({ address: sim.socket });
  t.after(() => client.close());
  const disconnects: Array<{ error?: unknown }> = [];
  client.on('disconnect', (info) => disconnects.push(info));
  const { result: error, growthBytes } = await peakRssGrowth(() =>
    client.call('bdev_get_bdevs', undefined, { timeoutMs: 400 }).then(
      () => null,
      (err: unknown) => err,
    ),
  );
  assert.ok(error instanceof RpcTimeoutError, String(error));
  assert.equal(disconnects.length, 1, 'the connection was reset at the deadline');
  assert.match(String((disconnects[0]?.error as Error | undefined)?.message), /an unfinished reply \(\d+ bytes so far\) passed a call's deadline/);
  assert.ok(growthBytes < 300 * MIB, `RSS grew by ${Math.round(growthBytes / MIB)} MiB`);
  t.diagnostic(
    `endless reply, default limit, 400 ms deadline: ${String((disconnects[0]?.error as Error | undefined)?.message)}; RSS peak +${Math.round(growthBytes / MIB)} MiB`,
  );
  // Nothing keeps growing after the reset.
  const after = process.memoryUsage.rss();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.ok(process.memoryUsage.rss() - after < 64 * MIB);
  assert.ok(await client.call('spdk_get_version'));
});

test('a complete reply larger than maxReplyBytes fails its call with RpcReplyTooLargeError', { timeout: 60_000 }, async (t) => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['oversize-reply-after=1'] });
  t.after(() => sim.stop());
  const client = new SpdkRpcClient({ address: sim.socket, maxReplyBytes: 1 * MIB });
  t.after(() => client.close());
  await assert.rejects(client.call('bdev_get_bdevs'), (err: unknown) => err instanceof RpcReplyTooLargeError && err.context.method === 'bdev_get_bdevs');
  assert.ok(await client.call('spdk_get_version'));
});

test('a reply with an unknown id is dropped (the call times out), a duplicate key is read as JSON.parse reads it, a reply cut by a closed connection fails its call', {
  timeout: 60_000,
}, async (t) => {
  const sim = await startSim({ pollPeriodUs: 0, faults: ['unknown-id-after=1', 'duplicate-key-after=2', 'disconnect-mid-reply-after=3'] });
  t.after(() => sim.stop());
  const client = new SpdkRpcClient({ address: sim.socket });
  t.after(() => client.close());
  const warnings: string[] = [];
  client.on('protocolWarning', (w) => warnings.push(w.reason));
  await assert.rejects(client.call('spdk_get_version', undefined, { timeoutMs: 500 }), RpcTimeoutError);
  assert.deepEqual(warnings, ['reply with an unknown id dropped']);
  const duplicated = (await client.call('spdk_get_version')) as { version: string };
  assert.match(duplicated.version, /^SPDK v24\.01/, 'the last of the two keys, as JSON.parse and SPDK’s own decoder keep');
  await assert.rejects(client.call('spdk_get_version'), (err: unknown) => err instanceof RpcConnectionError && /in the middle of a reply/.test(err.message));
  assert.ok(await client.call('spdk_get_version'), 'served again on a new connection');
});
