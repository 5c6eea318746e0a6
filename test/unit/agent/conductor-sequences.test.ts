/**
 * Sequences of the agent's reports, each fed to a model of Cyborg's Zed conductor and Placement
 * (test/helpers/cyborg-conductor-model.ts, from cyborg/conductor/manager.py at 8.0.0): after every
 * report, the conductor's database and Placement must agree (same providers, inventories and
 * traits), and nothing an instance holds may be deleted by a change the operator did not make to
 * that export. Each sequence is one of the ways issue 13 found a report sequence can go wrong:
 * traits changing, a deployable renamed, a drive moving from one target to another, a stub device
 * becoming real, and the number of accelerators.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DriverDevice } from '../../../src/agent/cyborg-objects.js';
import { RegistrationBuilder, type TargetSnapshot } from '../../../src/agent/registration-builder.js';
import type { TargetState } from '../../../src/spdk/lifecycle/types.js';
import type { TargetInventory } from '../../../src/spdk/inventory.js';
import { ConductorModel, PlacementError, uuid3 } from '../../helpers/cyborg-conductor-model.js';
import { inventory, nvmeBdev, pcieController, subsystem, vhostBlk } from './inventories.js';

const HOST = 'cn1';
const OPTIONS = { reportedHostname: HOST, deviceType: 'NVMe', remoteable: false };
const A = '0000:5e:00.0';
const B = '0000:d8:00.0';

function nvmfTarget(state: TargetState, subsystems: Array<{ nqn: string; bdevs: string[]; trtypes?: string[] }>, drives = [A]): TargetSnapshot {
  const inv = inventory({
    bdevs: drives.map((bdf, i) => nvmeBdev(`Nvme${i}n1`, { bdf, vendorId: bdf === A ? '8086' : '144d' })),
    nvmeControllers: drives.map((bdf, i) => pcieController(`Nvme${i}`, bdf)),
    nvmf: { transports: [], subsystems: subsystems.map((s) => subsystem(s.nqn, s.bdevs, s.trtypes)) },
  });
  return snapshot('nvmf0', 'nvmf_tgt', state, inv);
}

function vhostTarget(state: TargetState, controllers: Array<{ ctrlr: string; bdev: string }>, drives = [B]): TargetSnapshot {
  const inv = inventory({
    app: 'vhost',
    bdevs: drives.map((bdf, i) => nvmeBdev(`VNvme${i}n1`, { bdf, vendorId: bdf === A ? '8086' : '144d' })),
    nvmeControllers: drives.map((bdf, i) => pcieController(`VNvme${i}`, bdf)),
    vhost: { controllers: controllers.map((c) => vhostBlk(c.ctrlr, c.bdev)) },
  });
  return snapshot('vhost0', 'vhost', state, inv);
}

function snapshot(name: string, app: 'nvmf_tgt' | 'vhost', state: TargetState, inv: TargetInventory): TargetSnapshot {
  return { name, app, state, inventory: state === 'running' ? inv : null };
}

/**
 * What every report must be for the conductor: one entry per control path, at least one
 * accelerator per deployable (Placement's minimum inventory), an `rc` attribute (the conductor
 * indexes it), attribute keys unique and only `rc` or `trait…` (an attribute added to a live
 * deployable is added to Placement as a trait, whatever its key), attach_info unique.
 */
function checkReport(devices: readonly DriverDevice[]): void {
  const cpids = devices.map((d) => d.controlpath_id.cpid_info);
  assert.equal(new Set(cpids).size, cpids.length, `one device per control path: ${cpids.join(' ')}`);
  for (const device of devices) {
    for (const dep of device.deployable_list) {
      assert.equal(dep.num_accelerators, 1, `${dep.name}: one accelerator`);
      const keys = dep.attribute_list.map((a) => a.key);
      assert.equal(keys[0], 'rc', `${dep.name}: rc first`);
      assert.equal(new Set(keys).size, keys.length, `${dep.name}: keys unique`);
      for (const key of keys.slice(1)) assert.match(key, /^trait_/, `${dep.name}: ${key}`);
      const infos = dep.attach_handle_list.map((h) => h.attach_info);
      assert.equal(new Set(infos).size, infos.length);
    }
  }
}

/** Builds the report from `snapshots`, checks it, gives it to the conductor, and checks the outcome. */
function report(builder: RegistrationBuilder, conductor: ConductorModel, snapshots: TargetSnapshot[], step: string): DriverDevice[] {
  const built = builder.build(snapshots);
  checkReport(built.devices);
  conductor.reportData(HOST, built.devices);
  assert.deepEqual(conductor.problems(HOST), [], `${step}: the database and Placement disagree`);
  return built.devices;
}

function providerOf(conductor: ConductorModel, name: string) {
  return conductor.placement.get(uuid3(name));
}

test("the model's uuid3 is Python's uuid.uuid3(uuid.NAMESPACE_DNS, name)", () => {
  // python3 -c "import uuid; print(uuid.uuid3(uuid.NAMESPACE_DNS, 'python.org'))"
  assert.equal(uuid3('python.org'), '6fa459ea-ee8a-3ca4-894e-db77e160355e');
});

