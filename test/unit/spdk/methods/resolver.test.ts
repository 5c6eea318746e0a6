import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonRpcError, RpcConnectionError, RpcTimeoutError } from '../../../../src/spdk/rpc/errors.js';
import * as bdev from '../../../../src/spdk/methods/bdev.js';
import * as vhost from '../../../../src/spdk/methods/vhost.js';
import { MethodUnavailableError } from '../../../../src/spdk/methods/errors.js';
import { hasOperation, listMethods, knownMethodList } from '../../../../src/spdk/methods/resolver.js';
import { CallBudget } from '../../../../src/spdk/methods/budget.js';
import { forgetTarget } from '../../../../src/spdk/methods/knowledge.js';
import { FakeTarget } from './fake-target.js';

test('the method list is asked for once per generation, and again after a reconnect', async () => {
  const fake = new FakeTarget('24.01');
  await bdev.getBdevs(fake);
  await bdev.getBdevs(fake);
  await bdev.nvmeGetControllers(fake);
  assert.equal(fake.callsOf('rpc_get_methods').length, 1);
  fake.reconnect();
  await bdev.getBdevs(fake);
  await bdev.getBdevs(fake);
  assert.equal(fake.callsOf('rpc_get_methods').length, 2);
  assert.deepEqual(
    fake.callsOf('rpc_get_methods').map((c) => c.params),
    [undefined, undefined],
    'the list is asked for without params (all methods, any state)',
  );
});

test('concurrent first calls share one rpc_get_methods request', async () => {
  const fake = new FakeTarget('19.04');
  fake.hold();
  const calls = [bdev.getBdevs(fake), bdev.getBdevs(fake, { name: 'Malloc0' }), bdev.nvmeGetControllers(fake), listMethods(fake), bdev.getIostat(fake)];
  await new Promise((resolve) => setImmediate(resolve));
  fake.release();
  await Promise.all(calls);
  assert.equal(fake.callsOf('rpc_get_methods').length, 1, 'one listing attempt with the current name');
  assert.equal(fake.callsOf('get_rpc_methods').length, 1, 'and one with the legacy name, shared by all');
});

test('a current target answers the first call of a connection in one round, beside the listing', async () => {
  const fake = new FakeTarget('24.01');
  fake.hold();
  const pending = bdev.getBdevs(fake);
  await new Promise((resolve) => setImmediate(resolve));
  // Both requests are out before any reply came back.
  assert.deepEqual(fake.sent(), [
    ['rpc_get_methods', undefined],
    ['bdev_get_bdevs', undefined],
  ]);
  fake.release();
  const bdevs = await pending;
  assert.equal(bdevs.length, 5);
});

/**
 * Two `getBdevs` calls on a pre-v19.10 target, the same whether it lists its methods (v19.04) or
 * not (v17.07): the current listing and name (both unknown there), the legacy listing (answered on
 * v19.04, unknown on v17.07), then `get_bdevs` for each call.
 */
const TWO_GETBDEVS_ON_AN_OLD_TARGET: Array<[string, undefined]> = [
  ['rpc_get_methods', undefined],
  ['bdev_get_bdevs', undefined],
  ['get_rpc_methods', undefined],
  ['get_bdevs', undefined],
  ['get_bdevs', undefined],
];

test('on an old target the current name is tried once per generation, then the listed legacy name is used', async () => {
  const fake = new FakeTarget('19.04');
  await bdev.getBdevs(fake);
  await bdev.getBdevs(fake);
  assert.deepEqual(fake.sent(), TWO_GETBDEVS_ON_AN_OLD_TARGET);
});

test('SPDK 17.07 (no listing method): names are found by trial, and the one that worked is remembered', async () => {
  const fake = new FakeTarget('17.07');
  const first = await bdev.getBdevs(fake);
  assert.equal(first.length, 5);
  await bdev.getBdevs(fake);
  assert.deepEqual(fake.sent(), TWO_GETBDEVS_ON_AN_OLD_TARGET);
  assert.deepEqual(knownMethodList(fake), { source: 'none', names: null });
  fake.reconnect();
  await bdev.getBdevs(fake);
  assert.equal(fake.callsOf('get_rpc_methods').length, 2, 'a new generation starts over');
});

test('a method the target does not have: a typed error naming the names tried and the releases that have them', async () => {
  const fake = new FakeTarget('24.01', 'nvmf_tgt');
  await listMethods(fake);
  fake.calls.length = 0;
  const err = await vhost.getControllers(fake).then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MethodUnavailableError, String(err));
  assert.equal(err.code, 'SPDK_METHOD_UNAVAILABLE');
  assert.match(err.message, /^vhost_get_controllers is not available on this target .* \(an nvmf_tgt\?\)/);
  assert.match(err.message, /vhost_get_controllers \(v19\.10\+\)/);
  assert.match(err.message, /get_vhost_controllers \(v17\.10–v22\.01\)/);
  assert.match(err.message, /get_vhost_blk_controllers \(v17\.07\)/);
  assert.deepEqual(err.tried, ['vhost_get_controllers', 'get_vhost_controllers', 'get_vhost_blk_controllers', 'get_vhost_scsi_controllers']);
  assert.deepEqual(fake.sent(), [], 'nothing is sent for a method the list does not have');
});

