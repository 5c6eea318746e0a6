/**
 * Fake SPDK installations in a temporary directory, for detection and lifecycle tests:
 *
 * - `source`: a source tree of v20.07+ (`build/bin/<app>`, `scripts/setup.sh`, `scripts/rpc.py`);
 * - `source-legacy`: an old tree (`app/<app>/<app>`);
 * - `prefix`: an installed prefix (`bin/<app>`, `bin/spdk-rpc`, `include/spdk/version.h`).
 *
 * Each app is a symlink named after it pointing to `bin/spdk-sim`, which then plays that app. The
 * version is written where the layout keeps it (`include/spdk/version.h`, or the `VERSION` file).
 * The fake `setup.sh` records each run (arguments, HUGEMEM/NRHUGE/PCI_ALLOWED) and, like the real
 * one, sets the hugepage count: it rewrites the fake meminfo file the tree carries, which the
 * lifecycle (through injected paths) and the simulator (through `SPDK_SIM_MEMINFO`) both read.
 */
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { simBin } from './paths.js';

export type FakeLayout = 'source' | 'source-legacy' | 'prefix';
type App = 'nvmf_tgt' | 'vhost' | 'iscsi_tgt' | 'spdk_tgt';

export interface FakeTreeOptions {
  layout: FakeLayout;
  /** Apps present; default all four. */
  apps?: App[];
  /** Default 24.01.0 with no suffix; null = no version anywhere. */
  version?: { major: number; minor: number; patch?: number; suffix?: string } | null;
  /** Where the version is written; default `header` (include/spdk/version.h). */
  versionIn?: 'header' | 'VERSION';
  /** A name for the temporary directory (may hold spaces and shell metacharacters). */
  dirName?: string;
  /** The fake machine's hugepages; default none (2048 kB pages, 0 total). */
  hugepages?: FakeHugepages;
  /** hugetlbfs mounted in the fake mounts file; default true. */
  hugetlbfsMounted?: boolean;
  /** Leave out scripts/setup.sh. */
  withoutSetupScript?: boolean;
}

export interface FakeHugepages {
  total: number;
  free: number;
  reserved?: number;
  pageSizeKb?: number;
}

export interface SetupRun {
  args: string[];
  env: { HUGEMEM?: string; NRHUGE?: string; PCI_ALLOWED?: string };
}

export interface FakeSpdkTree {
  /** The temporary directory holding everything (removed by `cleanup`). */
  dir: string;
  /** The tree root (sourceDir) or the prefix. */
  root: string;
  layout: FakeLayout;
  appPath(app: App): string;
  setupScript: string | undefined;
  rpcScript: string;
  /** Fake /proc files: give them to the lifecycle as `hugepagePaths` and to the sim as SPDK_SIM_MEMINFO. */
  hugepagePaths: { meminfo: string; mounts: string; nrHugepages: string };
  /** Environment for a simulator that should read this fake machine's hugepages. */
  simEnv: Record<string, string>;
  writeHugepages(pages: FakeHugepages): Promise<void>;
  setupRuns(): Promise<SetupRun[]>;
  cleanup(): Promise<void>;
}

const ALL_APPS: App[] = ['nvmf_tgt', 'vhost', 'iscsi_tgt', 'spdk_tgt'];

export function meminfoText(pages: FakeHugepages): string {
  return [
    'MemTotal:       16318480 kB',
    'MemFree:         8123456 kB',
    'AnonHugePages:         0 kB',
    `HugePages_Total:    ${pages.total}`,
    `HugePages_Free:     ${pages.free}`,
    `HugePages_Rsvd:     ${pages.reserved ?? 0}`,
    'HugePages_Surp:        0',
    `Hugepagesize:       ${pages.pageSizeKb ?? 2048} kB`,
    `Hugetlb:        ${pages.total * (pages.pageSizeKb ?? 2048)} kB`,
    '',
  ].join('\n');
}

/** A fake installation for one test, removed after it. */
export async function fakeSpdkTreeFor(t: TestContext, options: FakeTreeOptions): Promise<FakeSpdkTree> {
  const tree = await createFakeSpdkTree(options);
  t.after(() => tree.cleanup());
  return tree;
}

