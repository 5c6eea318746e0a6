/**
 * The wire form of the driver objects against the report a real conductor accepted (scenario D of
 * test/fixtures/amqp/D_raw_agent_report_data.json), and the rule that every field of every object
 * is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { devicePrimitive, type CyborgPrimitive, type DriverDevice } from '../../../src/agent/cyborg-objects.js';
import { mapTargets } from '../../../src/agent/inventory-mapping.js';
import { amqpFixturesDir } from '../../helpers/paths.js';
import { inventory, iscsiNode, nvmeBdev, pcieController, subsystem, vhostBlk } from './inventories.js';

interface ScenarioD {
  report_ok: { sent: { args: { driver_device_list: CyborgPrimitive[] } } };
  report_missing_stub: { sent: { args: { driver_device_list: CyborgPrimitive[] } }; conductor_saw: Array<{ problems: string[] }> };
}

const scenario = JSON.parse(readFileSync(path.join(amqpFixturesDir, 'D_raw_agent_report_data.json'), 'utf8')) as ScenarioD;

/** Every field of Cyborg's driver objects (contract §3.2), without the inherited timestamps. */
const FIELDS: Record<string, string[]> = {
  DriverDevice: ['controlpath_id', 'deployable_list', 'model', 'std_board_info', 'stub', 'type', 'vendor', 'vendor_board_info'],
  DriverControlPathID: ['cpid_info', 'cpid_type'],
  DriverDeployable: ['attach_handle_list', 'attribute_list', 'driver_name', 'name', 'num_accelerators'],
  DriverAttachHandle: ['attach_info', 'attach_type', 'in_use'],
  DriverAttribute: ['key', 'value'],
};

/** Every primitive inside `value`, depth first. */
function primitives(value: unknown): CyborgPrimitive[] {
  if (Array.isArray(value)) return value.flatMap(primitives);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = 'cyborg_object.name' in record ? [record as unknown as CyborgPrimitive] : [];
  return [...own, ...Object.values(record).flatMap(primitives)];
}

test('the device a real conductor accepted is written byte for byte the same (keys aside)', () => {
  const accepted = scenario.report_ok.sent.args.driver_device_list[0]!;
  const device: DriverDevice = {
    vendor: '8086',
    model: 'P4510',
    type: 'SSD',
    std_board_info: '{"product_id": "0a54"}',
    vendor_board_info: '{"vendor_info": "spdk"}',
    stub: false,
    controlpath_id: { cpid_type: 'PCI', cpid_info: '{"bus": "5e", "device": "00", "domain": "0000", "function": "0"}' },
    deployable_list: [
      {
        name: 'cap-rawagent-61fada_0000:5e:00.0',
        num_accelerators: 1,
        driver_name: 'SPDK',
        attribute_list: [
          { key: 'rc', value: 'CUSTOM_SSD' },
          { key: 'trait0', value: 'CUSTOM_SSD_SPDK' },
        ],
        attach_handle_list: [{ attach_type: 'PCI', attach_info: '{"bus": "5e", "device": "00", "domain": "0000", "function": "0"}', in_use: false }],
      },
    ],
  };
  assert.deepEqual(devicePrimitive(device), accepted);
});

test('the capture without stub is the failure the conductor reported; ours always carry it', () => {
  assert.deepEqual(scenario.report_missing_stub.conductor_saw[0]!.problems, ["device[0]: field 'stub' not set"]);
  const sentWithout = scenario.report_missing_stub.sent.args.driver_device_list[0]!;
  assert.ok(!('stub' in sentWithout['cyborg_object.data']));
});

test('every object of a mapped report carries every field, in namespace cyborg at version 1.0, with real booleans', () => {
  const { devices } = mapTargets(
    [
      {
        name: 'all',
        app: 'spdk_tgt',
        inventory: inventory({
          app: 'spdk_tgt',
          bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' }), nvmeBdev('Nvme1n1', { bdf: '0000:af:00.0' })],
          nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0'), pcieController('Nvme1', '0000:af:00.0')],
          nvmf: { transports: [], subsystems: [subsystem('nqn.2016-06.io.spdk:a', ['Nvme0n1'])] },
          vhost: { controllers: [vhostBlk('vhost.0', 'Nvme1n1')] },
          iscsi: { targetNodes: [iscsiNode('iqn.2016-06.io.spdk:disk1', ['Nvme0n1'])], portalGroups: [] },
        }),
      },
    ],
    { reportedHostname: 'cn1', deviceType: 'NVMe', remoteable: false },
  );
  const all = primitives(devices.map((d) => devicePrimitive(d.device)));
  const seen = new Set(all.map((p) => p['cyborg_object.name']));
  assert.deepEqual([...seen].sort(), Object.keys(FIELDS).sort());
  for (const p of all) {
    const name = p['cyborg_object.name'];
    assert.equal(p['cyborg_object.namespace'], 'cyborg');
    assert.equal(p['cyborg_object.version'], '1.0');
    assert.deepEqual(Object.keys(p['cyborg_object.data']).sort(), FIELDS[name], name);
    assert.deepEqual(p['cyborg_object.changes'], FIELDS[name], `${name} changes`);
    for (const [field, value] of Object.entries(p['cyborg_object.data'])) {
      assert.notEqual(value, undefined, `${name}.${field}`);
      if (field === 'stub' || field === 'in_use') assert.equal(typeof value, 'boolean', `${name}.${field}`);
      if (['vendor', 'model', 'cpid_info', 'attach_info', 'name', 'key', 'value', 'std_board_info', 'vendor_board_info'].includes(field)) {
        assert.equal(typeof value, 'string', `${name}.${field} is a String field`);
      }
    }
  }
});
