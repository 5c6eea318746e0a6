/** What the client writes on the socket, byte for byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { RpcRequestError } from '../../../../src/spdk/rpc/errors.js';
import type { FakeRequest } from '../../../helpers/fake-spdk-server.js';
import { HANG_GUARD, TRANSPORTS, outcome, serverAndClient, until } from './setup.js';

for (const transport of TRANSPORTS) {
  test(`${transport}: integer ids from 1, never a notification, never "params":{}, undefined members dropped`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    server.handler = (request, connection) => connection.reply(request, request.params ?? null);
    await client.call('spdk_get_version');
    await client.call('spdk_get_version', {});
    await client.call('spdk_get_version', { sig_name: undefined });
    await client.call('bdev_get_bdevs', { name: 'Malloc0', timeout: undefined, flag: false, zero: 0 });
    assert.deepEqual(await client.call('x', { big: 18446744073709551615n, list: [1n, 2] }), { big: 18446744073709551615n, list: [1, 2] });
    assert.equal(
      server.received(),
      '{"jsonrpc":"2.0","method":"spdk_get_version","id":1}' +
        '{"jsonrpc":"2.0","method":"spdk_get_version","id":2}' +
        '{"jsonrpc":"2.0","method":"spdk_get_version","id":3}' +
        '{"jsonrpc":"2.0","method":"bdev_get_bdevs","id":4,"params":{"name":"Malloc0","flag":false,"zero":0}}' +
        '{"jsonrpc":"2.0","method":"x","id":5,"params":{"big":18446744073709551615,"list":[1,2]}}',
    );
    for (const request of server.requests) assert.ok(Number.isInteger(request.id) && (request.id as number) > 0, request.raw);
  });

  test(`${transport}: ids keep counting across reconnects, so a stale reply can never match a new call`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    await client.call('spdk_get_version');
    server.lastConnection!.destroy();
    await until(() => !client.connected, 'the disconnect');
    await client.call('spdk_get_version');
    assert.deepEqual(
      server.requests.map((r) => r.id),
      [1, 2],
    );
    assert.equal(client.generation, 2);
  });

  test(`${transport}: requests issued in one event-loop turn leave in one socket write`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    await client.connect();
    const serverSockets = (): net.Socket[] => server.connections.map((c) => c.socket);
    const originalWrite = net.Socket.prototype.write;
    let clientWrites = 0;
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
      if (!serverSockets().includes(this)) clientWrites++;
      return (originalWrite as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof originalWrite;
    t.after(() => {
      net.Socket.prototype.write = originalWrite;
    });
    const held: FakeRequest[] = [];
    server.handler = (request, connection) => {
      held.push(request);
      if (held.length === 100) for (const r of held) connection.reply(r, r.id);
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => client.call<number>('spdk_get_version')));
    net.Socket.prototype.write = originalWrite;
    assert.equal(clientWrites, 1);
    assert.deepEqual(
      results,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  test(`${transport}: an oversize request fails in the client, is never written, and the connection lives on`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const held: FakeRequest[] = [];
    server.handler = (request) => void held.push(request);
    const inFlight = client.call('bdev_get_bdevs', { name: 'Malloc0' });
    await server.waitForRequests(1);
    const bytesBefore = server.bytesReceived;

    const tooBig = await outcome(client.call('bdev_malloc_create', { name: 'x'.repeat(40_000), num_blocks: 8, block_size: 512 }));
    assert.ok(!tooBig.ok && tooBig.error instanceof RpcRequestError);
    assert.match(tooBig.error.message, /bdev_malloc_create on .*: request not sent: the request is 40\d{3} bytes, over the target's limit of 32768 bytes/);
    assert.equal(tooBig.error.code, 'SPDK_RPC_REQUEST');
    assert.equal(typeof tooBig.error.context.bytes, 'number');

    const tooMany = await outcome(client.call('nvmf_subsystem_add_host', { hosts: new Array(1100).fill(1) }));
    assert.ok(!tooMany.ok && tooMany.error instanceof RpcRequestError);
    assert.match(tooMany.error.message, /holds 1114 JSON values, over the target's limit of 1024/);

    // Give a wrongly written request every chance to arrive.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.bytesReceived, bytesBefore);
    assert.deepEqual(server.limitViolations, []);
    server.lastConnection!.reply(held[0]!, 'still here');
    assert.equal(await inFlight, 'still here');
    assert.equal(client.generation, 1);
    assert.equal(server.connections.length, 1);
  });

  test(`${transport}: larger limits (SPDK v26.05: 256 KiB, 8192 values) let larger requests through`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport, { maxRequestBytes: 262_144, maxRequestValues: 8192 }, { enforceLimits: false });
    server.handler = (request, connection) => connection.reply(request, request.raw.length);
    const size = await client.call<number>('bdev_malloc_create', { name: 'x'.repeat(100_000) });
    assert.ok(size > 100_000);
    assert.equal(typeof (await client.call('x', { hosts: new Array(5000).fill(1) })), 'number');
    assert.ok(!(await outcome(client.call('x', { name: 'x'.repeat(300_000) }))).ok);
  });
}
