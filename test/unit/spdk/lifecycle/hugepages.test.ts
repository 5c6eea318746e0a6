import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  ensureHugepages,
  type EnsureHugepagesOptions,
  type HugepageCheck,
  parseHugetlbfsMounts,
  parseMeminfo,
  planHugepages,
  readHugepageInfo,
} from '../../../../src/spdk/lifecycle/hugepages.js';
import { memoryRequest } from '../../../../src/spdk/lifecycle/command-line.js';
import { HugepagesError } from '../../../../src/spdk/lifecycle/errors.js';
import { fakeSpdkTreeFor, meminfoText, type FakeSpdkTree } from '../../../helpers/fake-spdk-tree.js';
import { rejectionOf } from '../../../helpers/assertions.js';

/**
 * `ensureHugepages` on the fake machine of `tree` (its meminfo, mounts and nr_hugepages) for a
 * target started with `args`; by default the target `nvmf0`, no allocation, and the tree's
 * setup.sh as the way to allocate.
 */
function ensureOn(tree: FakeSpdkTree, args: string[], options: Partial<Omit<EnsureHugepagesOptions, 'request' | 'paths'>> = {}): Promise<HugepageCheck> {
  return ensureHugepages({
    target: 'nvmf0',
    request: memoryRequest(args),
    allocate: false,
    method: { useSetupScript: true, setupScript: tree.setupScript },
    paths: tree.hugepagePaths,
    ...options,
  });
}

test('parseMeminfo reads the hugepage lines; available = free − reserved', () => {
  const info = parseMeminfo(meminfoText({ total: 512, free: 300, reserved: 20, pageSizeKb: 2048 }));
  assert.deepEqual(info, { pageSizeKb: 2048, total: 512, free: 300, reserved: 20, surplus: 0, available: 280 });
  assert.equal(parseMeminfo('MemTotal: 100 kB\n'), undefined);
});

test('parseHugetlbfsMounts lists hugetlbfs mount points, decoding octal escapes', () => {
  const mounts = ['proc /proc proc rw 0 0', 'nodev /mnt/huge hugetlbfs rw,pagesize=2M 0 0', 'nodev /mnt/huge\\0401G hugetlbfs rw,pagesize=1G 0 0'].join('\n');
  assert.deepEqual(parseHugetlbfsMounts(mounts), ['/mnt/huge', '/mnt/huge 1G']);
  assert.deepEqual(parseHugetlbfsMounts('proc /proc proc rw 0 0\n'), []);
});

test('planHugepages: pages needed, the shortfall, and a total that keeps pages already in use', () => {
  const info = { pageSizeKb: 2048, total: 100, free: 40, reserved: 0, surplus: 0, available: 40, mounts: ['/mnt/huge'] };
  assert.deepEqual(planHugepages(info, 512), { neededMb: 512, neededPages: 256, availableMb: 80, shortPages: 216, targetTotal: 316 });
  assert.equal(planHugepages(info, 80).shortPages, 0);
  assert.equal(planHugepages({ ...info, pageSizeKb: 1048576, available: 0, free: 0 }, 1500).neededPages, 2);
});

test('--no-huge needs no hugepages and reads nothing', async () => {
  const check = await ensureHugepages({
    target: 't',
    request: memoryRequest(['--no-huge', '-s', '512']),
    allocate: false,
    method: { useSetupScript: true },
    paths: { meminfo: '/nonexistent/meminfo', mounts: '/nonexistent/mounts', nrHugepages: '/nonexistent/nr' },
  });
  assert.deepEqual(check, { neededMb: 0, info: undefined });
});

test('enough free hugepages and a hugetlbfs mount: nothing to do', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', hugepages: { total: 1024, free: 1024 } });
  const check = await ensureOn(tree, ['-s', '1G']);
  assert.equal(check.neededMb, 1024);
  assert.equal(check.allocated, undefined);
  assert.deepEqual(await tree.setupRuns(), []);
});

