import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig, type LoadedConfig } from '../../../src/config/index.js';
import { CYBORG_CONF, dedent, scratch, type Scratch } from './scratch.js';

async function load(dir: Scratch, yaml: string, env: NodeJS.ProcessEnv = {}): Promise<LoadedConfig> {
  return loadConfig({ file: dir.write('agent.yaml', dedent(yaml)), env });
}

async function loadError(dir: Scratch, yaml: string, env: NodeJS.ProcessEnv = {}): Promise<ConfigError> {
  try {
    await load(dir, yaml, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected loadConfig to fail');
}

test('a file without an upper file: values, defaults, absolute paths and the file list', async (t) => {
  const dir = scratch(t);
  const { config, warnings, files } = await load(
    dir,
    `
    agent: { host: cn1, reportedHostname: cn1.example.org }
    bus:
      urls: ["amqp://10.0.0.1"]
      tls: { ca: certs/ca.pem }
    spdk:
      sourceDir: ../spdk
      targets:
        - name: nvmf0
          app: nvmf_tgt
          socket: run/nvmf.sock
          binary: nvmf_tgt
          jsonConfig: nvmf.json
          cpumask: "0x3"
          memSizeMb: 512
    `,
  );
  assert.deepEqual(files, { agent: path.join(dir.dir, 'agent.yaml') });
  assert.equal(config.agent.host, 'cn1');
  assert.equal(config.agent.reportedHostname, 'cn1.example.org');
  assert.equal(config.agent.reportIntervalSec, 60);
  assert.deepEqual(config.bus.urls, ['amqp://10.0.0.1:5672/%2F']);
  assert.equal(config.bus.username, 'guest');
  assert.equal(config.bus.password.reveal(), 'guest');
  assert.equal(config.bus.tls.ca, path.join(dir.dir, 'certs/ca.pem'));
  assert.equal(config.bus.tls.verify, true);
  assert.equal(config.spdk.sourceDir, path.resolve(dir.dir, '../spdk'));
  assert.equal(config.spdk.enabledApps, undefined);
  const [target] = config.spdk.targets;
  assert.equal(target!.socket, path.join(dir.dir, 'run/nvmf.sock'));
  assert.equal(target!.jsonConfig, path.join(dir.dir, 'nvmf.json'));
  assert.equal(target!.binary, 'nvmf_tgt', 'a bare binary name stays a name to look up on PATH');
  assert.equal(target!.source, 'agent-file');
  assert.equal(target!.enabled, true);
  assert.deepEqual(target!.restart, { policy: 'on-failure', maxAttempts: 5, initialDelaySec: 1, maxDelaySec: 30, unresponsiveSec: 60 });
  assert.deepEqual(warnings, ['bus.tls is set but no broker URL uses amqps://, so the TLS settings are not used']);
});

test('a file with an upper file: the bus, the SPDK directory and the enabled servers come from cyborg.conf', async (t) => {
  const dir = scratch(t);
  const upper = dir.write('cyborg.conf', CYBORG_CONF);
  const { config, warnings, files } = await load(
    dir,
    `
    spdk:
      upperConfig: { path: cyborg.conf }
      targets:
        - { name: n0, app: nvmf_tgt }
    `,
  );
  assert.deepEqual(files, { agent: path.join(dir.dir, 'agent.yaml'), upper });
  assert.equal(config.agent.host, 'cn-from-cyborg');
  assert.deepEqual(config.bus.urls, ['amqp://rmq1:5672/cyborg', 'amqp://rmq2:5672/cyborg']);
  assert.equal(config.bus.vhost, 'cyborg');
  assert.equal(config.bus.username, 'cyborg');
  assert.equal(config.bus.password.reveal(), 'CyborgPass');
  assert.equal(config.bus.durableQueues, true);
  assert.equal(config.spdk.sourceDir, '/opt/cyborg-spdk');
  assert.deepEqual(config.spdk.enabledApps, ['nvmf_tgt', 'vhost']);
  assert.deepEqual(config.spdk.upperConfig, { path: upper, format: 'cyborg' });
  assert.equal(config.spdk.targets[0]!.enabled, true);
  assert.deepEqual(warnings, []);
});

test('the agent file wins over the upper file, with one warning per differing value naming both', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', CYBORG_CONF);
  const { config, warnings } = await load(
    dir,
    `
    agent:
      host: cn-from-yaml
    bus:
      urls: ["amqp://yaml-rmq:5672"]
      durableQueues: true
    spdk:
      upperConfig: { path: cyborg.conf }
      sourceDir: /opt/yaml-spdk
      targets:
        - { name: n0, app: nvmf_tgt }
    `,
  );
  const agentYaml = path.join(dir.dir, 'agent.yaml');
  const cyborgConf = path.join(dir.dir, 'cyborg.conf');
  assert.equal(config.agent.host, 'cn-from-yaml');
  assert.equal(config.spdk.sourceDir, '/opt/yaml-spdk');
  // The agent file's URL, with the upper file's credentials and vhost (the agent file set neither).
  assert.deepEqual(config.bus.urls, ['amqp://yaml-rmq:5672/cyborg']);
  assert.equal(config.bus.username, 'cyborg');
  assert.deepEqual(warnings, [
    `agent.host: ${agentYaml}:2 sets "cn-from-yaml" and ${cyborgConf}:2 ([DEFAULT] host) sets "cn-from-cyborg"; using the agent file's value`,
    `bus.urls: ${agentYaml}:4 sets ["amqp://yaml-rmq:5672"] and ${cyborgConf}:3 ([DEFAULT] transport_url) sets ["amqp://rmq1:5672", "amqp://rmq2:5672"]; using the agent file's value`,
    `spdk.sourceDir: ${agentYaml}:8 sets "/opt/yaml-spdk" and ${cyborgConf}:7 ([backend_defaults] spdk_dir) sets "/opt/cyborg-spdk"; using the agent file's value`,
  ]);
});

test('a password set by both files differently: the agent file wins, the warning shows neither value', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', CYBORG_CONF);
  const { config, warnings } = await load(
    dir,
    `
    bus:
      username: cyborg
      password: YamlPass
    spdk:
      upperConfig: { path: cyborg.conf }
    `,
  );
  assert.equal(config.bus.password.reveal(), 'YamlPass');
  const warning = warnings.find((w) => w.startsWith('bus.password'));
  assert.ok(warning);
  assert.match(
    warning,
    /agent\.yaml:3 sets a value \(not shown\) and .*cyborg\.conf:3 \(\[DEFAULT\] transport_url\) sets a different one; using the agent file's value/,
  );
  for (const w of warnings) assert.doesNotMatch(w, /YamlPass|CyborgPass/);
});

