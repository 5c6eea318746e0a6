import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonRpcError, RpcConnectionError, RpcTimeoutError } from '../../../src/spdk/rpc/errors.js';
import { collectInventory, InventoryError } from '../../../src/spdk/inventory.js';
import { FakeTarget, fixtureResults, NVME_CONTROLLER } from './methods/fake-target.js';

const bytes = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
const names = <T>(items: T[] | null | undefined, key: (item: T) => unknown): unknown[] => (items ?? []).map(key);

test('nvmf_tgt v24.01: version, app, sorted methods and lists, only the NVMe-oF sections', async () => {
  const fake = new FakeTarget('24.01', 'nvmf_tgt');
  const inventory = await collectInventory(fake);
  assert.equal(inventory.app, 'nvmf_tgt');
  assert.equal(inventory.version?.reported?.text, 'SPDK v24.01 git sha1 0786843e99');
  assert.deepEqual(inventory.methods, [...fake.listed].sort());
  assert.deepEqual(
    names(inventory.bdevs, (b) => b.name),
    ['Malloc0', 'Malloc1', 'Malloc9', 'Null0', 'Null1'],
  );
  assert.deepEqual(inventory.nvmeControllers, [NVME_CONTROLLER]);
  assert.deepEqual(
    names(inventory.nvmf?.subsystems, (s) => s.nqn),
    ['nqn.2014-08.org.nvmexpress.discovery', 'nqn.2016-06.io.spdk:cnode1', 'nqn.2016-06.io.spdk:cnode2'],
  );
  assert.equal(inventory.nvmf?.subsystems?.[1]?.listen_addresses[0] && 'transport' in inventory.nvmf.subsystems[1].listen_addresses[0], false);
  assert.deepEqual(
    names(inventory.nvmf?.transports, (t) => t.trtype),
    ['TCP'],
  );
  assert.deepEqual(Object.keys(inventory).sort(), ['app', 'bdevs', 'errors', 'methods', 'nvmeControllers', 'nvmf', 'version']);
  assert.deepEqual(inventory.errors, []);
});

test('discovery issues every read at once (one round trip), beside the method list', async () => {
  const fake = new FakeTarget('24.01', 'nvmf_tgt');
  fake.hold();
  const pending = collectInventory(fake, { stats: true });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const before = fake
    .sent()
    .map(([method]) => method)
    .sort();
  fake.release();
  await pending;
  assert.deepEqual(before, [
    'bdev_get_bdevs',
    'bdev_get_iostat',
    'bdev_nvme_get_controllers',
    'iscsi_get_portal_groups',
    'iscsi_get_target_nodes',
    'nvmf_get_stats',
    'nvmf_get_subsystems',
    'nvmf_get_transports',
    'rpc_get_methods',
    'scsi_get_devices',
    'spdk_get_version',
    'vhost_get_controllers',
  ]);
  assert.equal(fake.calls.length, before.length, 'and nothing after the first replies');

  // Once the method list is known, only the app's own reads are sent (still all at once).
  fake.calls.length = 0;
  fake.hold();
  const again = collectInventory(fake);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = fake
    .sent()
    .map(([method]) => method)
    .sort();
  fake.release();
  await again;
  assert.deepEqual(second, ['bdev_get_bdevs', 'bdev_nvme_get_controllers', 'nvmf_get_subsystems', 'nvmf_get_transports']);
});

test('byte-stable: an unchanged target gives the same bytes, whatever order SPDK lists things in', async () => {
  const fake = new FakeTarget('24.01', 'spdk_tgt');
  const first = bytes(await collectInventory(fake));
  const captured = fixtureResults('nvmf_tgt.jsonl');
  const reversed = (method: string) => () => [...(captured.get(method) as unknown[])].reverse();
  fake.on('bdev_get_bdevs', reversed('bdev_get_bdevs'));
  fake.on('nvmf_get_subsystems', reversed('nvmf_get_subsystems'));
  fake.on('rpc_get_methods', () => [...fake.listed].reverse());
  fake.on('vhost_get_controllers', () => [...(fixtureResults('vhost.jsonl').get('vhost_get_controllers') as unknown[])].reverse());
  fake.reconnect();
  const second = bytes(await collectInventory(fake));
  assert.equal(second, first);
  assert.equal(fake.callsOf('rpc_get_methods').length, 2, 'the reconnect made it read everything afresh');
});

