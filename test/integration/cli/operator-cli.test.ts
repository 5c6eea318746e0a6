/**
 * The CLI habits an operator relies on, run as a child process: exit codes that say something
 * (`status` as `systemctl is-active`), `--json` on every command (a JSON document on stdout even
 * on failure), `--no-color`, `config show` with the source of each value, `--config-file` with
 * Cyborg's cyborg.conf, an INI file where YAML is expected, and `doctor`.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killTargetsAfter, runCli } from '../../helpers/cli.js';
import { brokerSkip, testAmqpUrl, waitFor } from '../../helpers/broker.js';
import { PythonPeer, pythonSkip } from '../../helpers/python.js';
import { createFakeSpdkTree } from '../../helpers/fake-spdk-tree.js';
import { trackPid } from '../lifecycle/harness.js';
import { HOST, TestConductor, brokerScope, makeAgentNode, runAgent } from '../agent/harness.js';

const brokerMissing = await brokerSkip();
const pythonMissing = brokerMissing || (await pythonSkip());

async function oneTargetNode(t: TestContext): Promise<{ config: string; socket: string; dir: string }> {
  const tree = await createFakeSpdkTree({ layout: 'source' });
  t.after(() => tree.cleanup());
  const socket = path.join(tree.dir, 'nvmf0.sock');
  const config = path.join(tree.dir, 'agent.yaml');
  // JSON is YAML.
  const targets = [
    { name: 'nvmf0', app: 'nvmf_tgt', socket, args: ['--no-huge', '-s', '256'], stopTimeoutSec: 5 },
    { name: 'off', app: 'iscsi_tgt', socket: '/tmp/never-used-off.sock', enabled: false },
  ];
  await writeFile(config, JSON.stringify({ bus: { enabled: false }, spdk: { sourceDir: tree.root, searchPath: false, targets } }));
  killTargetsAfter(t, config);
  return { config, socket, dir: tree.dir };
}

test('status exits 3 while an enabled target is stopped and 0 once every one runs; start and stop speak JSON', async (t) => {
  const { config, socket } = await oneTargetNode(t);
  const before = await runCli(['status', '--config', config]);
  assert.equal(before.code, 3, before.stderr);
  assert.match(before.stdout, /not running: nvmf0\n$/);

  const started = await runCli(['start', 'nvmf0', '--json', '--config', config]);
  assert.equal(started.code, 0, started.stderr);
  const outcome = JSON.parse(started.stdout) as { ok: boolean; action: string; target: { name: string; state: string; pid: number; address: string } };
  // Tracked first: a failed assertion below must not leave the target running.
  trackPid(outcome.target.pid);
  assert.equal(started.stderr, '', 'no progress lines with --json');
  assert.equal(outcome.ok, true);
  assert.equal(outcome.action, 'started');
  assert.deepEqual([outcome.target.name, outcome.target.state, outcome.target.address], ['nvmf0', 'running', socket]);

  const running = await runCli(['status', '--json', '--config', config]);
  assert.equal(running.code, 0, 'the disabled target does not count');
  assert.equal((JSON.parse(running.stdout) as { allRunning: boolean }).allRunning, true);

  const stopped = await runCli(['stop', 'nvmf0', '--json', '--config', config]);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.deepEqual(JSON.parse(stopped.stdout), { ok: true, target: 'nvmf0', wasRunning: true, signalsSent: ['kill_instance SIGTERM'], removedFiles: [] });
  const again = await runCli(['stop', 'nvmf0', '--json', '--config', config]);
  assert.equal((JSON.parse(again.stdout) as { wasRunning: boolean }).wasRunning, false);

  // A failure with --json: still a JSON document on stdout, the message on stderr.
  const unknown = await runCli(['start', 'nvmf9', '--json', '--config', config]);
  assert.equal(unknown.code, 2);
  const failure = JSON.parse(unknown.stdout) as { ok: boolean; error: string; exitCode: number };
  assert.deepEqual([failure.ok, failure.exitCode], [false, 2]);
  assert.match(failure.error, /unknown target "nvmf9"/);
  assert.match(unknown.stderr, /unknown target "nvmf9"/);
});

test('--no-color is taken anywhere on the line and listed in --help; every command takes --json', async (t) => {
  const { config } = await oneTargetNode(t);
  const run = await runCli(['status', '--no-color', '--config', config]);
  assert.equal(run.code, 3, run.stderr);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every ANSI colour sequence.
  assert.doesNotMatch(run.stdout + run.stderr, /\u001b\[/);
  const help = await runCli(['--help']);
  assert.match(help.stdout, /--no-color/);
  for (const command of ['rpc', 'discover', 'start', 'stop', 'status', 'run', 'demo', 'doctor']) {
    const commandHelp = await runCli([command, '--help']);
    assert.match(commandHelp.stdout, /--json/, `${command} --help lists --json`);
  }
  assert.match((await runCli(['config', 'show', '--help'])).stdout, /--json/);
});

test('config show: every value with its source, secrets masked; --config-file takes cyborg.conf; an INI file as YAML says so', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const conf = path.join(dir, 'cyborg.conf');
  await writeFile(
    conf,
    '[DEFAULT]\nhost = cn7\ntransport_url = rabbit://cyborg:Recognisable-Secret-32@rmq1:5672/\n[backend_defaults]\naccelerator_servers = nvmf\n',
  );
  const yaml = path.join(dir, 'agent.yaml');
  await writeFile(yaml, 'agent:\n  reportIntervalSec: 30\n');

  const text = await runCli(['config', 'show', '--config', yaml, '--config-file', conf]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^agent\\.reportIntervalSec = 30 +# ${yaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2$`, 'm'));
  assert.match(text.stdout, /^agent\.host = "cn7" +# .*cyborg\.conf:2 \(\[DEFAULT\] host\)$/m);
  assert.match(text.stdout, /^bus\.password = "\*\*\*" +# .*transport_url/m);
  assert.match(text.stdout, /^spdk\.targets\[0\]\.socket = "\/var\/tmp\/spdk-nvmf\.sock"/m);
  assert.match(text.stdout, /^agent\.changeCheckIntervalSec = 1 +# default$/m);
  assert.doesNotMatch(text.stdout + text.stderr, /Recognisable-Secret-32/);

  const json = await runCli(['config', 'show', '--json', '--config-file', conf]);
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as {
    files: Record<string, string>;
    config: { agent: { host: string }; bus: { password: string } };
    sources: Record<string, string>;
  };
  assert.deepEqual(shown.files, { upper: conf }, 'cyborg.conf alone: no YAML read');
  assert.equal(shown.config.agent.host, 'cn7');
  assert.equal(shown.config.bus.password, '***');
  assert.match(shown.sources['agent.host'] ?? '', /cyborg\.conf:2/);
  assert.doesNotMatch(json.stdout, /Recognisable-Secret-32/);

  const ini = await runCli(['status', '-c', conf]);
  assert.equal(ini.code, 2);
  assert.match(ini.stderr, /cyborg\.conf:1: this is an INI file \(like cyborg\.conf\), not the agent's YAML: pass it with --config-file/);
  assert.doesNotMatch(ini.stderr, /Recognisable-Secret-32/);

  const twoInis = await runCli(['config', 'show', '--config-file', conf, '--config-file', conf]);
  assert.equal(twoInis.code, 2);
  assert.match(twoInis.stderr, /two Cyborg files given/);

  const bad = path.join(dir, 'bad.yaml');
  await writeFile(bad, 'agent:\n  reportIntervalSec: soon\n');
  const invalid = await runCli(['config', 'show', '--json', '--config', bad]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /bad\.yaml:2: agent\.reportIntervalSec/);
  assert.equal((JSON.parse(invalid.stdout) as { ok: boolean }).ok, false);
});

test('doctor: a bad configuration fails (exit 2) naming the line', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-doctor-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'bad.yaml');
  await writeFile(bad, 'spdk:\n  targets:\n    - name: x\n      app: nvmf\n');
  const run = await runCli(['doctor', '--json', '--config', bad]);
  assert.equal(run.code, 2, run.stderr);
  const result = JSON.parse(run.stdout) as { checks: Array<{ check: string; status: string; detail: string }>; exitCode: number };
  assert.equal(result.exitCode, 2);
  assert.equal(result.checks[0]?.check, 'configuration');
  assert.equal(result.checks[0]?.status, 'fail');
  assert.match(result.checks[0]?.detail ?? '', /bad\.yaml:4: spdk\.targets\[0\]\.app/);
});

test('doctor on a node that works: every check passes (exit 0); with the Python cyborg-agent on the host queue it fails (exit 2)', {
  skip: pythonMissing,
  timeout: 120_000,
}, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: ['nvmf0'] });
  await TestConductor.start(scope, node.conductorTopic, { pingEnabled: true });
  const agent = runAgent(t, scope, node.configFile);
  await waitFor('the agent to serve', async () => (await runCli(['status', '--json', '--config', node.configFile])).code === 0, 30_000);
  await waitFor(
    'the agent to consume its queue',
    async () => {
      const run = await runCli(['doctor', '--json', '--config', node.configFile]);
      return (JSON.parse(run.stdout) as { checks: Array<{ check: string; status: string }> }).checks.some(
        (c) => c.check === 'other agent on the host queue' && c.status === 'pass' && c.check,
      );
    },
    30_000,
    500,
  );

  const run = await runCli(['doctor', '--json', '--config', node.configFile]);
  const result = JSON.parse(run.stdout) as { checks: Array<{ check: string; status: string; detail: string }>; exitCode: number };
  const byName = new Map(result.checks.map((c) => [c.check, c]));
  assert.deepEqual(
    result.checks.filter((c) => c.status !== 'pass').map((c) => `${c.check}: ${c.detail}`),
    [],
    'every check passes',
  );
  assert.equal(run.code, 0);
  for (const name of [
    'configuration',
    'SPDK installed',
    'hugepages',
    'target nvmf0',
    'broker reachable',
    'bus queue and exchange flags',
    'conductor answering',
    'other agent on the host queue',
    'bus heartbeat',
    'agent service',
  ]) {
    assert.ok(byName.has(name), `a ${name} check`);
  }
  assert.match(byName.get('other agent on the host queue')!.detail, new RegExp(`served by this node's spdk-agent \\(pid ${agent.child.pid}\\)`));
  assert.match(byName.get('target nvmf0')!.detail, /running, answering on .*nvmf0\.sock/);

  const text = await runCli(['doctor', '--config', node.configFile]);
  assert.match(text.stdout, /^PASS {2}configuration/m);
  assert.match(text.stdout, /\d+ passed, 0 warnings, 0 failed\n$/);

  agent.child.kill('SIGTERM');
  assert.equal((await agent.exited).code, 0);
  const peer = await PythonPeer.start(t, 'cyborg_agent.py', { url: testAmqpUrl, exchange: scope.exchange, topic: node.agentTopic, server: HOST });
  // Stopped before the scope deletes the queues: a consumer left running would declare them again.
  scope.defer(() => peer.stop());
  scope.trackQueue(String(peer.events[0]?.fanout_queue ?? ''));
  const foreign = await runCli(['doctor', '--json', '--config', node.configFile]);
  assert.equal(foreign.code, 2, foreign.stdout);
  const check = (JSON.parse(foreign.stdout) as { checks: Array<{ check: string; status: string; detail: string; fix?: string }> }).checks.find(
    (c) => c.check === 'other agent on the host queue',
  )!;
  assert.equal(check.status, 'fail');
  assert.match(check.detail, /not a spdk-agent .*probably the Python cyborg-agent/);
  assert.match(check.fix ?? '', /Supported deployments/);
  const service = (JSON.parse(foreign.stdout) as { checks: Array<{ check: string; status: string }> }).checks.find((c) => c.check === 'agent service')!;
  assert.equal(service.status, 'warn', 'the agent was stopped');
});

test('a socket someone else owns is not adopted: the target fails saying why, doctor fails it; with untrustedSocket: warn it is adopted', {
  skip: process.getuid?.() === 0 ? false : 'chown needs root',
}, async (t) => {
  const { config, socket } = await oneTargetNode(t);
  const started = await runCli(['start', 'nvmf0', '--json', '--config', config]);
  assert.equal(started.code, 0, started.stderr);
  const pid = (JSON.parse(started.stdout) as { target: { pid: number } }).target.pid;
  trackPid(pid);
  // Another user's socket, as one an unprivileged user made first in /var/tmp would be.
  chownSync(socket, 65534, 65534);
  t.after(() => {
    try {
      chownSync(socket, 0, 0);
    } catch {
      // gone with its target
    }
  });
  const status = await runCli(['status', '--json', '--config', config]);
  assert.equal(status.code, 3, status.stderr);
  const nvmf0 = (JSON.parse(status.stdout) as { targets: Array<{ name: string; state: string; pid?: number; lastError?: string }> }).targets.find(
    (x) => x.name === 'nvmf0',
  )!;
  assert.equal(nvmf0.state, 'failed');
  assert.equal(nvmf0.pid, undefined, 'not taken on');
  assert.match(nvmf0.lastError ?? '', /nvmf0: not adopted: the socket .*nvmf0\.sock belongs to uid 65534, not to a trusted owner/);
  const stop = await runCli(['stop', 'nvmf0', '--config', config]);
  assert.equal(stop.code, 1, 'nor signalled');
  assert.match(stop.stderr, /not adopted/);

  const doctor = await runCli(['doctor', '--json', '--config', config]);
  const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ check: string; status: string; detail: string }> }).checks;
  assert.equal(checks.find((c) => c.check === 'target nvmf0 socket')?.status, 'fail');
  assert.equal(doctor.code, 2);

  const warnConfig = `${config}.warn.yaml`;
  const parsed = JSON.parse(await readFile(config, 'utf8')) as { spdk: Record<string, unknown> };
  parsed.spdk.untrustedSocket = 'warn';
  await writeFile(warnConfig, JSON.stringify(parsed));
  const warned = await runCli(['status', '--json', '--config', warnConfig]);
  assert.equal((JSON.parse(warned.stdout) as { targets: Array<{ name: string; state: string }> }).targets.find((x) => x.name === 'nvmf0')?.state, 'running');
  assert.match(warned.stderr, /adopting a target whose socket is not trusted/);
});
