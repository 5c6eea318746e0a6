/** The simulated target's state: NVMe SSDs, AIO, vhost sockets, iSCSI, counters, config round trip, scale. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, rawExchange, startSim } from '../../helpers/sim.js';

type Bdev = {
  name: string;
  aliases: string[];
  uuid?: string;
  num_blocks: number;
  block_size: number;
  claimed: boolean;
  driver_specific: Record<string, unknown>;
};

/**
 * The simulator's error lines, like SPDK's, are written before its reply, but reach this process
 * through a pipe that may be read after the reply's socket: wait for them (a loaded machine shows it).
 */
async function stderrShows(sim: { stderr(): string }, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(sim.stderr()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.match(sim.stderr(), pattern);
}

test('PCIe NVMe attach: bdevs per namespace with the drive data real SPDK reports', async () => {
  const sim = await startSim({
    pollPeriodUs: 0,
    args: ['--sim-nvme', '0000:3b:00.0,model=ACME NVMe 3000,serial=ACME0001,fw=2.1.0,vendor=0x1e0f,size=800G,namespaces=2,security=1'],
  });
  assert.deepEqual((await sim.call('bdev_nvme_attach_controller', { name: 'Nvme0', trtype: 'PCIe', traddr: '3b:00.0' })).result, ['Nvme0n1', 'Nvme0n2']);
  const [bdev] = (await sim.call('bdev_get_bdevs', { name: 'Nvme0n2' })).result as Bdev[];
  assert.equal(bdev!.num_blocks, 800_000_000_000 / 512 / 2);
  const nvme = (bdev!.driver_specific.nvme as Array<Record<string, unknown>>)[0]!;
  assert.equal(nvme.pci_address, '0000:3b:00.0');
  assert.deepEqual(nvme.trid, { trtype: 'PCIe', traddr: '0000:3b:00.0' });
  assert.deepEqual(nvme.ctrlr_data, {
    cntlid: 0,
    vendor_id: '0x1e0f',
    model_number: 'ACME NVMe 3000',
    serial_number: 'ACME0001',
    firmware_revision: '2.1.0',
    subnqn: 'nqn.2019-08.org.qemu:ACME0001',
    oacs: { security: 1, format: 1, firmware: 1, ns_manage: 1 },
    multi_ctrlr: false,
    ana_reporting: false,
  });
  assert.deepEqual(nvme.ns_data, { id: 2, can_share: false });
  assert.deepEqual(nvme.security, { opal: false });
  assert.deepEqual((await sim.call('bdev_nvme_attach_controller', { name: 'Nvme9', trtype: 'PCIe', traddr: '0000:3b:00.0' })).error, {
    code: -17,
    message: 'File exists',
  });
  assert.deepEqual((await sim.call('bdev_nvme_attach_controller', { name: 'Nvme1', trtype: 'PCIe', traddr: '0000:99:00.0' })).error, {
    code: -19,
    message: 'No such device',
  });
  assert.deepEqual((await sim.call('bdev_nvme_attach_controller', { name: 'Nvme1', trtype: 'nvme-x', traddr: '0000:99:00.0' })).error, {
    code: -22,
    message: 'Failed to parse trtype: nvme-x',
  });
  assert.equal((await sim.call('bdev_nvme_detach_controller', { name: 'Nvme0' })).result, true);
  assert.deepEqual((await sim.call('bdev_get_bdevs')).result, []);
  // Detach and attach again: the namespace keeps its UUID, like a real drive.
  await sim.call('bdev_nvme_attach_controller', { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:3b:00.0' });
  const [again] = (await sim.call('bdev_get_bdevs', { name: 'Nvme0n2' })).result as Bdev[];
  assert.equal(again!.uuid, bdev!.uuid);
  await sim.stop();
});

test('-u/--no-pci and -B make PCIe attach fail as SPDK would; a drive without namespace UUID has no uuid', async () => {
  const noPci = await startSim({ pollPeriodUs: 0, args: ['-u'] });
  assert.deepEqual((await noPci.call('bdev_nvme_attach_controller', { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:5e:00.0' })).error, {
    code: -19,
    message: 'No such device',
  });
  await stderrShows(noPci, /No controller was found with provided trid \(traddr: 0000:5e:00\.0\)/);
  await noPci.stop();
  const blocked = await startSim({ pollPeriodUs: 0, args: ['-B', '0000:5e:00.0'] });
  assert.equal((await blocked.call('bdev_nvme_attach_controller', { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:5e:00.0' })).error?.code, -19);
  assert.deepEqual((await blocked.call('bdev_nvme_attach_controller', { name: 'Nvme1', trtype: 'PCIe', traddr: '0000:af:00.0' })).result, ['Nvme1n1']);
  const [samsung] = (await blocked.call('bdev_get_bdevs', { name: 'Nvme1n1' })).result as Bdev[];
  assert.equal(samsung!.uuid, undefined);
  assert.deepEqual(samsung!.aliases, []);
  await blocked.stop();
});

test('AIO bdevs need an existing file; a regular file needs block_size', async (t) => {
  const dir = makeTempDir('sim-aio-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'disk.img');
  writeFileSync(file, Buffer.alloc(1024 * 1024));
  const sim = await startSim({ pollPeriodUs: 0 });
  assert.deepEqual((await sim.call('bdev_aio_create', { name: 'A0', filename: path.join(dir, 'missing.img'), block_size: 512 })).error, {
    code: -2,
    message: 'No such file or directory',
  });
  assert.deepEqual((await sim.call('bdev_aio_create', { name: 'A0', filename: file })).error, { code: -22, message: 'Invalid argument' });
  await stderrShows(sim, /Block size could not be auto-detected/);
  assert.equal((await sim.call('bdev_aio_create', { name: 'A0', filename: file, block_size: 4096 })).result, 'A0');
  const [aio] = (await sim.call('bdev_get_bdevs', { name: 'A0' })).result as Bdev[];
  assert.equal(aio!.num_blocks, 256);
  assert.deepEqual(aio!.driver_specific, { aio: { filename: file, block_size_override: true, readonly: false, fallocate: false } });
  assert.equal((await sim.call('bdev_aio_delete', { name: 'A0' })).result, true);
  await sim.stop();
});

test('vhost controllers create their sockets in the -S directory and remove them', async (t) => {
  const dir = makeTempDir('sim-vhost-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sim = await startSim({ app: 'vhost', pollPeriodUs: 0, args: ['-S', dir] });
  await sim.call('bdev_malloc_create', { name: 'M0', num_blocks: 2048, block_size: 512 });
  assert.equal((await sim.call('vhost_create_blk_controller', { ctrlr: 'vhost.0', dev_name: 'M0' })).result, true);
  assert.equal((await sim.call('vhost_create_scsi_controller', { ctrlr: 'vhost.1' })).result, true);
  assert.ok(lstatSync(path.join(dir, 'vhost.0')).isSocket());
  assert.ok(lstatSync(path.join(dir, 'vhost.1')).isSocket());
  const [ctrl] = (await sim.call('vhost_get_controllers', { name: 'vhost.0' })).result as Array<{ socket: string }>;
  assert.equal(ctrl!.socket, path.join(dir, 'vhost.0'));
  // Deleting the bdev leaves the controller with "bdev": null.
  await sim.call('bdev_malloc_delete', { name: 'M0' });
  const [orphan] = (await sim.call('vhost_get_controllers', { name: 'vhost.0' })).result as Array<{ backend_specific: { block: { bdev: unknown } } }>;
  assert.equal(orphan!.backend_specific.block.bdev, null);
  assert.equal((await sim.call('vhost_delete_controller', { ctrlr: 'vhost.0' })).result, true);
  assert.equal(existsSync(path.join(dir, 'vhost.0')), false);
  await sim.stop();
  assert.equal(existsSync(path.join(dir, 'vhost.1')), false, 'a clean exit removes the vhost sockets');
});

test('iSCSI: portal group, initiator group, target node with a LUN, SCSI device and config', async () => {
  const sim = await startSim({ app: 'iscsi_tgt', pollPeriodUs: 0 });
  await sim.call('bdev_malloc_create', { name: 'M0', num_blocks: 2048, block_size: 512 });
  assert.equal((await sim.call('iscsi_create_portal_group', { tag: 1, portals: [{ host: '127.0.0.1', port: '3260' }] })).result, true);
  assert.equal((await sim.call('iscsi_create_initiator_group', { tag: 2, initiators: ['ANY'], netmasks: ['127.0.0.1/32'] })).result, true);
  const node = { name: 'disk1', alias_name: 'Disk 1', pg_ig_maps: [{ pg_tag: 1, ig_tag: 2 }], luns: [{ bdev_name: 'M0', lun_id: 0 }], queue_depth: 64 };
  assert.equal((await sim.call('iscsi_create_target_node', node)).result, true);
  assert.deepEqual((await sim.call('iscsi_create_target_node', node)).error, { code: -32602, message: 'Invalid parameters' });
  assert.deepEqual((await sim.call('iscsi_get_portal_groups')).result, [{ tag: 1, portals: [{ host: '127.0.0.1', port: '3260' }], private: false }]);
  const [target] = (await sim.call('iscsi_get_target_nodes')).result as Array<{ name: string; luns: unknown }>;
  assert.equal(target!.name, 'iqn.2016-06.io.spdk:disk1');
  assert.deepEqual(target!.luns, [{ bdev_name: 'M0', lun_id: 0 }]);
  assert.deepEqual((await sim.call('scsi_get_devices')).result, [{ id: 0, device_name: 'iqn.2016-06.io.spdk:disk1' }]);
  assert.deepEqual((await sim.call('iscsi_get_target_nodes', {})).error, { code: -32602, message: 'iscsi_get_target_nodes requires no parameters' });
  const config = (await sim.call('framework_get_config', { name: 'iscsi' })).result as Array<{ method: string }>;
  assert.deepEqual(
    config.map((e) => e.method),
    ['iscsi_set_options', 'iscsi_create_portal_group', 'iscsi_create_initiator_group', 'iscsi_create_target_node'],
  );
  await sim.stop();
});

test('bdev_get_iostat counters move between calls on exported bdevs; ticks start beyond 2^53 exactly', async () => {
  const sim = await startSim({ pollPeriodUs: 0, args: ['--sim-ticks-start', '9007199254740993', '--sim-io-ops-per-sec', '2000'] });
  await sim.call('bdev_null_create', { name: 'N0', num_blocks: 1024, block_size: 512 });
  await sim.call('nvmf_create_subsystem', { nqn: 'nqn.2016-06.io.spdk:c1' });
  await sim.call('nvmf_subsystem_add_ns', { nqn: 'nqn.2016-06.io.spdk:c1', namespace: { bdev_name: 'N0' } });
  const read = async (): Promise<{ raw: string; ops: number }> => {
    const { replies } = await rawExchange(sim.socket, '{"jsonrpc":"2.0","method":"bdev_get_iostat","params":{"name":"N0"},"id":1}');
    const raw = replies[0]!;
    return { raw, ops: Number(/"num_read_ops":(\d+)/.exec(raw)![1]) + Number(/"num_write_ops":(\d+)/.exec(raw)![1]) };
  };
  const first = await read();
  await new Promise((r) => setTimeout(r, 300));
  const second = await read();
  assert.ok(second.ops > first.ops, `counters moved: ${first.ops} → ${second.ops}`);
  const ticks = BigInt(/"ticks":(\d+)/.exec(second.raw)![1]!);
  assert.ok(ticks > 9007199254740993n, 'exact uint64 ticks, written as a bare integer beyond 2^53');
  assert.ok(BigInt(/"ticks":(\d+)/.exec(first.raw)![1]!) < ticks);
  await sim.stop();
});

test('framework_get_config of every subsystem replays into a fresh target (save_config → -c)', async () => {
  const sim = await startSim({ app: 'spdk_tgt', pollPeriodUs: 0 });
  await sim.call('bdev_malloc_create', { name: 'M0', num_blocks: 4096, block_size: 512 });
  await sim.call('bdev_null_create', { name: 'N0', num_blocks: 4096, block_size: 4096 });
  await sim.call('bdev_nvme_attach_controller', { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:5e:00.0' });
  await sim.call('nvmf_create_transport', { trtype: 'TCP' });
  await sim.call('nvmf_create_subsystem', { nqn: 'nqn.2016-06.io.spdk:c1', allow_any_host: true, serial_number: 'SIM001' });
  await sim.call('nvmf_subsystem_add_ns', { nqn: 'nqn.2016-06.io.spdk:c1', namespace: { bdev_name: 'M0' } });
  await sim.call('nvmf_subsystem_add_listener', {
    nqn: 'nqn.2016-06.io.spdk:c1',
    listen_address: { trtype: 'tcp', adrfam: 'ipv4', traddr: '127.0.0.1', trsvcid: '4420' },
  });
  const saved = { subsystems: [] as Array<{ subsystem: string; config: unknown }> };
  for (const { subsystem } of (await sim.call('framework_get_subsystems')).result as Array<{ subsystem: string }>) {
    saved.subsystems.push({ subsystem, config: (await sim.call('framework_get_config', { name: subsystem })).result });
  }
  // Sorted: the replay registers NVMe bdevs first (the nvme module's entries precede the
  // per-bdev ones), as it does on a real target.
  const inventory = (bdevs: Bdev[]): unknown[] =>
    bdevs.map((b) => [b.name, b.uuid, b.num_blocks, b.claimed]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const before = {
    bdevs: inventory((await sim.call('bdev_get_bdevs')).result as Bdev[]),
    subsystems: (await sim.call('nvmf_get_subsystems')).result,
  };
  await sim.stop();
  const copy = await startSim({ app: 'spdk_tgt', pollPeriodUs: 0, jsonConfig: saved });
  const after = {
    bdevs: inventory((await copy.call('bdev_get_bdevs')).result as Bdev[]),
    subsystems: (await copy.call('nvmf_get_subsystems')).result,
  };
  assert.deepEqual(after, before);
  await copy.stop();
});

test('a config error stops start-up (exit 1) unless --json-ignore-init-errors', async () => {
  const jsonConfig = {
    subsystems: [
      {
        subsystem: 'bdev',
        config: [
          { method: 'bdev_malloc_create', params: { name: 'M0', num_blocks: 64, block_size: 500 } },
          { method: 'bdev_null_create', params: { name: 'N0', num_blocks: 64, block_size: 512 } },
        ],
      },
      { subsystem: 'vhost_blk', config: [{ method: 'vhost_create_blk_controller', params: { ctrlr: 'v', dev_name: 'N0' } }] },
    ],
  };
  const strict = await startSim({ pollPeriodUs: 0, jsonConfig, waitReady: false });
  assert.equal((await strict.exited).code, 1);
  assert.match(strict.stderr(), /error response: \{"code":-22,"message":"Invalid argument"\}/);
  const lenient = await startSim({ pollPeriodUs: 0, jsonConfig, args: ['--json-ignore-init-errors'] });
  assert.deepEqual(
    ((await lenient.call('bdev_get_bdevs')).result as Bdev[]).map((b) => b.name),
    ['N0'],
  );
  assert.match(lenient.stderr(), /Skipping method 'vhost_create_blk_controller' because its subsystem 'vhost_blk' is not linked into this application\./);
  await lenient.stop();
  const broken = await startSim({ pollPeriodUs: 0, args: ['-c', '/dev/null'], waitReady: false });
  assert.equal((await broken.exited).code, 1);
  assert.match(broken.stderr(), /Parsing JSON configuration failed/);
});

test('big inventories: 10,000 null bdevs from -c, all listed by one bdev_get_bdevs', { timeout: 120_000 }, async () => {
  const config = [];
  for (let i = 0; i < 10000; i++) config.push({ method: 'bdev_null_create', params: { name: `Null${i}`, num_blocks: 1024, block_size: 512 } });
  const sim = await startSim({ pollPeriodUs: 0, jsonConfig: { subsystems: [{ subsystem: 'bdev', config }] }, readyTimeoutMs: 60000 });
  const { replies } = await rawExchange(sim.socket, '{"jsonrpc":"2.0","method":"bdev_get_bdevs","id":1}', { timeoutMs: 60000 });
  const bdevs = (JSON.parse(replies[0]!) as { result: Bdev[] }).result;
  assert.equal(bdevs.length, 10000);
  assert.equal(bdevs[9999]!.name, 'Null9999');
  await sim.stop();
});

test('malloc memory comes out of -s: a bdev that does not fit is -12', async () => {
  const sim = await startSim({ pollPeriodUs: 0, args: ['-s', '64'] });
  assert.equal((await sim.call('bdev_malloc_create', { name: 'M0', num_blocks: 65536, block_size: 512 })).result, 'M0');
  assert.deepEqual((await sim.call('bdev_malloc_create', { name: 'M1', num_blocks: 131072, block_size: 512 })).error, {
    code: -12,
    message: 'Cannot allocate memory',
  });
  await sim.call('bdev_malloc_delete', { name: 'M0' });
  assert.equal((await sim.call('bdev_malloc_create', { name: 'M1', num_blocks: 65536, block_size: 512 })).result, 'M1', 'freed memory is reusable');
  await sim.stop();
});

test('notifications record bdev registration and removal', async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  await sim.call('bdev_null_create', { name: 'N0', num_blocks: 64, block_size: 512 });
  await sim.call('bdev_null_delete', { name: 'N0' });
  assert.deepEqual((await sim.call('notify_get_notifications', { id: 0 })).result, [
    { type: 'bdev_register', ctx: 'N0', id: 0 },
    { type: 'bdev_unregister', ctx: 'N0', id: 1 },
  ]);
  assert.deepEqual((await sim.call('notify_get_notifications', { id: 1, max: 1 })).result, [{ type: 'bdev_unregister', ctx: 'N0', id: 1 }]);
  await sim.stop();
});