test('vhost and spdk_tgt: the sections of their families', async () => {
  const vhostInventory = await collectInventory(new FakeTarget('24.01', 'vhost'));
  assert.equal(vhostInventory.app, 'vhost');
  assert.deepEqual(
    names(vhostInventory.vhost?.controllers, (c) => c.ctrlr),
    ['vhost.0', 'vhost.1', 'vhost.8', 'vhost.ro'],
  );
  assert.deepEqual(vhostInventory.scsiDevices, [
    { id: 0, device_name: 'Target 0' },
    { id: 1, device_name: 'Target 1' },
  ]);
  assert.equal(vhostInventory.nvmf, undefined);
  assert.equal(vhostInventory.iscsi, undefined);

  const all = await collectInventory(new FakeTarget('24.01', 'spdk_tgt'));
  assert.equal(all.app, 'spdk_tgt');
  assert.ok(all.nvmf && all.vhost && all.iscsi && all.scsiDevices);
  assert.deepEqual(
    names(all.iscsi.portalGroups, (p) => p.tag),
    [1],
  );
  assert.deepEqual(
    names(all.iscsi.targetNodes, (n) => n.name),
    ['iqn.2016-06.io.spdk:disk1'],
  );
  assert.deepEqual(all.errors, []);
});

test('SPDK 17.07 vhost: no method list, version inferred, app found from what answered, old shapes merged', async () => {
  const inventory = await collectInventory(new FakeTarget('17.07', 'vhost'));
  assert.equal(inventory.methods, null);
  assert.deepEqual(inventory.version, { source: 'inferred', min: '17.07', max: '17.07' });
  assert.equal(inventory.app, 'vhost');
  assert.deepEqual(
    names(inventory.vhost?.controllers, (c) => c.ctrlr),
    ['vhost.0', 'vhost.1'],
  );
  assert.deepEqual(inventory.vhost?.controllers?.[0]?.backend_specific, { block: { readonly: false, bdev: 'Malloc0' } });
  assert.ok(inventory.scsiDevices);
  assert.equal(inventory.nvmf, undefined);
  assert.equal(inventory.iscsi, undefined);
  assert.equal(inventory.nvmeControllers, null, 'get_nvme_controllers came in v18.10');
  assert.deepEqual(
    inventory.errors.map((e) => [e.section, e.error.code]),
    [['nvmeControllers', 'SPDK_METHOD_UNAVAILABLE']],
  );
});

test('v19.04 nvmf_tgt with stats: legacy names, normalised shapes; what v19.04 lacks is recorded', async () => {
  const fake = new FakeTarget('19.04', 'nvmf_tgt');
  const inventory = await collectInventory(fake, { stats: true });
  assert.equal(inventory.version?.reported?.text, 'SPDK v19.04 git sha1 1b5ba3d');
  assert.equal(inventory.app, 'nvmf_tgt');
  const { state: _state, ...path } = NVME_CONTROLLER.ctrlrs[0]!;
  assert.deepEqual(inventory.nvmeControllers, [{ name: 'Nvme0', ctrlrs: [path] }]);
  assert.deepEqual(
    names(inventory.stats?.iostat?.bdevs, (b) => b.name),
    ['Malloc0', 'Malloc1', 'Malloc9', 'Null0', 'Null1'],
  );
  assert.equal(inventory.stats?.iostat?.ticks, undefined);
  assert.equal(inventory.stats?.nvmf, null);
  assert.deepEqual(
    inventory.errors.map((e) => [e.section, e.error.code]),
    [['stats.nvmf', 'SPDK_METHOD_UNAVAILABLE']],
  );
  assert.ok(fake.callsOf('get_bdevs').length === 1 && fake.callsOf('get_nvmf_subsystems').length === 1);
});

