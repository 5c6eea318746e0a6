/**
 * The same sequence of wrapper calls against simulated SPDK 17.07, 19.04 and 24.01 to 26.05 targets
 * (`bin/spdk-sim --sim-emulate-version`), over the real client: the normalised results must be the
 * same on every version that has the method, and a method a version lacks must fail with the typed
 * `MethodUnavailableError` exactly where the contract says it is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpdkRpcClient } from '../../../../src/spdk/rpc/client.js';
import type { RpcCaller } from '../../../../src/spdk/rpc/types.js';
import { bdev, isNotFound, MethodUnavailableError, nvmf, vhost } from '../../../../src/spdk/methods/index.js';
import { detectVersion } from '../../../../src/spdk/methods/target-version.js';
import { collectInventory } from '../../../../src/spdk/inventory.js';
import { startSim } from '../../../helpers/sim.js';

type Version = '17.07' | '19.04' | '24.01' | '24.05' | '24.09' | '25.05' | '25.09' | '26.01' | '26.05';
const SINCE_2401: readonly Version[] = ['24.01', '24.05', '24.09', '25.05', '25.09', '26.01', '26.05'];
const REFERENCE: Version = '24.01';
const TIMEOUT = { timeoutMs: 10_000 };
const NQN = 'nqn.2016-06.io.spdk:versions';

type Outcome = { ok: unknown } | { unavailable: readonly string[] };

/** Runs steps in order, recording each normalised result or the typed "not on this version". */
class Sequence {
  readonly results = new Map<string, Outcome>();

  constructor(readonly version: Version) {}