test('traits added, removed and reordered: Placement keeps exactly the export’s traits, each report changes only the traits that changed', () => {
  const nqn = 'nqn.2016-06.io.spdk:cnode1';
  const sequence: Array<[string, string[]]> = [
    ['TCP only', ['TCP']],
    ['an RDMA listener added', ['TCP', 'RDMA']],
    ['the same, listed the other way round', ['RDMA', 'TCP']],
    ['the TCP listener removed', ['RDMA']],
    ['TCP back', ['TCP', 'RDMA']],
  ];
  const run = (rewrite: (devices: DriverDevice[]) => DriverDevice[]) => {
    const conductor = new ConductorModel([HOST]);
    const builder = new RegistrationBuilder(OPTIONS);
    const failures: string[] = [];
    let previous = new Map<string, string>();
    for (const [step, trtypes] of sequence) {
      const devices = rewrite(builder.build([nvmfTarget('running', [{ nqn, bdevs: ['Nvme0n1'], trtypes }])]).devices);
      conductor.reportData(HOST, devices);
      failures.push(...conductor.problems(HOST).map((p) => `${step}: ${p}`));
      const dep = devices[0]!.deployable_list[0]!;
      const now = new Map(dep.attribute_list.map((a) => [a.key, a.value]));
      const changedKeys = [...new Set([...now.keys(), ...previous.keys()])].filter((k) => now.get(k) !== previous.get(k));
      const expected = new Set([...trtypes.map((t) => `CUSTOM_SPDK_NVMF_${t}`), 'CUSTOM_SPDK', 'CUSTOM_SSD_INTEL']);
      const have = providerOf(conductor, dep.name).traits;
      if ([...expected].sort().join() !== [...have].sort().join()) failures.push(`${step}: Placement has ${[...have].sort().join(' ')}`);
      if (previous.size > 0) {
        const changedTraits = changedKeys.map((k) => now.get(k) ?? previous.get(k)).sort();
        const before = new Set(previous.values());
        const after = new Set(now.values());
        const symmetric = [...new Set([...before, ...after])].filter((t) => before.has(t) !== after.has(t)).sort();
        if (changedTraits.join() !== symmetric.join())
          failures.push(`${step}: attributes changed ${changedTraits.join(' ')}, traits changed ${symmetric.join(' ')}`);
      }
      previous = now;
    }
    return failures;
  };
  assert.deepEqual(
    run((devices) => devices),
    [],
  );
  // The same sequence with numbered keys (trait0..N, the agent before) leaves Placement wrong.
  const numbered = (devices: DriverDevice[]) =>
    devices.map((d) => ({
      ...d,
      deployable_list: d.deployable_list.map((dep) => ({
        ...dep,
        attribute_list: [dep.attribute_list[0]!, ...dep.attribute_list.slice(1).map((a, i) => ({ key: `trait${i}`, value: a.value }))],
      })),
    }));
  assert.notDeepEqual(run(numbered), [], 'numbered trait keys must show the fault this test exists for');
});

test('a deployable renamed: an export renamed is one provider gone and one new; an export keeps its drive when a namespace of another drive comes first', () => {
  const conductor = new ConductorModel([HOST]);
  const builder = new RegistrationBuilder(OPTIONS);
  const nqn = 'nqn.2016-06.io.spdk:cnode1';
  report(builder, conductor, [vhostTarget('running', [{ ctrlr: 'vhost.0', bdev: 'VNvme0n1' }])], 'vhost.0');
  report(builder, conductor, [vhostTarget('running', [{ ctrlr: 'vhost.1', bdev: 'VNvme0n1' }])], 'vhost.0 renamed vhost.1');
  assert.deepEqual([...conductor.deployables(HOST).keys()], [`${HOST}_${B}_vhost-blk_vhost.1`]);

  // cnode1 on drive A, and an instance holds it.
  const devices = report(builder, conductor, [nvmfTarget('running', [{ nqn, bdevs: ['Nvme0n1'] }], [A, B])], 'cnode1 on A');
  const name = devices.find((d) => d.deployable_list.length > 0)!.deployable_list[0]!.name;
  assert.equal(name, `${HOST}_${A}_nvmf_${nqn}`);
  const held = providerOf(conductor, name);
  conductor.placement.allocate(held.uuid);
  // A namespace on drive B added as nsid 1, before A's: the export keeps drive A and its name.
  const both = [nvmfTarget('running', [{ nqn, bdevs: ['Nvme1n1', 'Nvme0n1'] }], [A, B])];
  const after = report(builder, conductor, both, 'a namespace of drive B first');
  assert.deepEqual(
    after.flatMap((d) => d.deployable_list.map((dep) => dep.name)),
    [name],
  );
  assert.equal(providerOf(conductor, name).createdAt, held.createdAt, 'the same provider, allocation and all');
  // Without the drive it had (a fresh agent has no memory of it), the export would be renamed:
  // the conductor destroys the deployable, then fails to delete its provider, which is in use.
  const forgetful = new RegistrationBuilder(OPTIONS);
  assert.throws(
    () => conductor.reportData(HOST, forgetful.build(both).devices),
    (err: unknown) => err instanceof PlacementError && err.status === 409,
  );
  assert.notDeepEqual(conductor.problems(HOST), [], 'the fault the remembered drive avoids');
});

