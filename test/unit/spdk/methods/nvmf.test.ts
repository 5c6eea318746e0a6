import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nvmf from '../../../../src/spdk/methods/nvmf.js';
import { InvalidArgumentError, MethodUnavailableError, SpdkResultError, UnsupportedParameterError } from '../../../../src/spdk/methods/errors.js';
import { FakeTarget, fixtureResults } from './fake-target.js';
import { primed } from './primed-fake.js';

const captured = fixtureResults('nvmf_tgt.jsonl');
const NQN = 'nqn.2016-06.io.spdk:cnode1';

test('transports: create and list on v24.01 and v19.04 (get_nvmf_transports); trtype filter needs v21.10', async () => {
  const current = await primed('24.01');
  assert.equal(await nvmf.createTransport(current, { trtype: 'TCP' }), true);
  assert.deepEqual(await nvmf.getTransports(current), captured.get('nvmf_get_transports'));
  assert.deepEqual(current.sent(), [
    ['nvmf_create_transport', { trtype: 'TCP' }],
    ['nvmf_get_transports', undefined],
  ]);
  const old = await primed('19.04', 'nvmf_tgt', true);
  await nvmf.createTransport(old, { trtype: 'RDMA', max_queue_depth: 64 });
  await nvmf.getTransports(old);
  assert.deepEqual(old.sent(), [
    ['nvmf_create_transport', { trtype: 'RDMA', max_queue_depth: 64 }],
    ['get_nvmf_transports', undefined],
  ]);
  await assert.rejects(nvmf.getTransports(old, { trtype: 'TCP' }), UnsupportedParameterError);
  await assert.rejects(nvmf.createTransport(current, { trtype: '' }), InvalidArgumentError);
  await assert.rejects(nvmf.createTransport(new FakeTarget('17.07'), { trtype: 'TCP' }), MethodUnavailableError);
});

test('createSubsystem: v24.01 and v19.04 (nvmf_subsystem_create); before v18.10 a typed error that names construct_nvmf_subsystem', async () => {
  const params = { nqn: NQN, allow_any_host: true, serial_number: 'SPDK00000000000001', model_number: 'SPDK_Controller1' };
  const current = await primed('24.01');
  assert.equal(await nvmf.createSubsystem(current, params), true);
  assert.deepEqual(current.sent(), [['nvmf_create_subsystem', params]]);
  const old = await primed('19.04');
  await nvmf.createSubsystem(old, { nqn: NQN });
  assert.deepEqual(old.sent(), [['nvmf_subsystem_create', { nqn: NQN }]]);
  const err = await nvmf.createSubsystem(new FakeTarget('17.07'), { nqn: NQN }).catch((e: unknown) => e);
  assert.ok(err instanceof MethodUnavailableError);
  assert.match(err.message, /construct_nvmf_subsystem \(v17\.07–v18\.10\).*not wrapped/);
  await assert.rejects(nvmf.createSubsystem(current, { nqn: '' }), InvalidArgumentError);
});

test('deleteSubsystem: current name, and delete_nvmf_subsystem on v19.04 and (by trial) v17.07', async () => {
  const current = await primed('24.01');
  assert.equal(await nvmf.deleteSubsystem(current, { nqn: NQN }), true);
  assert.deepEqual(current.sent(), [['nvmf_delete_subsystem', { nqn: NQN }]]);
  const old = await primed('19.04');
  await nvmf.deleteSubsystem(old, { nqn: NQN, tgt_name: 'nvmf_tgt' });
  assert.deepEqual(old.sent(), [['delete_nvmf_subsystem', { nqn: NQN, tgt_name: 'nvmf_tgt' }]]);
  const v1707 = new FakeTarget('17.07');
  assert.equal(await nvmf.deleteSubsystem(v1707, { nqn: NQN }), true);
  assert.deepEqual(v1707.sent().at(-1), ['delete_nvmf_subsystem', { nqn: NQN }]);
});