test('the environment wins over both files, with a warning naming the variable', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', CYBORG_CONF);
  const { config, warnings } = await load(
    dir,
    `
    agent: { host: cn-from-yaml }
    log: { level: warn }
    spdk:
      upperConfig: { path: cyborg.conf }
    `,
    { SPDK_AGENT_HOST: 'cn-from-env', SPDK_AGENT_LOG_LEVEL: 'DEBUG', SPDK_AGENT_BUS_PASSWORD: 'EnvPass' },
  );
  assert.equal(config.agent.host, 'cn-from-env');
  assert.equal(config.log.level, 'debug');
  assert.equal(config.bus.password.reveal(), 'EnvPass');
  assert.ok(
    warnings.includes(
      `agent.host: SPDK_AGENT_HOST sets "cn-from-env" and ${path.join(dir.dir, 'agent.yaml')}:1 sets "cn-from-yaml"; using the environment's value`,
    ),
  );
  assert.ok(warnings.some((w) => /^log\.level: SPDK_AGENT_LOG_LEVEL sets "debug" and .*agent\.yaml:2 sets "warn"/.test(w)));
  assert.ok(
    warnings.some((w) =>
      /^bus\.password: SPDK_AGENT_BUS_PASSWORD sets a value \(not shown\) and .*cyborg\.conf:3 \(\[DEFAULT\] transport_url\) sets a different one/.test(w),
    ),
  );
});