test('too few hugepages without allocate: an error naming what is missing and both fixes', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', hugepages: { total: 64, free: 10 } });
  const err = await rejectionOf(ensureOn(tree, ['-s', '512']), 'should have thrown');
  assert.ok(err instanceof HugepagesError);
  assert.equal(err.code, 'SPDK_HUGEPAGES');
  assert.equal(err.target, 'nvmf0');
  assert.match(err.message, /nvmf0: needs 512 MB of hugepages but only 20 MB are free \(10 of 64 pages of 2048 kB\)/);
  assert.equal(err.fixes.length, 2);
  // Fix 1: the exact command (setup.sh with HUGEMEM for the total that covers the need: 64 + 246 pages).
  assert.match(err.fixes[0]!, new RegExp(`sudo HUGEMEM=620 ${tree.setupScript!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(err.fixes[0]!, /echo 310 \| sudo tee \/proc\/sys\/vm\/nr_hugepages/);
  // Fix 2: run without hugepages.
  assert.match(err.fixes[1]!, /"--no-huge", "-s", "512"/);
  assert.match(err.message, /\(1\) reserve hugepages[\s\S]*\(2\) run the target without hugepages/);
  assert.deepEqual(await tree.setupRuns(), [], 'nothing run without allocate');
});

test('no hugetlbfs mounted: an error even with enough pages', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', hugepages: { total: 1024, free: 1024 }, hugetlbfsMounted: false });
  await assert.rejects(
    ensureOn(tree, ['-s', '256'], { target: 'v0', method: { useSetupScript: false } }),
    (err: unknown) => err instanceof HugepagesError && /no hugetlbfs file system is mounted/.test(err.message) && /mount -t hugetlbfs/.test(err.message),
  );
});

test('with allocate, setup.sh is run directly (no shell) with HUGEMEM/NRHUGE, and the pages appear', async (t) => {
  // A directory name a shell would split and expand: it works only when no shell is involved.
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', dirName: 'spdk tree $HOME', hugepages: { total: 16, free: 4 } });
  const check = await ensureOn(tree, ['-s', '512'], { allocate: true });
  // 256 pages needed, 4 free: 252 short, so 16 + 252 = 268 pages in all (536 MB).
  assert.deepEqual(await tree.setupRuns(), [{ args: ['config'], env: { HUGEMEM: '536', NRHUGE: '268', PCI_ALLOWED: 'none' } }]);
  assert.deepEqual(check.allocated, { via: 'setup.sh', total: 268 });
  const after = await readHugepageInfo(tree.hugepagePaths);
  assert.equal(after.available, 256);
});

test('with allocate and no setup.sh, nr_hugepages is written; still short afterwards is an error', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', hugepages: { total: 8, free: 8 }, withoutSetupScript: true });
  // The fake nr_hugepages file is only a file: writing it does not change the fake meminfo, just
  // as a kernel short of contiguous memory would grant fewer pages than asked for.
  await assert.rejects(
    ensureOn(tree, ['-s', '64'], { allocate: true }),
    (err: unknown) => err instanceof HugepagesError && /after asking nr_hugepages for 32 pages, only 16 MB are free/.test(err.message),
  );
  assert.equal((await readFile(tree.hugepagePaths.nrHugepages, 'utf8')).trim(), '32');
});

test('a failing setup.sh is reported with its output', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', hugepages: { total: 0, free: 0 } });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(tree.setupScript!, '#!/bin/sh\necho "## ERROR: requested 256 hugepages but 0 could be allocated." >&2\nexit 1\n');
  await assert.rejects(
    ensureOn(tree, ['-s', '512'], { allocate: true }),
    (err: unknown) => err instanceof HugepagesError && /exit code 1/.test(err.message) && /requested 256 hugepages but 0 could be allocated/.test(err.message),
  );
});

test('an unreadable meminfo is a HugepagesError, not a crash', async () => {
  await assert.rejects(
    ensureHugepages({
      target: 'nvmf0',
      request: memoryRequest([]),
      allocate: false,
      method: { useSetupScript: false },
      paths: { meminfo: '/nonexistent/meminfo', mounts: '/nonexistent/mounts', nrHugepages: '/nonexistent/nr' },
    }),
    (err: unknown) => err instanceof HugepagesError && /cannot tell whether hugepages are available/.test(err.message),
  );
});

test('the --no-huge fix says when the SPDK found is too old for it (before v24.01)', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', hugepages: { total: 0, free: 0 } });
  const attempt = async (spdkVersion?: { major: number; minor: number; text: string }) =>
    (await rejectionOf(
      ensureOn(tree, ['-s', '256'], { target: 'old', method: { useSetupScript: false }, ...(spdkVersion ? { spdkVersion } : {}) }),
      'should have thrown',
    )) as HugepagesError;
  const old = await attempt({ major: 19, minor: 4, text: 'SPDK v19.04' });
  assert.match(old.fixes[1]!, /--no-huge needs SPDK v24\.01 or later, this is SPDK v19\.04/);
  const current = await attempt({ major: 24, minor: 1, text: 'SPDK v24.01' });
  assert.doesNotMatch(current.fixes[1]!, /needs SPDK/);
  const unknown = await attempt();
  assert.doesNotMatch(unknown.fixes[1]!, /needs SPDK/);
});