export async function createFakeSpdkTree(options: FakeTreeOptions): Promise<FakeSpdkTree> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${options.dirName ?? 'spdk-tree'}-`));
  const root = path.join(dir, options.layout === 'prefix' ? 'usr-local' : 'spdk');
  const apps = options.apps ?? ALL_APPS;
  const appPath = (app: App): string => {
    switch (options.layout) {
      case 'source':
        return path.join(root, 'build', 'bin', app);
      case 'source-legacy':
        return path.join(root, 'app', app, app);
      case 'prefix':
        return path.join(root, 'bin', app);
    }
  };
  for (const app of apps) {
    await mkdir(path.dirname(appPath(app)), { recursive: true });
    await symlink(simBin, appPath(app));
  }

  const version = options.version === undefined ? { major: 24, minor: 1, patch: 0, suffix: '' } : options.version;
  if (version) {
    if ((options.versionIn ?? 'header') === 'header') {
      await mkdir(path.join(root, 'include', 'spdk'), { recursive: true });
      await writeFile(
        path.join(root, 'include', 'spdk', 'version.h'),
        [
          '/* SPDX-License-Identifier: BSD-3-Clause */',
          '#ifndef SPDK_VERSION_H',
          '#define SPDK_VERSION_H',
          `#define SPDK_VERSION_MAJOR\t${version.major}`,
          `#define SPDK_VERSION_MINOR\t${version.minor}`,
          `#define SPDK_VERSION_PATCH\t${version.patch ?? 0}`,
          `#define SPDK_VERSION_SUFFIX\t"${version.suffix ?? ''}"`,
          '#endif',
          '',
        ].join('\n'),
      );
    } else {
      const minor = String(version.minor).padStart(2, '0');
      await mkdir(root, { recursive: true });
      await writeFile(path.join(root, 'VERSION'), `${version.major}.${minor}.${version.patch ?? 0}${version.suffix ?? ''}\n`);
    }
  }

  const procDir = path.join(dir, 'proc');
  await mkdir(procDir, { recursive: true });
  const hugepagePaths = {
    meminfo: path.join(procDir, 'meminfo'),
    mounts: path.join(procDir, 'mounts'),
    nrHugepages: path.join(procDir, 'nr_hugepages'),
  };
  const writeHugepages = async (pages: FakeHugepages): Promise<void> => {
    await writeFile(hugepagePaths.meminfo, meminfoText(pages));
    await writeFile(hugepagePaths.nrHugepages, `${pages.total}\n`);
  };
  await writeHugepages(options.hugepages ?? { total: 0, free: 0 });
  await writeFile(
    hugepagePaths.mounts,
    [
      'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
      'tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0',
      ...(options.hugetlbfsMounted === false ? [] : ['hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0']),
      '',
    ].join('\n'),
  );

  const setupRunsFile = path.join(dir, 'setup-runs.jsonl');
  let setupScript: string | undefined;
  let rpcScript: string;
  const scriptsDir = options.layout === 'prefix' ? path.join(root, 'share', 'spdk', 'scripts') : path.join(root, 'scripts');
  if (!options.withoutSetupScript) {
    setupScript = path.join(scriptsDir, 'setup.sh');
    await mkdir(scriptsDir, { recursive: true });
    await writeFile(setupScript, fakeSetupScript(setupRunsFile, hugepagePaths.meminfo));
    await chmod(setupScript, 0o755);
  }
  if (options.layout === 'prefix') {
    rpcScript = path.join(root, 'bin', 'spdk-rpc');
    await mkdir(path.dirname(rpcScript), { recursive: true });
  } else {
    rpcScript = path.join(root, 'scripts', 'rpc.py');
    await mkdir(path.dirname(rpcScript), { recursive: true });
  }
  await writeFile(rpcScript, '#!/usr/bin/env python3\nraise SystemExit("fake rpc.py")\n');
  await chmod(rpcScript, 0o755);

  return {
    dir,
    root,
    layout: options.layout,
    appPath,
    setupScript,
    rpcScript,
    hugepagePaths,
    simEnv: { SPDK_SIM_MEMINFO: hugepagePaths.meminfo },
    writeHugepages,
    setupRuns: async () => {
      let text: string;
      try {
        text = await readFile(setupRunsFile, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as SetupRun);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A stand-in for SPDK's setup.sh (a Node script, so it can write JSON safely): records its arguments
 * and hugepage variables, then sets the fake machine's hugepage total to NRHUGE (pages already in use
 * stay in use), as the real one writes /proc/sys/vm/nr_hugepages.
 */
function fakeSetupScript(runsFile: string, meminfo: string): string {
  return `#!/usr/bin/env node
const fs = require('node:fs');
const runsFile = ${JSON.stringify(runsFile)};
const meminfo = ${JSON.stringify(meminfo)};
const env = {};
for (const k of ['HUGEMEM', 'NRHUGE', 'PCI_ALLOWED']) if (process.env[k] !== undefined) env[k] = process.env[k];
fs.appendFileSync(runsFile, JSON.stringify({ args: process.argv.slice(2), env }) + '\\n');
const text = fs.readFileSync(meminfo, 'utf8');
const get = (k) => Number((new RegExp('^' + k + ':\\\\s+(\\\\d+)', 'm').exec(text) || [])[1] || 0);
const pageKb = get('Hugepagesize') || 2048;
const wanted = process.env.NRHUGE !== undefined ? Number(process.env.NRHUGE) : Math.ceil(Number(process.env.HUGEMEM || 2048) * 1024 / pageKb);
const inUse = get('HugePages_Total') - get('HugePages_Free');
const total = Math.max(wanted, get('HugePages_Total'));
const set = (t, k, v) => t.replace(new RegExp('^(' + k + ':\\\\s+)\\\\d+', 'm'), '$1' + v);
let out = set(text, 'HugePages_Total', total);
out = set(out, 'HugePages_Free', total - inUse);
fs.writeFileSync(meminfo, out);
console.log('0000:00:04.0 (8086 0953): Already using the vfio-pci driver');
`;
}
