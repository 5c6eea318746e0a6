import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { amqplibSocket, coalesceWrites } from '../../../src/bus/write-coalescing.js';

interface Pair {
  client: net.Socket;
  received: () => string;
  flushes: number[];
  close: () => Promise<void>;
}

/** A connected TCP pair on the loopback; `flushes` lists the chunk count of each write to the kernel. */
async function pair(): Promise<Pair> {
  const server = net.createServer();
  const chunks: Buffer[] = [];
  server.on('connection', (peer) => peer.on('data', (chunk: Buffer) => chunks.push(chunk)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await once(client, 'connect');
  const flushes: number[] = [];
  const proto = net.Socket.prototype as unknown as { _write: (...args: unknown[]) => unknown; _writev: (...args: unknown[]) => unknown };
  const spied = client as unknown as { _write: (...args: unknown[]) => unknown; _writev: (...args: unknown[]) => unknown };
  spied._write = function (this: net.Socket, ...args: unknown[]) {
    flushes.push(1);
    return proto._write.apply(this, args);
  };
  spied._writev = function (this: net.Socket, ...args: unknown[]) {
    flushes.push((args[0] as unknown[]).length);
    return proto._writev.apply(this, args);
  };
  return {
    client,
    received: () => Buffer.concat(chunks).toString('utf8'),
    flushes,
    close: async () => {
      client.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('the writes of one event-loop turn leave in one writev, in order', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  coalesceWrites(p.client);
  coalesceWrites(p.client); // idempotent: still one cork per turn
  assert.equal(p.client.write('one,'), true);
  p.client.write(Buffer.from('two,'));
  p.client.write('three;');
  await until(() => p.received() === 'one,two,three;');
  assert.deepEqual(p.flushes, [3]);
});

test('writes of later turns are not held back: each turn flushes on its own', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  coalesceWrites(p.client);
  p.client.write('a');
  await new Promise((resolve) => setImmediate(resolve));
  p.client.write('b');
  p.client.write('c');
  await until(() => p.received() === 'abc');
  assert.deepEqual(p.flushes, [1, 2]);
});

test('without coalescing every write is flushed on its own (what amqplib does)', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  p.client.write('x');
  p.client.write('y');
  await until(() => p.received() === 'xy');
  assert.ok(p.flushes.length >= 2, `flushes: ${JSON.stringify(p.flushes)}`);
});

test('a write on a destroyed socket does not throw, and the pending uncork is harmless', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  coalesceWrites(p.client);
  p.client.write('before');
  p.client.destroy();
  p.client.on('error', () => undefined);
  assert.doesNotThrow(() => p.client.write('after'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(p.client.destroyed, true);
});

test('the socket of an amqplib connection is found where amqplib keeps it, or not at all', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  assert.equal(amqplibSocket({ connection: { stream: p.client } }), p.client);
  assert.equal(amqplibSocket({ connection: { stream: {} } }), null);
  assert.equal(amqplibSocket({}), null);
  assert.equal(amqplibSocket(null), null);
});
