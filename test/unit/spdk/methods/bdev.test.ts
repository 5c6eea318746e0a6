import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as bdev from '../../../../src/spdk/methods/bdev.js';
import { isNotFound } from '../../../../src/spdk/methods/classify.js';
import { InvalidArgumentError, MethodUnavailableError, SpdkResultError, UnsupportedParameterError } from '../../../../src/spdk/methods/errors.js';
import { FakeTarget, fixtureResults, NVME_CONTROLLER } from './fake-target.js';
import { primed } from './primed-fake.js';

const captured = fixtureResults('nvmf_tgt.jsonl');

test('getBdevs: bdev_get_bdevs on v24.01, get_bdevs on v19.04, same result', async () => {
  const current = await primed('24.01');
  const all = await bdev.getBdevs(current);
  assert.deepEqual(current.sent(), [['bdev_get_bdevs', undefined]]);
  assert.deepEqual(all, captured.get('bdev_get_bdevs'));

  const old = await primed('19.04');
  const one = await bdev.getBdevs(old, { name: 'Null0', timeout: 100 });
  assert.deepEqual(old.sent(), [['get_bdevs', { name: 'Null0', timeout: 100 }]]);
  assert.deepEqual(
    one.map((b) => b.name),
    ['Null0'],
  );
});

test('getBdevs: an unknown name is -19 on v24.01 and -32602 on v19.04, both isNotFound', async () => {
  for (const version of ['24.01', '19.04'] as const) {
    const fake = await primed(version);
    const err = await bdev.getBdevs(fake, { name: 'nope' }).catch((e: unknown) => e);
    assert.equal(isNotFound(err), true, `v${version}: ${String(err)}`);
  }
});

test('getBdevs: bad arguments are refused before anything is sent', async () => {
  const fake = await primed('24.01');
  await assert.rejects(bdev.getBdevs(fake, { name: '' }), InvalidArgumentError);
  await assert.rejects(bdev.getBdevs(fake, { timeout: -1 }), InvalidArgumentError);
  assert.deepEqual(fake.sent(), []);
});

test('getBdevs: a result that is not a list of named objects is a typed error', async () => {
  const fake = await primed('24.01');
  fake.on('bdev_get_bdevs', () => ({ name: 'Malloc0' }));
  await assert.rejects(bdev.getBdevs(fake), (err: unknown) => err instanceof SpdkResultError && /not an array/.test(err.message));
  fake.on('bdev_get_bdevs', () => [{ block_size: 512 }]);
  await assert.rejects(bdev.getBdevs(fake), (err: unknown) => err instanceof SpdkResultError && /no string "name"/.test(err.message));
});

test('getIostat: v24.01 object as it is; v19.04 array form converted (no ticks)', async () => {
  const current = await primed('24.01');
  const stats = await bdev.getIostat(current);
  assert.deepEqual(current.sent(), [['bdev_get_iostat', undefined]]);
  assert.deepEqual(stats, captured.get('bdev_get_iostat'));

  const old = await primed('19.04');
  const converted = await bdev.getIostat(old);
  assert.deepEqual(old.sent(), [['get_bdevs_iostat', undefined]]);
  const expected = captured.get('bdev_get_iostat') as { tick_rate: number; bdevs: unknown[] };
  assert.deepEqual(converted, { tick_rate: expected.tick_rate, bdevs: expected.bdevs });
});

test('getIostat: name on v24.01, names on v26.05 (name is gone there), several names only from v26.01', async () => {
  const v24 = await primed('24.01', 'nvmf_tgt', true);
  const one = await bdev.getIostat(v24, { name: 'Malloc0' });
  assert.deepEqual(v24.sent(), [['bdev_get_iostat', { name: 'Malloc0' }]]);
  assert.deepEqual(
    one.bdevs.map((b) => b.name),
    ['Malloc0'],
  );

  const v26 = await primed('26.05', 'nvmf_tgt', true);
  await bdev.getIostat(v26, { name: 'Malloc0' });
  const two = await bdev.getIostat(v26, { names: ['Malloc0', 'Null0'] });
  assert.deepEqual(v26.sent(), [
    ['bdev_get_iostat', { names: ['Malloc0'] }],
    ['bdev_get_iostat', { names: ['Malloc0', 'Null0'] }],
  ]);
  assert.deepEqual(two.bdevs.map((b) => b.name).sort(), ['Malloc0', 'Null0']);

  const err = await bdev.getIostat(v24, { names: ['Malloc0', 'Null0'] }).catch((e: unknown) => e);
  assert.ok(err instanceof UnsupportedParameterError, String(err));
  assert.match(err.message, /needs SPDK v26\.01/);
  assert.equal(v24.sent().length, 1, 'nothing more sent');
});

