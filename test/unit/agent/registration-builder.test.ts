/**
 * The device list of a report from the targets' states (src/agent/report-builder.ts): devices of a
 * target that is briefly away are kept as stubs, those of a stopped one are gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistrationBuilder, type TargetSnapshot } from '../../../src/agent/registration-builder.js';
import type { TargetState } from '../../../src/spdk/lifecycle/types.js';
import { inventory, nvmeBdev, pcieController, subsystem, vhostBlk } from './inventories.js';

const OPTIONS = { reportedHostname: 'cn1', deviceType: 'NVMe', remoteable: false };

const nvmfInventory = inventory({
  bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' })],
  nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0')],
  nvmf: { transports: [], subsystems: [subsystem('nqn.2016-06.io.spdk:cnode1', ['Nvme0n1'])] },
});
const vhostInventory = inventory({
  app: 'vhost',
  bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:d8:00.0' })],
  nvmeControllers: [pcieController('Nvme0', '0000:d8:00.0')],
  vhost: { controllers: [vhostBlk('vhost.0', 'Nvme0n1')] },
});

function nvmf(state: TargetState, read = state === 'running'): TargetSnapshot {
  return { name: 'nvmf0', app: 'nvmf_tgt', state, inventory: read ? nvmfInventory : null };
}
function vhost(state: TargetState, read = state === 'running'): TargetSnapshot {
  return { name: 'vhost0', app: 'vhost', state, inventory: read ? vhostInventory : null };
}

function summary(builder: RegistrationBuilder, snapshots: TargetSnapshot[]): string[] {
  return builder.build(snapshots).devices.map((d) => `${JSON.parse(d.controlpath_id.cpid_info).bus}${d.stub ? ' stub' : ''}`);
}

test('running targets are reported as they are, in PCI address order', () => {
  const builder = new RegistrationBuilder(OPTIONS);
  assert.deepEqual(summary(builder, [vhost('running'), nvmf('running')]), ['5e', 'd8']);
});

for (const state of ['crashed', 'restarting', 'starting', 'unresponsive'] as const) {
  test(`a target that is ${state} keeps its last known devices, as stubs`, () => {
    const builder = new RegistrationBuilder(OPTIONS);
    builder.build([nvmf('running'), vhost('running')]);
    const built = builder.build([nvmf('running'), vhost(state)]);
    assert.deepEqual(
      built.devices.map((d) => d.stub),
      [false, true],
    );
    assert.deepEqual(built.stubbedTargets, ['vhost0']);
    assert.equal(built.devices[1]!.deployable_list[0]!.name, 'cn1_0000:d8:00.0_vhost-blk_vhost.0', 'the stub is the full last known device');
  });
}

test('a running target whose inventory could not be read this time is kept as a stub too', () => {
  const builder = new RegistrationBuilder(OPTIONS);
  builder.build([nvmf('running')]);
  const built = builder.build([{ ...nvmf('running', false), inventoryError: 'timed out' }]);
  assert.deepEqual(
    built.devices.map((d) => d.stub),
    [true],
  );
});

for (const state of ['stopped', 'failed', 'stopping'] as const) {
  test(`a target that is ${state} has no devices any more (and is forgotten)`, () => {
    const builder = new RegistrationBuilder(OPTIONS);
    builder.build([nvmf('running'), vhost('running')]);
    assert.deepEqual(summary(builder, [nvmf('running'), vhost(state)]), ['5e']);
    assert.deepEqual(summary(builder, [nvmf('running'), vhost('crashed')]), ['5e'], 'nothing left to keep after it was gone');
  });
}

test('a target never read has nothing to keep', () => {
  const builder = new RegistrationBuilder(OPTIONS);
  assert.deepEqual(summary(builder, [nvmf('starting'), vhost('running')]), ['d8']);
});

test('the fingerprint is equal for equal reports and differs on any change (a stub included)', () => {
  const builder = new RegistrationBuilder(OPTIONS);
  const a = builder.build([nvmf('running'), vhost('running')]).fingerprint;
  const b = builder.build([vhost('running'), nvmf('running')]).fingerprint;
  const stubbed = builder.build([nvmf('running'), vhost('restarting')]).fingerprint;
  const gone = builder.build([nvmf('running'), vhost('stopped')]).fingerprint;
  assert.equal(a, b);
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(new Set([a, stubbed, gone]).size, 3);
});
