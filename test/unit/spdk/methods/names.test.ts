import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allNames, currentName, describeSpan, METHOD_HISTORY, nameCandidates, type Operation } from '../../../../src/spdk/methods/names.js';
import { appFamilies, detectApp } from '../../../../src/spdk/methods/app.js';
import { compareReleases } from '../../../../src/spdk/methods/releases.js';
import { methodList2401, wireName } from './fake-target.js';

/** The operations the wrappers call (the current names of the task's method list). */
const WRAPPED: Operation[] = [
  'spdk_get_version',
  'rpc_get_methods',
  'framework_wait_init',
  'framework_start_init',
  'spdk_kill_instance',
  'framework_get_subsystems',
  'framework_get_config',
  'framework_get_reactors',
  'thread_get_stats',
  'bdev_get_bdevs',
  'bdev_get_iostat',
  'bdev_malloc_create',
  'bdev_malloc_delete',
  'bdev_null_create',
  'bdev_null_delete',
  'bdev_aio_create',
  'bdev_aio_delete',
  'bdev_nvme_attach_controller',
  'bdev_nvme_detach_controller',
  'bdev_nvme_get_controllers',
  'bdev_wait_for_examine',
  'nvmf_create_transport',
  'nvmf_get_transports',
  'nvmf_create_subsystem',
  'nvmf_delete_subsystem',
  'nvmf_subsystem_add_ns',
  'nvmf_subsystem_remove_ns',
  'nvmf_subsystem_add_listener',
  'nvmf_subsystem_remove_listener',
  'nvmf_subsystem_add_host',
  'nvmf_subsystem_remove_host',
  'nvmf_get_subsystems',
  'nvmf_get_stats',
  'nvmf_subsystem_get_controllers',
  'vhost_create_blk_controller',
  'vhost_create_scsi_controller',
  'vhost_scsi_controller_add_target',
  'vhost_scsi_controller_remove_target',
  'vhost_get_controllers',
  'vhost_delete_controller',
  'scsi_get_devices',
  'iscsi_get_target_nodes',
  'iscsi_get_portal_groups',
  'iscsi_get_initiator_groups',
  'iscsi_create_portal_group',
  'iscsi_create_initiator_group',
  'iscsi_create_target_node',
  'iscsi_delete_target_node',
];

test('every wrapped operation has its current name first, with ranges that make sense', () => {
  for (const operation of WRAPPED) {
    const spans = allNames(operation);
    assert.equal(spans[0]!.name, operation, operation);
    for (const span of spans) {
      if (span.until) assert.ok(compareReleases(span.since, span.until) <= 0, `${span.name}: since after until`);
    }
    for (let i = 1; i < spans.length; i++) {
      assert.ok(compareReleases(spans[i - 1]!.since, spans[i]!.since) >= 0, `${operation}: names not newest first`);
    }
  }
});

test('the candidates agree with the contract oracle for v17.07, v19.04 and v24.01', () => {
  for (const operation of WRAPPED) {
    const candidates = nameCandidates(operation).map((span) => span.name);
    for (const version of ['17.07', '19.04', '24.01'] as const) {
      const name = wireName(version, operation);
      if (name === null) continue;
      assert.ok(candidates.includes(name), `${operation} on v${version} is ${name}, not among ${candidates.join(', ')}`);
    }
  }
});

test('names that take other params are in the map but never called in place of the current one', () => {
  assert.ok(allNames('nvmf_create_subsystem').some((span) => span.name === 'construct_nvmf_subsystem'));
  assert.ok(!nameCandidates('nvmf_create_subsystem').some((span) => span.name === 'construct_nvmf_subsystem'));
  assert.equal(currentName('construct_nvmf_subsystem'), 'nvmf_create_subsystem');
});

test('legacy to current', () => {
  assert.equal(currentName('get_bdevs'), 'bdev_get_bdevs');
  assert.equal(currentName('construct_malloc_bdev'), 'bdev_malloc_create');
  assert.equal(currentName('get_vhost_controllers'), 'vhost_get_controllers');
  assert.equal(currentName('remove_vhost_scsi_dev'), 'vhost_scsi_controller_remove_target');
  assert.equal(currentName('set_trace_flag'), 'log_set_flag');
  assert.equal(currentName('bdev_get_bdevs'), 'bdev_get_bdevs');
  assert.equal(currentName('delete_bdev'), undefined, 'generic: serves three operations');
  assert.equal(currentName('no_such_method'), undefined);
});

test('span descriptions', () => {
  assert.equal(describeSpan(allNames('bdev_get_bdevs')[0]!), 'bdev_get_bdevs (v19.10+)');
  assert.equal(describeSpan(allNames('bdev_get_bdevs')[1]!), 'get_bdevs (v17.07–v22.01)');
  assert.equal(describeSpan(allNames('get_vhost_blk_controllers')[0]!), 'get_vhost_blk_controllers (v17.07)');
  assert.equal(describeSpan(allNames('bdev_wait_for_examine')[0]!), 'bdev_wait_for_examine (≈v20.10+)');
});

test('every entry of the map is well-formed', () => {
  for (const [operation, history] of Object.entries(METHOD_HISTORY)) {
    assert.ok(history.names.length > 0, operation);
    for (const span of history.names) assert.match(span.since, /^\d{2}\.\d{2}$/, `${operation}: ${span.name}`);
  }
});

test('detectApp on the real v24.01 method lists, and on legacy lists', () => {
  assert.equal(detectApp(methodList2401('nvmf_tgt')), 'nvmf_tgt');
  assert.equal(detectApp(methodList2401('vhost')), 'vhost');
  assert.equal(detectApp(methodList2401('spdk_tgt')), 'spdk_tgt');
  assert.equal(detectApp(methodList2401('iscsi_tgt')), 'iscsi_tgt');
  assert.deepEqual(appFamilies(methodList2401('vhost')), { nvmf: false, vhost: true, iscsi: false, scsi: true });
  assert.equal(detectApp(['get_bdevs', 'get_nvmf_subsystems', 'construct_nvmf_subsystem']), 'nvmf_tgt');
  assert.equal(detectApp(['get_bdevs', 'get_vhost_controllers', 'get_scsi_devices']), 'vhost');
  assert.equal(detectApp(['get_bdevs', 'get_target_nodes', 'get_portal_groups']), 'iscsi_tgt');
  assert.equal(detectApp(['get_bdevs', 'get_target_nodes', 'get_vhost_controllers']), 'spdk_tgt');
  assert.equal(detectApp(['bdev_get_bdevs', 'spdk_get_version']), 'unknown');
  assert.equal(detectApp([]), 'unknown');
});
