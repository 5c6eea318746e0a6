/**
 * Every successful reply in the v24.01 captures to a method the catalogue wraps goes through that
 * wrapper's result handling, and comes out as SPDK sent it, apart from the documented
 * normalisations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RpcCaller, RpcParams } from '../../../../src/spdk/rpc/types.js';
import * as bdev from '../../../../src/spdk/methods/bdev.js';
import * as framework from '../../../../src/spdk/methods/framework.js';
import * as iscsi from '../../../../src/spdk/methods/iscsi.js';
import * as nvmf from '../../../../src/spdk/methods/nvmf.js';
import * as vhost from '../../../../src/spdk/methods/vhost.js';
import { parseVersionResult } from '../../../../src/spdk/methods/target-version.js';
import { FakeTarget, type FakeApp } from './fake-target.js';
import { fixtureExchanges } from './fixture-exchanges.js';

type P = RpcParams;
const text = (p: P | undefined, key: string): string => p?.[key] as string;

/** How each wrapped method is called with a captured request's params. */
const WRAPPERS: Record<string, (c: RpcCaller, p: P | undefined) => Promise<unknown>> = {
  spdk_get_version: (c) => framework.getVersion(c),
  rpc_get_methods: (c, p) => framework.getMethods(c, p ?? {}),
  framework_wait_init: (c) => framework.waitInit(c),
  framework_start_init: (c) => framework.startInit(c),
  // The captures include the numeric "15", which the wrapper refuses by design; the reply is the point.
  spdk_kill_instance: (c) => framework.killInstance(c, 'SIGTERM'),
  framework_get_subsystems: (c) => framework.getSubsystems(c),
  framework_get_config: (c, p) => framework.getConfig(c, { name: text(p, 'name') }),
  framework_get_reactors: (c) => framework.getReactors(c),
  thread_get_stats: (c) => framework.getThreadStats(c),
  bdev_get_bdevs: (c, p) => bdev.getBdevs(c, p ?? {}),
  bdev_get_iostat: (c, p) =>
    p?.per_channel ? bdev.getChannelIostat(c, { name: text(p, 'name') }) : bdev.getIostat(c, p?.name ? { name: text(p, 'name') } : {}),
  bdev_malloc_create: (c, p) => bdev.mallocCreate(c, p as unknown as bdev.MallocCreateParams),
  bdev_null_create: (c, p) => bdev.nullCreate(c, p as unknown as bdev.NullCreateParams),
  bdev_malloc_delete: (c, p) => bdev.mallocDelete(c, { name: text(p, 'name') }),
  bdev_null_delete: (c, p) => bdev.nullDelete(c, { name: text(p, 'name') }),
  bdev_wait_for_examine: (c) => bdev.waitForExamine(c),
  nvmf_create_transport: (c, p) => nvmf.createTransport(c, p as unknown as nvmf.CreateTransportParams),
  nvmf_get_transports: (c) => nvmf.getTransports(c),
  nvmf_create_subsystem: (c, p) => nvmf.createSubsystem(c, p as unknown as nvmf.CreateSubsystemParams),
  nvmf_delete_subsystem: (c, p) => nvmf.deleteSubsystem(c, { nqn: text(p, 'nqn') }),
  nvmf_subsystem_add_ns: (c, p) => nvmf.subsystemAddNs(c, p as unknown as Parameters<typeof nvmf.subsystemAddNs>[1]),
  nvmf_subsystem_remove_ns: (c, p) => nvmf.subsystemRemoveNs(c, { nqn: text(p, 'nqn'), nsid: p?.nsid as number }),
  nvmf_subsystem_add_listener: (c, p) => nvmf.subsystemAddListener(c, p as unknown as Parameters<typeof nvmf.subsystemAddListener>[1]),
  nvmf_subsystem_remove_listener: (c, p) => nvmf.subsystemRemoveListener(c, p as unknown as Parameters<typeof nvmf.subsystemRemoveListener>[1]),
  nvmf_subsystem_add_host: (c, p) => nvmf.subsystemAddHost(c, { nqn: text(p, 'nqn'), host: text(p, 'host') }),
  nvmf_get_subsystems: (c, p) => nvmf.getSubsystems(c, p?.nqn ? { nqn: text(p, 'nqn') } : {}),
  nvmf_get_stats: (c) => nvmf.getStats(c),
  nvmf_subsystem_get_controllers: (c, p) => nvmf.subsystemGetControllers(c, { nqn: text(p, 'nqn') }),
  vhost_create_blk_controller: (c, p) => vhost.createBlkController(c, p as unknown as Parameters<typeof vhost.createBlkController>[1]),
  vhost_create_scsi_controller: (c, p) => vhost.createScsiController(c, { ctrlr: text(p, 'ctrlr') }),
  vhost_scsi_controller_add_target: (c, p) => vhost.scsiControllerAddTarget(c, p as unknown as Parameters<typeof vhost.scsiControllerAddTarget>[1]),
  vhost_scsi_controller_remove_target: (c, p) =>
    vhost.scsiControllerRemoveTarget(c, { ctrlr: text(p, 'ctrlr'), scsi_target_num: p?.scsi_target_num as number }),
  vhost_get_controllers: (c, p) => vhost.getControllers(c, p?.name ? { name: text(p, 'name') } : {}),
  vhost_delete_controller: (c, p) => vhost.deleteController(c, { ctrlr: text(p, 'ctrlr') }),
  scsi_get_devices: (c) => iscsi.getScsiDevices(c),
};

/** What the wrapper returns for a raw result, where that is not the result itself. */
const EXPECTED: Record<string, (raw: unknown) => unknown> = {
  spdk_get_version: (raw) => parseVersionResult(raw),
  nvmf_get_subsystems: (raw) =>
    (raw as Array<{ listen_addresses: Array<Record<string, unknown>> }>).map((s) => ({
      ...s,
      listen_addresses: s.listen_addresses.map(({ transport: _twin, ...address }) => address),
    })),
};

function appOf(app: string): FakeApp {
  if (app.startsWith('vhost')) return 'vhost';
  if (app.startsWith('spdk_tgt')) return 'spdk_tgt';
  return 'nvmf_tgt';
}

test('every captured reply of a wrapped method passes its wrapper, unchanged but for the normalisations', async () => {
  const seen = new Map<string, number>();
  for (const { entry, method, params, reply } of fixtureExchanges()) {
    const wrapper = WRAPPERS[method];
    if (!wrapper || !('result' in reply)) continue;
    const fake = new FakeTarget('24.01', appOf(entry.app));
    fake.on(method, () => structuredClone(reply.result));
    const where = `${entry.file} #${entry.seq} ${entry.name}`;
    let got: unknown;
    try {
      got = await wrapper(fake, params);
    } catch (err) {
      assert.fail(`${where}: ${String(err)}`);
    }
    const expected = (EXPECTED[method] ?? ((raw: unknown) => raw))(reply.result);
    assert.deepEqual(got, expected, where);
    seen.set(method, (seen.get(method) ?? 0) + 1);
  }
  // The captures hold a reply for every wrapper listed: make sure the loop really ran over each.
  const missing = Object.keys(WRAPPERS).filter((method) => !seen.has(method));
  assert.deepEqual(missing, [], `no capture for ${missing.join(', ')}`);
  assert.ok([...seen.values()].reduce((a, b) => a + b, 0) > 100, 'fewer captured replies than expected');
});
