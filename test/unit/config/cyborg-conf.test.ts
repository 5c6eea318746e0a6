import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ConfigError, parseCyborgConf, type CyborgConf } from '../../../src/config/index.js';
import { dedent } from './scratch.js';

const FILE = '/etc/cyborg/cyborg.conf';

function parse(text: string): CyborgConf {
  return parseCyborgConf(dedent(text), FILE);
}

function errorOf(text: string): ConfigError {
  try {
    parse(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${inspect(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('the SPDK driver keys in [backend_defaults] (as Cyborg registers them)', () => {
  const conf = parse(`
    [backend_defaults]
    spdk_dir = /home/stack/spdk
    accelerator_servers = nvmf, vhost
    spdk_conf_file = /etc/cyborg/spdk.json
    device_type = NVMe-oF
    remoteable = True
  `);
  assert.deepEqual(conf.layer.values.spdk, { sourceDir: '/home/stack/spdk', deviceType: 'NVMe-oF', remoteable: true });
  assert.deepEqual(conf.servers, [
    { server: 'nvmf', app: 'nvmf_tgt' },
    { server: 'vhost', app: 'vhost' },
  ]);
  assert.deepEqual(conf.serversOrigin, { source: 'upper-file', file: FILE, line: 3, key: '[backend_defaults] accelerator_servers' });
  assert.equal(conf.defaultJsonConfig?.path, '/etc/cyborg/spdk.json');
  assert.equal(conf.defaultJsonConfig?.origin.line, 4);
});

test('[spdk] is read too, and wins over [backend_defaults] with a warning naming both', () => {
  const conf = parse(`
    [backend_defaults]
    spdk_dir = /old/spdk
    [spdk]
    spdk_dir = /new/spdk
  `);
  assert.equal((conf.layer.values.spdk as { sourceDir: string }).sourceDir, '/new/spdk');
  assert.deepEqual(conf.warnings, [`${FILE}:4 ([spdk] spdk_dir) and ${FILE}:2 ([backend_defaults] spdk_dir) both set spdk_dir; using [spdk]`]);
});

test("without accelerator_servers, Cyborg's default servers are enabled", () => {
  const conf = parse('[DEFAULT]\nhost = cn1\n');
  assert.deepEqual(
    conf.servers.map((s) => s.app),
    ['vhost', 'nvmf_tgt', 'iscsi_tgt'],
  );
  assert.equal(conf.serversOrigin, undefined);
});

test('accelerator_servers: app names, any case, Python list syntax, duplicates, and nothing at all', () => {
  assert.deepEqual(parse('[spdk]\naccelerator_servers = [\'NVMF\', "iscsi_tgt", spdk_tgt, nvmf_tgt]\n').servers, [
    { server: 'nvmf', app: 'nvmf_tgt' },
    { server: 'iscsi', app: 'iscsi_tgt' },
    { server: 'spdk_tgt', app: 'spdk_tgt' },
  ]);
  assert.deepEqual(parse('[spdk]\naccelerator_servers =\n').servers, []);
});

test('an unknown server is an error naming the file, the section, the key and the line', () => {
  const err = errorOf(`
    [DEFAULT]
    host = cn1
    [backend_defaults]
    accelerator_servers = nvmf, nvme
  `);
  assert.equal(err.file, FILE);
  assert.deepEqual(err.problems, [
    {
      file: FILE,
      keyPath: '[backend_defaults] accelerator_servers',
      line: 4,
      message: 'unknown server "nvme"; expected nvmf, vhost, iscsi or an SPDK app name (nvmf_tgt, iscsi_tgt, spdk_tgt); did you mean "nvmf"?',
    },
  ]);
  assert.equal(
    err.message,
    `${FILE}:4: [backend_defaults] accelerator_servers: unknown server "nvme"; expected nvmf, vhost, iscsi or an SPDK app name (nvmf_tgt, iscsi_tgt, spdk_tgt); did you mean "nvmf"?`,
  );
});

test('booleans as oslo parses them: true/false, yes/no, on/off, 1/0 in any case', () => {
  const words: Array<[string, boolean]> = [
    ['true', true],
    ['TRUE', true],
    ['Yes', true],
    ['on', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['NO', false],
    ['off', false],
    ['0', false],
  ];
  for (const [word, expected] of words) {
    const conf = parse(`[oslo_messaging_rabbit]\namqp_durable_queues = ${word}\n`);
    assert.equal((conf.layer.values.bus as { durableQueues: boolean }).durableQueues, expected, word);
  }
});

test('a bad boolean and a bad integer are errors with section, key and line, all reported', () => {
  const err = errorOf(`
    [oslo_messaging_rabbit]
    amqp_durable_queues = maybe
    rabbit_transient_queues_ttl = 30m
    [spdk]
    remoteable = 2
  `);
  assert.equal(
    err.message,
    [
      `${FILE}:2: [oslo_messaging_rabbit] amqp_durable_queues: must be a boolean: true/false, yes/no, on/off or 1/0 (got "maybe")`,
      `${FILE}:3: [oslo_messaging_rabbit] rabbit_transient_queues_ttl: must be a whole number (got "30m")`,
      `${FILE}:5: [spdk] remoteable: must be a boolean: true/false, yes/no, on/off or 1/0 (got "2")`,
    ].join('\n'),
  );
});

test('a value out of range is reported where it is written in the INI file', () => {
  const err = errorOf('[oslo_messaging_rabbit]\nrabbit_transient_queues_ttl = 0\n[DEFAULT]\nhost = two words\n');
  assert.deepEqual(err.problems.map((p) => `${p.line} ${p.keyPath}: ${p.message}`).sort(), [
    '2 [oslo_messaging_rabbit] rabbit_transient_queues_ttl: must be >= 1 (got 0)',
    '4 [DEFAULT] host: must be a host name without spaces or slashes (got "two words")',
  ]);
});

test('the bus and host keys land on the agent config keys', () => {
  const conf = parse(`
    [DEFAULT]
    host = cn7
    control_exchange = openstack
    rpc_response_timeout = 90
    [agent]
    resource_provider_name = cn7.example.org
    [oslo_messaging_rabbit]
    amqp_durable_queues = true
    amqp_auto_delete = yes
    rabbit_quorum_queue = 1
    rabbit_ha_queues = off
    rabbit_transient_queues_ttl = 600
    heartbeat_timeout_threshold = 0
    rabbit_retry_interval = 3
    rabbit_retry_backoff = 4
    rabbit_interval_max = 40
    ssl_ca_file = ca.pem
    ssl_cert_file = /etc/cyborg/c.pem
    ssl_key_file = /etc/cyborg/c.key
  `);
  assert.deepEqual(conf.layer.values, {
    agent: { host: 'cn7', reportedHostname: 'cn7.example.org' },
    bus: {
      controlExchange: 'openstack',
      rpcResponseTimeoutSec: 90,
      durableQueues: true,
      autoDeleteQueues: true,
      quorumQueues: true,
      haQueues: false,
      transientQueuesTtlSec: 600,
      heartbeatSec: 0,
      retry: { initialSec: 3, stepSec: 4, maxSec: 40 },
      // A relative path is relative to the INI file's directory.
      tls: { ca: '/etc/cyborg/ca.pem', cert: '/etc/cyborg/c.pem', key: '/etc/cyborg/c.key' },
    },
  });
  assert.equal(conf.layer.origins.get('bus.retry.maxSec')?.key, '[oslo_messaging_rabbit] rabbit_interval_max');
  assert.equal(conf.layer.origins.get('bus.retry.maxSec')?.line, 16);
});

test("oslo.messaging 18's RabbitMQ options land on the agent's bus keys", () => {
  const conf = parse(`
    [oslo_messaging_rabbit]
    rabbit_quorum_queue = true
    rabbit_transient_quorum_queue = true
    rabbit_stream_fanout = true
    rabbit_qos_prefetch_count = 5
    use_queue_manager = True
    hostname = cn7
    processname = cyborg-agent
    rabbit_quorum_delivery_limit = 3
    rabbit_quorum_max_memory_length = 100
    rabbit_quorum_max_memory_bytes = 1048576
    enable_cancel_on_failover = yes
  `);
  assert.deepEqual(conf.layer.values, {
    bus: {
      quorumQueues: true,
      transientQuorumQueues: true,
      streamFanout: true,
      qosPrefetchCount: 5,
      useQueueManager: true,
      queueManagerHostname: 'cn7',
      queueManagerProcessName: 'cyborg-agent',
      quorumDeliveryLimit: 3,
      quorumMaxMemoryLength: 100,
      quorumMaxMemoryBytes: 1048576,
      cancelOnFailover: true,
    },
  });
});

test("transport_url in oslo's multi-host form becomes one AMQP URL per host", () => {
  const conf = parse('[DEFAULT]\ntransport_url = rabbit://cyborg:p%40ss;w0rd@10.0.0.1:5672,cyborg:p%40ss;w0rd@[fd00::2],rmq3:5673/cyborg%2Fvh\n');
  const bus = conf.layer.values.bus as Record<string, unknown>;
  assert.deepEqual(bus.urls, ['amqp://10.0.0.1:5672', 'amqp://[fd00::2]:5672', 'amqp://rmq3:5673']);
  assert.equal(bus.vhost, 'cyborg/vh');
  assert.equal(bus.username, 'cyborg');
  assert.equal(bus.password, 'p@ss;w0rd');
});

test('[oslo_messaging_rabbit] ssl makes every host amqps, default port 5671', () => {
  const conf = parse('[DEFAULT]\ntransport_url = rabbit://u:p@h1,u:p@h2:5000/\n[oslo_messaging_rabbit]\nssl = True\n');
  assert.deepEqual((conf.layer.values.bus as { urls: string[] }).urls, ['amqps://h1:5671', 'amqps://h2:5000']);
  assert.equal((conf.layer.values.bus as { vhost?: string }).vhost, undefined);
});

test('a bad transport_url is an error with section, key and line, and never shows the password', () => {
  const cases: Array<[string, RegExp]> = [
    ['amqp://u:TopSecret1@h:5672/', /AMQP 1\.0 driver/],
    ['kafka://u:TopSecret1@h:9092/', /kafka:\/\/ driver is not supported/],
    ['rabbit://u:TopSecret1@h:notaport/', /host 1 of 1 \(u:\*\*\*@h:notaport\) has a port that is not a number/],
    ['rabbit://u:TopSecret1@/', /has no host name/],
    ['rabbit:///', /names no host/],
    ['rabbit://u:Top/Secret1@h:5672/', /percent-encoded/],
    ['rabbit://a:TopSecret1@h1,b:TopSecret1@h2/', /host 2 names a different username/],
    ['rabbit://u:TopSecret1@h1,u:TopSecret2@h2/', /host 2 names a different password/],
    ['not a url TopSecret1', /is not a URL/],
  ];
  for (const [url, expected] of cases) {
    const err = errorOf(`[DEFAULT]\n# comment\ntransport_url = ${url}\n`);
    assert.equal(err.problems.length, 1, url);
    assert.equal(err.problems[0]!.keyPath, '[DEFAULT] transport_url', url);
    assert.equal(err.problems[0]!.line, 3, url);
    assert.match(err.message, new RegExp(`^${FILE}:3: \\[DEFAULT\\] transport_url: `), url);
    assert.match(err.message, expected, url);
    assert.doesNotMatch(err.message, /TopSecret|Secret1/, url);
    assert.doesNotMatch(JSON.stringify(err), /TopSecret|Secret1/, url);
  }
});

test('a "$" in a transport_url password must be doubled, and the error does not quote it', () => {
  const err = errorOf('[DEFAULT]\ntransport_url = rabbit://u:pa$sword1@h:5672/\n');
  assert.equal(
    err.message,
    `${FILE}:2: [DEFAULT] transport_url: holds a "$" that is not a reference to a value of this file; write "$$" for a literal "$" (in a password too)`,
  );
  const conf = parse('[DEFAULT]\ntransport_url = rabbit://u:pa$$sword1@h:5672/\n');
  assert.equal((conf.layer.values.bus as { password: string }).password, 'pa$sword1');
});

test('a query in transport_url (oslo driver options) is ignored with a warning', () => {
  const conf = parse('[DEFAULT]\ntransport_url = rabbit://u:Secret@h:5672/?ssl=1\n');
  assert.equal(conf.warnings.length, 1);
  assert.match(conf.warnings[0]!, /cyborg\.conf:2 \(\[DEFAULT\] transport_url\): the query part of transport_url .* is not used/);
  assert.doesNotMatch(conf.warnings[0]!, /Secret/);
});

test('a "$" reference is substituted; one that cannot be is an error on its line', () => {
  const conf = parse('[DEFAULT]\nstate_path = /srv/cyborg\n[spdk]\nspdk_dir = $state_path/spdk\n');
  assert.equal((conf.layer.values.spdk as { sourceDir: string }).sourceDir, '/srv/cyborg/spdk');
  const err = errorOf('[spdk]\nspdk_dir = $state_path/spdk\n');
  assert.equal(err.message, `${FILE}:2: [spdk] spdk_dir: refers to $state_path, which is not set in this file (write "$$" for a literal "$")`);
});

test('INI syntax errors come out as ConfigError problems with lines', () => {
  const err = errorOf('[DEFAULT\nhost = x\n[spdk]\nno separator here\n');
  assert.deepEqual(
    err.problems.map((p) => p.line),
    [1, 4],
  );
});

test('keys spdk-agent does not read are ignored', () => {
  const conf = parse('[DEFAULT]\ndebug = true\n[keystone_authtoken]\npassword = whatever\n[database]\nconnection = mysql://x\n');
  assert.deepEqual(conf.layer.values, {});
  assert.deepEqual(conf.warnings, []);
});
