/** The JSON-RPC server's limits and framing beyond the captures (contract §1.2, §1.6, §1.7). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawExchange, SimConnection, startSim, type SimHandle } from '../../helpers/sim.js';

const VERSION_REPLY_START = '{"jsonrpc":"2.0","id":';

async function closesSilently(sim: SimHandle, request: string | Buffer): Promise<void> {
  const { replies, closed, rest } = await rawExchange(sim.socket, request, { expectReplies: 0, timeoutMs: 3000 });
  assert.deepEqual(replies, []);
  assert.equal(rest, '');
  assert.ok(closed, 'the server closes the connection');
}

test('nesting: 64 levels are parsed, 65 close the connection', async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  const nested = (depth: number): string => `{"jsonrpc":"2.0","method":"spdk_get_version","id":1,"params":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  const ok = await rawExchange(sim.socket, nested(64));
  assert.deepEqual(ok.replies, ['{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"spdk_get_version method requires no parameters"}}\n']);
  await closesSilently(sim, nested(65));
  await sim.stop();
});

test('an embedded NUL, invalid UTF-8, a bad literal or a bad number close the connection with no reply', async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  await closesSilently(sim, '{"jsonrpc":"2.0","method":"spdk_get_version","id":"a\\u0000b"}');
  await closesSilently(sim, Buffer.concat([Buffer.from('{"jsonrpc":"2.0","method":"spdk_get_version","id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
  await closesSilently(sim, '{"jsonrpc":"2.0","method":"spdk_get_version","id":tru}');
  await closesSilently(sim, '{"jsonrpc":"2.0","method":"spdk_get_version","id":01}');
  // A reply already produced in the same read is lost with the connection, as in SPDK.
  await closesSilently(sim, '{"jsonrpc":"2.0","method":"spdk_get_version","id":1}{"bad" 1}');
  assert.equal((await sim.call('spdk_get_version')).error, undefined, 'other connections are unaffected');
  await sim.stop();
});

test('size limit: two pipelined 20 kB requests are fine; one 32769-byte request closes the connection', async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  const padded = (id: number, size: number): string => {
    const head = `{"jsonrpc":"2.0","method":"spdk_get_version","id":${id}`;
    return `${head + ' '.repeat(size - head.length - 1)}}`;
  };
  const { replies } = await rawExchange(sim.socket, padded(1, 20000) + padded(2, 20000), { expectReplies: 2 });
  assert.equal(replies.length, 2);
  await closesSilently(sim, padded(3, 32769));
  await sim.stop();
});

test('a top-level batch, number or string is one -32600 with id null; the connection stays usable', async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  const conn = await SimConnection.open(sim.socket);
  conn.write('[{"jsonrpc":"2.0","method":"spdk_get_version","id":1}] 42 "x" {"jsonrpc":"2.0","method":"spdk_get_version","id":2}');
  const lines = await conn.readLines(4);
  const invalid = '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request"}}\n';
  assert.deepEqual(lines.slice(0, 3), [invalid, invalid, invalid]);
  assert.ok(lines[3]!.startsWith(`${VERSION_REPLY_START}2,`));
  conn.close();
  await sim.stop();
});

test('with the 4 ms poller a reply leaves in a later pass; pipelined requests are all answered in order', async () => {
  const sim = await startSim({ pollPeriodUs: 4000 });
  const conn = await SimConnection.open(sim.socket);
  let burst = '';
  for (let id = 1; id <= 300; id++) burst += `{"jsonrpc":"2.0","method":"spdk_get_version","id":${id}}`;
  conn.write(burst);
  const lines = await conn.readLines(300, 10000);
  assert.equal(lines.length, 300);
  lines.forEach((l, i) => {
    assert.ok(l.startsWith(`${VERSION_REPLY_START}${i + 1},`));
  });
  conn.close();
  await sim.stop();
});

test('the 65th connection waits for a free slot with the immediate poller too', async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  const conns: SimConnection[] = [];
  try {
    for (let i = 0; i < 64; i++) conns.push(await SimConnection.open(sim.socket));
    conns.forEach((c, i) => {
      c.write(`{"jsonrpc":"2.0","method":"spdk_get_version","id":${i}}`);
    });
    for (const c of conns) assert.equal((await c.readLines(1)).length, 1);
    const waiting = await SimConnection.open(sim.socket);
    conns.push(waiting);
    waiting.write('{"jsonrpc":"2.0","method":"spdk_get_version","id":65}');
    assert.deepEqual(await waiting.readLines(1, 500), []);
    conns[10]!.close();
    const [reply] = await waiting.readLines(1, 5000);
    assert.ok(reply?.startsWith(`${VERSION_REPLY_START}65,`));
  } finally {
    conns.forEach((c) => {
      c.close();
    });
  }
  await sim.stop();
});

test('framework_start_init answers once; framework_wait_init waiting on two connections is released after it', async () => {
  const sim = await startSim({ pollPeriodUs: 0, args: ['--wait-for-rpc'] });
  const a = await SimConnection.open(sim.socket);
  const b = await SimConnection.open(sim.socket);
  a.write('{"jsonrpc":"2.0","method":"framework_wait_init","id":1}');
  b.write('{"jsonrpc":"2.0","method":"framework_wait_init","params":{"ignored":true},"id":2}');
  assert.equal(await a.readUntilIdle(200), '');
  a.write('{"jsonrpc":"2.0","method":"framework_start_init","id":3}');
  assert.deepEqual(await a.readLines(2), ['{"jsonrpc":"2.0","id":3,"result":true}\n', '{"jsonrpc":"2.0","id":1,"result":true}\n']);
  assert.deepEqual(await b.readLines(1), ['{"jsonrpc":"2.0","id":2,"result":true}\n']);
  a.write('{"jsonrpc":"2.0","method":"framework_start_init","id":4}');
  const [again] = await a.readLines(1);
  assert.match(again!, /"code":-1,"message":"Method may only be called before framework is initialized/);
  a.close();
  b.close();
  await sim.stop();
});
