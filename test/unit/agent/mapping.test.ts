/**
 * SPDK inventories → Cyborg driver objects (src/agent/inventory-mapping.ts, docs/inventory-mapping.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { devicePrimitive, type DriverDevice } from '../../../src/agent/cyborg-objects.js';
import { mapTargets, traitKey, type MappableTarget } from '../../../src/agent/inventory-mapping.js';
import type { TargetInventory } from '../../../src/spdk/inventory.js';
import type { Bdev, NvmfSubsystem } from '../../../src/spdk/methods/types.js';
import { loadFixture } from '../../helpers/fixtures.js';
import { amqpFixturesDir } from '../../helpers/paths.js';
import {
  discoverySubsystem,
  fabricBdev,
  fabricController,
  inventory,
  iscsiNode,
  lvolBdev,
  mallocBdev,
  nvmeBdev,
  pcieController,
  subsystem,
  vhostBlk,
  vhostScsi,
} from './inventories.js';

const HOST = 'cn1.example.org';
const OPTIONS = { reportedHostname: HOST, deviceType: 'NVMe', remoteable: false };
const INTEL_CPID = '{"bus": "5e", "device": "00", "domain": "0000", "function": "0"}';

function nvmfTarget(inv: TargetInventory, name = 'nvmf0'): MappableTarget {
  return { name, app: 'nvmf_tgt', inventory: inv };
}

/** Two drives (Intel at 5e, Samsung at af), a malloc bdev, three subsystems. */
function twoDriveInventory(): TargetInventory {
  return inventory({
    bdevs: [
      mallocBdev('Malloc0'),
      nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' }),
      nvmeBdev('Nvme1n1', { bdf: '0000:af:00.0', vendorId: '0x144d', model: 'SAMSUNG MZWLR1T9HBJR-00007  ', serial: 'S6EYNE0R700123' }),
    ],
    nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0'), pcieController('Nvme1', '0000:af:00.0')],
    nvmf: {
      transports: [{ trtype: 'TCP' }, { trtype: 'RDMA' }],
      subsystems: [
        discoverySubsystem,
        subsystem('nqn.2016-06.io.spdk:cnode1', ['Nvme0n1'], ['TCP', 'RDMA']),
        subsystem('nqn.2016-06.io.spdk:malloc', ['Malloc0']),
        subsystem('nqn.2016-06.io.spdk:cnode2', ['Nvme1n1']),
      ],
    },
  });
}

function byBdf(devices: readonly { bdf: string; device: DriverDevice }[], bdf: string): DriverDevice {
  const found = devices.find((d) => d.bdf === bdf);
  assert.ok(found, `no device ${bdf}`);
  return found.device;
}

test('one SSD device per physical NVMe controller, with Cyborg’s PCI identity text', () => {
  const { devices } = mapTargets([nvmfTarget(twoDriveInventory())], OPTIONS);
  assert.deepEqual(
    devices.map((d) => d.bdf),
    ['0000:5e:00.0', '0000:af:00.0'],
  );
  const intel = byBdf(devices, '0000:5e:00.0');
  assert.equal(intel.type, 'SSD');
  assert.equal(intel.vendor, '8086');
  assert.equal(intel.model, 'INTEL SSDPF2KX038TZ');
  assert.equal(intel.stub, false);
  assert.deepEqual(intel.controlpath_id, { cpid_type: 'PCI', cpid_info: INTEL_CPID });
  // The same text a real conductor accepted (captured report, scenario D).
  const captured = JSON.parse(readFileSync(path.join(amqpFixturesDir, 'D_raw_agent_report_data.json'), 'utf8')) as {
    report_ok: { conductor_saw: Array<{ plain: Array<{ controlpath_id: { cpid_info: string } }> }> };
  };
  assert.equal(intel.controlpath_id.cpid_info, captured.report_ok.conductor_saw[0]!.plain[0]!.controlpath_id.cpid_info);
  const samsung = byBdf(devices, '0000:af:00.0');
  assert.equal(samsung.vendor, '144d');
  assert.equal(samsung.model, 'SAMSUNG MZWLR1T9HBJR-00007', 'NVMe pads the model number with spaces; they are not part of it');
});

