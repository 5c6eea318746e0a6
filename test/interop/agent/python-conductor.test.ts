/**
 * The agent's report_data against a real Python conductor: oslo.messaging 14 serving the conductor
 * topic, hydrating every device list with oslo.versionedobjects classes of the same names,
 * versions and fields as Cyborg's driver objects (test/interop/py/cyborg_objects.py), and reading
 * every field of every object as ConductorManager.report_data does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerSkip, closeConnectionByName, rabbitmqctlSkip, testAmqpUrl, waitFor, type BrokerScope } from '../../helpers/broker.js';
import { PythonPeer, pythonSkip, type PeerEvent } from '../../helpers/python.js';
import { rawExchange } from '../../helpers/sim.js';
import { HOST, REPORTED_HOSTNAME, brokerScope, makeAgentNode, startDaemon } from '../../integration/agent/harness.js';

const skip = (await rabbitmqctlSkip()) || (await pythonSkip());
const skipNoCtl = (await brokerSkip()) || (await pythonSkip());

interface HydratedAttribute {
  key: string;
  value: string;
}
interface HydratedDeployable {
  name: string;
  num_accelerators: number;
  attribute_list: HydratedAttribute[];
  attach_handle_list: Array<{ attach_type: string; attach_info: string; in_use: boolean }>;
  driver_name: string | null;
}
interface HydratedDevice {
  vendor: string;
  model: string;
  type: string;
  std_board_info: string | null;
  vendor_board_info: string | null;
  controlpath_id: { cpid_type: string; cpid_info: string };
  deployable_list: HydratedDeployable[];
  stub: boolean;
}
interface RegistrationEvent extends PeerEvent {
  n: number;
  hostname: string;
  types: string[];
  devices: HydratedDevice[];
  problems: string[];
  refused: boolean;
}

const cpid = (bus: string): string => `{"bus": "${bus}", "device": "00", "domain": "0000", "function": "0"}`;

function reports(peer: PythonPeer): RegistrationEvent[] {
  return peer.events.filter((e): e is RegistrationEvent => e.event === 'report');
}

async function nextReport(
  peer: PythonPeer,
  after: number,
  match: (r: RegistrationEvent) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<RegistrationEvent> {
  return (await peer.waitForEvent('report', timeoutMs, (e) => (e as RegistrationEvent).n > after && match(e as RegistrationEvent))) as RegistrationEvent;
}

async function startConductor(t: Parameters<typeof brokerScope>[0], scope: BrokerScope, topic: string): Promise<PythonPeer> {
  const peer = await PythonPeer.start(t, 'cyborg_conductor.py', { url: testAmqpUrl, exchange: scope.exchange, topic, server: 'conductor-1', max_seconds: 300 });
  // Stopped before the scope deletes the broker objects: a consumer whose queue is deleted under it
  // declares it again.
  scope.defer(() => peer.stop());
  return peer;
}

async function rpc(socket: string, method: string, params: unknown): Promise<void> {
  const { replies } = await rawExchange(socket, JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }), { timeoutMs: 10_000 });
  assert.ok(replies[0] && !JSON.parse(replies[0]).error, `${method}: ${replies[0]}`);
}

test('a real conductor hydrates every report: at start-up, after an RPC change, after the broker connection is cut', { skip, timeout: 180_000 }, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope);
  const conductor = await startConductor(t, scope, node.conductorTopic);
  const daemon = await startDaemon(scope, node.config);

  const first = await nextReport(conductor, 0);
  await t.test('start-up: every object hydrated, every field set, exactly the agent’s mapping', () => {
    assert.equal(first.hostname, REPORTED_HOSTNAME);
    assert.deepEqual(first.problems, []);
    assert.deepEqual(first.types, ['DriverAttachHandle', 'DriverAttribute', 'DriverControlPathID', 'DriverDeployable', 'DriverDevice']);
    assert.deepEqual(
      first.devices.map((d) => d.controlpath_id),
      [
        { cpid_type: 'PCI', cpid_info: cpid('5e') },
        { cpid_type: 'PCI', cpid_info: cpid('af') },
        { cpid_type: 'PCI', cpid_info: cpid('d8') },
      ],
    );
    const [intel, samsung, vhostDrive] = first.devices as [HydratedDevice, HydratedDevice, HydratedDevice];
    assert.deepEqual([intel.vendor, intel.model, intel.type, intel.stub], ['8086', 'INTEL SSDPF2KX038TZ', 'SSD', false]);
    assert.deepEqual([samsung.vendor, samsung.model, samsung.deployable_list], ['144d', 'SAMSUNG MZWLR1T9HBJR-00007', []]);
    assert.equal(JSON.parse(intel.vendor_board_info!).spdk_target, 'nvmf0');
    assert.equal(JSON.parse(intel.std_board_info!).serial_number, 'PHAC1234006R3P8CGN');
    assert.deepEqual(intel.deployable_list, [
      {
        name: `${REPORTED_HOSTNAME}_0000:5e:00.0_nvmf_nqn.2016-06.io.spdk:cnode1`,
        num_accelerators: 1,
        attribute_list: [
          { key: 'rc', value: 'CUSTOM_SPDK_NVMF' },
          { key: 'trait_CUSTOM_SPDK', value: 'CUSTOM_SPDK' },
          { key: 'trait_CUSTOM_SPDK_NVMF_TCP', value: 'CUSTOM_SPDK_NVMF_TCP' },
          { key: 'trait_CUSTOM_SSD_INTEL', value: 'CUSTOM_SSD_INTEL' },
        ],
        attach_handle_list: [{ attach_type: 'TEST_PCI', attach_info: '{"nqn": "nqn.2016-06.io.spdk:cnode1", "type": "nvmf"}', in_use: false }],
        driver_name: 'SPDK',
      },
    ]);
    assert.deepEqual(
      vhostDrive.deployable_list.map((d) => [d.name, d.attribute_list[0]!.value, d.attach_handle_list[0]!.attach_info]),
      [[`${REPORTED_HOSTNAME}_0000:d8:00.0_vhost-blk_vhost.0`, 'CUSTOM_SPDK_VHOST_BLK', '{"ctrlr": "vhost.0", "type": "vhost_blk"}']],
    );
    assert.ok(!conductor.events.some((e) => e.event === 'hydration_error'));
  });

  await t.test('a subsystem added over RPC reaches the conductor, hydrated', async () => {
    const before = reports(conductor).length;
    const nqn = 'nqn.2016-06.io.spdk:added-by-rpc';
    await rpc(node.socket.nvmf0, 'nvmf_create_subsystem', { nqn, allow_any_host: true });
    await rpc(node.socket.nvmf0, 'nvmf_subsystem_add_listener', {
      nqn,
      listen_address: { trtype: 'TCP', adrfam: 'IPv4', traddr: '127.0.0.1', trsvcid: '4430' },
    });
    await rpc(node.socket.nvmf0, 'nvmf_subsystem_add_ns', { nqn, namespace: { bdev_name: 'Nvme1n1' } });
    const report = await nextReport(conductor, before, (r) => r.devices[1]!.deployable_list.length === 1);
    assert.deepEqual(report.problems, []);
    assert.equal(report.devices[1]!.deployable_list[0]!.name, `${REPORTED_HOSTNAME}_0000:af:00.0_nvmf_${nqn}`);
    assert.deepEqual(
      report.devices[1]!.deployable_list[0]!.attribute_list.map((a) => a.value),
      ['CUSTOM_SPDK_NVMF', 'CUSTOM_SPDK', 'CUSTOM_SPDK_NVMF_TCP', 'CUSTOM_SSD_SAMSUNG'],
    );
    assert.equal(report.devices[0]!.controlpath_id.cpid_info, first.devices[0]!.controlpath_id.cpid_info, 'identities are byte-stable');
    assert.equal(
      report.devices[0]!.deployable_list[0]!.attach_handle_list[0]!.attach_info,
      first.devices[0]!.deployable_list[0]!.attach_handle_list[0]!.attach_info,
    );
  });

  await t.test('the broker connection cut and back: the agent reports again and answers again', async () => {
    const before = reports(conductor).length;
    const name = daemon.bus?.transport?.connectionName;
    assert.ok(name);
    await closeConnectionByName(name, 'test: cut the agent connection');
    const again = await nextReport(conductor, before, () => true, 30_000);
    assert.deepEqual(again.problems, []);
    assert.equal(again.devices.length, 3);
    await waitFor('the agent to serve again', () => daemon.bus?.serving === true);
  });
  assert.equal(HOST, daemon.config.agent.host);
  assertAllHydrated(conductor);
});

/** Every report the conductor received was hydrated, with every field of every object set. */
function assertAllHydrated(peer: PythonPeer): void {
  assert.deepEqual(
    peer.events.filter((e) => e.event === 'hydration_error'),
    [],
  );
  const all = reports(peer);
  assert.ok(all.length > 0);
  for (const report of all) assert.deepEqual(report.problems, [], `report ${report.n}`);
}

