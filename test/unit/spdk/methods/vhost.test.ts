import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vhost from '../../../../src/spdk/methods/vhost.js';
import { isNotFound } from '../../../../src/spdk/methods/classify.js';
import { InvalidArgumentError, SpdkResultError, UnsupportedParameterError } from '../../../../src/spdk/methods/errors.js';
import { FakeTarget, fixtureResults } from './fake-target.js';
import { primed } from './primed-fake.js';

/** The calls after the name lookups (listing, version) of a v17.07 fake. */
function work(fake: FakeTarget): Array<[string, unknown]> {
  const lookups = new Set(['rpc_get_methods', 'get_rpc_methods', 'spdk_get_version', 'get_spdk_version']);
  return fake.sent().filter(([method]) => !lookups.has(method));
}

const captured = fixtureResults('vhost.jsonl');

/** What the v17.07 fake's two lists hold, in the current shape. */
const MERGED_1707 = [
  { ctrlr: 'vhost.0', cpumask: '0x1', backend_specific: { block: { readonly: false, bdev: 'Malloc0' } } },
  {
    ctrlr: 'vhost.1',
    cpumask: '0x1',
    backend_specific: { scsi: [{ scsi_dev_num: 0, id: 0, target_name: 'Target 0', luns: [{ id: 0, bdev_name: 'Malloc1' }] }] },
  },
];

test('create controllers: current names, construct_* on v19.04 and v17.07', async () => {
  for (const [version, blk, scsi] of [
    ['24.01', 'vhost_create_blk_controller', 'vhost_create_scsi_controller'],
    ['19.04', 'construct_vhost_blk_controller', 'construct_vhost_scsi_controller'],
  ] as const) {
    const fake = await primed(version, 'vhost');
    assert.equal(await vhost.createBlkController(fake, { ctrlr: 'vhost.ro', dev_name: 'Malloc2', readonly: true, cpumask: '0x1' }), true);
    assert.equal(await vhost.createScsiController(fake, { ctrlr: 'vhost.1' }), true);
    assert.deepEqual(fake.sent(), [
      [blk, { ctrlr: 'vhost.ro', dev_name: 'Malloc2', readonly: true, cpumask: '0x1' }],
      [scsi, { ctrlr: 'vhost.1' }],
    ]);
  }
  const v1707 = new FakeTarget('17.07', 'vhost');
  await vhost.createBlkController(v1707, { ctrlr: 'vhost.0', dev_name: 'Malloc0' });
  assert.deepEqual(work(v1707).at(-1), ['construct_vhost_blk_controller', { ctrlr: 'vhost.0', dev_name: 'Malloc0' }]);
  await assert.rejects(vhost.createBlkController(v1707, { ctrlr: 'vhost.0', dev_name: '' }), InvalidArgumentError);
});

test('scsiControllerAddTarget: the target number; v17.07 gets its own param names and answers true', async () => {
  const current = await primed('24.01', 'vhost');
  assert.equal(await vhost.scsiControllerAddTarget(current, { ctrlr: 'vhost.1', scsi_target_num: 0, bdev_name: 'Malloc1' }), 0);
  assert.equal(await vhost.scsiControllerAddTarget(current, { ctrlr: 'vhost.1', scsi_target_num: -1, bdev_name: 'Malloc2' }), 1);
  assert.deepEqual(current.sent(), [
    ['vhost_scsi_controller_add_target', { ctrlr: 'vhost.1', scsi_target_num: 0, bdev_name: 'Malloc1' }],
    ['vhost_scsi_controller_add_target', { ctrlr: 'vhost.1', scsi_target_num: -1, bdev_name: 'Malloc2' }],
  ]);

  const v1904 = await primed('19.04', 'vhost');
  assert.equal(await vhost.scsiControllerAddTarget(v1904, { ctrlr: 'vhost.1', scsi_target_num: 2, bdev_name: 'Malloc1' }), 2);
  assert.deepEqual(work(v1904), [['add_vhost_scsi_lun', { ctrlr: 'vhost.1', scsi_target_num: 2, bdev_name: 'Malloc1' }]]);

  const v1707 = new FakeTarget('17.07', 'vhost');
  assert.equal(await vhost.scsiControllerAddTarget(v1707, { ctrlr: 'vhost.1', scsi_target_num: 3, bdev_name: 'Malloc1' }), 3);
  assert.deepEqual(work(v1707), [
    ['vhost_scsi_controller_add_target', { ctrlr: 'vhost.1', scsi_target_num: 3, bdev_name: 'Malloc1' }],
    ['add_vhost_scsi_lun', { ctrlr: 'vhost.1', scsi_dev_num: 3, lun_name: 'Malloc1' }],
  ]);
  const err = await vhost.scsiControllerAddTarget(v1707, { ctrlr: 'vhost.1', scsi_target_num: -1, bdev_name: 'Malloc1' }).catch((e: unknown) => e);
  assert.ok(err instanceof UnsupportedParameterError, String(err));
  await assert.rejects(vhost.scsiControllerAddTarget(current, { ctrlr: 'vhost.1', scsi_target_num: 8, bdev_name: 'M' }), InvalidArgumentError);
  current.on('vhost_scsi_controller_add_target', () => 'zero');
  await assert.rejects(vhost.scsiControllerAddTarget(current, { ctrlr: 'vhost.1', scsi_target_num: 0, bdev_name: 'M' }), SpdkResultError);
});