test('getIostat: the version is looked up (once) only when a bdev is selected', async () => {
  const fake = await primed('24.01');
  await bdev.getIostat(fake);
  assert.equal(fake.callsOf('spdk_get_version').length, 0);
  await bdev.getIostat(fake, { name: 'Malloc0' });
  await bdev.getIostat(fake, { name: 'Null0' });
  assert.equal(fake.callsOf('spdk_get_version').length, 1);
});

test('getIostat: reset_mode is refused before v25.05 and sent from then on', async () => {
  const v24 = await primed('24.01', 'nvmf_tgt', true);
  await assert.rejects(bdev.getIostat(v24, { reset_mode: 'all' }), UnsupportedParameterError);
  assert.deepEqual(v24.sent(), []);
  const v25 = await primed('25.09', 'nvmf_tgt', true);
  await bdev.getIostat(v25, { reset_mode: 'maxmin' });
  assert.deepEqual(v25.sent(), [['bdev_get_iostat', { reset_mode: 'maxmin' }]]);
});

test('getIostat: giving both name and names is an argument error', async () => {
  const fake = await primed('24.01');
  await assert.rejects(bdev.getIostat(fake, { name: 'a', names: ['b'] }), InvalidArgumentError);
  await assert.rejects(bdev.getIostat(fake, { names: [] }), InvalidArgumentError);
});

test('getIostat: a bigint tick counter passes through exactly', async () => {
  const fake = await primed('24.01');
  const ticks = 2n ** 60n + 7n;
  fake.on('bdev_get_iostat', () => ({ tick_rate: 2450000000, ticks, bdevs: [{ name: 'Malloc0', bytes_read: 2n ** 55n, num_read_ops: 1 }] }));
  const stats = await bdev.getIostat(fake);
  assert.equal(stats.ticks, ticks);
  assert.equal(stats.bdevs[0]!.bytes_read, 2n ** 55n);
});

test('getIostat: a malformed array form is a typed error', async () => {
  const fake = await primed('19.04');
  fake.on('get_bdevs_iostat', () => [{ name: 'Malloc0' }]);
  await assert.rejects(bdev.getIostat(fake), SpdkResultError);
});

test('getChannelIostat: per_channel on v24.01, refused on v22.01', async () => {
  const fake = await primed('24.01', 'nvmf_tgt', true);
  const perChannel = {
    tick_rate: 2450000000,
    ticks: 3703097762998,
    name: 'Malloc0',
    channels: [{ thread_id: 2, bytes_read: 0, num_read_ops: 0, bytes_written: 0, num_write_ops: 0 }],
  };
  fake.on('bdev_get_iostat', () => perChannel);
  const stats = await bdev.getChannelIostat(fake, { name: 'Malloc0' });
  assert.deepEqual(fake.sent(), [['bdev_get_iostat', { name: 'Malloc0', per_channel: true }]]);
  assert.deepEqual(stats, perChannel);
  const old = await primed('22.01', 'nvmf_tgt', true);
  await assert.rejects(bdev.getChannelIostat(old, { name: 'Malloc0' }), /per_channel needs SPDK v23\.01/);
});

test('mallocCreate: the name as a string, also where v17.07 answered a one-element array', async () => {
  // v24.01 lists bdev_malloc_create (v19.10+): name and uuid are known without asking the version.
  const current = await primed('24.01');
  assert.equal(await bdev.mallocCreate(current, { name: 'Malloc0', num_blocks: 16384, block_size: 512 }), 'Malloc0');
  assert.deepEqual(current.sent(), [['bdev_malloc_create', { name: 'Malloc0', num_blocks: 16384, block_size: 512 }]]);

  const v1707 = new FakeTarget('17.07');
  assert.equal(await bdev.mallocCreate(v1707, { num_blocks: 2048, block_size: 512 }), 'Malloc0');
  assert.deepEqual(v1707.sent().at(-1), ['construct_malloc_bdev', { num_blocks: 2048, block_size: 512 }]);

  // v19.04 lists only construct_malloc_bdev (v17.07+), so name/uuid need its version: looked up first.
  const v1904 = await primed('19.04', 'nvmf_tgt', true);
  assert.equal(await bdev.mallocCreate(v1904, { name: 'M1', num_blocks: 8, block_size: 512, uuid: '11111111-2222-3333-4444-555555555555' }), 'M1');
  assert.deepEqual(v1904.sent(), [['construct_malloc_bdev', { name: 'M1', num_blocks: 8, block_size: 512, uuid: '11111111-2222-3333-4444-555555555555' }]]);
});

