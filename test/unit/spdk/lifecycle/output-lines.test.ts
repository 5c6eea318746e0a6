import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import winston from 'winston';
import { LineRing, LineSplitter, captureOutput } from '../../../../src/spdk/lifecycle/output-lines.js';

test('LineSplitter cuts lines at \\n and \\r\\n whatever the chunks, keeping split UTF-8 intact', () => {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  const bytes = Buffer.from('first\r\nsec€ond\nthi');
  // Split inside the 3-byte euro sign.
  splitter.write(bytes.subarray(0, 10));
  splitter.write(bytes.subarray(10));
  splitter.write('rd');
  assert.deepEqual(lines, ['first', 'sec€ond']);
  splitter.end();
  assert.deepEqual(lines, ['first', 'sec€ond', 'third']);
});

test('LineSplitter cuts an endless line at the limit and drops the rest of it', () => {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l), 10);
  splitter.write('x'.repeat(25));
  splitter.write('y'.repeat(25));
  splitter.write('zz\nnext\n');
  assert.deepEqual(lines, [`${'x'.repeat(10)}…`, 'next']);
});

test('LineRing keeps the last N lines', () => {
  const ring = new LineRing(3);
  for (const l of ['a', 'b', 'c', 'd', 'e']) ring.push(l);
  assert.deepEqual(ring.tail(), ['c', 'd', 'e']);
  assert.deepEqual(ring.tail(2), ['d', 'e']);
});

test('captureOutput logs every line tagged with the target, errors as warnings, and fills the ring', async () => {
  const logged: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logged.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: sink })] });
  const ring = new LineRing(10);
  const stream = new PassThrough();
  captureOutput(stream, 'stderr', 'nvmf0', ring, logger);
  stream.write('[2024-01-01 00:00:00.000] Starting SPDK v24.01\n');
  stream.end('rpc.c: 181:spdk_rpc_server_listen: *ERROR*: RPC Unix domain socket path /s in use. Specify another.\n');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ring.tail(), [
    '[2024-01-01 00:00:00.000] Starting SPDK v24.01',
    'rpc.c: 181:spdk_rpc_server_listen: *ERROR*: RPC Unix domain socket path /s in use. Specify another.',
  ]);
  assert.deepEqual(
    logged.map((l) => [l.level, l.target, l.stream]),
    [
      ['info', 'nvmf0', 'stderr'],
      ['warn', 'nvmf0', 'stderr'],
    ],
  );
});
