import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpdkMethods } from '../../../../src/spdk/methods/facade.js';
import * as catalogue from '../../../../src/spdk/methods/index.js';
import { FakeTarget } from './fake-target.js';

test('SpdkMethods: the module functions with the caller filled in', async () => {
  const fake = new FakeTarget('24.01', 'spdk_tgt');
  const methods = new SpdkMethods(fake);
  assert.equal(methods.caller, fake);
  assert.deepEqual(await methods.bdev.getBdevs({ name: 'Malloc0' }), await catalogue.bdev.getBdevs(fake, { name: 'Malloc0' }));
  assert.equal(await methods.bdev.mallocCreate({ name: 'M5', num_blocks: 8, block_size: 512 }), 'M5');
  assert.equal(await methods.nvmf.createSubsystem({ nqn: 'nqn.2016-06.io.spdk:x' }), true);
  assert.equal(await methods.vhost.createScsiController({ ctrlr: 'vhost.3' }), true);
  assert.equal((await methods.iscsi.getPortalGroups())[0]!.tag, 1);
  assert.equal((await methods.framework.detectVersion()).min, '24.01');
  assert.equal(await methods.app(), 'spdk_tgt');
  const names = await methods.methods();
  assert.deepEqual(names, [...fake.listed].sort());
  assert.deepEqual(
    fake.sent().filter(([m]) => m.startsWith('bdev_malloc') || m.startsWith('nvmf_create') || m.startsWith('vhost_create')),
    [
      ['bdev_malloc_create', { name: 'M5', num_blocks: 8, block_size: 512 }],
      ['nvmf_create_subsystem', { nqn: 'nqn.2016-06.io.spdk:x' }],
      ['vhost_create_scsi_controller', { ctrlr: 'vhost.3' }],
    ],
  );
});

test('SpdkMethods on SPDK 17.07: no method list, app unknown', async () => {
  const methods = new SpdkMethods(new FakeTarget('17.07', 'vhost'));
  assert.equal(await methods.methods(), null);
  assert.equal(await methods.app(), 'unknown');
  assert.equal((await methods.vhost.getControllers()).length, 2);
});

test('the facade exposes every wrapper of every module', () => {
  const methods = new SpdkMethods(new FakeTarget('24.01'));
  const modules = { framework: catalogue.framework, bdev: catalogue.bdev, nvmf: catalogue.nvmf, vhost: catalogue.vhost, iscsi: catalogue.iscsi };
  for (const [name, module] of Object.entries(modules)) {
    const bound = Object.keys(methods[name as keyof typeof modules]);
    // Wrappers are the async functions taking the caller first; the normalise* helpers are not.
    const wrappers = Object.entries(module)
      .filter(([key, value]) => typeof value === 'function' && !key.startsWith('normalise'))
      .map(([key]) => key);
    for (const wrapper of wrappers) assert.ok(bound.includes(wrapper), `${name}.${wrapper} is not on the facade`);
  }
});

test('SpdkMethods.framework.getConfig takes the plain form', async () => {
  const fake = new FakeTarget('24.01');
  const methods = new SpdkMethods(fake);
  const entries = await methods.framework.getConfig({ name: 'bdev' });
  assert.ok(Array.isArray(entries) && entries.length > 0);
  assert.deepEqual(fake.sent().at(-1), ['framework_get_config', { name: 'bdev' }]);
});