test('mallocCreate: params v17.07 does not know are refused with a clear error, not sent', async () => {
  const v1707 = new FakeTarget('17.07');
  const err = await bdev.mallocCreate(v1707, { name: 'M', num_blocks: 8, block_size: 512 }).catch((e: unknown) => e);
  assert.ok(err instanceof UnsupportedParameterError);
  assert.match(err.message, /parameter name needs SPDK v17\.10 or later, but the target is SPDK v17\.07 \(inferred/);
  assert.equal(v1707.callsOf('construct_malloc_bdev').length, 0);
});

test('mallocCreate: geometry is checked; uint64 num_blocks may be a bigint', async () => {
  const fake = await primed('24.01');
  await assert.rejects(bdev.mallocCreate(fake, { num_blocks: 0, block_size: 512 }), InvalidArgumentError);
  await assert.rejects(bdev.mallocCreate(fake, { num_blocks: 8, block_size: '512' as unknown as number }), InvalidArgumentError);
  await assert.rejects(bdev.mallocCreate(fake, { num_blocks: 1.5, block_size: 512 }), InvalidArgumentError);
  assert.deepEqual(fake.sent(), []);
  await bdev.mallocCreate(fake, { num_blocks: 2n ** 54n, block_size: 512 });
  assert.deepEqual(fake.sent(), [['bdev_malloc_create', { num_blocks: 2n ** 54n, block_size: 512 }]]);
});

test('nullCreate and aioCreate: current and legacy names, string result', async () => {
  const current = await primed('24.01');
  assert.equal(await bdev.nullCreate(current, { name: 'Null1', num_blocks: 1024, block_size: 512, md_size: 8 }), 'Null1');
  assert.equal(await bdev.aioCreate(current, { name: 'Aio0', filename: '/dev/sdb', block_size: 4096 }), 'Aio0');
  assert.deepEqual(current.sent(), [
    ['bdev_null_create', { name: 'Null1', num_blocks: 1024, block_size: 512, md_size: 8 }],
    ['bdev_aio_create', { name: 'Aio0', filename: '/dev/sdb', block_size: 4096 }],
  ]);
  const v1707 = new FakeTarget('17.07');
  assert.equal(await bdev.nullCreate(v1707, { name: 'Null0', num_blocks: 8, block_size: 512 }), 'Null0');
  assert.equal(await bdev.aioCreate(v1707, { name: 'Aio0', filename: '/tmp/f' }), 'Aio0');
  assert.ok(v1707.sent().some(([m]) => m === 'construct_null_bdev'));
  assert.ok(v1707.sent().some(([m]) => m === 'construct_aio_bdev'));
  await assert.rejects(bdev.aioCreate(current, { name: 'A', filename: '' }), InvalidArgumentError);
});

test('the deletes: current name, the per-module legacy name, and the generic delete_bdev of v17.07', async () => {
  const current = await primed('24.01');
  assert.equal(await bdev.mallocDelete(current, { name: 'Malloc9' }), true);
  assert.equal(await bdev.nullDelete(current, { name: 'Null1' }), true);
  assert.equal(await bdev.aioDelete(current, { name: 'Aio0' }), true);
  assert.deepEqual(current.sent(), [
    ['bdev_malloc_delete', { name: 'Malloc9' }],
    ['bdev_null_delete', { name: 'Null1' }],
    ['bdev_aio_delete', { name: 'Aio0' }],
  ]);
  const v1904 = await primed('19.04');
  await bdev.mallocDelete(v1904, { name: 'Malloc0' });
  assert.deepEqual(v1904.sent(), [['delete_malloc_bdev', { name: 'Malloc0' }]]);
  const v1707 = new FakeTarget('17.07');
  assert.equal(await bdev.mallocDelete(v1707, { name: 'Malloc0' }), true);
  assert.deepEqual(
    v1707.sent().filter(([m]) => m !== 'rpc_get_methods' && m !== 'get_rpc_methods'),
    [
      ['bdev_malloc_delete', { name: 'Malloc0' }],
      ['delete_malloc_bdev', { name: 'Malloc0' }],
      ['delete_bdev', { name: 'Malloc0' }],
    ],
  );
  await assert.rejects(bdev.mallocDelete(current, {} as { name: string }), InvalidArgumentError);
});

test('waitForExamine: v24.01, and the typed error on v19.04', async () => {
  const current = await primed('24.01');
  assert.equal(await bdev.waitForExamine(current), true);
  assert.deepEqual(current.sent(), [['bdev_wait_for_examine', undefined]]);
  await assert.rejects(bdev.waitForExamine(await primed('19.04')), MethodUnavailableError);
});

test('nvmeAttachController / nvmeDetachController: current and legacy names', async () => {
  const current = await primed('24.01');
  const params = { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:05:00.0' };
  assert.deepEqual(await bdev.nvmeAttachController(current, params), ['Nvme0n1']);
  assert.equal(await bdev.nvmeDetachController(current, { name: 'Nvme0' }), true);
  assert.deepEqual(current.sent(), [
    ['bdev_nvme_attach_controller', params],
    ['bdev_nvme_detach_controller', { name: 'Nvme0' }],
  ]);
  const old = await primed('19.04');
  assert.deepEqual(await bdev.nvmeAttachController(old, params), ['Nvme0n1']);
  assert.equal(await bdev.nvmeDetachController(old, { name: 'Nvme0' }), true);
  assert.deepEqual(old.sent(), [
    ['construct_nvme_bdev', params],
    ['delete_nvme_controller', { name: 'Nvme0' }],
  ]);
  await assert.rejects(bdev.nvmeAttachController(current, { ...params, traddr: '' }), InvalidArgumentError);
});

test('nvmeGetControllers: {name, ctrlrs} on v24.01; v19.04 flat entries grouped into the same shape', async () => {
  const current = await primed('24.01');
  assert.deepEqual(await bdev.nvmeGetControllers(current), [NVME_CONTROLLER]);
  assert.deepEqual(current.sent(), [['bdev_nvme_get_controllers', undefined]]);

  const old = await primed('19.04');
  const normalised = await bdev.nvmeGetControllers(old, { name: 'Nvme0' });
  assert.deepEqual(old.sent(), [['get_nvme_controllers', { name: 'Nvme0' }]]);
  const { state: _state, ...path } = NVME_CONTROLLER.ctrlrs[0]!;
  assert.deepEqual(normalised, [{ name: 'Nvme0', ctrlrs: [path] }]);

  // Two flat paths of one multipath controller, and a second controller.
  old.on('get_nvme_controllers', () => [
    { name: 'Nvme0', trid: { trtype: 'TCP', traddr: '10.0.0.1', trsvcid: '4420' }, cntlid: 1 },
    { name: 'Nvme1', trid: { trtype: 'PCIe', traddr: '0000:06:00.0' } },
    { name: 'Nvme0', trid: { trtype: 'TCP', traddr: '10.0.0.2', trsvcid: '4420' }, cntlid: 2 },
  ]);
  assert.deepEqual(await bdev.nvmeGetControllers(old), [
    {
      name: 'Nvme0',
      ctrlrs: [
        { trid: { trtype: 'TCP', traddr: '10.0.0.1', trsvcid: '4420' }, cntlid: 1 },
        { trid: { trtype: 'TCP', traddr: '10.0.0.2', trsvcid: '4420' }, cntlid: 2 },
      ],
    },
    { name: 'Nvme1', ctrlrs: [{ trid: { trtype: 'PCIe', traddr: '0000:06:00.0' } }] },
  ]);
  old.on('get_nvme_controllers', () => [{ name: 'Nvme0' }]);
  await assert.rejects(bdev.nvmeGetControllers(old), SpdkResultError);
  await assert.rejects(bdev.nvmeGetControllers(new FakeTarget('17.07')), MethodUnavailableError);
});