test('no warning when both files say the same thing', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', CYBORG_CONF);
  const { warnings } = await load(
    dir,
    `
    agent: { host: cn-from-cyborg }
    bus: { durableQueues: true, username: cyborg }
    spdk:
      upperConfig: { path: cyborg.conf }
      sourceDir: /opt/cyborg-spdk
      targets: [{ name: n0, app: vhost }]
    `,
  );
  assert.deepEqual(warnings, []);
});

test('with no targets in the agent file, one target per enabled server, each on its own socket', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', `${CYBORG_CONF}spdk_conf_file = spdk.json\n`);
  const { config, warnings } = await load(dir, 'spdk: { upperConfig: { path: cyborg.conf } }\n');
  assert.deepEqual(
    config.spdk.targets.map((t) => [t.name, t.app, t.socket, t.source, t.enabled, t.autostart, t.adopt, t.jsonConfig]),
    [
      ['nvmf', 'nvmf_tgt', '/var/tmp/spdk-nvmf.sock', 'upper-file', true, false, true, path.join(dir.dir, 'spdk.json')],
      ['vhost', 'vhost', '/var/tmp/spdk-vhost.sock', 'upper-file', true, false, true, path.join(dir.dir, 'spdk.json')],
    ],
  );
  assert.ok(
    warnings.some((w) =>
      /^the agent file lists no targets: using one per server enabled by .*cyborg\.conf:8 \(\[backend_defaults\] accelerator_servers\): nvmf \(nvmf_tgt\) on \/var\/tmp\/spdk-nvmf\.sock, vhost \(vhost\) on \/var\/tmp\/spdk-vhost\.sock/.test(
        w,
      ),
    ),
  );
  assert.ok(warnings.some((w) => /gives the same SPDK JSON config to targets of different apps \(nvmf_tgt, vhost\)/.test(w)));
});

test("a target of a server the upper file does not enable is disabled and reported; Cyborg's default has no spdk_tgt", async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', '[DEFAULT]\nhost = cn1\n');
  const { config, warnings } = await load(
    dir,
    `
    spdk:
      upperConfig: { path: cyborg.conf }
      targets:
        - { name: unified, app: spdk_tgt }
        - { name: v0, app: vhost, socket: /var/tmp/v0.sock }
        - { name: off, app: iscsi_tgt, socket: /var/tmp/i.sock, enabled: false }
    `,
  );
  const [unified, v0, off] = config.spdk.targets;
  assert.equal(unified!.enabled, false);
  assert.equal(
    unified!.disabledReason,
    `${path.join(dir.dir, 'cyborg.conf')} (Cyborg's default accelerator_servers) does not enable the spdk_tgt server (enabled: vhost, nvmf, iscsi)`,
  );
  assert.equal(v0!.enabled, true);
  assert.equal(off!.enabled, false);
  assert.equal(off!.disabledReason, 'disabled in the agent file (enabled: false)');
  assert.deepEqual(warnings, [`spdk.targets[0] ("unified", spdk_tgt) is disabled: ${unified!.disabledReason}`]);
});

test('an empty accelerator_servers disables every target', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', '[spdk]\naccelerator_servers =\n');
  const { config, warnings } = await load(dir, 'spdk:\n  upperConfig: { path: cyborg.conf }\n  targets: [{ name: a, app: nvmf_tgt }]\n');
  assert.equal(config.spdk.targets[0]!.enabled, false);
  assert.match(config.spdk.targets[0]!.disabledReason!, /does not enable the nvmf server \(enabled: none\)/);
  assert.ok(warnings.includes('every SPDK target is disabled: the agent will report no devices'));
});

test("spdk_conf_file is the default jsonConfig; a target's own jsonConfig wins with a warning", async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', '[backend_defaults]\naccelerator_servers = nvmf\nspdk_conf_file = /etc/cyborg/spdk.json\n');
  const { config, warnings } = await load(
    dir,
    `
    spdk:
      upperConfig: { path: cyborg.conf }
      targets:
        - { name: a, app: nvmf_tgt, socket: /var/tmp/a.sock }
        - { name: b, app: nvmf_tgt, socket: /var/tmp/b.sock, jsonConfig: /etc/spdk/b.json }
    `,
  );
  assert.equal(config.spdk.targets[0]!.jsonConfig, '/etc/cyborg/spdk.json');
  assert.equal(config.spdk.targets[1]!.jsonConfig, '/etc/spdk/b.json');
  assert.deepEqual(warnings, [
    `spdk.targets[1].jsonConfig: ${path.join(dir.dir, 'agent.yaml')}:5 sets "/etc/spdk/b.json" and ${path.join(dir.dir, 'cyborg.conf')}:3 ([backend_defaults] spdk_conf_file) sets "/etc/cyborg/spdk.json"; using the agent file's value`,
  ]);
});