test('a drive moving from one target to another (through a stub of the first): reported once, by the target that has it now', () => {
  const conductor = new ConductorModel([HOST]);
  const builder = new RegistrationBuilder(OPTIONS);
  const nqn = 'nqn.2016-06.io.spdk:cnode1';
  report(
    builder,
    conductor,
    [nvmfTarget('running', [{ nqn, bdevs: ['Nvme0n1'] }], [A]), vhostTarget('running', [{ ctrlr: 'vhost.0', bdev: 'VNvme0n1' }], [B])],
    'A on nvmf0, B on vhost0',
  );
  // nvmf0 restarts (its last devices are stubs) while vhost0 already drives A.
  const moving = [
    nvmfTarget('restarting', [], [A]),
    vhostTarget(
      'running',
      [
        { ctrlr: 'vhost.0', bdev: 'VNvme0n1' },
        { ctrlr: 'vhost.1', bdev: 'VNvme1n1' },
      ],
      [B, A],
    ),
  ];
  const devices = report(builder, conductor, moving, 'A moved to vhost0 while nvmf0 restarts');
  const a = devices.find((d) => d.controlpath_id.cpid_info.includes('"5e"'))!;
  assert.equal(a.stub, false, 'the target that has the drive wins over the stub of the one that had it');
  assert.match(a.vendor_board_info ?? '', /"spdk_target": "vhost0"/);
  report(builder, conductor, [nvmfTarget('running', [], []), moving[1]!], 'nvmf0 back, without A');
  const names = [...conductor.deployables(HOST).keys()].sort();
  assert.deepEqual(names, [`${HOST}_${A}_vhost-blk_vhost.1`, `${HOST}_${B}_vhost-blk_vhost.0`]);
});

test('a stub device becoming real keeps its providers and the allocations on them; a new export on it is added', () => {
  const conductor = new ConductorModel([HOST]);
  const builder = new RegistrationBuilder(OPTIONS);
  const one = { nqn: 'nqn.2016-06.io.spdk:cnode1', bdevs: ['Nvme0n1'] };
  const two = { nqn: 'nqn.2016-06.io.spdk:cnode2', bdevs: ['Nvme0n1'] };
  const three = { nqn: 'nqn.2016-06.io.spdk:cnode3', bdevs: ['Nvme0n1'] };
  const devices = report(builder, conductor, [nvmfTarget('running', [one, two])], 'running');
  const held = devices[0]!.deployable_list[0]!.name;
  const before = providerOf(conductor, held);
  conductor.placement.allocate(before.uuid);
  for (const state of ['crashed', 'restarting', 'starting'] as const) {
    const stubbed = report(builder, conductor, [nvmfTarget(state, [])], state);
    assert.equal(stubbed[0]!.stub, true, `${state}: a stub`);
  }
  report(builder, conductor, [nvmfTarget('running', [one, two])], 'running again');
  assert.equal(providerOf(conductor, held).createdAt, before.createdAt, 'never deleted and re-created');
  report(builder, conductor, [nvmfTarget('crashed', [])], 'crashed again');
  report(builder, conductor, [nvmfTarget('running', [one, three])], 'back with cnode2 gone and cnode3 new');
  assert.deepEqual([...conductor.deployables(HOST).keys()].sort(), [`${HOST}_${A}_nvmf_${one.nqn}`, `${HOST}_${A}_nvmf_${three.nqn}`]);
  assert.equal(providerOf(conductor, held).createdAt, before.createdAt);
  // Stopped by the operator: the device goes. Placement refuses while an instance holds an export.
  assert.throws(
    () => report(builder, conductor, [nvmfTarget('stopped', [])], 'stopped'),
    (err: unknown) => err instanceof PlacementError && err.status === 409,
  );
});

test('num_accelerators never changes for a deployable: one export, one accelerator, in every report of every sequence above', () => {
  // checkReport asserts num_accelerators === 1 for every deployable of every report; here the
  // conductor's num_accelerators path is shown to hold Placement's minimum: 0 would be refused.
  const conductor = new ConductorModel([HOST]);
  const builder = new RegistrationBuilder(OPTIONS);
  const devices = report(builder, conductor, [nvmfTarget('running', [{ nqn: 'nqn.2016-06.io.spdk:cnode1', bdevs: ['Nvme0n1'] }])], 'one export');
  const zero = devices.map((d) => ({ ...d, deployable_list: d.deployable_list.map((dep) => ({ ...dep, num_accelerators: 0 })) }));
  assert.throws(
    () => conductor.reportData(HOST, zero),
    (err: unknown) => err instanceof PlacementError && err.status === 400,
  );
});
