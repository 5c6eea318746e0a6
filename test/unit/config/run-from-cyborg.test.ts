/**
 * The loader's new sources and defaults: Cyborg's cyborg.conf given directly (`--config-file`, no
 * YAML at all), an INI file where YAML is expected, the runtime and target-log directories from
 * systemd's environment, and where each value came from (`config show`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { ConfigError, loadConfig, looksLikeIni } from '../../../src/config/index.js';
import { describeConfig } from '../../../src/config/show.js';
import { CYBORG_CONF, scratch } from './scratch.js';

test('cyborg.conf alone (no YAML): targets, host, bus and SPDK tree come from it', async (t) => {
  const dir = scratch(t);
  const conf = dir.write('cyborg.conf', CYBORG_CONF);
  const loaded = await loadConfig({ upperFile: conf, env: {} });
  const { config, files } = loaded;
  assert.deepEqual(files, { upper: conf }, 'no agent YAML was looked for');
  assert.equal(config.agent.host, 'cn-from-cyborg');
  assert.deepEqual(config.bus.urls, ['amqp://rmq1:5672/cyborg', 'amqp://rmq2:5672/cyborg']);
  assert.equal(config.bus.username, 'cyborg');
  assert.equal(config.bus.password.reveal(), 'CyborgPass');
  assert.equal(config.bus.durableQueues, true);
  assert.equal(config.spdk.sourceDir, '/opt/cyborg-spdk');
  assert.deepEqual(
    config.spdk.targets.map((target) => [target.name, target.app, target.socket, target.enabled]),
    [
      ['nvmf', 'nvmf_tgt', '/var/tmp/spdk-nvmf.sock', true],
      ['vhost', 'vhost', '/var/tmp/spdk-vhost.sock', true],
    ],
  );
});

test('cyborg.conf beside a YAML: the YAML wins where both set a value, the command line names the Cyborg file', async (t) => {
  const dir = scratch(t);
  const conf = dir.write('cyborg.conf', CYBORG_CONF);
  const other = dir.write('other.conf', '[DEFAULT]\nhost = from-other\n');
  const yaml = dir.write('agent.yaml', `agent: { host: cn-yaml }\nspdk:\n  upperConfig: { path: ${JSON.stringify(other)} }\n`);
  const loaded = await loadConfig({ file: yaml, upperFile: conf, env: {} });
  assert.equal(loaded.config.agent.host, 'cn-yaml');
  assert.equal(loaded.files.upper, conf);
  assert.equal(loaded.config.spdk.sourceDir, '/opt/cyborg-spdk');
  assert.ok(
    loaded.warnings.some((w) => /spdk\.upperConfig\.path is not used/.test(w)),
    loaded.warnings.join('\n'),
  );
});

test('an INI file where the YAML is expected: a message that says so, naming the file', async (t) => {
  const dir = scratch(t);
  const conf = dir.write('cyborg.conf', CYBORG_CONF);
  await assert.rejects(loadConfig({ file: conf, env: {} }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /cyborg\.conf:1: this is an INI file \(like cyborg\.conf\), not the agent's YAML: pass it with --config-file/);
    assert.doesNotMatch(err.message, /CyborgPass/);
    return true;
  });
});

test('looksLikeIni: INI files yes, YAML (even with brackets and equals signs) no', () => {
  assert.equal(looksLikeIni('# comment\n; another\n[DEFAULT]\nhost = cn1\n'), true);
  assert.equal(looksLikeIni('[oslo_messaging_rabbit]\nrabbit_quorum_queue=true'), true);
  assert.equal(looksLikeIni('agent:\n  host: cn1\n'), false);
  assert.equal(looksLikeIni('[a, b]\n'), false);
  assert.equal(looksLikeIni('spdk:\n  targets: []\nx: "a = b"\n'), false);
  assert.equal(looksLikeIni(''), false);
});

test('runtime and target-log directories: systemd’s RUNTIME_DIRECTORY / LOGS_DIRECTORY, else the defaults; the file wins', async (t) => {
  const dir = scratch(t);
  const yaml = dir.write('agent.yaml', 'bus: { enabled: false }\n');
  const systemd = await loadConfig({ file: yaml, env: { RUNTIME_DIRECTORY: '/run/spdk-agent', LOGS_DIRECTORY: '/var/log/spdk-agent' } });
  assert.equal(systemd.config.agent.runtimeDir, '/run/spdk-agent');
  assert.equal(systemd.config.spdk.targetLogs.dir, '/var/log/spdk-agent');
  assert.equal(systemd.config.spdk.targetLogs.maxBytes, 16 * 1024 * 1024);

  const plain = await loadConfig({ file: yaml, env: { XDG_RUNTIME_DIR: '/run/user/1000' } });
  const uid = process.getuid?.() ?? 0;
  assert.equal(plain.config.agent.runtimeDir, uid === 0 ? '/run/spdk-agent' : '/run/user/1000/spdk-agent');
  assert.equal(plain.config.spdk.targetLogs.dir, undefined, 'no directory: each target logs beside its socket');

  const explicit = dir.write('explicit.yaml', 'agent: { runtimeDir: run }\nbus: { enabled: false }\nspdk: { targetLogs: { dir: logs, maxBytes: 100000 } }\n');
  const chosen = await loadConfig({ file: explicit, env: { RUNTIME_DIRECTORY: '/run/x', LOGS_DIRECTORY: '/var/log/x' } });
  assert.equal(chosen.config.agent.runtimeDir, path.join(dir.dir, 'run'), 'relative to the file');
  assert.equal(chosen.config.spdk.targetLogs.dir, path.join(dir.dir, 'logs'));
  assert.equal(chosen.config.spdk.targetLogs.maxBytes, 100000);
  void os;
});

test('config show: every value with its source (file:line, Cyborg key, environment, default); the password masked', async (t) => {
  const dir = scratch(t);
  const conf = dir.write('cyborg.conf', CYBORG_CONF);
  const yaml = dir.write('agent.yaml', `agent:\n  reportIntervalSec: 30\nspdk:\n  upperConfig: { path: ${JSON.stringify(conf)} }\n`);
  const loaded = await loadConfig({ file: yaml, env: { SPDK_AGENT_LOG_LEVEL: 'debug' } });
  const shown = new Map(describeConfig(loaded).map((v) => [v.key, v]));
  assert.deepEqual(shown.get('agent.reportIntervalSec'), { key: 'agent.reportIntervalSec', value: 30, source: `${yaml}:2` });
  assert.equal(shown.get('agent.host')?.source, `${conf}:2 ([DEFAULT] host)`);
  assert.equal(shown.get('log.level')?.source, 'SPDK_AGENT_LOG_LEVEL');
  assert.equal(shown.get('agent.changeCheckIntervalSec')?.source, 'default');
  assert.equal(shown.get('bus.password')?.value, '***');
  assert.match(shown.get('bus.password')?.source ?? '', /transport_url/);
  assert.deepEqual(shown.get('bus.urls')?.value, ['amqp://rmq1:5672/cyborg', 'amqp://rmq2:5672/cyborg']);
  assert.equal(shown.get('spdk.targets[0].name')?.value, 'nvmf');
  assert.doesNotMatch(JSON.stringify([...shown.values()]), /CyborgPass/);
});