test('board infos are Python-style JSON texts with sorted keys', () => {
  const intel = byBdf(mapTargets([nvmfTarget(twoDriveInventory())], OPTIONS).devices, '0000:5e:00.0');
  assert.equal(
    intel.std_board_info,
    '{"controller": "Non-Volatile memory controller", "firmware_revision": "JCV10100", "model_number": "INTEL SSDPF2KX038TZ", ' +
      '"nvme_version": "1.4", "serial_number": "PHAC1234006R3P8CGN", "vendor_id": "8086"}',
  );
  assert.equal(
    intel.vendor_board_info,
    '{"device_type": "NVMe", "remoteable": false, "spdk_app": "nvmf_tgt", "spdk_target": "nvmf0", "spdk_version": "SPDK v24.01 git sha1 0786843e99"}',
  );
});

test('each NVMe-oF subsystem on a drive is a deployable: name, one accelerator, rc, sorted traits, a TEST_PCI handle', () => {
  const intel = byBdf(mapTargets([nvmfTarget(twoDriveInventory())], OPTIONS).devices, '0000:5e:00.0');
  assert.equal(intel.deployable_list.length, 1);
  const [deployable] = intel.deployable_list;
  assert.deepEqual(deployable, {
    name: 'cn1.example.org_0000:5e:00.0_nvmf_nqn.2016-06.io.spdk:cnode1',
    num_accelerators: 1,
    driver_name: 'SPDK',
    attribute_list: [
      { key: 'rc', value: 'CUSTOM_SPDK_NVMF' },
      { key: 'trait_CUSTOM_SPDK', value: 'CUSTOM_SPDK' },
      { key: 'trait_CUSTOM_SPDK_NVMF_RDMA', value: 'CUSTOM_SPDK_NVMF_RDMA' },
      { key: 'trait_CUSTOM_SPDK_NVMF_TCP', value: 'CUSTOM_SPDK_NVMF_TCP' },
      { key: 'trait_CUSTOM_SSD_INTEL', value: 'CUSTOM_SSD_INTEL' },
    ],
    attach_handle_list: [{ attach_type: 'TEST_PCI', attach_info: '{"nqn": "nqn.2016-06.io.spdk:cnode1", "type": "nvmf"}', in_use: false }],
  });
  const samsung = byBdf(mapTargets([nvmfTarget(twoDriveInventory())], OPTIONS).devices, '0000:af:00.0');
  assert.deepEqual(
    samsung.deployable_list[0]!.attribute_list.map((a) => a.value),
    ['CUSTOM_SPDK_NVMF', 'CUSTOM_SPDK', 'CUSTOM_SPDK_NVMF_TCP', 'CUSTOM_SSD_SAMSUNG'],
  );
});

test('exports of RAM disks are not resources, and the discovery subsystem is never one', () => {
  const { devices } = mapTargets([nvmfTarget(twoDriveInventory())], OPTIONS);
  const names = devices.flatMap((d) => d.device.deployable_list.map((x) => x.name));
  assert.equal(names.length, 2);
  assert.ok(!names.some((n) => n.includes('malloc') || n.includes('discovery')), names.join(', '));
});

test('a target without PCI-backed storage is no Cyborg device (real v24.01 captures: malloc and null bdevs)', () => {
  const entries = loadFixture('nvmf_tgt.jsonl');
  const resultOf = (name: string): unknown => {
    const entry = entries.find((e) => e.name === name);
    assert.ok(entry?.response, `capture ${name}`);
    return (JSON.parse(entry.response) as { result: unknown }).result;
  };
  const bdevs = resultOf('bdev_get_bdevs all') as Bdev[];
  const subsystems = resultOf('nvmf_get_subsystems') as NvmfSubsystem[];
  assert.ok(bdevs.length > 0 && subsystems.some((s) => (s.namespaces ?? []).length > 0), 'the captures export bdevs');
  const { devices } = mapTargets([nvmfTarget(inventory({ bdevs, nvmeControllers: [], nvmf: { transports: [], subsystems } }))], OPTIONS);
  assert.deepEqual(devices, []);
});

