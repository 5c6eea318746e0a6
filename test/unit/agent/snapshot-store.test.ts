import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotStore } from '../../../src/agent/snapshot-store.js';
import type { SnapshotSource } from '../../../src/agent/target-snapshots.js';
import type { TargetStatus } from '../../../src/spdk/lifecycle/types.js';
import { FakeTarget } from '../spdk/methods/fake-target.js';

/** A running target whose state the test moves, read through the catalogue's fake SPDK. */
function runningTarget(name = 'nvmf0'): { source: SnapshotSource; fake: FakeTarget; status: TargetStatus; bdevReads: () => number } {
  const fake = new FakeTarget('24.01', 'nvmf_tgt');
  const status: TargetStatus = {
    name,
    app: 'nvmf_tgt',
    address: fake.address,
    state: 'running',
    pid: 100,
    since: '2026-11-24T10:00:00.000Z',
    reason: 'ready',
    restarts: 0,
  };
  const source: SnapshotSource = { spec: { name, app: 'nvmf_tgt' }, status: () => ({ ...status }), caller: fake };
  return { source, fake, status, bdevReads: () => fake.callsOf('bdev_get_bdevs').length };
}

function store(now: { t: number }, freshForMs = 1000): SnapshotStore {
  return new SnapshotStore({ freshForMs, timeoutMs: 5000, now: () => now.t });
}

test('a fresh snapshot answers report without a read; an old one is read again', async () => {
  const now = { t: 0 };
  const snapshots = store(now);
  const target = runningTarget();
  await snapshots.read(target.source);
  assert.equal(target.bdevReads(), 1);
  now.t = 1000;
  const served = await snapshots.recent(target.source);
  assert.equal(target.bdevReads(), 1, 'served from the snapshot taken 1 s ago');
  assert.ok(served.inventory?.bdevs?.length);
  now.t = 1001;
  await snapshots.recent(target.source);
  assert.equal(target.bdevReads(), 2, 'older than freshForMs: read again');
});

test('a state change since the snapshot (state, process, entry time) makes report read the target', async () => {
  const now = { t: 0 };
  const snapshots = store(now);
  const target = runningTarget();
  await snapshots.read(target.source);
  target.status.pid = 101; // restarted: another process
  const served = await snapshots.recent(target.source);
  assert.equal(target.bdevReads(), 2);
  assert.equal(served.status.pid, 101);
  target.status.since = '2026-11-24T10:00:05.000Z';
  await snapshots.recent(target.source);
  assert.equal(target.bdevReads(), 3);
  target.status.state = 'stopped';
  const stopped = await snapshots.recent(target.source);
  assert.equal(stopped.inventory, null, 'a stopped target has no inventory, never the kept one');
});

test('the served snapshot carries the status of now, and statistics are always read live', async () => {
  const now = { t: 0 };
  const snapshots = store(now);
  const target = runningTarget();
  await snapshots.read(target.source);
  target.status.restarts = 3; // not part of the state key: the snapshot stands, with today's status
  const served = await snapshots.recent(target.source);
  assert.equal(served.status.restarts, 3);
  assert.equal(target.bdevReads(), 1);
  await snapshots.recent(target.source, { stats: true });
  await snapshots.recent(target.source, { stats: true });
  assert.equal(target.fake.callsOf('bdev_get_iostat').length, 2, 'each stats request reads the counters');
});

test('concurrent readers of a target share one read', async () => {
  const snapshots = store({ t: 0 });
  const target = runningTarget();
  target.fake.hold();
  const first = snapshots.read(target.source);
  const all = snapshots.collect([target.source]);
  const forReport = snapshots.recent(target.source);
  await new Promise((resolve) => setTimeout(resolve, 10));
  target.fake.release();
  const [one, [two], three] = await Promise.all([first, all, forReport]);
  assert.equal(target.bdevReads(), 1);
  assert.equal(one, two);
  assert.equal(one, three);
});

test('a failed read leaves no snapshot; freshForMs 0 never serves one; disabled targets are not read', async () => {
  const now = { t: 0 };
  const snapshots = store(now);
  const target = runningTarget();
  target.fake.on('bdev_get_bdevs', () => {
    throw new Error('target went away');
  });
  const failed = await snapshots.read(target.source);
  assert.equal(failed.inventory, null);
  assert.match(failed.inventoryError ?? '', /went away/);
  await snapshots.recent(target.source);
  assert.equal(target.bdevReads(), 2, 'nothing kept from the failure: read again');

  const never = store(now, 0);
  const other = runningTarget('nvmf1');
  await never.read(other.source);
  await never.recent(other.source);
  assert.equal(other.bdevReads(), 2);

  const disabled = runningTarget('off');
  const collected = await snapshots.collect([{ ...disabled.source, spec: { ...disabled.source.spec, enabled: false } }]);
  assert.deepEqual(collected, []);
  assert.equal(disabled.bdevReads(), 0);
});