test('v24.01 and v25.09 targets with the same content give the same inventory apart from the version', async () => {
  const a = await collectInventory(new FakeTarget('24.01', 'nvmf_tgt'));
  const b = await collectInventory(new FakeTarget('25.09', 'nvmf_tgt'));
  assert.deepEqual({ ...a, version: null }, { ...b, version: null });
});

test('stats: iostat bdevs and poll groups sorted by name', async () => {
  const inventory = await collectInventory(new FakeTarget('24.01', 'nvmf_tgt'), { stats: true });
  assert.deepEqual(
    names(inventory.stats?.iostat?.bdevs, (b) => b.name),
    ['Malloc0', 'Malloc1', 'Malloc9', 'Null0', 'Null1'],
  );
  assert.deepEqual(
    names(inventory.stats?.nvmf?.poll_groups, (g) => g.name),
    ['nvmf_tgt_poll_group_0'],
  );
});

test('an optional section that fails with an answer is null and recorded; the rest is reported', async () => {
  const fake = new FakeTarget('24.01', 'nvmf_tgt');
  fake.on('nvmf_get_transports', (params, method) => {
    throw fake.error(method, params, -32603, 'Unable to find a target.');
  });
  fake.on('bdev_nvme_get_controllers', () => ({ not: 'a list' }));
  const inventory = await collectInventory(fake);
  assert.equal(inventory.nvmf?.transports, null);
  assert.equal(inventory.nvmf?.subsystems?.length, 3);
  assert.equal(inventory.nvmeControllers, null);
  assert.deepEqual(inventory.errors, [
    {
      section: 'nvmeControllers',
      error: {
        name: 'SpdkResultError',
        code: 'SPDK_RPC_RESULT',
        message: `bdev_nvme_get_controllers on ${fake.address}: unexpected result: the result is not an array`,
        method: 'bdev_nvme_get_controllers',
      },
    },
    {
      section: 'nvmf.transports',
      error: {
        name: 'JsonRpcError',
        code: 'SPDK_RPC_ERROR',
        message: `nvmf_get_transports on ${fake.address} failed: Unable to find a target. (code -32603)`,
        method: 'nvmf_get_transports',
        rpcCode: -32603,
      },
    },
  ]);
  assert.doesNotThrow(() => JSON.stringify(inventory));
});

test('a connection error or a timeout in any section is fatal; so is not being able to list bdevs', async () => {
  const lost = new FakeTarget('24.01', 'nvmf_tgt');
  lost.on('nvmf_get_subsystems', () => {
    throw new RpcConnectionError({ address: lost.address, method: 'nvmf_get_subsystems', reason: 'the target closed the connection', phase: 'lost' });
  });
  await assert.rejects(collectInventory(lost), RpcConnectionError);

  const slow = new FakeTarget('24.01', 'nvmf_tgt');
  slow.hold(['nvmf_get_transports']);
  await assert.rejects(collectInventory(slow, { timeoutMs: 40 }), RpcTimeoutError);
  slow.release();

  const starting = new FakeTarget('24.01', 'nvmf_tgt');
  starting.on('bdev_get_bdevs', (params, method) => {
    throw starting.error(method, params, -1, 'Method may only be called after framework is initialized using framework_start_init RPC.');
  });
  const err = await collectInventory(starting).catch((e: unknown) => e);
  assert.ok(err instanceof InventoryError, String(err));
  assert.equal(err.code, 'SPDK_INVENTORY_FAILED');
  assert.equal(err.section, 'bdevs');
  assert.ok(err.cause instanceof JsonRpcError);
});

test('an abort stops the collection', async () => {
  const fake = new FakeTarget('24.01', 'nvmf_tgt');
  fake.hold();
  const controller = new AbortController();
  const pending = collectInventory(fake, { signal: controller.signal });
  await new Promise((resolve) => setImmediate(resolve));
  controller.abort(new Error('agent stopping'));
  await assert.rejects(pending, /agent stopping/);
  fake.release();
});
