import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir, chmod, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { binaryFor, detectSpdk } from '../../../../src/spdk/install/index.js';
import { fakeSpdkTreeFor } from '../../../helpers/fake-spdk-tree.js';
import { simBin } from '../../../helpers/paths.js';

test('a v20.07+ source tree: apps in build/bin, scripts, version from version.h', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', version: { major: 24, minor: 1, patch: 0, suffix: '' } });
  const found = await detectSpdk({ sourceDir: tree.root, searchPath: false });
  assert.equal(found.installed, true);
  assert.equal(found.sourceDir, tree.root);
  for (const app of ['nvmf_tgt', 'vhost', 'iscsi_tgt', 'spdk_tgt'] as const) {
    assert.deepEqual(found.apps[app], { app, path: path.join(tree.root, 'build', 'bin', app), source: 'source-tree' });
  }
  assert.equal(found.setupScript, path.join(tree.root, 'scripts', 'setup.sh'));
  assert.equal(found.rpcScript, path.join(tree.root, 'scripts', 'rpc.py'));
  assert.equal(found.version?.text, 'SPDK v24.01');
  assert.equal(found.version?.file, path.join(tree.root, 'include', 'spdk', 'version.h'));
  assert.deepEqual(found.problems, []);
});

test('an old source tree: apps in app/<app>/<app>, version from the VERSION file', async (t) => {
  const tree = await fakeSpdkTreeFor(t, {
    layout: 'source-legacy',
    apps: ['nvmf_tgt', 'vhost'],
    version: { major: 19, minor: 4, patch: 1, suffix: '-pre' },
    versionIn: 'VERSION',
  });
  const found = await detectSpdk({ sourceDir: tree.root, searchPath: false });
  assert.equal(found.installed, true);
  assert.equal(found.apps.nvmf_tgt?.path, path.join(tree.root, 'app', 'nvmf_tgt', 'nvmf_tgt'));
  assert.equal(found.apps.nvmf_tgt?.source, 'source-tree-legacy');
  assert.equal(found.apps.vhost?.source, 'source-tree-legacy');
  assert.equal(found.apps.iscsi_tgt, undefined);
  assert.equal(found.apps.spdk_tgt, undefined);
  assert.deepEqual(
    { major: found.version?.major, minor: found.version?.minor, patch: found.version?.patch, suffix: found.version?.suffix, text: found.version?.text },
    { major: 19, minor: 4, patch: 1, suffix: '-pre', text: 'SPDK v19.04.1-pre' },
  );
});

test('an installed prefix: <prefix>/bin/<app>, the packaged spdk-rpc, the installed version.h', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'prefix', version: { major: 25, minor: 9, patch: 0, suffix: '' } });
  const found = await detectSpdk({ prefix: tree.root, searchPath: false });
  assert.equal(found.installed, true);
  assert.equal(found.prefix, tree.root);
  assert.equal(found.sourceDir, undefined);
  assert.equal(found.apps.spdk_tgt?.path, path.join(tree.root, 'bin', 'spdk_tgt'));
  assert.equal(found.apps.spdk_tgt?.source, 'prefix');
  assert.equal(found.rpcScript, path.join(tree.root, 'bin', 'spdk-rpc'));
  assert.equal(found.setupScript, path.join(tree.root, 'share', 'spdk', 'scripts', 'setup.sh'));
  assert.equal(found.version?.text, 'SPDK v25.09');
});

test('apps on PATH, the first directory holding an app wins, and its prefix gives the version', async (t) => {
  const tree = await fakeSpdkTreeFor(t, { layout: 'prefix', apps: ['vhost'], version: { major: 23, minor: 9, patch: 0 } });
  const empty = await mkdtemp(path.join(os.tmpdir(), 'empty-bin-'));
  t.after(() => rm(empty, { recursive: true, force: true }));
  const found = await detectSpdk({ pathEnv: [empty, path.join(tree.root, 'bin')].join(path.delimiter) });
  assert.equal(found.installed, true);
  assert.deepEqual(found.apps.vhost, { app: 'vhost', path: path.join(tree.root, 'bin', 'vhost'), source: 'PATH' });
  assert.equal(found.apps.nvmf_tgt, undefined);
  assert.equal(found.prefix, tree.root);
  assert.equal(found.version?.text, 'SPDK v23.09');
  assert.ok(found.searched.includes(path.join(empty, 'nvmf_tgt')));
});

