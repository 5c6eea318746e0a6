/** Emulated releases (contract §4): method names, version reporting, result shapes of §4.4. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rawExchange, SimConnection, startSim } from '../../helpers/sim.js';

test('v17.07: no method list, no version method; create answers ["Malloc0"]; unknown bdev is -32602', async () => {
  const sim = await startSim({ emulateVersion: '17.07', pollPeriodUs: 0 });
  for (const m of ['rpc_get_methods', 'get_rpc_methods', 'spdk_get_version', 'get_spdk_version']) {
    assert.deepEqual((await sim.call(m)).error, { code: -32601, message: 'Method not found' }, m);
  }
  assert.deepEqual((await sim.call('construct_malloc_bdev', { num_blocks: 64, block_size: 512 })).result, ['Malloc0']);
  assert.ok((await sim.call('construct_malloc_bdev', { name: 'X', num_blocks: 64, block_size: 512 })).error, 'v17.07 took no name');
  assert.deepEqual((await sim.call('construct_null_bdev', { name: 'N', num_blocks: 64, block_size: 512 })).result, ['N']);
  assert.deepEqual((await sim.call('get_bdevs', { name: 'nope' })).error, { code: -32602, message: 'Invalid parameters' });
  assert.equal((await sim.call('delete_bdev', { name: 'N' })).result, true);
  assert.equal((await sim.call('construct_nvmf_subsystem', { nqn: 'nqn.2016-06.io.spdk:c1', allow_any_host: true })).result, true);
  assert.equal(((await sim.call('get_nvmf_subsystems')).result as unknown[]).length, 2);
  // No RPC states before v18.07: everything runs at once.
  assert.equal((await sim.call('kill_instance', { sig_name: 'SIGTERM' })).result, true);
  assert.equal((await sim.exited).code, 0);
});

test("v17.07 vhost: blk and scsi controllers are listed apart, in v17.07's shapes", async () => {
  const sim = await startSim({ app: 'vhost', emulateVersion: '17.07', pollPeriodUs: 0 });
  assert.deepEqual((await sim.call('construct_malloc_bdev', { num_blocks: 64, block_size: 512 })).result, ['Malloc0']);
  assert.deepEqual((await sim.call('construct_malloc_bdev', { num_blocks: 64, block_size: 512 })).result, ['Malloc1']);
  assert.equal((await sim.call('construct_vhost_blk_controller', { ctrlr: 'vhost.0', dev_name: 'Malloc0' })).result, true);
  assert.equal((await sim.call('construct_vhost_scsi_controller', { ctrlr: 'vhost.1' })).result, true);
  assert.equal((await sim.call('add_vhost_scsi_lun', { ctrlr: 'vhost.1', scsi_dev_num: 0, lun_name: 'Malloc1' })).result, true);
  assert.deepEqual((await sim.call('get_vhost_blk_controllers')).result, [{ ctrlr: 'vhost.0', cpu_mask: '0x1', bdev: 'Malloc0', readonly: false }]);
  // SPDK v17.07's lib/vhost/vhost_rpc.c: scsi_dev_num, then the device's id, device_name and luns.
  assert.deepEqual((await sim.call('get_vhost_scsi_controllers')).result, [
    { ctrlr: 'vhost.1', cpu_mask: '0x1', scsi_devs: [{ scsi_dev_num: 0, id: 0, device_name: 'Target 0', luns: [{ id: 0, name: 'Malloc1' }] }] },
  ]);
  assert.deepEqual((await sim.call('get_vhost_controllers')).error?.code, -32601);
  await sim.stop();
});

test('v19.04: get_rpc_methods/get_spdk_version, array-shaped iostat, flat NVMe controllers', async () => {
  const sim = await startSim({ emulateVersion: '19.04', pollPeriodUs: 0 });
  const methods = (await sim.call('get_rpc_methods', { current: true })).result as string[];
  assert.ok(methods.includes('get_bdevs') && methods.includes('construct_malloc_bdev') && !methods.includes('bdev_get_bdevs'));
  assert.deepEqual((await sim.call('get_rpc_methods', { include_aliases: true })).error, { code: -32602, message: 'Invalid parameters' });
  assert.deepEqual((await sim.call('rpc_get_methods')).error?.code, -32601);
  assert.equal(((await sim.call('get_spdk_version')).result as { version: string }).version, 'SPDK v19.04 git sha1 e0bb5f3a5');
  assert.equal((await sim.call('construct_malloc_bdev', { name: 'M0', num_blocks: 64, block_size: 512 })).result, 'M0');
  const iostat = (await sim.call('get_bdevs_iostat')).result as Array<Record<string, unknown>>;
  assert.ok(Array.isArray(iostat));
  assert.deepEqual(Object.keys(iostat[0]!), ['tick_rate']);
  assert.equal(iostat[1]!.name, 'M0');
  assert.deepEqual((await sim.call('construct_nvme_bdev', { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:5e:00.0' })).result, ['Nvme0n1']);
  assert.deepEqual((await sim.call('get_nvme_controllers')).result, [{ name: 'Nvme0', trid: { trtype: 'PCIe', traddr: '0000:5e:00.0' } }]);
  assert.deepEqual((await sim.call('get_bdevs', { name: 'nope' })).error, { code: -32602, message: 'Invalid parameters' });
  assert.equal((await sim.call('nvmf_create_transport', { trtype: 'TCP' })).result, true);
  await sim.stop();
});

test('v24.01 vs v25.09: listeners lose the `transport` key; concurrent subsystem changes queue instead of "busy"', async () => {
  for (const version of ['24.01', '25.09'] as const) {
    const sim = await startSim({ emulateVersion: version, pollPeriodUs: 0 });
    await sim.call('bdev_null_create', { name: 'A', num_blocks: 64, block_size: 512 });
    await sim.call('bdev_null_create', { name: 'B', num_blocks: 64, block_size: 512 });
    await sim.call('nvmf_create_transport', { trtype: 'TCP' });
    await sim.call('nvmf_create_subsystem', { nqn: 'nqn.2016-06.io.spdk:c1', allow_any_host: true });
    await sim.call('nvmf_subsystem_add_listener', { nqn: 'nqn.2016-06.io.spdk:c1', listen_address: { trtype: 'tcp', traddr: '127.0.0.1', trsvcid: '4420' } });
    const [sub] = (await sim.call('nvmf_get_subsystems', { nqn: 'nqn.2016-06.io.spdk:c1' })).result as Array<{
      listen_addresses: Array<Record<string, string>>;
    }>;
    if (version === '24.01')
      assert.deepEqual(sub!.listen_addresses[0], { transport: 'TCP', trtype: 'TCP', adrfam: 'IPv4', traddr: '127.0.0.1', trsvcid: '4420' });
    else assert.deepEqual(sub!.listen_addresses[0], { trtype: 'TCP', adrfam: 'IPv4', traddr: '127.0.0.1', trsvcid: '4420' });
    const addNs = (id: number, bdev: string): string =>
      `{"jsonrpc":"2.0","method":"nvmf_subsystem_add_ns","params":{"nqn":"nqn.2016-06.io.spdk:c1","namespace":{"bdev_name":"${bdev}"}},"id":${id}}`;
    const { replies } = await rawExchange(sim.socket, addNs(1, 'A') + addNs(2, 'B'), { expectReplies: 2, timeoutMs: 5000 });
    if (version === '24.01') {
      assert.deepEqual(replies, [
        '{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"subsystem busy, retry later.\\n"}}\n',
        '{"jsonrpc":"2.0","id":1,"result":1}\n',
      ]);
    } else {
      assert.deepEqual(replies, ['{"jsonrpc":"2.0","id":1,"result":1}\n', '{"jsonrpc":"2.0","id":2,"result":2}\n']);
    }
    await sim.stop();
  }
});

test('v25.09: the socket exists during initialisation but answers only when ready', async () => {
  const sim = await startSim({ emulateVersion: '25.09', pollPeriodUs: 0, faults: ['slow-start=2000'], waitReady: false });
  const deadline = Date.now() + 5000;
  while (!existsSync(sim.socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(existsSync(sim.socket), 'socket created early');
  const conn = await SimConnection.open(sim.socket);
  conn.write('{"jsonrpc":"2.0","method":"spdk_get_version","id":1}');
  assert.deepEqual(await conn.readLines(1, 200), [], 'connected but not served during init');
  const [reply] = await conn.readLines(1, 5000);
  assert.ok(reply?.includes('SPDK v25.09'));
  conn.close();
  await sim.stop();
});

test('--json with --wait-for-rpc: v24.01 ignores --wait-for-rpc; v25.09 runs the RUNTIME part after framework_start_init', async () => {
  const jsonConfig = {
    subsystems: [
      { subsystem: 'iobuf', config: [{ method: 'iobuf_set_options', params: { small_pool_count: 4096 } }] },
      { subsystem: 'bdev', config: [{ method: 'bdev_null_create', params: { name: 'Null0', num_blocks: 64, block_size: 512 } }] },
    ],
  };
  const v24 = await startSim({ pollPeriodUs: 0, jsonConfig, args: ['--wait-for-rpc'] });
  assert.equal(((await v24.call('bdev_get_bdevs')).result as unknown[]).length, 1, 'v24.01 did not wait');
  await v24.stop();
  const v25 = await startSim({ emulateVersion: '25.09', pollPeriodUs: 0, jsonConfig, args: ['--wait-for-rpc'] });
  assert.equal((await v25.call('bdev_get_bdevs')).error?.code, -1, 'still in STARTUP');
  assert.equal((await v25.call('framework_get_config', { name: 'iobuf' })).error?.code, -1, 'framework_get_config is RUNTIME-only');
  assert.equal((await v25.call('framework_start_init')).result, true);
  assert.equal(((await v25.call('bdev_get_bdevs')).result as unknown[]).length, 1, 'RUNTIME part applied after init');
  const config = (await v25.call('framework_get_config', { name: 'iobuf' })).result as Array<{ params: { small_pool_count: number } }>;
  assert.equal(config[0]!.params.small_pool_count, 4096, 'STARTUP part applied before');
  await v25.stop();
});
