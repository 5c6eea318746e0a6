import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRpcAddress, parseRpcAddress } from '../../../../src/spdk/rpc/address.js';
import { RpcConnectionError } from '../../../../src/spdk/rpc/errors.js';

test('the address rule: prefixes force the kind, host:port with a numeric port is TCP, the rest a path', () => {
  const cases: Array<[string, ReturnType<typeof parseRpcAddress>]> = [
    ['/var/tmp/spdk.sock', { kind: 'unix', path: '/var/tmp/spdk.sock' }],
    ['spdk.sock', { kind: 'unix', path: 'spdk.sock' }],
    ['./127.0.0.1:5260', { kind: 'unix', path: './127.0.0.1:5260' }],
    ['/run/spdk/127.0.0.1:5260', { kind: 'unix', path: '/run/spdk/127.0.0.1:5260' }],
    ['127.0.0.1:5260', { kind: 'tcp', host: '127.0.0.1', port: 5260 }],
    ['localhost:5260', { kind: 'tcp', host: 'localhost', port: 5260 }],
    ['spdk-node.example.org:1', { kind: 'tcp', host: 'spdk-node.example.org', port: 1 }],
    ['[::1]:5260', { kind: 'tcp', host: '::1', port: 5260 }],
    ['[fe80::1%eth0]:5260', { kind: 'tcp', host: 'fe80::1%eth0', port: 5260 }],
    ['::1:5260', { kind: 'unix', path: '::1:5260' }], // unbracketed IPv6 is not an address form
    ['host:port', { kind: 'unix', path: 'host:port' }],
    ['unix:127.0.0.1:5260', { kind: 'unix', path: '127.0.0.1:5260' }],
    ['unix:/var/tmp/spdk.sock', { kind: 'unix', path: '/var/tmp/spdk.sock' }],
    ['tcp:10.0.0.5:5260', { kind: 'tcp', host: '10.0.0.5', port: 5260 }],
    ['tcp:[::1]:4420', { kind: 'tcp', host: '::1', port: 4420 }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseRpcAddress(text), expected, text);
});

test('invalid addresses fail with an RpcConnectionError that says what is wrong', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['unix:', /nothing follows/],
    ['tcp:/var/tmp/spdk.sock', /tcp:<host>:<port>/],
    ['tcp:host', /tcp:<host>:<port>/],
    ['127.0.0.1:0', /port 0 is not between 1 and 65535.*unix:127\.0\.0\.1:0/],
    ['127.0.0.1:70000', /port 70000/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => parseRpcAddress(text),
      (err: unknown) => err instanceof RpcConnectionError && message.test(err.message) && err.code === 'SPDK_RPC_CONNECTION',
      text,
    );
  }
});

test('addresses are named in messages as a path or host:port', () => {
  assert.equal(formatRpcAddress(parseRpcAddress('unix:/x.sock')), '/x.sock');
  assert.equal(formatRpcAddress(parseRpcAddress('tcp:[::1]:5260')), '[::1]:5260');
  assert.equal(formatRpcAddress(parseRpcAddress('127.0.0.1:5260')), '127.0.0.1:5260');
});
