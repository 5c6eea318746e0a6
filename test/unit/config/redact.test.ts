/**
 * The broker password may sit in three files and two variables; it must come out of none of the
 * things an operator sees: warnings, errors, JSON, inspect, string interpolation, log lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ConfigError, loadConfig, MASK, redactConfig, Secret } from '../../../src/config/index.js';
import { getLogger } from '../../../src/util/log.js';
import { dedent, scratch } from './scratch.js';
import { captureLogs } from '../../helpers/logs.js';

const PASSWORDS = ['CyborgPw-7f3a', 'YamlPw-91bc', 'EnvPw-55d0', 'FilePw-c0de', 'ProxyPw-0a0a'];

function assertClean(text: string, what: string): void {
  for (const password of PASSWORDS) assert.ok(!text.includes(password), `${what} contains a password: ${text}`);
}

test('Secret: only reveal() gives the value out', () => {
  const secret = new Secret('YamlPw-91bc');
  assert.equal(secret.reveal(), 'YamlPw-91bc');
  assertClean(String(secret), 'String()');
  assertClean(`${secret}`, 'template');
  assertClean(JSON.stringify({ secret }), 'JSON');
  assertClean(inspect(secret), 'inspect');
  assertClean(inspect({ nested: { secret } }, { depth: 10 }), 'nested inspect');
  assertClean(JSON.stringify({ ...secret }), 'spread');
  assertClean(JSON.stringify(structuredClone({ secret })), 'structuredClone');
  assert.ok(secret.equals('YamlPw-91bc'));
  assert.ok(!secret.equals('other'));
});

test('a config with passwords everywhere: nothing shown contains one', async (t) => {
  const dir = scratch(t);
  dir.write('cyborg.conf', '[DEFAULT]\ntransport_url = rabbit://cyborg:CyborgPw-7f3a@rmq:5672/\n');
  dir.write('bus.password', 'FilePw-c0de\n');
  const file = dir.write(
    'agent.yaml',
    dedent(`
      bus:
        urls: ["amqp://spdk:YamlPw-91bc@rmq2"]
      spdk:
        upperConfig: { path: cyborg.conf }
        targets:
          - name: a
            app: nvmf_tgt
            env: { HTTP_PROXY_PASSWORD: ProxyPw-0a0a, LD_LIBRARY_PATH: /opt/lib }
    `),
    0o644,
  );
  const loaded = await loadConfig({ file, env: { SPDK_AGENT_BUS_PASSWORD: 'EnvPw-55d0' } });
  const { config, warnings } = loaded;
  assert.equal(config.bus.password.reveal(), 'EnvPw-55d0');
  assert.ok(warnings.length >= 2, 'the conflicts produce warnings');
  for (const warning of warnings) assertClean(warning, 'warning');

  const shown = redactConfig(config);
  assertClean(JSON.stringify(shown), 'redactConfig');
  assert.equal((shown.bus as { password: string }).password, MASK);
  const targetEnv = (shown.spdk as { targets: Array<{ env: Record<string, string> }> }).targets[0]!.env;
  assert.deepEqual(targetEnv, { HTTP_PROXY_PASSWORD: MASK, LD_LIBRARY_PATH: '/opt/lib' });

  assertClean(JSON.stringify(config), 'JSON.stringify(config)');
  assertClean(JSON.stringify(config.bus), 'JSON.stringify(config.bus)');
  assertClean(inspect(config, { depth: 20 }), 'inspect(config)');
  assertClean(inspect(config.bus, { depth: 20 }), 'inspect(config.bus)');
  assertClean(JSON.stringify(loaded), 'JSON.stringify(loaded)');
  // The redacted form is still the whole config, not a stub.
  assert.deepEqual(JSON.parse(JSON.stringify(config)), JSON.parse(JSON.stringify(shown)));
  assert.equal((shown.bus as { urls: string[] }).urls[0], 'amqp://rmq2:5672/%2F');
});

test('a logged config and a logged config error carry no password', async (t) => {
  const dir = scratch(t);
  dir.write('bus.password', 'FilePw-c0de');
  const file = dir.write('agent.yaml', 'bus: { passwordFile: bus.password }\n');
  const { config } = await loadConfig({ file, env: {} });
  const logs = captureLogs(t, 'debug', { level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'info' });
  const log = getLogger('config.test');
  log.info('loaded', { config });
  log.info('bus', { bus: config.bus });

  const bad = dir.write('bad.yaml', 'bus:\n  urls: ["amqp://u:YamlPw-91bc@h:99999"]\n  password: 5\n');
  const err = await loadConfig({ file: bad, env: {} }).catch((e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  log.error('config failed', { err });
  await new Promise((resolve) => setImmediate(resolve));
  const logged = logs.text();
  assert.ok(logged.includes('loaded') && logged.includes('config failed'), logged);
  assertClean(logged, 'log output');
  assertClean(err.message, 'error message');
  assertClean(JSON.stringify(err), 'error JSON');
  assertClean(inspect(err), 'inspect(error)');
});
