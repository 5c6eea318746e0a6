/** The simulator's method tables are the real ones (methods.json) and follow the legacy map. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spdkFixturesDir } from '../../helpers/paths.js';
import { registeredNames } from '../../../src/sim/versions/method-names.js';
import { profileFor } from '../../../src/sim/versions/profile.js';
import { MethodTable, RUNTIME, STARTUP } from '../../../src/sim/rpc/method-table.js';
import type { AppName } from '../../../src/sim/cli/apps.js';
import type { EmulatedVersion } from '../../../src/sim/versions/version-id.js';

const captured = (JSON.parse(readFileSync(path.join(spdkFixturesDir, 'methods.json'), 'utf8')) as { lists: Record<string, string[]> }).lists;

function table(app: AppName, version: EmulatedVersion = '24.01'): MethodTable {
  return new MethodTable(registeredNames(app, profileFor(version)).map((r) => ({ name: r.name, handler: () => true, mask: r.mask, aliasOf: r.aliasOf })));
}

const sorted = (list: string[]): string[] => [...list].sort();

test('v24.01 method lists equal the captured ones, per app and state', () => {
  assert.deepEqual(sorted(table('nvmf_tgt').list({ includeAliases: false })), captured['nvmf_tgt | rpc_get_methods']);
  assert.deepEqual(sorted(table('nvmf_tgt').list({ includeAliases: true })), captured['nvmf_tgt | rpc_get_methods include_aliases']);
  assert.deepEqual(sorted(table('nvmf_tgt').list({ includeAliases: false, currentState: RUNTIME })), captured['nvmf_tgt | rpc_get_methods current']);
  assert.deepEqual(
    sorted(table('nvmf_tgt').list({ includeAliases: false, currentState: STARTUP })),
    captured['nvmf_tgt --wait-for-rpc | rpc_get_methods current (STARTUP)'],
  );
  assert.deepEqual(sorted(table('vhost').list({ includeAliases: false })), captured['vhost | rpc_get_methods']);
  assert.deepEqual(sorted(table('spdk_tgt').list({ includeAliases: false })), captured['spdk_tgt | rpc_get_methods']);
  assert.deepEqual(sorted(table('spdk_tgt').list({ includeAliases: true })), captured['spdk_tgt | rpc_get_methods include_aliases']);
});

test('iscsi_tgt (not captured) has iscsi and scsi methods but no nvmf or vhost ones', () => {
  const names = table('iscsi_tgt').list({ includeAliases: false });
  assert.ok(names.includes('iscsi_create_target_node') && names.includes('scsi_get_devices') && names.includes('bdev_malloc_create'));
  assert.ok(!names.some((n) => n.startsWith('nvmf_') || n.startsWith('vhost_')));
  assert.equal(table('iscsi_tgt').get('iscsi_set_options')!.mask, STARTUP);
});

test("iscsi_tgt's v24.01 list is spdk_tgt's, in the same order, without the nvmf and vhost methods", () => {
  const names = (app: AppName): string[] => registeredNames(app, profileFor('24.01')).map((r) => r.name);
  const nvmfOrVhost = (name: string): boolean => /^(nvmf_|vhost_|virtio_blk_)/.test(name);
  assert.deepEqual(
    names('iscsi_tgt'),
    names('spdk_tgt').filter((name) => !nvmfOrVhost(name)),
  );
});

test('the four aliases alive in v24.01/v25.09 call their new method with its state mask', () => {
  for (const version of ['24.01', '25.09'] as const) {
    const t = table('nvmf_tgt', version);
    assert.equal(t.get('get_lvol_stores')!.aliasOf, 'bdev_lvol_get_lvstores');
    assert.equal(t.get('enable_vmd')!.aliasOf, 'vmd_enable');
    assert.equal(t.get('enable_vmd')!.mask, STARTUP);
    assert.equal(t.get('accel_get_engine_info')!.aliasOf, 'accel_get_module_info');
    assert.equal(t.get('ioat_scan_accel_engine')!.aliasOf, 'ioat_scan_accel_module');
    assert.equal(t.has('get_bdevs') || t.has('get_rpc_methods') || t.has('kill_instance'), false);
  }
});

test('v19.04 registers only the old names; v17.07 has neither method list nor version', () => {
  const v19 = table('nvmf_tgt', '19.04');
  for (const name of [
    'get_rpc_methods',
    'get_spdk_version',
    'get_bdevs',
    'get_bdevs_iostat',
    'construct_malloc_bdev',
    'delete_malloc_bdev',
    'nvmf_subsystem_create',
    'get_nvmf_subsystems',
    'nvmf_create_transport',
    'start_subsystem_init',
    'kill_instance',
    'get_nvme_controllers',
  ]) {
    assert.ok(v19.has(name), `19.04 has ${name}`);
  }
  for (const name of ['rpc_get_methods', 'spdk_get_version', 'bdev_get_bdevs', 'construct_nvmf_subsystem', 'delete_bdev', 'get_vhost_controllers']) {
    assert.ok(!v19.has(name), `19.04 has no ${name}`);
  }
  const v17 = table('nvmf_tgt', '17.07');
  for (const name of ['get_bdevs', 'construct_malloc_bdev', 'construct_nvmf_subsystem', 'delete_bdev', 'kill_instance'])
    assert.ok(v17.has(name), `17.07 has ${name}`);
  for (const name of ['get_rpc_methods', 'get_spdk_version', 'spdk_get_version', 'nvmf_create_transport', 'nvmf_subsystem_add_ns'])
    assert.ok(!v17.has(name), `17.07 has no ${name}`);
  assert.ok(table('vhost', '17.07').has('get_vhost_blk_controllers'));
  assert.ok(table('vhost', '19.04').has('get_vhost_controllers'));
});