test('a missing upper file is an error naming it, at the line of the key that names it', async (t) => {
  const dir = scratch(t);
  const err = await loadError(dir, 'log: { level: info }\nspdk:\n  upperConfig:\n    path: /nonexistent/cyborg.conf\n');
  assert.equal(
    err.message,
    `${path.join(dir.dir, 'agent.yaml')}:4: spdk.upperConfig.path: cannot read the upper-layer file /nonexistent/cyborg.conf: no such file`,
  );
});

test('an upper file that is a directory is an error naming it', async (t) => {
  const dir = scratch(t);
  mkdirSync(path.join(dir.dir, 'conf.d'));
  const err = await loadError(dir, 'spdk: { upperConfig: { path: conf.d } }\n');
  assert.match(err.message, /spdk\.upperConfig\.path: cannot read the upper-layer file .*conf\.d: it is a directory$/);
});

test('problems of every source are reported together', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', '[oslo_messaging_rabbit]\nssl = sure\n');
  const err = await loadError(dir, 'spdk: { upperConfig: { path: cyborg.conf } }\n', { SPDK_AGENT_LOG_FORMAT: 'xml' });
  assert.equal(err.file, path.join(dir.dir, 'cyborg.conf'));
  assert.deepEqual(err.message.split('\n'), [
    `${path.join(dir.dir, 'cyborg.conf')}:2: [oslo_messaging_rabbit] ssl: must be a boolean: true/false, yes/no, on/off or 1/0 (got "sure")`,
    'environment: SPDK_AGENT_LOG_FORMAT: must be one of auto, json, text (got "xml")',
  ]);
});

test('schema problems of the agent file are reported with the environment problems', async (t) => {
  const dir = scratch(t);
  const err = await loadError(dir, 'log:\n  levle: info\n', { SPDK_AGENT_HOST: 'has space' });
  assert.deepEqual(
    err.problems.map((p) => [p.file, p.line, p.keyPath]),
    [
      [path.join(dir.dir, 'agent.yaml'), 2, 'log.levle'],
      ['environment', undefined, 'SPDK_AGENT_HOST'],
    ],
  );
});

