/**
 * `spdk-agent discover | start | stop | status`, run as an operator runs them (bin/spdk-agent in a
 * child process), against a fake SPDK tree whose apps are the simulator. Checks stdout, stderr and
 * exit codes; every target started is killed after the test even when an assertion fails.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killTargetsAfter, runCli } from '../../helpers/cli.js';
import { createFakeSpdkTree, type FakeSpdkTree } from '../../helpers/fake-spdk-tree.js';
import { readProcessStat } from '../../../src/spdk/lifecycle/proc.js';
import { trackPid } from '../lifecycle/harness.js';

const agent = runCli;

async function alive(pid: number): Promise<boolean> {
  const stat = await readProcessStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

const JSON_CONFIG = {
  subsystems: [
    {
      subsystem: 'bdev',
      config: [
        { method: 'bdev_malloc_create', params: { name: 'Malloc0', num_blocks: 2048, block_size: 512 } },
        { method: 'bdev_nvme_attach_controller', params: { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:5e:00.0' } },
      ],
    },
    {
      subsystem: 'nvmf',
      config: [
        { method: 'nvmf_create_transport', params: { trtype: 'TCP' } },
        { method: 'nvmf_create_subsystem', params: { nqn: 'nqn.2016-06.io.spdk:cnode1', allow_any_host: true } },
        { method: 'nvmf_subsystem_add_ns', params: { nqn: 'nqn.2016-06.io.spdk:cnode1', namespace: { bdev_name: 'Malloc0' } } },
      ],
    },
  ],
};

interface Setup {
  tree: FakeSpdkTree;
  config: string;
  socket: string;
}

async function setup(t: TestContext, extraTargetYaml = '', targetArgs = '["--no-huge", "-s", "256"]'): Promise<Setup> {
  const tree = await createFakeSpdkTree({ layout: 'source' });
  t.after(() => tree.cleanup());
  const socket = path.join(tree.dir, 'nvmf0.sock');
  await writeFile(path.join(tree.dir, 'nvmf0.json'), JSON.stringify(JSON_CONFIG));
  const config = path.join(tree.dir, 'agent.yaml');
  await writeFile(
    config,
    [
      'bus:',
      '  enabled: false',
      'spdk:',
      `  sourceDir: ${JSON.stringify(tree.root)}`,
      '  searchPath: false',
      '  targets:',
      '    - name: nvmf0',
      '      app: nvmf_tgt',
      `      socket: ${JSON.stringify(socket)}`,
      `      jsonConfig: ${JSON.stringify(path.join(tree.dir, 'nvmf0.json'))}`,
      `      args: ${targetArgs}`,
      '      stopTimeoutSec: 5',
      '      startTimeoutSec: 20',
      '    - name: vhost0',
      '      app: vhost',
      `      socket: ${JSON.stringify(path.join(tree.dir, 'vhost0.sock'))}`,
      '      args: ["--no-huge", "-s", "256"]',
      extraTargetYaml,
      '',
    ].join('\n'),
  );
  killTargetsAfter(t, config);
  return { tree, config, socket };
}

test('discover without SPDK: exit 0, "not installed", where it looked; --json says installed false', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-nospdk-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = path.join(dir, 'agent.yaml');
  await writeFile(
    config,
    ['bus:', '  enabled: false', 'spdk:', `  sourceDir: ${JSON.stringify(path.join(dir, 'spdk'))}`, '  searchPath: false', '  targets: []', ''].join('\n'),
  );
  const text = await agent(['discover', '--config', config]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /not installed: no SPDK application found/);
  assert.match(text.stdout, new RegExp(`looked in: .*${path.join(dir, 'spdk', 'build', 'bin')}`));
  assert.match(text.stdout, /Targets\n {2}none configured/);

  const json = await agent(['discover', '--json', '--config', config]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { installation: { installed: boolean; searched: string[] }; targets: unknown[] };
  assert.equal(parsed.installation.installed, false);
  assert.ok(parsed.installation.searched.includes(path.join(dir, 'spdk', 'build', 'bin', 'nvmf_tgt')));
  assert.deepEqual(parsed.targets, []);
});

test('a broken YAML reaches the CLI as a clear message naming the file and line, exit 2', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-badyaml-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const syntax = path.join(dir, 'syntax.yaml');
  await writeFile(syntax, 'spdk:\n  targets:\n    - name: nvmf0\n      app: [nvmf_tgt\n');
  const schema = path.join(dir, 'schema.yaml');
  await writeFile(schema, 'spdk:\n  targets:\n    - name: nvmf0\n      app: nvmf\n      socket: /tmp/x.sock\n');
  for (const command of [['discover'], ['status'], ['start', 'nvmf0'], ['stop', 'nvmf0']]) {
    const bad = await agent([...command, '--config', syntax]);
    assert.equal(bad.code, 2, `${command.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, new RegExp(`${syntax.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+`));
    assert.equal(bad.stdout, '');
  }
  const wrong = await agent(['discover', '--config', schema]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /schema\.yaml:4: spdk\.targets\[0\]\.app: .*nvmf_tgt/);
});

test('a broken Cyborg INI (upper config) reaches the CLI as a clear message, exit 2', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-badini-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ini = path.join(dir, 'cyborg.conf');
  await writeFile(ini, '[DEFAULT]\nhost = cn1\n\n[backend_defaults]\nspdk_dir = /opt/spdk\naccelerator_servers = nvmf, floppy\nremoteable = perhaps\n');
  const config = path.join(dir, 'agent.yaml');
  await writeFile(config, `bus:\n  enabled: false\nspdk:\n  upperConfig:\n    path: ${JSON.stringify(ini)}\n    format: cyborg\n`);
  const run = await agent(['status', '--config', config]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /cyborg\.conf/);
  assert.match(run.stderr, /accelerator_servers/);
  assert.match(run.stderr, /remoteable/);
  assert.equal(run.stdout, '');

  const missing = path.join(dir, 'missing.yaml');
  await writeFile(missing, `bus:\n  enabled: false\nspdk:\n  upperConfig:\n    path: ${JSON.stringify(path.join(dir, 'nope.conf'))}\n    format: cyborg\n`);
  const gone = await agent(['discover', '--config', missing]);
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /nope\.conf/);
});

test('unknown target: exit 2 listing the configured names', async (t) => {
  const { config } = await setup(t);
  for (const command of ['start', 'stop']) {
    const run = await agent([command, 'nvmf9', '--config', config]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown target "nvmf9"; configured targets: nvmf0, vhost0/);
  }
});

test('start, status, discover, stop: the whole cycle of one target', async (t) => {
  const { config, socket, tree } = await setup(t);

  const started = await agent(['start', 'nvmf0', '--config', config]);
  assert.equal(started.code, 0, started.stderr);
  const m = /^nvmf0: started \(pid (\d+), SPDK v24\.01[^,]*, socket (.+)\)\n$/.exec(started.stdout);
  assert.ok(m, started.stdout);
  const pid = Number(m[1]);
  trackPid(pid);
  assert.equal(m[2], socket);
  // Progress on a non-terminal stderr: one plain line per phase, no spinner codes.
  assert.match(started.stderr, /nvmf0: waiting for the RPC socket\n/);
  assert.match(started.stderr, /nvmf0: waiting for initialisation/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every ANSI colour sequence.
  assert.doesNotMatch(started.stderr, /\u001b\[/);
  assert.equal(await alive(pid), true, 'the target outlives the command');
  // Its output goes to a log file next to the socket.
  assert.match(await readFile(`${socket}.log`, 'utf8'), /Starting SPDK v24\.01/);

  const status = await agent(['status', '--json', '--config', config]);
  assert.equal(status.code, 3, `vhost0 is configured, enabled and not running: exit 3 (${status.stderr})`);
  const { targets, allRunning } = JSON.parse(status.stdout) as {
    targets: Array<{ name: string; state: string; pid?: number; ownership?: string }>;
    allRunning: boolean;
  };
  assert.equal(allRunning, false);
  assert.deepEqual(
    targets.map((x) => [x.name, x.state, x.pid]),
    [
      ['nvmf0', 'running', pid],
      ['vhost0', 'stopped', undefined],
    ],
  );

  const table = await agent(['status', '--config', config]);
  assert.match(table.stdout, new RegExp(`│ nvmf0\\s+│ nvmf_tgt │ running\\s+│ ${pid}\\s+│`));
  assert.match(table.stdout, /\nnot running: vhost0\n$/);
  assert.equal(table.code, 3);

  const discovered = await agent(['discover', '--json', '--config', config]);
  assert.equal(discovered.code, 0, discovered.stderr);
  const inventory = JSON.parse(discovered.stdout) as {
    installation: { installed: boolean; sourceDir: string; version: { text: string } };
    targets: Array<{
      name: string;
      state: string;
      inventory: null | {
        app: string;
        bdevs: Array<{ name: string; driver_specific?: { nvme?: Array<{ pci_address?: string }> } }>;
        nvmeControllers: Array<{ name: string; ctrlrs: Array<{ trid: { trtype: string; traddr: string } }> }>;
        nvmf?: { subsystems: Array<{ nqn: string }> };
      };
    }>;
  };
  assert.equal(inventory.installation.installed, true);
  assert.equal(inventory.installation.sourceDir, tree.root);
  assert.equal(inventory.installation.version.text, 'SPDK v24.01');
  const nvmf0 = inventory.targets.find((x) => x.name === 'nvmf0')!;
  assert.equal(nvmf0.state, 'running');
  assert.equal(nvmf0.inventory?.app, 'nvmf_tgt');
  assert.ok(nvmf0.inventory?.bdevs.some((b) => b.name === 'Malloc0'));
  assert.ok(nvmf0.inventory?.bdevs.some((b) => b.driver_specific?.nvme?.[0]?.pci_address === '0000:5e:00.0'));
  assert.deepEqual(
    nvmf0.inventory?.nvmeControllers.map((c) => [c.name, c.ctrlrs[0]!.trid.trtype, c.ctrlrs[0]!.trid.traddr]),
    [['Nvme0', 'PCIe', '0000:5e:00.0']],
  );
  assert.deepEqual(
    nvmf0.inventory?.nvmf?.subsystems.map((s) => s.nqn).filter((n) => n.includes('cnode')),
    ['nqn.2016-06.io.spdk:cnode1'],
  );
  assert.equal(inventory.targets.find((x) => x.name === 'vhost0')?.inventory, null);

  const readable = await agent(['discover', '--config', config]);
  assert.equal(readable.code, 0);
  assert.match(readable.stdout, /SPDK installation\n {2}installed: source tree /);
  assert.match(readable.stdout, /nvmf0: nvmf_tgt, SPDK v24\.01/);
  assert.match(readable.stdout, /│ Malloc0\s+│/);
  assert.match(readable.stdout, /0000:5e:00\.0/);
  assert.match(readable.stdout, /nqn\.2016-06\.io\.spdk:cnode1/);

  const again = await agent(['start', 'nvmf0', '--config', config]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^nvmf0: already running, adopted \\(pid ${pid}, `));

  const stopped = await agent(['stop', 'nvmf0', '--config', config]);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stdout, 'nvmf0: stopped (kill_instance SIGTERM)\n');
  assert.equal(await alive(pid), false);
  await assert.rejects(access(socket));

  const after = await agent(['status', '--json', '--config', config]);
  assert.equal((JSON.parse(after.stdout) as { targets: Array<{ state: string }> }).targets[0]!.state, 'stopped');

  const twice = await agent(['stop', 'nvmf0', '--config', config]);
  assert.equal(twice.code, 0);
  assert.equal(twice.stdout, 'nvmf0: not running\n');
});

test("a failed start: exit 1 and SPDK's own last lines on stderr", async (t) => {
  const { config, socket } = await setup(t, '', '["--no-huge", "-s", "256", "--sim-fault", "refuse-start=socket-in-use"]');
  const run = await agent(['start', 'nvmf0', '--config', config]);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /spdk-agent: nvmf0: start failed: nvmf_tgt exited during start-up \(exit code \d+\)/);
  assert.match(run.stderr, /nvmf0: last lines of .*nvmf_tgt:\n/);
  assert.ok(run.stderr.includes(`RPC Unix domain socket path ${socket} in use. Specify another.`), run.stderr);
});

test('not enough hugepages: exit 1 with both fixes', async (t) => {
  // The CLI reads this machine's /proc/meminfo: ask for more than any machine has free (4 TiB).
  const { config } = await setup(t, '', '["-s", "4194304"]');
  const run = await agent(['start', 'nvmf0', '--config', config]);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /nvmf0: needs 4194304 MB of hugepages but only \d+ MB are free/);
  assert.match(run.stderr, /\(1\) reserve hugepages as root: sudo HUGEMEM=\d+ .*setup\.sh/);
  assert.match(run.stderr, /\(2\) run the target without hugepages: add "--no-huge", "-s", "4194304"/);
  const status = await agent(['status', '--json', '--config', config]);
  assert.equal((JSON.parse(status.stdout) as { targets: Array<{ state: string }> }).targets[0]!.state, 'stopped', 'nothing was started');
});

test('stop --force kills at once; stale socket files are removed', async (t) => {
  const { config, socket } = await setup(t);
  const started = await agent(['start', 'nvmf0', '--config', config]);
  assert.equal(started.code, 0, started.stderr);
  const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
  trackPid(pid);
  const run = await agent(['stop', 'nvmf0', '--force', '--config', config]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, `nvmf0: stopped (SIGKILL); removed stale ${socket}, ${socket}.lock\n`);
  assert.equal(await alive(pid), false);
  await assert.rejects(access(socket));
  await assert.rejects(access(`${socket}.lock`));
});

test('a disabled target cannot be started: exit 2 with the reason', async (t) => {
  const { config } = await setup(t, ['    - name: off', '      app: iscsi_tgt', '      socket: /tmp/off-never-used.sock', '      enabled: false'].join('\n'));
  const run = await agent(['start', 'off', '--config', config]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /target off is disabled/);
  const status = await agent(['status', '--config', config]);
  assert.match(status.stdout, /│ off\s+│ iscsi_tgt │ disabled/);
});
