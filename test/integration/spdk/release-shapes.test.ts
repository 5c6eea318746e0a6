/**
 * Each SPDK release from v24.01 to v26.05 adds members to the replies the agent reads (SPDK's JSON
 * writers at each tag: src/sim/versions/reply-members.ts, docs/simulator.md). Against the simulator
 * emulating each release, with an NVMe drive exported over NVMe-oF: the release's members are in
 * its replies (and the ones it dropped are not), and the agent reads them all: the inventory has no
 * failed section, and the drive and its export map to the same Cyborg device on every release.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mapTargets } from '../../../src/agent/inventory-mapping.js';
import { collectInventory } from '../../../src/spdk/inventory.js';
import { bdev, nvmf } from '../../../src/spdk/methods/index.js';
import { SpdkRpcClient } from '../../../src/spdk/rpc/client.js';
import { MEMBER_CHANGES, replyMembersFor } from '../../../src/sim/versions/reply-members.js';
import { startSim } from '../../helpers/sim.js';
import { repoRoot } from '../../helpers/paths.js';

const RELEASES = ['24.01', '24.05', '24.09', '25.05', '25.09', '26.01', '26.05'] as const;
const NQN = 'nqn.2016-06.io.spdk:shapes';
const BDF = '0000:5e:00.0';
const TIMEOUT = { timeoutMs: 10_000 };

type Json = Record<string, unknown>;

const mapped: string[] = [];

for (const release of RELEASES) {
  test(`v${release}: its replies carry its members, and the agent reads them`, { timeout: 60_000 }, async (t) => {
    const sim = await startSim({ app: 'nvmf_tgt', emulateVersion: release, pollPeriodUs: 0 });
    t.after(() => sim.stop());
    const client = new SpdkRpcClient({ address: sim.socket, timeoutMs: 10_000 });
    t.after(() => client.close());
    await bdev.nvmeAttachController(client, { name: 'Nvme0', trtype: 'PCIe', traddr: BDF }, TIMEOUT);
    await bdev.mallocCreate(client, { name: 'Malloc0', num_blocks: 2048, block_size: 512 }, TIMEOUT);
    await nvmf.createTransport(client, { trtype: 'TCP' }, TIMEOUT);
    await nvmf.createSubsystem(client, { nqn: NQN, allow_any_host: true }, TIMEOUT);
    await nvmf.subsystemAddNs(client, { nqn: NQN, namespace: { bdev_name: 'Nvme0n1' } }, TIMEOUT);
    await nvmf.subsystemAddListener(client, { nqn: NQN, listen_address: { trtype: 'TCP', adrfam: 'IPv4', traddr: '127.0.0.1', trsvcid: '4420' } }, TIMEOUT);

    const shape = replyMembersFor(Number(release.replace('.', '')));
    const bdevs = (await client.call('bdev_get_bdevs')) as Json[];
    const nvme = bdevs.find((b) => b.name === 'Nvme0n1')!;
    const malloc = bdevs.find((b) => b.name === 'Malloc0')!;
    assert.equal('numa_id' in nvme, shape.bdevNumaId, 'bdev numa_id');
    assert.equal('preferred_write_alignment' in nvme, shape.bdevPreferredSizes, 'bdev preferred sizes');
    const ioTypes = Object.keys(nvme.supported_io_types as Json);
    assert.deepEqual(ioTypes, shape.ioTypes ?? ioTypes.slice(0, 11), 'supported_io_types');
    if (shape.ioTypes) assert.equal((malloc.supported_io_types as Json).copy, true, 'malloc copies (v24.09+ lists it)');
    const domains = malloc.memory_domains as Json[];
    assert.equal('dma_device_id' in domains[0]!, shape.memoryDomainDeviceId, 'memory_domains dma_device_id');

    const reactor = ((await client.call('framework_get_reactors')) as { reactors: Json[] }).reactors[0]!;
    assert.equal('irq' in reactor && 'sys' in reactor && 'usr' in reactor, shape.reactorProcStat, 'reactor irq/sys/usr');
    assert.equal('tid' in reactor, shape.reactorTid, 'reactor tid');
    assert.equal('numa_id' in reactor, shape.reactorNumaId, 'reactor numa_id');

    const transport = ((await client.call('nvmf_get_transports')) as Json[])[0]!;
    assert.equal('ack_timeout' in transport, shape.transportAckAndWrPool, 'transport ack_timeout');
    assert.equal('min_kato' in transport, shape.transportKeepAlive, 'transport min_kato');
    assert.equal('iobuf_small_cache_size' in transport, shape.transportIobufCaches, 'transport iobuf caches');
    assert.equal('num_shared_buffers' in transport, !shape.transportIobufCaches, 'transport num_shared_buffers');

    const subsystem = ((await client.call('nvmf_get_subsystems')) as Json[]).find((s) => s.nqn === NQN)!;
    assert.equal('passthrough' in subsystem, shape.subsystemPassthrough, 'subsystem passthrough');
    assert.equal('dmrsl' in subsystem, shape.subsystemDmrslWzsl, 'subsystem dmrsl');
    const ctrlr = ((await client.call('bdev_nvme_get_controllers')) as Array<{ ctrlrs: Json[] }>)[0]!.ctrlrs[0]!;
    assert.equal('numa_id' in ctrlr, shape.nvmeCtrlrNumaId, 'controller numa_id');

    const config = (await client.call('framework_get_config', { name: 'nvmf' })) as Array<{ method: string; params: Json }>;
    const create = config.find((e) => e.method === 'nvmf_create_subsystem')!;
    assert.equal('max_discard_size_kib' in create.params, shape.createSubsystemLimits === 'kib', 'create_subsystem KiB limits');
    assert.equal('dmrsl' in create.params, shape.createSubsystemLimits === 'dmrsl', 'create_subsystem dmrsl');
    const setConfig = config.find((e) => e.method === 'nvmf_set_config')!;
    assert.equal('dhchap_digests' in setConfig.params, shape.nvmfConfigDhchap, 'nvmf_set_config dhchap_digests');
    assert.equal('dup_host_policy' in setConfig.params, shape.nvmfConfigDupHostPolicy, 'nvmf_set_config dup_host_policy');
    assert.deepEqual(Object.keys(setConfig.params.admin_cmd_passthru as Json), shape.adminCmdPassthru, 'admin_cmd_passthru');
    const addNs = config.find((e) => e.method === 'nvmf_subsystem_add_ns')!;
    assert.equal('no_auto_visible' in (addNs.params.namespace as Json), shape.nsNoAutoVisible, 'add_ns no_auto_visible');

    // The agent reads it all.
    const inventory = await collectInventory(client, TIMEOUT);
    assert.deepEqual(inventory.errors, [], `v${release}: no section failed`);
    assert.equal(inventory.version?.min, release);
    const result = mapTargets([{ name: 'nvmf0', app: 'nvmf_tgt', inventory }], { reportedHostname: 'cn1', deviceType: 'NVMe', remoteable: false });
    assert.equal(result.devices.length, 1, `v${release}: one drive`);
    const device = result.devices[0]!;
    assert.equal(device.bdf, BDF);
    const names = device.device.deployable_list.map((d) => `${d.name} ${d.attribute_list.map((a) => a.value).join(',')}`);
    assert.deepEqual(names, [`cn1_${BDF}_nvmf_${NQN} CUSTOM_SPDK_NVMF,CUSTOM_SPDK,CUSTOM_SPDK_NVMF_TCP,CUSTOM_SSD_INTEL`]);
    mapped.push(JSON.stringify(device.device.deployable_list));
  });
}

test('every release maps the same drive to the same deployables', () => {
  assert.equal(mapped.length, RELEASES.length, 'every release ran');
  assert.equal(new Set(mapped).size, 1);
});

test('docs/simulator.md lists every member change with its source', () => {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'simulator.md'), 'utf8');
  for (const change of MEMBER_CHANGES) {
    const release = `${String(change.since).slice(0, 2)}.${String(change.since).slice(2)}`;
    const row = doc.split('\n').find((line) => line.startsWith(`| ${release} |`) && line.includes(change.reply));
    assert.ok(row, `no row for v${release} ${change.reply}`);
    for (const member of [...change.added, ...change.removed]) assert.ok(row.includes(member.split(' ')[0]!), `v${release} ${change.reply}: ${member}`);
    assert.ok(row.includes(change.source.split(' ')[0]!), `v${release} ${change.reply}: the source file`);
  }
});