test('the agent file: a missing one, one named by SPDK_AGENT_CONFIG, a directory, a FIFO, a list', async (t) => {
  const dir = scratch(t);
  await assert.rejects(loadConfig({ file: path.join(dir.dir, 'nope.yaml'), env: {} }), (err: unknown) => {
    return err instanceof ConfigError && err.message === `${path.join(dir.dir, 'nope.yaml')}: cannot read the configuration file: no such file`;
  });
  await assert.rejects(loadConfig({ env: { SPDK_AGENT_CONFIG: 'nope.yaml' }, cwd: dir.dir }), (err: unknown) => {
    return err instanceof ConfigError && /nope\.yaml: cannot read the configuration file: no such file \(named by SPDK_AGENT_CONFIG\)$/.test(err.message);
  });
  await assert.rejects(loadConfig({ file: dir.dir, env: {} }), /it is a directory/);
  const fifo = path.join(dir.dir, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(loadConfig({ file: fifo, env: {} }), /fifo\.yaml: cannot read the configuration file: it is not a regular file/);
  await assert.rejects(load(dir, '- a\n- b\n'), /agent\.yaml:1: must be a mapping with the sections agent, log, bus and spdk \(got a list\)/);
});

test('SPDK_AGENT_CONFIG names the file, relative to cwd', async (t) => {
  const dir = scratch(t);
  dir.write('mine.yaml', 'agent: { host: from-env-file, reportedHostname: x.y }\n');
  const { config, files } = await loadConfig({ env: { SPDK_AGENT_CONFIG: 'mine.yaml' }, cwd: dir.dir });
  assert.equal(config.agent.host, 'from-env-file');
  assert.equal(files.agent, path.join(dir.dir, 'mine.yaml'));
});

test('with no file at all: the default path if it exists, else built-in defaults and a warning', async () => {
  const loaded = await loadConfig({ env: {} });
  if (existsSync(DEFAULT_CONFIG_FILE)) {
    assert.equal(loaded.files.agent, DEFAULT_CONFIG_FILE);
  } else {
    assert.deepEqual(loaded.files, {});
    assert.equal(loaded.warnings[0], `no configuration file: SPDK_AGENT_CONFIG is not set and ${DEFAULT_CONFIG_FILE} does not exist; using built-in defaults`);
    assert.equal(loaded.config.agent.host, os.hostname());
    assert.equal(typeof loaded.config.agent.reportedHostname, 'string');
    assert.ok(loaded.config.agent.reportedHostname.length > 0);
    assert.deepEqual(loaded.config.bus.urls, ['amqp://127.0.0.1:5672/%2F']);
  }
});

test('target rules: unique names, unique sockets, socket xor tcp, no autostart over tcp, -S only for vhost', async (t) => {
  const dir = scratch(t);
  const err = await loadError(
    dir,
    `
    spdk:
      targets:
        - name: a
          app: nvmf_tgt
        - name: a
          app: vhost
          socket: /var/tmp/v.sock
        - name: c
          app: iscsi_tgt
        - name: d
          app: vhost
          socket: /var/tmp/v.sock
        - name: e
          app: nvmf_tgt
          socket: /var/tmp/e.sock
          tcp: "10.0.0.1:5260"
        - name: f
          app: nvmf_tgt
          tcp: "10.0.0.1:5260"
          autostart: true
          vhostSocketDir: /var/tmp/vhost
    `,
  );
  const file = path.join(dir.dir, 'agent.yaml');
  assert.deepEqual(err.message.split('\n'), [
    `${file}:5: spdk.targets[1].name: "a" is already the name of spdk.targets[0] (line 3); names must be unique`,
    `${file}:8: spdk.targets[2].socket: socket /var/tmp/spdk.sock is already used by spdk.targets[0] (line 3) (SPDK's default socket: give each target its own socket)`,
    `${file}:12: spdk.targets[3].socket: socket /var/tmp/v.sock is already used by spdk.targets[1] (line 5)`,
    `${file}:16: spdk.targets[4].tcp: set either socket or tcp, not both`,
    `${file}:20: spdk.targets[5].autostart: a tcp target is reached through a bridge and cannot be started by the agent; use a socket, or set autostart: false`,
    `${file}:21: spdk.targets[5].vhostSocketDir: only vhost and spdk_tgt take -S; nvmf_tgt would refuse to start`,
  ]);
});

test('restart.maxDelaySec must be >= initialDelaySec, including against the default', async (t) => {
  const dir = scratch(t);
  const err = await loadError(
    dir,
    `
    spdk:
      targets:
        - name: a
          app: nvmf_tgt
          socket: /var/tmp/a.sock
          restart: { initialDelaySec: 60 }
        - name: b
          app: nvmf_tgt
          socket: /var/tmp/b.sock
          restart:
            initialDelaySec: 5
            maxDelaySec: 2
    `,
  );
  const file = path.join(dir.dir, 'agent.yaml');
  assert.deepEqual(err.message.split('\n'), [
    `${file}:6: spdk.targets[0].restart.initialDelaySec: restart.maxDelaySec (30, the default) must be >= restart.initialDelaySec (60)`,
    `${file}:12: spdk.targets[1].restart.maxDelaySec: restart.maxDelaySec (2) must be >= restart.initialDelaySec (5)`,
  ]);
});

test('bus rules: retry cap, quorum with HA queues, certificate without key', async (t) => {
  const dir = scratch(t);
  const err = await loadError(
    dir,
    `
    bus:
      quorumQueues: true
      haQueues: true
      retry: { initialSec: 10, maxSec: 5 }
      tls: { cert: c.pem }
    `,
  );
  const file = path.join(dir.dir, 'agent.yaml');
  assert.deepEqual(err.message.split('\n'), [
    `${file}:3: bus.haQueues: cannot be combined with quorum queues (bus.quorumQueues); oslo.messaging refuses this too`,
    `${file}:4: bus.retry.maxSec: bus.retry.maxSec (5) must be >= bus.retry.initialSec (10)`,
    `${file}:5: bus.tls.cert: a client certificate needs both bus.tls.cert and bus.tls.key`,
  ]);
});

test('a rule broken by values of the upper file is reported in the upper file', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', '[oslo_messaging_rabbit]\nrabbit_retry_interval = 60\nrabbit_interval_max = 10\n');
  const err = await loadError(dir, 'spdk: { upperConfig: { path: cyborg.conf } }\n');
  assert.equal(
    err.message,
    `${path.join(dir.dir, 'cyborg.conf')}:3: [oslo_messaging_rabbit] rabbit_interval_max: bus.retry.maxSec (10) must be >= bus.retry.initialSec (60)`,
  );
});