test('a target crashed by a simulator fault and restarted by policy: kept as a stub meanwhile, then reported again', {
  skip: skipNoCtl,
  timeout: 180_000,
}, async (t) => {
  const scope = brokerScope(t);
  // vhost0 dies (SIGKILL, as a crash) at its 60th request: health probes and inventory reads
  // reach that within seconds of every (re)start.
  const node = await makeAgentNode(t, scope, {
    target: {
      vhost0: { extraArgs: ['--sim-fault', 'crash-after=60'], restart: { policy: 'on-failure', maxAttempts: 10, initialDelaySec: 1, maxDelaySec: 1 } },
    },
  });
  const conductor = await startConductor(t, scope, node.conductorTopic);
  const daemon = await startDaemon(scope, node.config);
  const crashes: string[] = [];
  daemon.manager.on('state', (e) => {
    if (e.target === 'vhost0' && e.to === 'crashed') crashes.push(e.reason);
  });

  const first = await nextReport(conductor, 0);
  assert.equal(first.devices.find((d) => d.controlpath_id.cpid_info === cpid('d8'))?.stub, false);
  const stubbed = await nextReport(conductor, first.n, (r) => r.devices.some((d) => d.controlpath_id.cpid_info === cpid('d8') && d.stub), 60_000);
  assert.deepEqual(stubbed.problems, []);
  assert.ok(crashes.length >= 1 && crashes[0]!.includes('SIGKILL'), crashes.join('; '));
  const kept = stubbed.devices.find((d) => d.controlpath_id.cpid_info === cpid('d8'))!;
  assert.deepEqual(
    kept.deployable_list.map((d) => d.name),
    [`${REPORTED_HOSTNAME}_0000:d8:00.0_vhost-blk_vhost.0`],
    'the stub is the whole device as last known',
  );
  assert.equal(stubbed.devices.filter((d) => d.stub).length, 1, 'only the crashed target’s drive is a stub');

  const restarted = await nextReport(conductor, stubbed.n, (r) => r.devices.some((d) => d.controlpath_id.cpid_info === cpid('d8') && !d.stub), 60_000);
  assert.deepEqual(restarted.problems, []);
  assert.equal(restarted.devices.length, 3);
  assertAllHydrated(conductor);
});