test('getSubsystems: listen addresses lose the pre-v24.05 transport twin, so v24.01 and v25.09 read the same', async () => {
  const v24 = await primed('24.01');
  const v25 = await primed('25.09');
  const a = await nvmf.getSubsystems(v24);
  const b = await nvmf.getSubsystems(v25);
  assert.deepEqual(a, b);
  assert.deepEqual(v24.sent(), [['nvmf_get_subsystems', undefined]]);
  const raw = captured.get('nvmf_get_subsystems') as Array<{ listen_addresses: Array<Record<string, unknown>> }>;
  assert.ok(raw[0]!.listen_addresses[0]!.transport, 'the capture has the twin');
  for (const subsystem of a) {
    for (const address of subsystem.listen_addresses) {
      assert.equal('transport' in address, false);
      assert.equal(address.trtype, 'TCP');
    }
  }
  assert.deepEqual(
    a.map((s) => s.nqn),
    ['nqn.2014-08.org.nvmexpress.discovery', NQN, 'nqn.2016-06.io.spdk:cnode2'],
  );
  assert.deepEqual(
    a[1]!.namespaces!.map((ns) => [ns.nsid, ns.bdev_name]),
    [
      [1, 'Malloc0'],
      [5, 'Null0'],
    ],
  );

  const old = await primed('19.04');
  const filtered = await nvmf.getSubsystems(old, { nqn: NQN });
  assert.deepEqual(old.sent(), [['get_nvmf_subsystems', { nqn: NQN }]]);
  assert.deepEqual(
    filtered.map((s) => s.nqn),
    [NQN],
  );
});

test('getSubsystems: a listen address with only the old key is read; one with neither is a typed error', async () => {
  const fake = await primed('24.01');
  fake.on('nvmf_get_subsystems', () => [
    { nqn: NQN, subtype: 'NVMe', listen_addresses: [{ transport: 'RDMA', traddr: '10.0.0.1', trsvcid: '4420' }], hosts: [] },
  ]);
  const [subsystem] = await nvmf.getSubsystems(fake);
  assert.deepEqual(subsystem!.listen_addresses, [{ trtype: 'RDMA', traddr: '10.0.0.1', trsvcid: '4420' }]);
  fake.on('nvmf_get_subsystems', () => [{ nqn: NQN, listen_addresses: [{ traddr: '10.0.0.1' }] }]);
  await assert.rejects(nvmf.getSubsystems(fake), SpdkResultError);
});

test('namespaces: add returns the nsid, remove; same names on v19.04, none on v17.07', async () => {
  const current = await primed('24.01');
  assert.equal(await nvmf.subsystemAddNs(current, { nqn: NQN, namespace: { bdev_name: 'Malloc0' } }), 1);
  assert.equal(await nvmf.subsystemAddNs(current, { nqn: NQN, namespace: { bdev_name: 'Null0', nsid: 5 } }), 5);
  assert.equal(await nvmf.subsystemRemoveNs(current, { nqn: NQN, nsid: 5 }), true);
  assert.deepEqual(current.sent(), [
    ['nvmf_subsystem_add_ns', { nqn: NQN, namespace: { bdev_name: 'Malloc0' } }],
    ['nvmf_subsystem_add_ns', { nqn: NQN, namespace: { bdev_name: 'Null0', nsid: 5 } }],
    ['nvmf_subsystem_remove_ns', { nqn: NQN, nsid: 5 }],
  ]);
  const old = await primed('19.04');
  assert.equal(await nvmf.subsystemAddNs(old, { nqn: NQN, namespace: { bdev_name: 'Malloc0' } }), 1);
  assert.deepEqual(old.sent(), [['nvmf_subsystem_add_ns', { nqn: NQN, namespace: { bdev_name: 'Malloc0' } }]]);
  await assert.rejects(nvmf.subsystemAddNs(new FakeTarget('17.07'), { nqn: NQN, namespace: { bdev_name: 'Malloc0' } }), MethodUnavailableError);
  await assert.rejects(nvmf.subsystemAddNs(current, { nqn: NQN, namespace: {} as { bdev_name: string } }), InvalidArgumentError);
  await assert.rejects(nvmf.subsystemAddNs(current, { nqn: NQN, namespace: { bdev_name: 'x', nsid: 0 } }), InvalidArgumentError);
  current.on('nvmf_subsystem_add_ns', () => 'one');
  await assert.rejects(nvmf.subsystemAddNs(current, { nqn: NQN, namespace: { bdev_name: 'x' } }), SpdkResultError);
});