test('controllers reached over a fabric belong to another host', () => {
  const inv = inventory({
    bdevs: [fabricBdev('Remote0n1', '10.0.0.9'), nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' })],
    nvmeControllers: [fabricController('Remote0', '10.0.0.9'), pcieController('Nvme0', '0000:5e:00.0')],
    nvmf: { transports: [], subsystems: [subsystem('nqn.2016-06.io.spdk:re-export', ['Remote0n1'])] },
  });
  const { devices } = mapTargets([nvmfTarget(inv)], OPTIONS);
  assert.deepEqual(
    devices.map((d) => [d.bdf, d.device.deployable_list.length]),
    [['0000:5e:00.0', 0]],
  );
});

test('an export of a bdev built on a drive (an lvol) counts for that drive', () => {
  const inv = inventory({
    bdevs: [lvolBdev('lvs0/vol1', 'Nvme0n1'), lvolBdev('lvs1/on-malloc', 'Malloc0'), mallocBdev('Malloc0'), nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' })],
    nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0')],
    nvmf: {
      transports: [],
      subsystems: [subsystem('nqn.2016-06.io.spdk:vol1', ['lvs0/vol1']), subsystem('nqn.2016-06.io.spdk:vol2', ['lvs1/on-malloc'])],
    },
  });
  const device = byBdf(mapTargets([nvmfTarget(inv)], OPTIONS).devices, '0000:5e:00.0');
  assert.deepEqual(
    device.deployable_list.map((d) => d.name),
    ['cn1.example.org_0000:5e:00.0_nvmf_nqn.2016-06.io.spdk:vol1'],
  );
});

test('an export over two drives is given to one of them only (its lowest namespace), so Placement never counts it twice', () => {
  const inv = inventory({
    bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' }), nvmeBdev('Nvme1n1', { bdf: '0000:af:00.0', vendorId: '0x144d' })],
    nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0'), pcieController('Nvme1', '0000:af:00.0')],
    nvmf: { transports: [], subsystems: [subsystem('nqn.2016-06.io.spdk:both', ['Nvme1n1', 'Nvme0n1'])] },
  });
  const { devices } = mapTargets([nvmfTarget(inv)], OPTIONS);
  assert.deepEqual(
    devices.map((d) => [d.bdf, d.device.deployable_list.length]),
    [
      ['0000:5e:00.0', 0],
      ['0000:af:00.0', 1],
    ],
  );
});

test('vhost-blk, vhost-scsi and iSCSI exports get their own resource classes and transport traits', () => {
  const bdevs = [nvmeBdev('Nvme0n1', { bdf: '0000:d8:00.0' }), mallocBdev('Malloc0')];
  const controllers = [pcieController('Nvme0', '0000:d8:00.0')];
  const vhost: MappableTarget = {
    name: 'vhost0',
    app: 'vhost',
    inventory: inventory({
      app: 'vhost',
      bdevs,
      nvmeControllers: controllers,
      vhost: { controllers: [vhostBlk('vhost.0', 'Nvme0n1'), vhostScsi('vhost.1', ['Malloc0', 'Nvme0n1']), vhostBlk('vhost.2', 'Malloc0')] },
    }),
  };
  const iscsi: MappableTarget = {
    name: 'iscsi0',
    app: 'iscsi_tgt',
    inventory: inventory({
      app: 'iscsi_tgt',
      bdevs: [nvmeBdev('Nvme9n1', { bdf: '0000:3b:00.0' })],
      nvmeControllers: [pcieController('Nvme9', '0000:3b:00.0')],
      iscsi: { targetNodes: [iscsiNode('iqn.2016-06.io.spdk:disk1', ['Nvme9n1'])], portalGroups: [] },
    }),
  };
  const { devices } = mapTargets([vhost, iscsi], { ...OPTIONS, remoteable: true });
  const rc = (d: DriverDevice): string[] =>
    d.deployable_list.map(
      (x) =>
        `${x.name} ${x.attribute_list[0]!.value} ${x.attribute_list
          .slice(1)
          .map((a) => a.value)
          .join(',')}`,
    );
  assert.deepEqual(rc(byBdf(devices, '0000:d8:00.0')), [
    'cn1.example.org_0000:d8:00.0_vhost-blk_vhost.0 CUSTOM_SPDK_VHOST_BLK CUSTOM_SPDK,CUSTOM_SPDK_VHOST_USER,CUSTOM_SSD_INTEL',
    'cn1.example.org_0000:d8:00.0_vhost-scsi_vhost.1 CUSTOM_SPDK_VHOST_SCSI CUSTOM_SPDK,CUSTOM_SPDK_VHOST_USER,CUSTOM_SSD_INTEL',
  ]);
  assert.deepEqual(rc(byBdf(devices, '0000:3b:00.0')), [
    'cn1.example.org_0000:3b:00.0_iscsi_iqn.2016-06.io.spdk:disk1 CUSTOM_SPDK_ISCSI CUSTOM_SPDK,CUSTOM_SPDK_REMOTEABLE,CUSTOM_SSD_INTEL',
  ]);
  assert.equal(byBdf(devices, '0000:d8:00.0').deployable_list[1]!.attach_handle_list[0]!.attach_info, '{"ctrlr": "vhost.1", "type": "vhost_scsi"}');
});

test('a drive shown by two targets (one socket configured twice) is reported once', () => {
  const { devices, notes } = mapTargets([nvmfTarget(twoDriveInventory(), 'b'), nvmfTarget(twoDriveInventory(), 'a')], OPTIONS);
  assert.deepEqual(
    devices.map((d) => `${d.bdf}@${d.target}`),
    ['0000:5e:00.0@a', '0000:af:00.0@a'],
  );
  assert.equal(notes.filter((n) => n.includes('also reported by a')).length, 2);
});

test('the same inventories give the same bytes, whatever the order of targets', () => {
  const vhost: MappableTarget = {
    name: 'vhost0',
    app: 'vhost',
    inventory: inventory({
      app: 'vhost',
      bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:d8:00.0' })],
      nvmeControllers: [pcieController('Nvme0', '0000:d8:00.0')],
      vhost: { controllers: [vhostBlk('vhost.0', 'Nvme0n1')] },
    }),
  };
  const once = JSON.stringify(mapTargets([nvmfTarget(twoDriveInventory()), vhost], OPTIONS).devices.map((d) => devicePrimitive(d.device)));
  const again = JSON.stringify(mapTargets([vhost, nvmfTarget(twoDriveInventory())], OPTIONS).devices.map((d) => devicePrimitive(d.device)));
  assert.equal(again, once);
  assert.ok(once.includes('0000:d8:00.0') && once.includes('0000:5e:00.0'));
});

test('names that do not fit Placement are shortened with a digest, never truncated into a collision', () => {
  const long = `nqn.2016-06.io.spdk:${'x'.repeat(200)}`;
  const inv = inventory({
    bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' }), nvmeBdev('Nvme0n2', { bdf: '0000:5e:00.0' })],
    nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0')],
    nvmf: {
      transports: [],
      subsystems: [subsystem(`${long}a`, ['Nvme0n1']), subsystem(`${long}b`, ['Nvme0n2']), subsystem('nqn.2016-06.io.spdk:odd name/é', ['Nvme0n1'])],
    },
  });
  const device = byBdf(mapTargets([nvmfTarget(inv)], OPTIONS).devices, '0000:5e:00.0');
  const names = device.deployable_list.map((d) => d.name);
  assert.equal(new Set(names).size, 3);
  for (const name of names) {
    assert.ok(name.length <= 200, `${name.length} characters`);
    assert.match(name, /^[A-Za-z0-9._:-]+$/);
  }
  assert.ok(names.some((n) => n.startsWith('cn1.example.org_0000:5e:00.0_nvmf_nqn.2016-06.io.spdk:odd_name__')));
  for (const handle of device.deployable_list.flatMap((d) => d.attach_handle_list)) assert.ok(handle.attach_info.length <= 255, handle.attach_info);
  assert.ok(
    device.deployable_list.some((d) => d.attach_handle_list[0]!.attach_info.includes('odd name/\\u00e9')),
    'non-ASCII is escaped as Python does',
  );
});

test('an attach_info that would not fit Cyborg’s 255 characters names the export by its digest', () => {
  const ctrlr = `vhost.${'v'.repeat(260)}`;
  const inv = inventory({
    app: 'vhost',
    bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' })],
    nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0')],
    vhost: { controllers: [vhostBlk(ctrlr, 'Nvme0n1')] },
  });
  const [deployable] = byBdf(mapTargets([{ name: 'vhost0', app: 'vhost', inventory: inv }], OPTIONS).devices, '0000:5e:00.0').deployable_list;
  const info = deployable!.attach_handle_list[0]!.attach_info;
  assert.ok(info.length <= 255, `${info.length}`);
  assert.match(info, /^\{"ctrlr_sha256": "[0-9a-f]{64}", "type": "vhost_blk"\}$/);
  assert.ok(deployable!.name.length <= 200);
});

test('odd answers from a target (members missing or of the wrong kind) are skipped, never thrown', () => {
  const odd = inventory({
    bdevs: [
      nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' }),
      {
        name: 'Weird0',
        product_name: 'x',
        block_size: 512,
        num_blocks: 1,
        driver_specific: { nvme: [null, { trid: null }, { pci_address: 'not-a-bdf' }] },
      } as unknown as Bdev,
      { name: 'Weird1', product_name: 'x', block_size: 512, num_blocks: 1, driver_specific: 'lvol' } as unknown as Bdev,
      null as unknown as Bdev,
    ],
    nvmeControllers: [
      { name: 'Nvme0', ctrlrs: 'enabled' } as unknown as never,
      pcieController('Nvme0', '0000:5e:00.0'),
      { name: 'Bad', ctrlrs: [{ trid: { trtype: 'PCIe', traddr: 'zz' } }] } as never,
    ],
    nvmf: {
      transports: null,
      subsystems: [
        { nqn: 'nqn.2016-06.io.spdk:odd', subtype: 'NVMe', listen_addresses: 'TCP', hosts: [], namespaces: { nsid: 1 } } as unknown as NvmfSubsystem,
        subsystem('nqn.2016-06.io.spdk:fine', ['Nvme0n1']),
      ],
    },
    vhost: {
      controllers: [
        { ctrlr: 'v', cpumask: '0x1', backend_specific: null } as never,
        { ctrlr: 'w', cpumask: '0x1', backend_specific: { scsi: [{ scsi_dev_num: 0, luns: 'x' }] } } as never,
      ],
    },
  });
  const { devices, notes } = mapTargets([nvmfTarget(odd)], OPTIONS);
  assert.deepEqual(
    devices.map((d) => [d.bdf, d.device.deployable_list.map((x) => x.name)]),
    [['0000:5e:00.0', ['cn1.example.org_0000:5e:00.0_nvmf_nqn.2016-06.io.spdk:fine']]],
  );
  assert.ok(
    notes.some((n) => n.includes('NVMe controller Bad')),
    notes.join('; '),
  );
});

/** The Intel drive's one export, listening on `trtypes` (in that order). */
function exportAttributes(trtypes: string[]): Map<string, string> {
  const inv = inventory({
    bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' })],
    nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0')],
    nvmf: { transports: trtypes.map((trtype) => ({ trtype })), subsystems: [subsystem('nqn.2016-06.io.spdk:cnode1', ['Nvme0n1'], trtypes)] },
  });
  const deployable = byBdf(mapTargets([nvmfTarget(inv)], OPTIONS).devices, '0000:5e:00.0').deployable_list[0]!;
  return new Map(deployable.attribute_list.map((a) => [a.key, a.value]));
}

/** What the conductor's diff by key sees between two reports: keys added, removed, changed. */
function attributeDiff(before: Map<string, string>, after: Map<string, string>): { added: string[]; removed: string[]; changed: string[] } {
  return {
    added: [...after.keys()].filter((k) => !before.has(k)),
    removed: [...before.keys()].filter((k) => !after.has(k)),
    changed: [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)),
  };
}

test('one attribute per trait, keyed by the trait: adding, removing or reordering traits changes exactly the traits that changed', () => {
  const tcp = exportAttributes(['TCP']);
  const tcpRdma = exportAttributes(['TCP', 'RDMA']);
  const rdma = exportAttributes(['RDMA']);
  const rdmaTcp = exportAttributes(['RDMA', 'TCP']);
  assert.deepEqual(attributeDiff(tcp, tcpRdma), { added: ['trait_CUSTOM_SPDK_NVMF_RDMA'], removed: [], changed: [] }, 'an RDMA listener added');
  assert.deepEqual(attributeDiff(tcpRdma, rdma), { added: [], removed: ['trait_CUSTOM_SPDK_NVMF_TCP'], changed: [] }, 'the TCP listener removed');
  assert.deepEqual(attributeDiff(tcpRdma, rdmaTcp), { added: [], removed: [], changed: [] }, 'the same set in another order');
  for (const key of tcpRdma.keys()) assert.ok(key === 'rc' || key.startsWith('trait'), `${key}: Cyborg takes only keys starting with "trait" for traits`);
});

test('a trait key too long for Cyborg’s 255-character column keeps its start and a digest, and stays unique', () => {
  const long = `CUSTOM_${'X'.repeat(260)}`;
  const other = `CUSTOM_${'X'.repeat(259)}Y`;
  assert.equal(traitKey('CUSTOM_SPDK'), 'trait_CUSTOM_SPDK');
  assert.equal(traitKey(long).length, 255);
  assert.ok(traitKey(long).startsWith('trait_CUSTOM_XXX'));
  assert.notEqual(traitKey(long), traitKey(other));
});