  async step(name: string, work: () => Promise<unknown>): Promise<void> {
    try {
      this.results.set(name, { ok: await work() });
    } catch (err) {
      if (err instanceof MethodUnavailableError) {
        this.results.set(name, { unavailable: err.tried });
        return;
      }
      throw new Error(`v${this.version} ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

const byName = <T extends { name: string }>(items: T[]): T[] => [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

async function nvmfSequence(caller: RpcCaller, run: Sequence, port: string): Promise<void> {
  await run.step('malloc', () => bdev.mallocCreate(caller, { num_blocks: 2048, block_size: 512 }, TIMEOUT));
  await run.step('null', () => bdev.nullCreate(caller, { name: 'Null0', num_blocks: 1024, block_size: 512 }, TIMEOUT));
  await run.step('bdevs', async () =>
    byName(await bdev.getBdevs(caller, {}, TIMEOUT)).map(({ name, product_name, block_size, num_blocks }) => ({ name, product_name, block_size, num_blocks })),
  );
  await run.step('bdev by name', async () => (await bdev.getBdevs(caller, { name: 'Null0' }, TIMEOUT)).map((b) => b.name));
  await run.step('bdev not found', async () => isNotFound(await bdev.getBdevs(caller, { name: 'nope' }, TIMEOUT).catch((e: unknown) => e)));
  await run.step('iostat', async () => {
    const stats = await bdev.getIostat(caller, {}, TIMEOUT);
    return { hasTickRate: stats.tick_rate !== undefined, bdevs: stats.bdevs.map((b) => b.name).sort() };
  });
  await run.step('null delete', async () => {
    await bdev.nullCreate(caller, { name: 'Null1', num_blocks: 8, block_size: 512 }, TIMEOUT);
    return bdev.nullDelete(caller, { name: 'Null1' }, TIMEOUT);
  });
  await run.step('transport', () => nvmf.createTransport(caller, { trtype: 'TCP' }, TIMEOUT));
  await run.step('subsystem', () => nvmf.createSubsystem(caller, { nqn: NQN, allow_any_host: true, serial_number: 'SPDK00000000000001' }, TIMEOUT));
  await run.step('namespace', () => nvmf.subsystemAddNs(caller, { nqn: NQN, namespace: { bdev_name: 'Malloc0' } }, TIMEOUT));
  await run.step('listener', () =>
    nvmf.subsystemAddListener(caller, { nqn: NQN, listen_address: { trtype: 'TCP', adrfam: 'IPv4', traddr: '127.0.0.1', trsvcid: port } }, TIMEOUT),
  );
  await run.step('subsystems', async () =>
    (await nvmf.getSubsystems(caller, {}, TIMEOUT))
      .filter((s) => s.nqn === NQN)
      .map((s) => ({
        nqn: s.nqn,
        subtype: s.subtype,
        allow_any_host: s.allow_any_host,
        listen_addresses: s.listen_addresses.map(({ trtype, adrfam, traddr, trsvcid }) => ({ trtype: trtype.toUpperCase(), adrfam, traddr, trsvcid })),
        namespaces: (s.namespaces ?? []).map((ns) => ({ nsid: ns.nsid, bdev_name: ns.bdev_name })),
      })),
  );
  await run.step('inventory', async () => {
    const inventory = await collectInventory(caller, { timeoutMs: 10_000 });
    return {
      app: inventory.app,
      bdevs: inventory.bdevs.map((b) => b.name),
      subsystems: (inventory.nvmf?.subsystems ?? []).map((s) => s.nqn).filter((nqn) => nqn === NQN),
    };
  });
}

async function vhostSequence(caller: RpcCaller, run: Sequence): Promise<void> {
  await run.step('malloc', () => bdev.mallocCreate(caller, { num_blocks: 2048, block_size: 512 }, TIMEOUT));
  await run.step('null', () => bdev.nullCreate(caller, { name: 'Null0', num_blocks: 1024, block_size: 512 }, TIMEOUT));
  await run.step('blk controller', () => vhost.createBlkController(caller, { ctrlr: 'vhost.0', dev_name: 'Malloc0' }, TIMEOUT));
  await run.step('scsi controller', () => vhost.createScsiController(caller, { ctrlr: 'vhost.1' }, TIMEOUT));
  await run.step('scsi target', () => vhost.scsiControllerAddTarget(caller, { ctrlr: 'vhost.1', scsi_target_num: 0, bdev_name: 'Null0' }, TIMEOUT));
  const controllers = async (): Promise<unknown> =>
    (await vhost.getControllers(caller, {}, TIMEOUT))
      .map((c) => ({
        ctrlr: c.ctrlr,
        block: c.backend_specific.block?.bdev,
        scsi: c.backend_specific.scsi?.map((t) => ({ scsi_dev_num: t.scsi_dev_num, luns: t.luns.map((l) => l.bdev_name) })),
      }))
      .sort((a, b) => (a.ctrlr < b.ctrlr ? -1 : 1));
  await run.step('controllers', controllers);
  await run.step('one controller', async () => (await vhost.getControllers(caller, { name: 'vhost.1' }, TIMEOUT)).map((c) => c.ctrlr));
  await run.step('remove target', () => vhost.scsiControllerRemoveTarget(caller, { ctrlr: 'vhost.1', scsi_target_num: 0 }, TIMEOUT));
  await run.step('delete controller', () => vhost.deleteController(caller, { ctrlr: 'vhost.0' }, TIMEOUT));
  await run.step('controllers after', controllers);
}

/** Steps missing by design on a version (contract §3, §4.2), and the steps that build on them. */
const MISSING: Record<Version, string[]> = {
  '17.07': ['iostat', 'transport', 'subsystem', 'namespace', 'listener'],
  '19.04': [],
  '24.01': [],
  '24.05': [],
  '24.09': [],
  '25.05': [],
  '25.09': [],
  '26.01': [],
  '26.05': [],
};
const BUILDS_ON: Record<string, string[]> = { subsystems: ['subsystem'], inventory: ['subsystem'] };

async function runAgainst(
  t: import('node:test').TestContext,
  app: 'nvmf_tgt' | 'vhost',
  version: Version,
  sequence: (caller: RpcCaller, run: Sequence) => Promise<void>,
): Promise<Sequence> {
  // The helper's own temporary directory is the working directory: vhost sockets land there.
  const sim = await startSim({ app, emulateVersion: version, pollPeriodUs: 0 });
  t.after(() => sim.stop());
  const client = new SpdkRpcClient({ address: sim.socket, timeoutMs: 10_000 });
  t.after(() => client.close());
  const run = new Sequence(version);
  const info = await detectVersion(client, TIMEOUT);
  assert.equal(info.min, version, `the simulator answers as v${version}`);
  await sequence(client, run);
  await client.close();
  await sim.stop();
  return run;
}

function compare(runs: Sequence[]): void {
  const reference = runs.find((run) => run.version === REFERENCE)!;
  for (const run of runs) {
    for (const [step, outcome] of reference.results) {
      const got = run.results.get(step);
      assert.ok(got, `v${run.version}: step ${step} did not run`);
      const missing = MISSING[run.version].includes(step);
      assert.equal('unavailable' in got, missing, `v${run.version} ${step}: ${missing ? 'should be unavailable' : `unavailable (${JSON.stringify(got)})`}`);
      if (missing || (BUILDS_ON[step] ?? []).some((dep) => MISSING[run.version].includes(dep))) continue;
      assert.deepEqual(got, outcome, `v${run.version} ${step} differs from v${REFERENCE}`);
    }
  }
}

async function nvmfRuns(t: import('node:test').TestContext, versions: readonly Version[]): Promise<Sequence[]> {
  const runs: Sequence[] = [];
  // One port for all: the results must be identical, and each simulator is stopped before the next.
  const port = String(20_000 + Math.floor(Math.random() * 30_000));
  for (const version of versions) runs.push(await runAgainst(t, 'nvmf_tgt', version, (caller, run) => nvmfSequence(caller, run, port)));
  return runs;
}

async function vhostRuns(t: import('node:test').TestContext, versions: readonly Version[]): Promise<Sequence[]> {
  const runs: Sequence[] = [];
  for (const version of versions) runs.push(await runAgainst(t, 'vhost', version, vhostSequence));
  return runs;
}

test('nvmf_tgt: the same wrapper calls give the same normalised results on 19.04 and 24.01 to 26.05', { timeout: 180_000 }, async (t) => {
  const runs = await nvmfRuns(t, ['19.04', ...SINCE_2401]);
  const reference = runs.find((run) => run.version === REFERENCE)!;
  assert.deepEqual(reference.results.get('malloc'), { ok: 'Malloc0' });
  assert.deepEqual(reference.results.get('namespace'), { ok: 1 });
  assert.deepEqual(reference.results.get('bdev not found'), { ok: true });
  assert.deepEqual(reference.results.get('inventory'), { ok: { app: 'nvmf_tgt', bdevs: ['Malloc0', 'Null0'], subsystems: [NQN] } });
  compare(runs);
});

test('vhost: the same wrapper calls give the same normalised results on 19.04 and 24.01 to 26.05', { timeout: 180_000 }, async (t) => {
  const runs = await vhostRuns(t, ['19.04', ...SINCE_2401]);
  const reference = runs.find((run) => run.version === REFERENCE)!;
  assert.deepEqual(reference.results.get('controllers'), {
    ok: [
      { ctrlr: 'vhost.0', block: 'Malloc0', scsi: undefined },
      { ctrlr: 'vhost.1', block: undefined, scsi: [{ scsi_dev_num: 0, luns: ['Null0'] }] },
    ],
  });
  assert.deepEqual(reference.results.get('controllers after'), { ok: [{ ctrlr: 'vhost.1', block: undefined, scsi: [] }] });
  compare(runs);
});

// v17.07 had no -r (its socket came from the INI config's [Rpc] section); the simulator accepts -r
// for it anyway, so the test can place the socket.
test('nvmf_tgt on 17.07: the same results where v17.07 has the method, the typed error where not', { timeout: 120_000 }, async (t) => {
  compare(await nvmfRuns(t, ['24.01', '17.07']));
});

test('vhost on 17.07: the same results, from the two v17.07 lists merged', { timeout: 120_000 }, async (t) => {
  compare(await vhostRuns(t, ['24.01', '17.07']));
});
