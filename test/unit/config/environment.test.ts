import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { scratch } from './scratch.js';

async function loadWith(t: Parameters<typeof scratch>[0], env: NodeJS.ProcessEnv, yaml = 'agent: { reportedHostname: r.example }\n') {
  const dir = scratch(t);
  return { dir, loaded: await loadConfig({ file: dir.write('agent.yaml', yaml), env, cwd: dir.dir }) };
}

test('every override lands on its key', async (t) => {
  const { loaded } = await loadWith(t, {
    SPDK_AGENT_HOST: 'env-host',
    SPDK_AGENT_REPORTED_HOSTNAME: 'env-host.example.org',
    SPDK_AGENT_LOG_LEVEL: 'Warn',
    SPDK_AGENT_LOG_FORMAT: 'json',
    SPDK_AGENT_BUS_URL: 'amqp://r1:5672, amqps://r2/prod',
    SPDK_AGENT_BUS_USERNAME: 'spdk',
    SPDK_AGENT_BUS_PASSWORD: ' secret with spaces ',
  });
  const { config } = loaded;
  assert.equal(config.agent.host, 'env-host');
  assert.equal(config.agent.reportedHostname, 'env-host.example.org');
  assert.equal(config.log.level, 'warn');
  assert.equal(config.log.format, 'json');
  assert.deepEqual(config.bus.urls, ['amqp://r1:5672/%2F', 'amqps://r2:5671/prod']);
  assert.equal(config.bus.username, 'spdk');
  assert.equal(config.bus.password.reveal(), ' secret with spaces ', 'a password is taken exactly as given');
});

test('an empty variable counts as unset', async (t) => {
  const { loaded } = await loadWith(t, { SPDK_AGENT_HOST: '', SPDK_AGENT_BUS_PASSWORD: '' }, 'agent: { host: file-host, reportedHostname: r.x }\n');
  assert.equal(loaded.config.agent.host, 'file-host');
  assert.equal(loaded.config.bus.password.reveal(), 'guest');
  assert.deepEqual(loaded.warnings, ['no SPDK targets are configured: the agent will report no devices']);
});

test('credentials inside SPDK_AGENT_BUS_URL are taken out of the URLs', async (t) => {
  const { loaded } = await loadWith(t, { SPDK_AGENT_BUS_URL: 'amqp://svc:Env%2CSecret@r1,amqp://r2' });
  assert.deepEqual(loaded.config.bus.urls, ['amqp://r1:5672/%2F', 'amqp://r2:5672/%2F']);
  assert.equal(loaded.config.bus.username, 'svc');
  assert.equal(loaded.config.bus.password.reveal(), 'Env,Secret');
});

test('SPDK_AGENT_BUS_PASSWORD_FILE is read, relative to cwd; it excludes SPDK_AGENT_BUS_PASSWORD', async (t) => {
  const dir = scratch(t);
  dir.write('pw', 'FromEnvFile\r\n');
  const file = dir.write('agent.yaml', 'bus: { password: FromYaml }\n');
  const { config, warnings } = await loadConfig({ file, env: { SPDK_AGENT_BUS_PASSWORD_FILE: 'pw' }, cwd: dir.dir });
  assert.equal(config.bus.password.reveal(), 'FromEnvFile');
  assert.equal(config.bus.passwordFile, path.join(dir.dir, 'pw'));
  assert.ok(warnings.some((w) => /^bus\.password: SPDK_AGENT_BUS_PASSWORD_FILE sets a value \(not shown\)/.test(w)));

  await assert.rejects(
    loadConfig({ file, env: { SPDK_AGENT_BUS_PASSWORD_FILE: 'pw', SPDK_AGENT_BUS_PASSWORD: 'x' }, cwd: dir.dir }),
    /^ConfigError: environment: SPDK_AGENT_BUS_PASSWORD_FILE: the password is also given \(SPDK_AGENT_BUS_PASSWORD or SPDK_AGENT_BUS_URL\); set only one of them$/,
  );
  await assert.rejects(
    loadConfig({ file, env: { SPDK_AGENT_BUS_PASSWORD_FILE: 'missing' }, cwd: dir.dir }),
    new RegExp(`^ConfigError: environment: SPDK_AGENT_BUS_PASSWORD_FILE: cannot read the password file ${path.join(dir.dir, 'missing')}: no such file$`),
  );
});

test('passwordFile is kept in the config only when the password really came from it', async (t) => {
  const dir = scratch(t);
  dir.write('pw', 'FromFile');
  const file = dir.write('agent.yaml', 'bus: { passwordFile: pw }\n');
  const { config } = await loadConfig({ file, env: { SPDK_AGENT_BUS_PASSWORD: 'FromEnv' } });
  assert.equal(config.bus.password.reveal(), 'FromEnv');
  assert.equal(config.bus.passwordFile, undefined);
});

test('bad values are errors naming the variable and what was expected, all at once', async (t) => {
  const dir = scratch(t);
  const file = dir.write('agent.yaml', '');
  await assert.rejects(
    loadConfig({
      file,
      env: {
        SPDK_AGENT_LOG_LEVEL: 'verbose',
        SPDK_AGENT_HOST: 'a b',
        SPDK_AGENT_BUS_URL: 'amqp://ok, http://u:EnvUrlSecret@x',
      },
    }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.file, 'environment');
      assert.deepEqual(err.message.split('\n').sort(), [
        'environment: SPDK_AGENT_BUS_URL: URL 2 of 2 must use amqp:// or amqps:// (got http://)',
        'environment: SPDK_AGENT_HOST: must be a host name without spaces or slashes (got "a b")',
        'environment: SPDK_AGENT_LOG_LEVEL: must be one of error, warn, info, debug (got "verbose")',
      ]);
      assert.doesNotMatch(err.message, /EnvUrlSecret/);
      return true;
    },
  );
});

test('a username both in SPDK_AGENT_BUS_URL and SPDK_AGENT_BUS_USERNAME must agree', async (t) => {
  const dir = scratch(t);
  const file = dir.write('agent.yaml', '');
  await assert.rejects(
    loadConfig({ file, env: { SPDK_AGENT_BUS_URL: 'amqp://a:Pw1@h', SPDK_AGENT_BUS_USERNAME: 'b' } }),
    /^ConfigError: environment: SPDK_AGENT_BUS_USERNAME: differs from the username in SPDK_AGENT_BUS_URL; set it in one place only$/,
  );
});

test('a misspelt variable is named with the one probably meant; unrelated SPDK_AGENT_* variables are left alone', async (t) => {
  const { loaded } = await loadWith(t, { SPDK_AGENT_BUS_PASSWD: 'TypoSecret', SPDK_AGENT_TEST_AMQP_URL: 'amqp://x' });
  assert.equal(loaded.config.bus.password.reveal(), 'guest');
  const typos = loaded.warnings.filter((w) => w.startsWith('the environment variable'));
  assert.deepEqual(typos, ['the environment variable SPDK_AGENT_BUS_PASSWD is not used by spdk-agent; did you mean SPDK_AGENT_BUS_PASSWORD?']);
});

test('a SPDK_AGENT_BUS_URL of only commas is an error, not ignored', async (t) => {
  const dir = scratch(t);
  await assert.rejects(loadConfig({ file: dir.write('agent.yaml', ''), env: { SPDK_AGENT_BUS_URL: ' , ,' } }), /environment: SPDK_AGENT_BUS_URL: lists no URL/);
});
