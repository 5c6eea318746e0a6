import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as iscsi from '../../../../src/spdk/methods/iscsi.js';
import { InvalidArgumentError, MethodUnavailableError, SpdkResultError } from '../../../../src/spdk/methods/errors.js';
import { fixtureResults } from './fake-target.js';
import { primed } from './primed-fake.js';

test('getScsiDevices: the vhost capture on v24.01; get_scsi_devices on v19.04', async () => {
  const current = await primed('24.01', 'vhost');
  assert.deepEqual(await iscsi.getScsiDevices(current), fixtureResults('vhost.jsonl').get('scsi_get_devices'));
  assert.deepEqual(current.sent(), [['scsi_get_devices', undefined]]);
  const old = await primed('19.04', 'vhost');
  await iscsi.getScsiDevices(old);
  assert.deepEqual(old.sent(), [['get_scsi_devices', undefined]]);
  await assert.rejects(iscsi.getScsiDevices(await primed('24.01', 'nvmf_tgt')), MethodUnavailableError);
  current.on('scsi_get_devices', () => [{ device_name: 'Target 0' }]);
  await assert.rejects(iscsi.getScsiDevices(current), SpdkResultError);
});

test('the iSCSI listings: current names with no params, legacy names on v19.04', async () => {
  const current = await primed('24.01', 'iscsi_tgt');
  const nodes = await iscsi.getTargetNodes(current);
  const portals = await iscsi.getPortalGroups(current);
  const initiators = await iscsi.getInitiatorGroups(current);
  assert.deepEqual(current.sent(), [
    ['iscsi_get_target_nodes', undefined],
    ['iscsi_get_portal_groups', undefined],
    ['iscsi_get_initiator_groups', undefined],
  ]);
  assert.equal(nodes[0]!.name, 'iqn.2016-06.io.spdk:disk1');
  assert.equal(portals[0]!.portals[0]!.port, '3260');
  assert.deepEqual(initiators, [{ tag: 1, initiators: ['ANY'], netmasks: ['ANY'] }]);
  const old = await primed('19.04', 'iscsi_tgt');
  assert.deepEqual(await iscsi.getTargetNodes(old), nodes);
  assert.deepEqual(await iscsi.getPortalGroups(old), portals);
  await iscsi.getInitiatorGroups(old);
  assert.deepEqual(
    old.sent().map(([m]) => m),
    ['get_target_nodes', 'get_portal_groups', 'get_initiator_groups'],
  );
  current.on('iscsi_get_portal_groups', () => [{ tag: '1', portals: [] }]);
  await assert.rejects(iscsi.getPortalGroups(current), SpdkResultError);
});

test('creating portal groups, initiator groups and target nodes; deleting a node', async () => {
  const current = await primed('24.01', 'iscsi_tgt');
  const portal = { tag: 1, portals: [{ host: '127.0.0.1', port: '3260' }] };
  const group = { tag: 2, initiators: ['ANY'], netmasks: ['127.0.0.1/32'] };
  const node = {
    name: 'disk1',
    alias_name: 'Disk1',
    pg_ig_maps: [{ pg_tag: 1, ig_tag: 2 }],
    luns: [{ bdev_name: 'Malloc0', lun_id: 0 }],
    queue_depth: 64,
    disable_chap: true,
  };
  assert.equal(await iscsi.createPortalGroup(current, portal), true);
  assert.equal(await iscsi.createInitiatorGroup(current, group), true);
  assert.equal(await iscsi.createTargetNode(current, node), true);
  assert.equal(await iscsi.deleteTargetNode(current, { name: 'iqn.2016-06.io.spdk:disk1' }), true);
  assert.deepEqual(current.sent(), [
    ['iscsi_create_portal_group', portal],
    ['iscsi_create_initiator_group', group],
    ['iscsi_create_target_node', node],
    ['iscsi_delete_target_node', { name: 'iqn.2016-06.io.spdk:disk1' }],
  ]);
  const old = await primed('19.04', 'iscsi_tgt');
  await iscsi.createPortalGroup(old, portal);
  await iscsi.createInitiatorGroup(old, group);
  await iscsi.createTargetNode(old, node);
  await iscsi.deleteTargetNode(old, { name: 'iqn.2016-06.io.spdk:disk1' });
  assert.deepEqual(
    old.sent().map(([m]) => m),
    ['add_portal_group', 'add_initiator_group', 'construct_target_node', 'delete_target_node'],
  );
});

test('iSCSI arguments are checked before sending', async () => {
  const fake = await primed('24.01', 'iscsi_tgt');
  await assert.rejects(iscsi.createPortalGroup(fake, { tag: 1, portals: [] }), InvalidArgumentError);
  await assert.rejects(iscsi.createPortalGroup(fake, { tag: 0, portals: [{ host: 'h', port: '1' }] }), InvalidArgumentError);
  await assert.rejects(iscsi.createPortalGroup(fake, { tag: 1, portals: [{ host: 'h', port: 3260 as unknown as string }] }), InvalidArgumentError);
  await assert.rejects(iscsi.createInitiatorGroup(fake, { tag: 1, initiators: [], netmasks: ['ANY'] }), InvalidArgumentError);
  await assert.rejects(
    iscsi.createTargetNode(fake, { name: 'n', alias_name: 'a', pg_ig_maps: [{ pg_tag: 1, ig_tag: 1 }], luns: [], queue_depth: 64 }),
    InvalidArgumentError,
  );
  await assert.rejects(iscsi.deleteTargetNode(fake, { name: '' }), InvalidArgumentError);
  assert.deepEqual(fake.sent(), []);
});