test('bus URLs of the agent file: syntax errors and conflicting credentials, with lines', async (t) => {
  const dir = scratch(t);
  const err = await loadError(
    dir,
    `
    bus:
      urls:
        - "amqp://ok:5672"
        - "rabbit://u:UrlSecret@h"
        - "amqp://u:UrlSecret@:5672"
    `,
  );
  const file = path.join(dir.dir, 'agent.yaml');
  assert.deepEqual(err.message.split('\n'), [
    `${file}:4: bus.urls[1]: must use amqp:// or amqps:// (got rabbit://); rabbit:// is oslo's transport_url form, which belongs in cyborg.conf`,
    `${file}:5: bus.urls[2]: is not a valid URL (expected amqp://host:port/vhost; percent-encode special characters)`,
  ]);
  assert.doesNotMatch(err.message, /UrlSecret/);

  const conflict = await loadError(dir, 'bus:\n  username: admin\n  urls: ["amqp://spdk:UrlSecret@h1", "amqp://spdk:Other@h2"]\n');
  assert.match(conflict.message, /agent\.yaml:3: bus\.urls\[1\]: names a different password than the URLs before it/);
  assert.doesNotMatch(conflict.message, /UrlSecret|Other/);

  const twice = await loadError(dir, 'bus:\n  username: admin\n  urls: ["amqp://spdk:UrlSecret@h1"]\n');
  assert.match(twice.message, /agent\.yaml:2: bus\.username: differs from the username in bus\.urls\[0\]; set it in one place only/);
});

test('credentials in an agent-file URL move out of the URL', async (t) => {
  const dir = scratch(t);
  const { config } = await load(dir, 'bus:\n  urls: ["amqps://spdk:Url%2FSecret@h1/prod", "amqps://h2"]\n  vhost: other\n');
  assert.deepEqual(config.bus.urls, ['amqps://h1:5671/prod', 'amqps://h2:5671/other']);
  assert.equal(config.bus.username, 'spdk');
  assert.equal(config.bus.password.reveal(), 'Url/Secret');
});

test('bus.passwordFile is read at load time; problems name the file', async (t) => {
  const dir = scratch(t);
  dir.write('bus.password', 'FileSecret\n');
  const { config, warnings } = await load(dir, 'bus:\n  passwordFile: bus.password\n');
  assert.equal(config.bus.password.reveal(), 'FileSecret');
  assert.equal(config.bus.passwordFile, path.join(dir.dir, 'bus.password'));
  assert.deepEqual(
    warnings.filter((w) => /password/.test(w)),
    [],
  );

  const missing = await loadError(dir, 'bus:\n  passwordFile: /nonexistent/pw\n');
  assert.equal(missing.message, `${path.join(dir.dir, 'agent.yaml')}:2: bus.passwordFile: cannot read the password file /nonexistent/pw: no such file`);

  dir.write('two-lines.password', 'one\ntwo\n');
  assert.match((await loadError(dir, 'bus: { passwordFile: two-lines.password }\n')).message, /holds more than one line; it must hold only the password$/);

  dir.write('empty.password', '\n');
  assert.match((await loadError(dir, 'bus: { passwordFile: empty.password }\n')).message, /the password file .*empty\.password is empty/);

  const both = await loadError(dir, 'bus:\n  password: x\n  passwordFile: bus.password\n');
  assert.match(both.message, /agent\.yaml:3: bus\.passwordFile: the password is also given \(bus\.password or a URL\); set only one of them/);
});