test('the source tree wins over the prefix and PATH; the prefix over PATH', async (t) => {
  const source = await fakeSpdkTreeFor(t, { layout: 'source', apps: ['nvmf_tgt'] });
  const prefix = await fakeSpdkTreeFor(t, { layout: 'prefix', apps: ['nvmf_tgt', 'vhost'] });
  const onPath = await fakeSpdkTreeFor(t, { layout: 'prefix', apps: ['nvmf_tgt', 'vhost', 'iscsi_tgt'] });
  const found = await detectSpdk({ sourceDir: source.root, prefix: prefix.root, pathEnv: path.join(onPath.root, 'bin') });
  assert.equal(found.apps.nvmf_tgt?.source, 'source-tree');
  assert.equal(found.apps.vhost?.source, 'prefix');
  assert.equal(found.apps.iscsi_tgt?.source, 'PATH');
  assert.equal(found.apps.spdk_tgt, undefined);
});

test('nothing installed is an answer: installed false, every place looked at, configured places that do not exist', async (t) => {
  const empty = await mkdtemp(path.join(os.tmpdir(), 'no-spdk-'));
  t.after(() => rm(empty, { recursive: true, force: true }));
  const missingTree = path.join(empty, 'spdk');
  const found = await detectSpdk({ sourceDir: missingTree, prefix: path.join(empty, 'usr'), pathEnv: empty });
  assert.equal(found.installed, false);
  assert.deepEqual(found.apps, {});
  assert.equal(found.version, undefined);
  assert.ok(found.searched.includes(path.join(missingTree, 'build', 'bin', 'nvmf_tgt')));
  assert.ok(found.searched.includes(path.join(missingTree, 'app', 'nvmf_tgt', 'nvmf_tgt')));
  assert.ok(found.searched.includes(path.join(empty, 'usr', 'bin', 'spdk_tgt')));
  assert.ok(found.searched.includes(path.join(empty, 'vhost')));
  assert.deepEqual(found.problems, [`spdk.sourceDir ${missingTree} is not a directory`, `spdk.prefix ${path.join(empty, 'usr')} is not a directory`]);
});

test('a file that is not executable, or a directory named like an app, is not an app', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bad-bin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'nvmf_tgt'), 'not a program');
  await chmod(path.join(dir, 'nvmf_tgt'), 0o644);
  await mkdir(path.join(dir, 'vhost'));
  const found = await detectSpdk({ pathEnv: dir });
  // Root may execute any file with an x bit; 0644 has none, so it is refused for everyone.
  assert.equal(found.apps.nvmf_tgt, undefined);
  assert.equal(found.apps.vhost, undefined);
  assert.equal(found.installed, false);
});

test('a target binary: a path, a bare name found on PATH, or a missing one reported as a problem', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'explicit-bin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await symlink(simBin, path.join(dir, 'my_nvmf'));
  const targets = [
    { name: 'a', app: 'nvmf_tgt' as const, binary: path.join(dir, 'my_nvmf') },
    { name: 'b', app: 'nvmf_tgt' as const, binary: 'my_nvmf' },
    { name: 'c', app: 'vhost' as const, binary: path.join(dir, 'nope') },
    { name: 'd', app: 'iscsi_tgt' as const },
  ];
  const found = await detectSpdk({ pathEnv: dir, targets });
  assert.equal(found.installed, true, 'a usable explicit binary counts as installed');
  assert.equal(binaryFor(found, targets[0]!), path.join(dir, 'my_nvmf'));
  assert.equal(binaryFor(found, targets[1]!), path.join(dir, 'my_nvmf'));
  assert.equal(binaryFor(found, targets[2]!), undefined);
  assert.equal(binaryFor(found, targets[3]!), undefined);
  assert.deepEqual(found.problems, [`target c: binary ${path.join(dir, 'nope')} does not exist`]);
});

test('version.h wins over VERSION; a tree with neither has no version', async (t) => {
  const withBoth = await fakeSpdkTreeFor(t, { layout: 'source', version: { major: 24, minor: 1 } });
  const without = await fakeSpdkTreeFor(t, { layout: 'source', version: null });
  await writeFile(path.join(withBoth.root, 'VERSION'), '99.99.0\n');
  assert.equal((await detectSpdk({ sourceDir: withBoth.root, searchPath: false })).version?.text, 'SPDK v24.01');
  const none = await detectSpdk({ sourceDir: without.root, searchPath: false });
  assert.equal(none.installed, true);
  assert.equal(none.version, undefined);
});