test('on SPDK 17.07 an operation that no name answers fails with the typed error after trying each once', async () => {
  const fake = new FakeTarget('17.07');
  const err = await bdev.getIostat(fake).catch((e: unknown) => e);
  assert.ok(err instanceof MethodUnavailableError);
  assert.match(err.message, /checked with trial/);
  const again = await bdev.getIostat(fake).catch((e: unknown) => e);
  assert.ok(again instanceof MethodUnavailableError);
  assert.equal(fake.callsOf('bdev_get_iostat').length, 1);
  assert.equal(fake.callsOf('get_bdevs_iostat').length, 1);
});

/** What `getBdevs` rejects with when a v24.01 target answers `bdev_get_bdevs` with this JSON-RPC error. */
async function getBdevsFailure(rpcCode: number, rpcMessage: string): Promise<unknown> {
  const fake = new FakeTarget('24.01');
  fake.on('bdev_get_bdevs', (params, method) => {
    throw fake.error(method, params, rpcCode, rpcMessage);
  });
  return bdev.getBdevs(fake).then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
}

test('a listed method answering -32601 (an --rpcs-allowed target) becomes the typed error with a hint', async () => {
  const err = await getBdevsFailure(-32601, 'Method not found');
  assert.ok(err instanceof MethodUnavailableError);
  assert.match(err.message, /--rpcs-allowed/);
});

test('a failed listing is not remembered: the next call asks again', async () => {
  const fake = new FakeTarget('24.01');
  let failures = 1;
  fake.on('rpc_get_methods', () => {
    if (failures-- > 0)
      throw new RpcConnectionError({ address: fake.address, method: 'rpc_get_methods', reason: 'the target closed the connection', phase: 'lost' });
    return [...fake.listed];
  });
  // The optimistic call succeeds, so the listing failure surfaces on the next call needing the list.
  await listMethods(fake).then(
    () => assert.fail('expected the connection error'),
    (e: unknown) => assert.ok(e instanceof RpcConnectionError),
  );
  const list = await listMethods(fake);
  assert.ok(list.names?.has('bdev_get_bdevs'));
  assert.equal(fake.callsOf('rpc_get_methods').length, 2);
});

test('errors other than -32601 pass through untouched', async () => {
  const err = await getBdevsFailure(-1, 'Method may only be called after framework is initialized using framework_start_init RPC.');
  assert.ok(err instanceof JsonRpcError);
  assert.equal(err.isWrongState, true);
});

test("a caller's deadline covers the wait for the shared listing", async () => {
  const fake = new FakeTarget('19.04');
  fake.hold(['rpc_get_methods', 'get_rpc_methods']);
  const started = bdev.getBdevs(fake, {}, { timeoutMs: 30 });
  const err = await started.catch((e: unknown) => e);
  fake.release();
  assert.ok(err instanceof RpcTimeoutError, String(err));
  assert.equal(err.method, 'rpc_get_methods');
});

test('an aborted signal stops the wait with its reason', async () => {
  const fake = new FakeTarget('19.04');
  fake.hold(['rpc_get_methods', 'get_rpc_methods']);
  const controller = new AbortController();
  const pending = bdev.getBdevs(fake, {}, { signal: controller.signal });
  await new Promise((resolve) => setImmediate(resolve));
  controller.abort(new Error('shutting down'));
  fake.release();
  await assert.rejects(pending, /shutting down/);
});

test('forgetTarget drops what was learnt', async () => {
  const fake = new FakeTarget('24.01');
  await listMethods(fake);
  forgetTarget(fake);
  assert.equal(knownMethodList(fake), undefined);
  await listMethods(fake);
  assert.equal(fake.callsOf('rpc_get_methods').length, 2);
});

test('hasOperation: from the method list, or on SPDK 17.07 from what trials found', async () => {
  const budget = new CallBudget('/tmp/x.sock');
  const vhostTarget = new FakeTarget('19.04', 'vhost');
  assert.equal(await hasOperation(vhostTarget, 'vhost_get_controllers', budget), true);
  assert.equal(await hasOperation(vhostTarget, 'nvmf_get_subsystems', budget), false);
  const old = new FakeTarget('17.07');
  assert.equal(await hasOperation(old, 'bdev_get_bdevs', budget), undefined, 'not tried yet');
  await bdev.getBdevs(old);
  assert.equal(await hasOperation(old, 'bdev_get_bdevs', budget), true);
  await bdev.getIostat(old).catch(() => {});
  assert.equal(await hasOperation(old, 'bdev_get_iostat', budget), false);
});