test('v26.05 decodes a listener removal strictly: the wrapper sends nqn, listen_address and tgt_name only', async () => {
  const fake = await primed('26.05');
  const listen_address = { trtype: 'tcp', adrfam: 'ipv4', traddr: '127.0.0.1', trsvcid: '4420' };
  // A caller holding the add's params (secure_channel, ana_state) still gets a request v26.05 takes.
  const asAdded = { nqn: NQN, listen_address, secure_channel: false, ana_state: 'optimized' } as unknown as Parameters<typeof nvmf.subsystemRemoveListener>[1];
  assert.equal(await nvmf.subsystemRemoveListener(fake, asAdded), true);
  assert.deepEqual(fake.sent(), [['nvmf_subsystem_remove_listener', { nqn: NQN, listen_address }]]);
  // The fake is as strict as v26.05: the same request with a fourth member is refused.
  await assert.rejects(fake.call('nvmf_subsystem_remove_listener', { nqn: NQN, listen_address, secure_channel: false }));
});

test('listeners and hosts: exact requests', async () => {
  const fake = await primed('24.01');
  const listen_address = { trtype: 'tcp', adrfam: 'ipv4', traddr: '127.0.0.1', trsvcid: '4420' };
  const host = 'nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6';
  assert.equal(await nvmf.subsystemAddListener(fake, { nqn: NQN, listen_address }), true);
  assert.equal(await nvmf.subsystemAddListener(fake, { nqn: NQN, listen_address, ana_state: 'optimized' }), true);
  assert.equal(await nvmf.subsystemRemoveListener(fake, { nqn: NQN, listen_address }), true);
  assert.equal(await nvmf.subsystemAddHost(fake, { nqn: NQN, host }), true);
  assert.equal(await nvmf.subsystemRemoveHost(fake, { nqn: NQN, host }), true);
  assert.deepEqual(fake.sent(), [
    ['nvmf_subsystem_add_listener', { nqn: NQN, listen_address }],
    ['nvmf_subsystem_add_listener', { nqn: NQN, listen_address, ana_state: 'optimized' }],
    ['nvmf_subsystem_remove_listener', { nqn: NQN, listen_address }],
    ['nvmf_subsystem_add_host', { nqn: NQN, host }],
    ['nvmf_subsystem_remove_host', { nqn: NQN, host }],
  ]);
  await assert.rejects(nvmf.subsystemAddListener(fake, { nqn: NQN, listen_address: { trtype: 'tcp' } as typeof listen_address }), InvalidArgumentError);
  await assert.rejects(nvmf.subsystemAddHost(fake, { nqn: NQN, host: '' }), InvalidArgumentError);
  const old = await primed('19.04');
  await nvmf.subsystemAddListener(old, { nqn: NQN, listen_address });
  await nvmf.subsystemAddHost(old, { nqn: NQN, host });
  assert.deepEqual(
    old.sent().map(([m]) => m),
    ['nvmf_subsystem_add_listener', 'nvmf_subsystem_add_host'],
  );
});

test('getStats and subsystemGetControllers: captures on v24.01; not on v19.04', async () => {
  const fake = await primed('24.01');
  assert.deepEqual(await nvmf.getStats(fake), captured.get('nvmf_get_stats'));
  assert.deepEqual(await nvmf.subsystemGetControllers(fake, { nqn: NQN }), []);
  assert.deepEqual(fake.sent(), [
    ['nvmf_get_stats', undefined],
    ['nvmf_subsystem_get_controllers', { nqn: NQN }],
  ]);
  const controller = { cntlid: 1, hostnqn: 'nqn.2014-08.org.nvmexpress:uuid:1', hostid: 'abc', num_io_qpairs: 4 };
  fake.on('nvmf_subsystem_get_controllers', () => [controller]);
  assert.deepEqual(await nvmf.subsystemGetControllers(fake, { nqn: NQN }), [controller]);
  fake.on('nvmf_subsystem_get_controllers', () => [{ hostnqn: 'x' }]);
  await assert.rejects(nvmf.subsystemGetControllers(fake, { nqn: NQN }), SpdkResultError);
  fake.on('nvmf_get_stats', () => ({ tick_rate: 1, poll_groups: {} }));
  await assert.rejects(nvmf.getStats(fake), SpdkResultError);
  const old = await primed('19.04');
  await assert.rejects(nvmf.getStats(old), MethodUnavailableError);
  await assert.rejects(nvmf.subsystemGetControllers(old, { nqn: NQN }), MethodUnavailableError);
});
