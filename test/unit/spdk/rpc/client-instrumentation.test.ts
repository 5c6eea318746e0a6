/** What the client tells the metrics (util/instrumentation.ts): each call's outcome once, reconnections, traffic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instruments, type SpdkCallEvent } from '../../../../src/util/instrumentation.js';
import { HANG_GUARD, outcome, serverAndClient } from './setup.js';

function record(t: { after(fn: () => void): void }): SpdkCallEvent[] {
  const seen: SpdkCallEvent[] = [];
  const stop = instruments.spdkCall.subscribe((event) => seen.push(event));
  t.after(stop);
  return seen;
}

test('each settled call is published once with its outcome, JSON-RPC code and duration', HANG_GUARD, async (t) => {
  const { server, client } = await serverAndClient(t, 'unix', { timeoutMs: 300 });
  const seen = record(t);
  server.handler = (request, connection) => {
    if (request.method === 'ok_method') connection.reply(request, true);
    else if (request.method === 'bad_method') connection.replyError(request, -32601, 'Method not found');
    // 'silent_method': never answered
  };
  await client.call('ok_method');
  await outcome(client.call('bad_method'));
  await outcome(client.call('silent_method'));
  const mine = seen.filter((e) => e.address === client.address);
  assert.deepEqual(
    mine.map((e) => [e.method, e.outcome, e.rpcCode]),
    [
      ['ok_method', 'ok', undefined],
      ['bad_method', 'rpc_error', -32601],
      ['silent_method', 'timeout', undefined],
    ],
  );
  assert.ok(mine.every((e) => e.seconds >= 0 && e.seconds < 10));
  assert.ok(mine[2]!.seconds >= 0.25, `the timeout took its deadline (${mine[2]!.seconds} s)`);
});

test('calls failed by a lost connection are published as connection failures; the reconnection is published with its generation', HANG_GUARD, async (t) => {
  const { server, client } = await serverAndClient(t, 'unix');
  const seen = record(t);
  const connects: number[] = [];
  t.after(instruments.spdkConnect.subscribe((event) => event.address === client.address && connects.push(event.generation)));
  server.handler = (request, connection) => {
    if (request.method === 'drop') connection.destroy();
    else connection.reply(request, 1);
  };
  await client.call('first');
  await outcome(client.call('drop'));
  await client.call('again');
  assert.deepEqual(
    seen.filter((e) => e.address === client.address).map((e) => [e.method, e.outcome]),
    [
      ['first', 'ok'],
      ['drop', 'connection'],
      ['again', 'ok'],
    ],
  );
  assert.deepEqual(connects, [1, 2]);
});

test('traffic: the bytes of every connection, past and present, are counted', HANG_GUARD, async (t) => {
  const { server, client } = await serverAndClient(t, 'tcp');
  server.handler = (request, connection) => {
    if (request.method === 'drop') connection.destroy();
    else connection.reply(request, 'x'.repeat(1000));
  };
  assert.deepEqual(client.traffic, { bytesIn: 0, bytesOut: 0 });
  await client.call('one');
  const afterOne = client.traffic;
  assert.ok(afterOne.bytesIn > 1000 && afterOne.bytesOut > 20, JSON.stringify(afterOne));
  await outcome(client.call('drop'));
  await client.call('two');
  const afterTwo = client.traffic;
  assert.ok(afterTwo.bytesIn > 2 * 1000, `the first connection's bytes are kept: ${JSON.stringify(afterTwo)}`);
  assert.ok(afterTwo.bytesOut > afterOne.bytesOut);
});

test('nothing is built for the metrics while nobody subscribes', () => {
  assert.equal(instruments.spdkCall.active, false);
  const stop = instruments.spdkCall.subscribe(() => undefined);
  assert.equal(instruments.spdkCall.active, true);
  stop();
  assert.equal(instruments.spdkCall.active, false);
});
