/** One connection shared by many callers: pipelining, out-of-order replies, the in-flight cap, framing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcTimeoutError } from '../../../../src/spdk/rpc/errors.js';
import { loadFixture } from '../../../helpers/fixtures.js';
import { withId, type FakeRequest } from '../../../helpers/fake-spdk-server.js';
import { HANG_GUARD, TRANSPORTS, outcome, serverAndClient, until } from './setup.js';

for (const transport of TRANSPORTS) {
  test(`${transport}: replies out of request order reach their own calls (framing #11)`, HANG_GUARD, async (t) => {
    const entry = loadFixture('framing.jsonl').find((e) => e.seq === 11)!;
    const [versionReply, , bdevsReply] = entry.responses!;
    const { server, client } = await serverAndClient(t, transport);
    let bdevRequest: FakeRequest | undefined;
    server.handler = (request, connection) => {
      if (request.method === 'bdev_get_bdevs')
        bdevRequest = request; // waits for its bdev
      else {
        connection.replyRaw(request, withId(versionReply!, request.rawId));
        setTimeout(() => connection.replyRaw(bdevRequest!, withId(bdevsReply!, bdevRequest!.rawId)), 20);
      }
    };
    const order: string[] = [];
    const bdevs = client.call<Array<{ name: string }>>('bdev_get_bdevs', { name: 'LateBdev', timeout: 1500 }).then((r) => {
      order.push('bdev_get_bdevs');
      return r;
    });
    const version = client.call<{ version: string }>('spdk_get_version').then((r) => {
      order.push('spdk_get_version');
      return r;
    });
    const [b, v] = await Promise.all([bdevs, version]);
    assert.deepEqual(order, ['spdk_get_version', 'bdev_get_bdevs']);
    assert.equal(b[0]!.name, 'LateBdev');
    assert.match(v.version, /^SPDK v24\.01/);
    assert.equal(server.connections.length, 1);
  });

  test(`${transport}: a thousand concurrent callers share one connection and each gets its own answer`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    // Answer in a scrambled order.
    const held: FakeRequest[] = [];
    server.handler = (request, connection) => {
      held.push(request);
      if (held.length % 100 !== 0) return;
      const batch = held.splice(0);
      for (let i = batch.length - 1; i >= 0; i -= 2) connection.reply(batch[i]!, batch[i]!.params);
      for (let i = batch.length - 2; i >= 0; i -= 2) connection.reply(batch[i]!, batch[i]!.params);
    };
    const results = await Promise.all(Array.from({ length: 1000 }, (_, n) => client.call<{ n: number }>('echo', { n })));
    results.forEach((r, n) => {
      assert.equal(r.n, n);
    });
    assert.equal(server.connections.length, 1);
    assert.ok(server.maxOutstanding > 1, 'requests were pipelined');
  });

  test(`${transport}: no more than maxInFlight requests are outstanding; the rest wait for a slot`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport, { maxInFlight: 5 });
    server.handler = (request, connection) => void setTimeout(() => connection.reply(request, request.params), 1 + (Number(request.id) % 4));
    const results = await Promise.all(Array.from({ length: 60 }, (_, n) => client.call<{ n: number }>('echo', { n })));
    results.forEach((r, n) => {
      assert.equal(r.n, n);
    });
    assert.equal(server.maxOutstanding, 5);
    assert.equal(server.requests.length, 60);
  });

  test(`${transport}: a call waiting for a slot still times out, and is then never written`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport, { maxInFlight: 1 });
    const held: FakeRequest[] = [];
    server.handler = (request) => void held.push(request);
    const first = client.call('slow_first');
    const waiting = await outcome(client.call('waiting', undefined, { timeoutMs: 100 }));
    assert.ok(!waiting.ok && waiting.error instanceof RpcTimeoutError);
    assert.match(waiting.error.message, /^waiting on .*: no answer within 100 ms$/);
    server.lastConnection!.reply(held[0]!, 'first done');
    assert.equal(await first, 'first done');
    server.handler = (request, connection) => connection.reply(request, 'third done');
    assert.equal(await client.call('third'), 'third done');
    assert.deepEqual(
      server.requests.map((r) => r.method),
      ['slow_first', 'third'],
    );
  });

  test(`${transport}: when a call in flight and the call waiting behind it expire together, the waiting one is never written`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport, { maxInFlight: 1, timeoutMs: 100 });
    server.handler = () => {};
    const results = await Promise.all([outcome(client.call('in_flight')), outcome(client.call('waiting'))]);
    for (const r of results) assert.ok(!r.ok && r.error instanceof RpcTimeoutError);
    server.handler = (request, connection) => connection.reply(request, 'next');
    assert.equal(await client.call('next'), 'next');
    assert.deepEqual(
      server.requests.map((r) => r.method),
      ['in_flight', 'next'],
    );
  });

  test(`${transport}: several replies in one read, and replies split at arbitrary points`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const held: FakeRequest[] = [];
    server.handler = async (request, connection) => {
      held.push(request);
      if (held.length < 6) return;
      for (const r of held) connection.markAnswered(r);
      const text = held.map((r) => `{"jsonrpc":"2.0","id":${r.rawId},"result":{"n":${String(r.params && (r.params as { n: number }).n)},"s":"{\\"}\\n"}}\n`);
      connection.write(text.slice(0, 3).join('')); // three in one write
      const rest = text.slice(3).join('');
      await connection.writeInPieces(rest, [1, 7, 40, 41, 42, rest.length - 2, rest.length - 1], 5);
    };
    const results = await Promise.all(Array.from({ length: 6 }, (_, n) => client.call<{ n: number; s: string }>('echo', { n })));
    results.forEach((r, n) => {
      assert.deepEqual(r, { n, s: '{"}\n' });
    });
  });

  test(`${transport}: replies without the trailing newline are still delivered (the parser does not need it)`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    server.handler = (request, connection) => connection.replyRaw(request, `{"jsonrpc":"2.0","id":${request.rawId},"result":[]}`);
    assert.deepEqual(await client.call('a'), []);
    assert.deepEqual(await client.call('b'), []);
  });

  test(`${transport}: a 10 MB reply with uint64 counters arrives whole and exact`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const bdev = (i: number): string =>
      `{"name":"Null${i}","aliases":["${i.toString(16).padStart(8, '0')}-2a2f-4d2d-8573-95e3ee335ca0"],"product_name":"Null disk","block_size":512,` +
      `"num_blocks":${2n ** 60n + BigInt(i)},"read_latency_ticks":${18446744073709551615n - BigInt(i)},"claimed":false,"supported_io_types":{"read":true,"write":true}}`;
    const count = 40_000;
    const body = Array.from({ length: count }, (_, i) => bdev(i)).join(',');
    server.handler = (request, connection) =>
      connection.replyRaw(request, `{"jsonrpc":"2.0","id":${request.rawId},"result":{"ticks":18446744073709551615,"bdevs":[${body}]}}\n`);
    assert.ok(body.length > 10_000_000);
    const result = await client.call<{ ticks: bigint; bdevs: Array<{ name: string; num_blocks: bigint; read_latency_ticks: bigint; block_size: number }> }>(
      'bdev_get_bdevs',
    );
    assert.equal(result.ticks, 18446744073709551615n);
    assert.equal(result.bdevs.length, count);
    assert.equal(result.bdevs[12_345]!.name, 'Null12345');
    assert.equal(result.bdevs[12_345]!.num_blocks, 2n ** 60n + 12_345n);
    assert.equal(result.bdevs[count - 1]!.read_latency_ticks, 18446744073709551615n - BigInt(count - 1));
    assert.equal(result.bdevs[0]!.block_size, 512);
    await until(() => client.pending === 0, 'the books to clear');
  });
}