test('metrics.bearerTokenFile is read at load time into a Secret; problems name the file', async (t) => {
  const dir = scratch(t);
  dir.write('metrics.token', 'ScrapeToken\n');
  const { config } = await load(dir, 'metrics:\n  listen: "127.0.0.1:9466"\n  bearerTokenFile: metrics.token\n');
  assert.equal(config.metrics.bearerToken?.reveal(), 'ScrapeToken');
  assert.equal(JSON.stringify(config.metrics.bearerToken), '"***"', 'masked wherever it is printed');
  const missing = await loadError(dir, 'metrics:\n  bearerTokenFile: /nonexistent/token\n');
  assert.equal(
    missing.message,
    `${path.join(dir.dir, 'agent.yaml')}:2: metrics.bearerTokenFile: cannot read the bearer token file /nonexistent/token: no such file`,
  );
  const both = await loadError(dir, 'metrics:\n  bearerToken: x\n  bearerTokenFile: metrics.token\n');
  assert.match(both.message, /agent\.yaml:3: metrics\.bearerTokenFile: metrics\.bearerToken is also given; set only one of them/);
  const inline = await load(dir, 'metrics:\n  bearerToken: inline-token\n');
  assert.equal(inline.config.metrics.bearerToken?.reveal(), 'inline-token');
});

test('a world-readable password file, or a world-readable agent file holding the password, is warned about', async (t) => {
  const dir = scratch(t);
  dir.write('open.password', 'OpenSecret', 0o644);
  const { warnings } = await load(dir, 'bus: { passwordFile: open.password }\n');
  assert.ok(warnings.some((w) => /the password file .*open\.password is readable by every user \(mode 644\); chmod 600 it/.test(w)));

  const file = dir.write('open.yaml', 'bus: { password: InlineSecret }\n', 0o644);
  const loaded = await loadConfig({ file, env: {} });
  assert.ok(loaded.warnings.some((w) => /open\.yaml holds the bus password and is readable by every user/.test(w)));
  for (const w of [...warnings, ...loaded.warnings]) assert.doesNotMatch(w, /OpenSecret|InlineSecret/);
});

test('"~" in a path is refused rather than silently resolved next to the config', async (t) => {
  const dir = scratch(t);
  const err = await loadError(dir, 'spdk:\n  sourceDir: ~/spdk\n');
  assert.match(err.message, /agent\.yaml:2: spdk\.sourceDir: "~" is not expanded; write the full path \(got "~\/spdk"\)/);
});

test('the loaded config is frozen', async (t) => {
  const dir = scratch(t);
  const { config } = await load(dir, 'spdk:\n  targets: [{ name: a, app: vhost }]\n');
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.spdk.targets[0]));
  assert.throws(() => {
    (config.agent as { host: string }).host = 'changed';
  }, TypeError);
});

test('an explicitly empty target list also takes the targets from the upper file', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', '[spdk]\naccelerator_servers = iscsi\n');
  const { config } = await load(dir, 'spdk:\n  upperConfig: { path: cyborg.conf }\n  targets: []\n');
  assert.deepEqual(
    config.spdk.targets.map((t) => [t.name, t.app, t.socket]),
    [['iscsi', 'iscsi_tgt', '/var/tmp/spdk-iscsi.sock']],
  );
});

test('a target environment variable may be called anything, even __proto__', async (t) => {
  const dir = scratch(t);
  const { config } = await load(dir, 'spdk:\n  targets:\n    - name: a\n      app: vhost\n      env: { "__proto__": "x", PATH: /bin }\n');
  const env = config.spdk.targets[0]!.env;
  assert.deepEqual(Object.keys(env), ['__proto__', 'PATH']);
  assert.equal(Object.getPrototypeOf(env), Object.prototype);
  assert.equal(JSON.parse(JSON.stringify(config)).spdk.targets[0].env.PATH, '/bin');
});
