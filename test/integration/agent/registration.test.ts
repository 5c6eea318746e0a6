/**
 * Registration with the conductor, end to end on the real broker and simulated targets (a
 * conductor on our own bus records every report_data): at start-up, after changes nobody announced
 * (a subsystem added with an RPC), after lifecycle changes (stop/start over the bus, a crash and
 * the restart by policy), and not for changes that do not concern Cyborg.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { brokerSkip } from '../../helpers/broker.js';
import { rawExchange } from '../../helpers/sim.js';
import { HOST, REPORTED_HOSTNAME, TestConductor, brokerScope, deviceSummary, isAlive, makeAgentNode, startDaemon } from './harness.js';

const skip = await brokerSkip();

const NVMF_DEVICES = ['0000:5e:00.0: cn1.example.org_0000:5e:00.0_nvmf_nqn.2016-06.io.spdk:cnode1', '0000:af:00.0: '];
const VHOST_DEVICE = '0000:d8:00.0: cn1.example.org_0000:d8:00.0_vhost-blk_vhost.0';

async function rpc(socket: string, method: string, params: unknown): Promise<unknown> {
  const { replies } = await rawExchange(socket, JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }), { timeoutMs: 10_000 });
  const reply = JSON.parse(replies[0] ?? 'null') as { result?: unknown; error?: { message: string } } | null;
  assert.ok(reply && !reply.error, `${method}: ${JSON.stringify(reply)}`);
  return reply.result;
}

test('the agent registers its drives at start-up, then after every change that concerns Cyborg', { skip, timeout: 120_000 }, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope);
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const daemon = await startDaemon(scope, node.config);
  const client = conductor.transport.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: 20_000 });

  await t.test('start-up: every PCIe drive of every target, under the reported hostname', async () => {
    const first = await conductor.waitFor('the start-up report', () => true);
    assert.equal(first.hostname, REPORTED_HOSTNAME);
    assert.deepEqual(deviceSummary(first), [...NVMF_DEVICES, VHOST_DEVICE]);
    assert.ok(first.devices.every((d) => !d.stub));
  });

  await t.test('the agent answers under both of its names', async () => {
    const byHost = (await client.call('ping')) as { pong: string };
    const byFqdn = (await client.prepare({ server: REPORTED_HOSTNAME }).call('ping')) as { pong: string };
    assert.equal(byHost.pong, HOST);
    assert.equal(byFqdn.pong, HOST);
  });

  await t.test('a subsystem added with an RPC (nobody told the agent) is reported', async () => {
    const before = conductor.registrations.length;
    const nqn = 'nqn.2016-06.io.spdk:added-later';
    await rpc(node.socket.nvmf0, 'nvmf_create_subsystem', { nqn, allow_any_host: true });
    await rpc(node.socket.nvmf0, 'nvmf_subsystem_add_ns', { nqn, namespace: { bdev_name: 'Nvme1n1' } });
    const report = await conductor.waitFor('a report with the new subsystem', (r) => deviceSummary(r).some((l) => l.includes('added-later')), before);
    assert.ok(deviceSummary(report).includes(`0000:af:00.0: ${REPORTED_HOSTNAME}_0000:af:00.0_nvmf_${nqn}`));
  });

  await t.test('a change that does not concern Cyborg (a RAM disk) sends nothing', async () => {
    const before = conductor.registrations.length;
    await rpc(node.socket.nvmf0, 'bdev_malloc_create', { name: 'Malloc9', num_blocks: 2048, block_size: 512 });
    await sleep(1500);
    assert.equal(conductor.registrations.length, before);
  });

  await t.test('stop over the bus: the drive leaves the report; start: it comes back', async () => {
    let before = conductor.registrations.length;
    const stopped = (await client.call('stop', { target: 'vhost0' })) as { target: { state: string } };
    assert.equal(stopped.target.state, 'stopped');
    await conductor.waitFor('a report without vhost0', (r) => !r.devices.some((d) => d.bdf === '0000:d8:00.0'), before);
    before = conductor.registrations.length;
    const started = (await client.call('start', { target: 'vhost0' })) as { state: string; pid: number };
    assert.equal(started.state, 'running');
    const back = await conductor.waitFor('a report with vhost0 again', (r) => r.devices.some((d) => d.bdf === '0000:d8:00.0'), before);
    assert.ok(deviceSummary(back).includes(VHOST_DEVICE));
  });

  await t.test('a crash: the drive is kept as is (stub) while the target restarts, then reported again', async () => {
    const before = conductor.registrations.length;
    const pid = daemon.manager.get('vhost0').pid;
    assert.ok(pid !== undefined && isAlive(pid));
    process.kill(pid, 'SIGKILL');
    const kept = await conductor.waitFor('a report keeping vhost0 as a stub', (r) => r.devices.some((d) => d.bdf === '0000:d8:00.0' && d.stub), before);
    assert.deepEqual(deviceSummary(kept).at(-1), `0000:d8:00.0 (stub): ${VHOST_DEVICE.split(': ')[1]}`);
    const index = conductor.registrations.indexOf(kept);
    await conductor.waitFor('a report after the restart', (r) => r.devices.some((d) => d.bdf === '0000:d8:00.0' && !d.stub), index + 1);
    assert.equal(daemon.manager.get('vhost0').state, 'running');
    assert.notEqual(daemon.manager.get('vhost0').pid, pid);
  });
});
