/** Every way a call can fail settles it with a typed error; none hangs, none crashes, none misdelivers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcAbortedError, JsonRpcError, RpcConnectionError, RpcProtocolError, RpcRequestError, RpcTimeoutError } from '../../../../src/spdk/rpc/errors.js';
import type { DisconnectInfo, ProtocolWarning } from '../../../../src/spdk/rpc/client.js';
import type { FakeRequest } from '../../../helpers/fake-spdk-server.js';
import { HANG_GUARD, TRANSPORTS, outcome, serverAndClient, until } from './setup.js';
import { captureLogs } from '../../../helpers/logs.js';

for (const transport of TRANSPORTS) {
  test(`${transport}: an error reply becomes a JsonRpcError with code, message, method and params`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    server.handler = (request, connection) => connection.replyError(request, -32603, 'subsystem busy, retry later.\n');
    const params = { nqn: 'nqn.2016-06.io.spdk:cnode1', namespace: { bdev_name: 'Busy0' } };
    const got = await outcome(client.call('nvmf_subsystem_add_ns', params));
    assert.ok(!got.ok && got.error instanceof JsonRpcError);
    assert.equal(got.error.rpcCode, -32603);
    assert.equal(got.error.rpcMessage, 'subsystem busy, retry later.\n');
    assert.equal(got.error.method, 'nvmf_subsystem_add_ns');
    assert.deepEqual(got.error.params, params);
    assert.equal(got.error.address, server.address);
    assert.equal(got.error.message, `nvmf_subsystem_add_ns on ${server.address} failed: subsystem busy, retry later. (code -32603)`);
    assert.ok(client.connected, 'an error reply does not touch the connection');
  });

  test(`${transport}: secrets in params never reach the error (and so never a log line)`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    server.handler = (request, connection) => connection.replyError(request, -32602, 'Invalid parameters');
    const params = {
      nqn: 'nqn.2016-06.io.spdk:cnode1',
      host: 'nqn.2016-06.io.spdk:host1',
      psk: 'NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:',
      dhchap_key: 'key0',
      nested: [{ secret: 'chap-secret', msecret: 'mutual', user: 'u' }],
      key: '1234567890abcdef1234567890abcdef',
      key2: 'abcdef',
    };
    const got = await outcome(client.call('nvmf_subsystem_add_host', params));
    assert.ok(!got.ok && got.error instanceof JsonRpcError);
    const text = JSON.stringify(got.error.toJSON());
    for (const secret of ['NVMeTLSkey', 'key0', 'chap-secret', 'mutual', '1234567890abcdef', 'abcdef"'])
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.deepEqual(got.error.params, {
      nqn: 'nqn.2016-06.io.spdk:cnode1',
      host: 'nqn.2016-06.io.spdk:host1',
      psk: '***',
      dhchap_key: '***',
      nested: [{ secret: '***', msecret: '***', user: 'u' }],
      key: '***',
      key2: '***',
    });
    assert.equal(params.psk.startsWith('NVMeTLSkey'), true, "the caller's params are not modified");
    assert.match(server.requests[0]!.raw, /NVMeTLSkey/, 'the target still gets the real value');
  });

  test(`${transport}: a call past its deadline fails with RpcTimeoutError; its late reply goes to no one`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport, { timeoutMs: 150 });
    const warnings: ProtocolWarning[] = [];
    client.on('protocolWarning', (w) => warnings.push(w));
    const held: FakeRequest[] = [];
    server.handler = (request) => void held.push(request);

    const slow = await outcome(client.call('bdev_get_bdevs', { name: 'x' }));
    assert.ok(!slow.ok && slow.error instanceof RpcTimeoutError);
    assert.equal(slow.error.timeoutMs, 150);
    assert.equal(slow.error.method, 'bdev_get_bdevs');
    assert.match(slow.error.message, new RegExp(`^bdev_get_bdevs on ${server.address.replace(/[.]/g, '\\.')}: no answer within 150 ms$`));

    // A second call is pending when the late reply arrives; it must get its own reply, not the late one.
    const next = client.call('spdk_get_version', undefined, { timeoutMs: 5_000 });
    await server.waitForRequests(2);
    const conn = server.lastConnection!;
    conn.reply(held[0]!, 'LATE: for the timed-out call');
    await new Promise((r) => setTimeout(r, 30));
    conn.reply(held[1]!, 'for the second call');
    assert.equal(await next, 'for the second call');
    assert.deepEqual(warnings, [], 'a late reply is expected, not a protocol problem');
    assert.equal(client.generation, 1);
    assert.equal(client.pending, 0);
  });

  test(`${transport}: the per-call timeout overrides the client default`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport, { timeoutMs: 60_000 });
    server.handler = () => {};
    const started = performance.now();
    const got = await outcome(client.call('framework_wait_init', undefined, { timeoutMs: 80 }));
    assert.ok(!got.ok && got.error instanceof RpcTimeoutError && got.error.timeoutMs === 80);
    assert.ok(performance.now() - started < 30_000); // it did not wait for the default
    const bad = await outcome(client.call('x', undefined, { timeoutMs: -1 }));
    assert.ok(!bad.ok && bad.error instanceof RpcRequestError);
  });

  test(`${transport}: a lost connection fails every pending call at once; the next call reconnects`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const disconnects: DisconnectInfo[] = [];
    client.on('disconnect', (d) => disconnects.push(d));
    server.handler = () => {};
    const calls = ['bdev_get_bdevs', 'nvmf_get_subsystems', 'vhost_get_controllers'].map((m) => outcome(client.call(m)));
    await server.waitForRequests(3);
    server.lastConnection!.end();
    const results = await Promise.all(calls);
    results.forEach((r, i) => {
      assert.ok(!r.ok && r.error instanceof RpcConnectionError);
      const method = ['bdev_get_bdevs', 'nvmf_get_subsystems', 'vhost_get_controllers'][i]!;
      assert.equal(r.error.method, method);
      assert.equal(r.error.message, `${method} on ${server.address}: the target closed the connection`);
    });
    assert.equal(disconnects.length, 1);
    assert.equal(disconnects[0]!.pending, 3);
    assert.ok(disconnects[0]!.error instanceof RpcConnectionError);
    assert.equal(client.connected, false);

    server.handler = (request, connection) => connection.reply(request, 'after reconnect');
    assert.equal(await client.call('spdk_get_version'), 'after reconnect');
    assert.equal(client.generation, 2);
    assert.equal(server.connections.length, 2);
  });

  if (transport === 'tcp') {
    test('tcp: a connection reset names the errno', HANG_GUARD, async (t) => {
      const { server, client } = await serverAndClient(t, transport);
      server.handler = () => {};
      const pending = outcome(client.call('bdev_get_iostat'));
      await server.waitForRequests(1);
      server.lastConnection!.socket.resetAndDestroy();
      const got = await pending;
      assert.ok(!got.ok && got.error instanceof RpcConnectionError);
      assert.equal(got.error.errno, 'ECONNRESET');
      assert.equal(got.error.phase, 'lost');
      assert.match(got.error.message, /^bdev_get_iostat on 127\.0\.0\.1:\d+: connection lost: .*ECONNRESET/);
    });
  }

  test(`${transport}: a connection closed in the middle of a reply says so`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    server.handler = (request, connection) => {
      connection.write(`{"jsonrpc":"2.0","id":${request.rawId},"result":[{"name":"Mal`);
      setTimeout(() => connection.end(), 20);
    };
    const got = await outcome(client.call('bdev_get_bdevs'));
    assert.ok(!got.ok && got.error instanceof RpcConnectionError);
    assert.match(got.error.message, /closed the connection in the middle of a reply \(\d+ bytes unfinished\)/);
  });

  test(`${transport}: garbage fails every pending call with RpcProtocolError and drops the connection`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const disconnects: DisconnectInfo[] = [];
    client.on('disconnect', (d) => disconnects.push(d));
    server.handler = (request, connection) => {
      if (request.index === 1) connection.write('hello\n');
    };
    const calls = [outcome(client.call('one')), outcome(client.call('two'))];
    const results = await Promise.all(calls);
    for (const [i, r] of results.entries()) {
      assert.ok(!r.ok && r.error instanceof RpcProtocolError, String(!r.ok && r.error));
      assert.equal(r.error.method, ['one', 'two'][i]);
      assert.match(r.error.message, /invalid reply from the target: unexpected byte 0x68 'h'/);
      assert.match(r.error.excerpt, /^h/);
    }
    assert.equal(disconnects.length, 1);
    assert.ok(disconnects[0]!.error instanceof RpcProtocolError);
    await until(() => server.lastConnection!.closed, 'the client to drop the connection');
    server.handler = (request, connection) => connection.reply(request, true);
    assert.equal(await client.call('three'), true);
    assert.equal(client.generation, 2);
  });

  test(`${transport}: values that are not JSON-RPC responses are protocol errors, with an excerpt`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const bad: Array<[string, RegExp]> = [
      ['[1,2]\n', /expected a JSON-RPC response object, got an array/],
      ['"text"\n', /expected a JSON-RPC response object, got the string "text"/],
      ['{"jsonrpc":"2.0","result":true}\n', /the response has no id/],
      ['{"jsonrpc":"2.0","id":ID}\n', /neither result nor error/],
      ['{"jsonrpc":"2.0","id":ID,"error":"boom"}\n', /the error member is the string "boom", not an object/],
      ['{"jsonrpc":"2.0","id":ID,"error":{"code":"x","message":"m"}}\n', /the error code is the string "x", not an integer/],
      ['{"jsonrpc":"2.0","id":ID,"result":tru}\n', /not valid JSON/],
    ];
    for (const [bytes, reason] of bad) {
      server.handler = (request, connection) => connection.replyRaw(request, bytes.replace('ID', request.rawId!));
      const got = await outcome(client.call('bdev_get_bdevs'));
      assert.ok(!got.ok && got.error instanceof RpcProtocolError, bytes);
      assert.match(got.error.message, reason, bytes);
      assert.equal(got.error.excerpt, bytes.replace('ID', String(server.requests.at(-1)!.id)).trimEnd(), bytes);
    }
    assert.equal(client.generation, bad.length, 'each bad reply dropped its connection');
  });

  test(`${transport}: a reply with an unknown id is logged and dropped; the real reply still arrives`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const warnings: ProtocolWarning[] = [];
    client.on('protocolWarning', (w) => warnings.push(w));
    server.handler = (request, connection) => {
      connection.write('{"jsonrpc":"2.0","id":9999,"result":"not yours"}\n');
      connection.write('{"jsonrpc":"2.0","id":"abc-1","result":"not yours either"}\n');
      connection.write('{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request"}}\n');
      connection.reply(request, 'yours');
    };
    assert.equal(await client.call('spdk_get_version'), 'yours');
    assert.deepEqual(
      warnings.map((w) => w.reason),
      ['reply with an unknown id dropped', 'reply with an unknown id dropped', 'reply with a null id dropped'],
    );
    assert.match(warnings[0]!.excerpt, /"id":9999/);
    assert.ok(client.connected);
  });

  test(`${transport}: a reply carrying the id of a call not yet written is not delivered to it`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport, { maxInFlight: 1 });
    const warnings: ProtocolWarning[] = [];
    client.on('protocolWarning', (w) => warnings.push(w));
    const held: FakeRequest[] = [];
    server.handler = (request) => void held.push(request);
    const first = client.call('first');
    const second = client.call('second'); // id 2, waiting for the single slot
    await server.waitForRequests(1);
    const conn = server.lastConnection!;
    conn.write('{"jsonrpc":"2.0","id":2,"result":"forged"}\n');
    await until(() => warnings.length === 1, 'the stray reply to be seen');
    conn.reply(held[0]!, 'first');
    await server.waitForRequests(2);
    conn.reply(held[1]!, 'second');
    assert.deepEqual(await Promise.all([first, second]), ['first', 'second']);
  });

  test(`${transport}: an aborted call rejects with RpcAbortedError carrying the signal's reason, and its late reply is dropped`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const warnings: ProtocolWarning[] = [];
    client.on('protocolWarning', (w) => warnings.push(w));
    const held: FakeRequest[] = [];
    server.handler = (request) => void held.push(request);
    const controller = new AbortController();
    const call = outcome(client.call('bdev_wait_for_examine', undefined, { signal: controller.signal }));
    await server.waitForRequests(1);
    const reason = new Error('operator gave up');
    controller.abort(reason);
    const got = await call;
    assert.ok(!got.ok && got.error instanceof RpcAbortedError);
    assert.equal(got.error.cause, reason);
    assert.match(got.error.message, /bdev_wait_for_examine on .*: aborted by the caller \(operator gave up\)/);
    assert.equal(client.pending, 0);
    server.lastConnection!.reply(held[0]!, true);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(warnings, []);
    // Already aborted: rejected without a request.
    const pre = await outcome(client.call('never_sent', undefined, { signal: AbortSignal.abort('stop') }));
    assert.ok(!pre.ok && pre.error instanceof RpcAbortedError && pre.error.cause === 'stop');
    assert.equal(server.requests.length, 1);
  });

  test(`${transport}: close() fails pending calls, and a closed client stays closed`, HANG_GUARD, async (t) => {
    const { server, client } = await serverAndClient(t, transport);
    const disconnects: DisconnectInfo[] = [];
    client.on('disconnect', (d) => disconnects.push(d));
    server.handler = () => {};
    const pending = outcome(client.call('bdev_get_bdevs'));
    await server.waitForRequests(1);
    await client.close();
    const got = await pending;
    assert.ok(!got.ok && got.error instanceof RpcConnectionError);
    assert.equal(got.error.message, `bdev_get_bdevs on ${server.address}: client closed`);
    assert.deepEqual(disconnects, [{ pending: 1 }]);
    const later = await outcome(client.call('spdk_get_version'));
    assert.ok(!later.ok && later.error instanceof RpcConnectionError && /client closed/.test(later.error.message));
    assert.equal(later.error.phase, 'closed');
    const connect = await outcome(client.connect());
    assert.ok(!connect.ok && connect.error instanceof RpcConnectionError);
    await client.close(); // idempotent
    await until(() => server.lastConnection!.closed, 'the socket to close');
    assert.equal(server.requests.length, 1);
  });
}

test('what the client logs: late replies at debug, stray replies and broken partials at warn, each with the address', HANG_GUARD, async (t) => {
  const logs = captureLogs(t, 'debug', { level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'error' });
  const { server, client } = await serverAndClient(t, 'unix');
  const held: FakeRequest[] = [];
  server.handler = (request) => void held.push(request);
  await outcome(client.call('slow', undefined, { timeoutMs: 50 }));
  server.lastConnection!.reply(held[0]!, 'late');
  server.lastConnection!.write('{"jsonrpc":"2.0","id":777,"result":1}\n{"jsonrpc":"2.0","id":null,"result":{"a":1}');
  server.handler = (request, connection) => connection.reply(request, 'ok');
  assert.equal(await client.call('next'), 'ok');
  await until(() => logs.lines().some((l) => l.message === 'late reply to an abandoned call dropped'), 'the debug line');
  const lines = logs.lines();
  const late = lines.find((l) => l.message === 'late reply to an abandoned call dropped')!;
  assert.equal(late.level, 'debug');
  assert.equal(late.id, 1);
  assert.equal(late.component, 'spdk.rpc');
  assert.equal(late.address, server.address);
  const stray = lines.find((l) => l.message === 'reply with an unknown id dropped')!;
  assert.equal(stray.level, 'warn');
  assert.match(String(stray.excerpt), /"id":777/);
  const partial = lines.find((l) => String(l.message).startsWith('unfinished reply dropped'))!;
  assert.equal(partial.level, 'warn');
  assert.match(String(partial.excerpt), /"id":null/);
});