test('scsiControllerRemoveTarget: three names over the releases, the oldest with scsi_dev_num', async () => {
  const current = await primed('24.01', 'vhost');
  assert.equal(await vhost.scsiControllerRemoveTarget(current, { ctrlr: 'vhost.1', scsi_target_num: 1 }), true);
  assert.deepEqual(current.sent(), [['vhost_scsi_controller_remove_target', { ctrlr: 'vhost.1', scsi_target_num: 1 }]]);
  const v1904 = await primed('19.04', 'vhost');
  await vhost.scsiControllerRemoveTarget(v1904, { ctrlr: 'vhost.1', scsi_target_num: 1 });
  assert.deepEqual(v1904.sent(), [['remove_vhost_scsi_target', { ctrlr: 'vhost.1', scsi_target_num: 1 }]]);
  const v1707 = new FakeTarget('17.07', 'vhost');
  await vhost.scsiControllerRemoveTarget(v1707, { ctrlr: 'vhost.1', scsi_target_num: 1 });
  assert.deepEqual(work(v1707).at(-1), ['remove_vhost_scsi_dev', { ctrlr: 'vhost.1', scsi_dev_num: 1 }]);
});

test('getControllers: the capture on v24.01; get_vhost_controllers on v19.04; v17.07 two lists merged into the current shape', async () => {
  const current = await primed('24.01', 'vhost');
  assert.deepEqual(await vhost.getControllers(current), captured.get('vhost_get_controllers'));
  await vhost.getControllers(current, { name: 'vhost.0' });
  assert.deepEqual(current.sent(), [
    ['vhost_get_controllers', undefined],
    ['vhost_get_controllers', { name: 'vhost.0' }],
  ]);
  const v1904 = await primed('19.04', 'vhost');
  await vhost.getControllers(v1904);
  assert.deepEqual(v1904.sent(), [['get_vhost_controllers', undefined]]);

  const v1707 = new FakeTarget('17.07', 'vhost');
  assert.deepEqual(await vhost.getControllers(v1707), MERGED_1707);
  assert.deepEqual(
    work(v1707)
      .filter(([m]) => m.startsWith('get_vhost_'))
      .map(([m, p]) => [m, p]),
    [
      ['get_vhost_controllers', undefined],
      ['get_vhost_blk_controllers', undefined],
      ['get_vhost_scsi_controllers', undefined],
    ],
    'no params to the v17.07 lists (they refuse any)',
  );
  assert.deepEqual(await vhost.getControllers(v1707, { name: 'vhost.1' }), [MERGED_1707[1]]);
  const err = await vhost.getControllers(v1707, { name: 'nope' }).catch((e: unknown) => e);
  assert.equal(isNotFound(err), true, String(err));
});

test('getControllers: an unknown name on v24.01 (-32603 "No such device") is isNotFound too', async () => {
  const fake = await primed('24.01', 'vhost');
  fake.on('vhost_get_controllers', (params, method) => {
    throw fake.error(method, params, -32603, 'No such device');
  });
  const err = await vhost.getControllers(fake, { name: 'nope' }).catch((e: unknown) => e);
  assert.equal(isNotFound(err), true);
  fake.on('vhost_get_controllers', () => [{ cpumask: '0x1' }]);
  await assert.rejects(vhost.getControllers(fake), SpdkResultError);
});

test('deleteController: current and v19.04 names; on v17.07 the kind is looked up and the matching remove_* called', async () => {
  const current = await primed('24.01', 'vhost');
  assert.equal(await vhost.deleteController(current, { ctrlr: 'vhost.0' }), true);
  assert.deepEqual(current.sent(), [['vhost_delete_controller', { ctrlr: 'vhost.0' }]]);
  const v1904 = await primed('19.04', 'vhost');
  await vhost.deleteController(v1904, { ctrlr: 'vhost.0' });
  assert.deepEqual(v1904.sent(), [['remove_vhost_controller', { ctrlr: 'vhost.0' }]]);

  const v1707 = new FakeTarget('17.07', 'vhost');
  assert.equal(await vhost.deleteController(v1707, { ctrlr: 'vhost.1' }), true);
  assert.equal(await vhost.deleteController(v1707, { ctrlr: 'vhost.0' }), true);
  const removes = work(v1707).filter(([m]) => m.startsWith('remove_vhost_'));
  assert.deepEqual(removes, [
    ['remove_vhost_controller', { ctrlr: 'vhost.1' }],
    ['remove_vhost_scsi_controller', { ctrlr: 'vhost.1' }],
    ['remove_vhost_blk_controller', { ctrlr: 'vhost.0' }],
  ]);
  await assert.rejects(vhost.deleteController(v1707, { ctrlr: 'nope' }), (err: unknown) => isNotFound(err));
});

test('normaliseController: flat v17.07-style devices ({scsi_dev_num, lun_name}) and cpumask are read too', () => {
  const origin = { address: '/tmp/t.sock', method: 'get_vhost_scsi_controllers' };
  assert.deepEqual(vhost.normaliseController(origin, { ctrlr: 'vhost.1', cpumask: '0x1', scsi_devs: [{ scsi_dev_num: 0, lun_name: 'Malloc1' }] }, 'scsi'), {
    ctrlr: 'vhost.1',
    cpumask: '0x1',
    backend_specific: { scsi: [{ scsi_dev_num: 0, luns: [{ id: 0, bdev_name: 'Malloc1' }] }] },
  });
  assert.deepEqual(vhost.normaliseController(origin, { ctrlr: 'vhost.0', cpumask: '0x1', readonly: true, bdev: null }, 'block'), {
    ctrlr: 'vhost.0',
    cpumask: '0x1',
    backend_specific: { block: { readonly: true, bdev: null } },
  });
  assert.throws(() => vhost.normaliseController(origin, { ctrlr: 'vhost.1', scsi_devs: [{ luns: 'x' }] }, 'scsi'), SpdkResultError);
});
