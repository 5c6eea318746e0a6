/**
 * `spdk-agent run` as a system service on a real node: the signals an operator and systemd send
 * (SIGHUP reload, SIGUSR2 diagnostics, SIGUSR1 never an inspector), target output that outlives
 * the agent, one agent per host, and no silent fight with OpenStack's Python cyborg-agent.
 * Every test drives the agent as a child process, with real simulators and the real broker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import amqp from 'amqplib';
import path from 'node:path';
import { brokerSkip, listQueues, testAmqpUrl, waitFor } from '../../helpers/broker.js';
import { PythonPeer, pythonSkip, runPythonCalls } from '../../helpers/python.js';
import { rawExchange, socketAnswers, startSim } from '../../helpers/sim.js';
import { OWN_TOPIC } from '../../../src/agent/bus-link.js';
import {
  HOST,
  REPORTED_HOSTNAME,
  TestConductor,
  agentOnBus,
  brokerScope,
  isAlive,
  makeAgentNode,
  memoryLine,
  memoryOf,
  runAgent,
  runAgentWith,
  stopCleanly,
  type AgentProcess,
} from './harness.js';

const brokerMissing = await brokerSkip();
const pythonMissing = brokerMissing || (await pythonSkip());

const answers = socketAnswers;

function logged(agent: AgentProcess, message: string | RegExp): Record<string, unknown> | undefined {
  return agent.logs().find((l) => (typeof message === 'string' ? l.message === message : message.test(String(l.message))));
}

/** What a test edits in the node's configuration (the harness writes it as JSON). */
// biome-ignore lint/suspicious/noExplicitAny: free-form YAML content, edited key by key.
type NodeConfig = Record<string, any>;

/** The agent's config file rewritten with `change` applied to its parsed content. */
function rewrite(file: string, change: (config: NodeConfig) => void): void {
  const config = JSON.parse(readFileSync(file, 'utf8')) as NodeConfig;
  change(config);
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

/** Whether anything listens on TCP port `port` (Node's inspector: 9229) in this network namespace. */
function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((file) => {
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .slice(1)
        .some((line) => {
          const fields = line.trim().split(/\s+/);
          return fields[1]?.endsWith(`:${hex}`) === true && fields[3] === '0A';
        });
    } catch {
      return false;
    }
  });
}

test('SIGUSR2 writes the diagnostics and the agent goes on; SIGUSR1 opens no inspector', { skip: brokerMissing, timeout: 90_000 }, async (t) => {
  const { node, agent, client } = await agentOnBus(t, { targets: ['nvmf0'], log: { level: 'info' } });

  const inspectorBefore = listening(9229);
  agent.child.kill('SIGUSR1');
  await waitFor('the SIGUSR1 line', () => logged(agent, /^SIGUSR1 ignored/) !== undefined);
  assert.equal(listening(9229), inspectorBefore, 'no inspector opened on 9229');

  agent.child.kill('SIGUSR2');
  await waitFor('the diagnostics', () => logged(agent, 'diagnostics (SIGUSR2)') !== undefined);
  // biome-ignore lint/suspicious/noExplicitAny: a JSON log field, read member by member below.
  const report = logged(agent, 'diagnostics (SIGUSR2)')!.diagnostics as Record<string, any>;
  assert.match(report.version, /^\d+\.\d+\.\d+/);
  assert.equal(report.pid, agent.child.pid);
  const nvmf0 = (report.targets as Array<Record<string, unknown>>).find((x) => x.name === 'nvmf0')!;
  assert.equal(nvmf0.state, 'running');
  assert.equal(typeof nvmf0.pid, 'number');
  assert.equal(nvmf0.restarts, 0);
  assert.equal(nvmf0.logFile, path.join(node.dir, 'logs', 'nvmf0.log'));
  assert.equal(report.bus.connected, true);
  assert.equal(report.bus.serving, true);
  assert.equal(report.bus.queues.topic, node.agentTopic);
  assert.equal(report.lastRegistration.ok, true);
  assert.equal(typeof report.lastAcceptedRegistrationAt, 'string');
  assert.equal(report.config.bus.password, '***');
  assert.deepEqual(
    report.config.bus.urls.map((u: string) => new URL(u).password),
    [''],
    'no credentials in the URLs shown',
  );
  assert.ok(report.memory.rssBytes > 0);
  assert.equal(typeof report.eventLoopDelayMs.p99, 'number');

  // Still serving after both signals.
  assert.equal(((await client.call('ping')) as { agent: string }).agent, 'spdk-agent');
  assert.equal(agent.child.exitCode, null);
  await stopCleanly(agent);
});

test('SIGHUP: targets added and removed, periods and restart policies applied; a bad file is refused and the old one kept', {
  skip: brokerMissing,
  timeout: 120_000,
}, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: ['nvmf0'], log: { level: 'info' } });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);
  await conductor.waitFor('the start-up report', () => true);
  assert.equal(await answers(node.socket.vhost0), false);

  // vhost0 added, nvmf0's restart policy changed, a shorter report period, a setting that needs a restart.
  const withVhost = await makeAgentNode(t, scope, { targets: ['vhost0'] });
  const vhostTarget = (JSON.parse(readFileSync(withVhost.configFile, 'utf8')) as { spdk: { targets: unknown[] } }).spdk.targets[0];
  rewrite(node.configFile, (c) => {
    c.spdk.targets.push(vhostTarget);
    c.spdk.targets[0].restart = { policy: 'never' };
    c.agent.reportIntervalSec = 1;
    c.spdk.deviceType = 'SSD';
    c.log.level = 'debug';
    c.bus.heartbeatSec = 5;
  });
  const reportsBefore = conductor.registrations.length;
  agent.child.kill('SIGHUP');
  await waitFor('the reload line', () => logged(agent, 'SIGHUP: configuration reloaded') !== undefined, 30_000);
  const reloaded = logged(agent, 'SIGHUP: configuration reloaded')!;
  assert.deepEqual((reloaded.applied as string[]).sort(), ['agent.reportIntervalSec', 'bus.heartbeatSec', 'log.level', 'spdk.targets']);
  // The new log level is in force (debug lines appear), the bus was reconnected with the new settings.
  await waitFor('debug lines', () => agent.logs().some((l) => l.level === 'debug'), 10_000);
  assert.ok(logged(agent, 'bus settings changed: reconnecting to the message bus with them'));
  await waitFor('serving again after the reconnection', () => agent.logs().filter((l) => l.message === 'serving the agent topic').length >= 2, 20_000);
  assert.deepEqual(reloaded.targetsAdded, ['vhost0 (started)']);
  assert.deepEqual(reloaded.restartPolicyChanged, ['nvmf0']);
  assert.match(String(logged(agent, /^SIGHUP: these settings changed but take effect only when the agent restarts/)?.message), /spdk\.deviceType/);
  assert.equal(await answers(withVhost.socket.vhost0), true, 'vhost0 was started');
  await conductor.waitFor('a report with the vhost drive', (r) => r.devices.some((d) => d.bdf === '0000:d8:00.0'), reportsBefore);
  // The 1 s period is in force: reports keep coming without any change.
  const count = conductor.registrations.length;
  await conductor.waitFor('two periodic reports', () => conductor.registrations.length >= count + 2, count, 15_000);

  // The new restart policy (never) is in force: a crash of nvmf0 is not restarted.
  const nvmfPid = Number(agent.logs().find((l) => l.message === 'target spawned' && l.target === 'nvmf0')?.pid);
  process.kill(nvmfPid, 'SIGKILL');
  await waitFor('nvmf0 to be given up on', () => agent.logs().some((l) => l.target === 'nvmf0' && l.message === 'state crashed → failed'), 20_000);
  assert.equal(
    agent.logs().some((l) => l.target === 'nvmf0' && l.message === 'state crashed → restarting'),
    false,
  );
  // A change for the worse is a warning (what journalctl -p warning shows); a recovery is not.
  assert.equal(agent.logs().find((l) => l.target === 'nvmf0' && l.message === 'state running → crashed')?.level, 'warn');
  assert.equal(agent.logs().find((l) => l.target === 'nvmf0' && l.message === 'state starting → running')?.level, 'info');

  // A broken file: the error names the file and line, the old configuration stays, the agent serves.
  const good = readFileSync(node.configFile, 'utf8');
  writeFileSync(node.configFile, '{\n  "agent": { "reportIntervalSec": "soon" }\n}\n');
  agent.child.kill('SIGHUP');
  await waitFor('the refusal', () => logged(agent, /^SIGHUP: the new configuration is invalid; keeping the one in force/) !== undefined, 20_000);
  assert.match(String(logged(agent, /^SIGHUP: the new configuration is invalid/)!.message), /agent\.yaml:2: agent\.reportIntervalSec/);
  assert.equal(agent.child.exitCode, null);
  const client = conductor.transport.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: 10_000 });
  const view = (await client.call('report')) as { targets: Array<{ name: string; state: string }> };
  assert.deepEqual(view.targets.map((x) => x.name).sort(), ['nvmf0', 'vhost0'], 'the reloaded configuration is still the one in force');

  // vhost0 removed (stopOnAgentExit: true in these tests): let go of as on agent exit, so stopped.
  writeFileSync(node.configFile, good);
  rewrite(node.configFile, (c) => {
    c.spdk.targets = c.spdk.targets.filter((x: { name: string }) => x.name !== 'vhost0');
  });
  agent.child.kill('SIGHUP');
  await waitFor(
    'the second reload',
    () => agent.logs().some((l) => l.message === 'SIGHUP: configuration reloaded' && Array.isArray(l.targetsRemoved) && l.targetsRemoved.includes('vhost0')),
    30_000,
  );
  assert.equal(await answers(withVhost.socket.vhost0), false, 'vhost0 was stopped');
  const after = (await client.call('report')) as { targets: Array<{ name: string }> };
  assert.deepEqual(
    after.targets.map((x) => x.name),
    ['nvmf0'],
  );
  await stopCleanly(agent);
});

test('target output survives the agent: SIGKILL the agent, start another, the target logs, its lines are in its file and followed', {
  skip: brokerMissing,
  timeout: 120_000,
}, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, {
    targets: ['nvmf0'],
    log: { level: 'info' },
    targetsOutliveAgent: true,
    target: { nvmf0: { stopOnAgentExit: false } },
  });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const first = runAgent(t, scope, node.configFile);
  await conductor.waitFor('the start-up report', () => true);
  const pid = Number(first.logs().find((l) => l.message === 'target spawned' && l.target === 'nvmf0')?.pid);
  const logFile = path.join(node.dir, 'logs', 'nvmf0.log');
  assert.match(readFileSync(logFile, 'utf8'), /Starting SPDK v24\.01/, "the target's start-up lines are in its own file");

  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(isAlive(pid), true, 'the target outlives the agent');

  const second = runAgent(t, scope, node.configFile);
  await waitFor('the new agent to adopt nvmf0', () => second.logs().some((l) => l.message === 'target adopted' && l.target === 'nvmf0'), 30_000);
  // The target logs an error now (a bdev name taken), with nobody on the old pipe: it lives on.
  const { replies } = await rawExchange(
    node.socket.nvmf0,
    '{"jsonrpc":"2.0","method":"bdev_malloc_create","id":1,"params":{"name":"Malloc0","num_blocks":16,"block_size":512}}',
  );
  assert.match(replies[0] ?? '', /"error"/);
  assert.equal(isAlive(pid), true);
  assert.equal(await answers(node.socket.nvmf0), true);
  assert.match(readFileSync(logFile, 'utf8'), /\*ERROR\*: Bdev name Malloc0 already exists/);
  await waitFor(
    'the error line followed into the agent log',
    () => second.logs().some((l) => l.level === 'warn' && l.target === 'nvmf0' && /Bdev name Malloc0 already exists/.test(String(l.message))),
    10_000,
  );
  await stopCleanly(second);
  assert.equal(isAlive(pid), true, 'not stopped on exit (stopOnAgentExit: false)');
  process.kill(pid, 'SIGKILL');
});

test('one agent per host: a second agent with the same configuration refuses to start, naming the first (exit 4)', {
  skip: brokerMissing,
  timeout: 90_000,
}, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: ['nvmf0'] });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const first = runAgent(t, scope, node.configFile);
  await conductor.waitFor('the start-up report', () => true);
  const second = runAgent(t, scope, node.configFile);
  const { code } = await second.exited;
  assert.equal(code, 4, second.stderr().slice(-2000));
  assert.match(second.stderr(), new RegExp(`another spdk-agent for host ${HOST} is running: pid ${first.child.pid}, started .*agent\\.yaml`));
  assert.equal(first.child.exitCode, null, 'the first agent goes on');

  // Another machine with the same host name (here: another lock directory) is caught on the bus.
  const elsewhere = path.join(node.dir, 'elsewhere.yaml');
  writeFileSync(
    elsewhere,
    JSON.stringify({
      ...JSON.parse(readFileSync(node.configFile, 'utf8')),
      agent: { ...node.config.agent, runtimeDir: path.join(node.dir, 'run2'), onForeignConsumer: 'refuse' },
    }),
    { mode: 0o600 },
  );
  const third = runAgent(t, scope, elsewhere);
  assert.equal((await third.exited).code, 4, third.stderr().slice(-2000));
  assert.match(third.stderr(), new RegExp(`another spdk-agent already serves ${node.agentTopic}\\.${HOST} \\(host ${HOST}, pid ${first.child.pid}`));
  await stopCleanly(first);
});

test("beside OpenStack's Python cyborg-agent: refused with the reason (exit 4), or served under its own topic without reporting", {
  skip: pythonMissing,
  timeout: 120_000,
}, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: ['nvmf0'], log: { level: 'info' } });
  const peer = await PythonPeer.start(t, 'cyborg_agent.py', { url: testAmqpUrl, exchange: scope.exchange, topic: node.agentTopic, server: HOST });
  // Stopped before the scope deletes the queues: a consumer left running would declare them again.
  scope.defer(() => peer.stop());
  scope.trackQueue(String(peer.events[0]?.fanout_queue ?? ''));
  const conductor = await TestConductor.start(scope, node.conductorTopic);

  const refused = runAgent(t, scope, node.configFile);
  assert.equal((await refused.exited).code, 4, refused.stderr().slice(-2000));
  assert.match(
    refused.stderr(),
    new RegExp(`another program consumes ${node.agentTopic}\\.${HOST} \\(1 consumer; asked to ping, it answered with .*NoSuchMethod`),
  );
  assert.match(refused.stderr(), /erase each other's devices/);
  assert.equal(conductor.registrations.length, 0, 'no report_data from a refused agent');

  const ownTopic = path.join(node.dir, 'own-topic.yaml');
  writeFileSync(
    ownTopic,
    JSON.stringify({ ...JSON.parse(readFileSync(node.configFile, 'utf8')), agent: { ...node.config.agent, onForeignConsumer: 'own-topic' } }),
    { mode: 0o600 },
  );
  // Its own topic is not under the scope's prefix: its queues are deleted with the scope's.
  for (const queue of [OWN_TOPIC, `${OWN_TOPIC}.${HOST}`, `${OWN_TOPIC}.${REPORTED_HOSTNAME}`]) scope.trackQueue(queue);
  const beside = runAgent(t, scope, ownTopic);
  await waitFor('serving under its own topic', () => beside.logs().some((l) => l.message === 'serving the agent topic' && l.topic === OWN_TOPIC), 30_000);
  const client = conductor.transport.createClient({ topic: OWN_TOPIC, server: HOST, timeoutMs: 10_000 });
  assert.equal(((await client.call('ping')) as { agent: string }).agent, 'spdk-agent');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(conductor.registrations.length, 0, 'no report_data: it would erase the Python agent’s devices');
  assert.equal(peer.served('ping').length, 0, 'the Python agent was asked nothing it serves');
  await stopCleanly(beside);
});

test('the simulator, like SPDK, survives a log pipe nobody reads any more', { timeout: 60_000 }, async () => {
  const sim = await startSim({ pollPeriodUs: 0 });
  try {
    sim.process.stderr?.destroy();
    sim.process.stdout?.destroy();
    // Each of these logs an *ERROR* line into the dead pipe.
    for (let i = 0; i < 3; i++) {
      await sim.call('bdev_malloc_create', { name: 'M0', num_blocks: 16, block_size: 512 });
    }
    const version = await sim.call('spdk_get_version');
    assert.ok(version.result, 'still answering');
    assert.equal(sim.process.exitCode, null);
  } finally {
    await sim.stop();
  }
});

test('a drop-in for cyborg-agent: `run --config-file cyborg.conf` with no YAML serves cyborg-agent.<host> and reports', {
  skip: brokerMissing,
  timeout: 90_000,
}, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: [] });
  // Cyborg's topics are fixed names: a host of the test's own keeps its server queue apart, and
  // the shared topic queues are removed afterwards only when this test created them.
  const host = `${scope.prefix}-cn`;
  const before = new Set((await listQueues()).map((q) => q.name));
  t.after(async () => {
    const mine = (await listQueues())
      .map((q) => q.name)
      .filter((name) => !before.has(name) && (name.startsWith('cyborg-agent') || name.startsWith('cyborg-conductor')));
    for (const name of mine) scope.trackQueue(name);
    await scope.deleteAll();
  });
  const url = new URL(testAmqpUrl);
  const conf = path.join(node.dir, 'cyborg.conf');
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      `host = ${host}`,
      `transport_url = rabbit://${url.username}:${url.password}@${url.hostname}:${url.port || 5672}/`,
      `control_exchange = ${scope.exchange}`,
      '[agent]',
      `resource_provider_name = ${host}.example.org`,
      '[backend_defaults]',
      `spdk_dir = ${node.tree.root}`,
      'accelerator_servers = nvmf',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const conductor = await TestConductor.start(scope, 'cyborg-conductor');
  const agent = runAgentWith(t, scope, ['--config-file', conf], { RUNTIME_DIRECTORY: path.join(node.dir, 'run'), LOGS_DIRECTORY: path.join(node.dir, 'logs') });
  const report = await conductor.waitFor('the start-up report', () => true, 0, 30_000);
  assert.equal(report.hostname, `${host}.example.org`);
  const client = conductor.transport.createClient({ topic: 'cyborg-agent', server: host, timeoutMs: 10_000 });
  assert.equal(((await client.call('ping')) as { pong: string }).pong, host);
  const view = (await client.call('report')) as { targets: Array<{ name: string; app: string; state: string }> };
  assert.deepEqual(
    view.targets.map((x) => [x.name, x.app]),
    [['nvmf', 'nvmf_tgt']],
  );
  await stopCleanly(agent);
});

test('20,000 malformed messages in four batches: a few logged in full, the rest folded into one line with counts; ping answered after each batch', {
  skip: brokerMissing,
  timeout: 120_000,
}, async (t) => {
  const { node, agent, client } = await agentOnBus(t, { targets: ['nvmf0'] });
  const memoryBefore = memoryOf(agent.child.pid!);
  const connection = await amqp.connect(testAmqpUrl);
  t.after(() => connection.close().catch(() => undefined));
  const channel = await connection.createChannel();
  const queue = `${node.agentTopic}.${HOST}`;
  const BATCH = 5000;
  const FLOOD = 4 * BATCH;
  for (let batch = 0; batch < FLOOD / BATCH; batch++) {
    for (let i = 0; i < BATCH; i++) channel.sendToQueue(queue, Buffer.from(`not json ${batch}.${i}`), { contentType: 'application/json' });
    await waitFor('the batch to be consumed', async () => (await channel.checkQueue(queue)).messageCount === 0, 60_000, 200);
    assert.equal(((await client.call('ping')) as { agent: string }).agent, 'spdk-agent', `answering after batch ${batch + 1}`);
  }
  const memory = memoryLine(agent.child.pid!, memoryBefore);
  await stopCleanly(agent);
  const dropped = agent.logs().filter((l) => l.message === 'dropping a message oslo.messaging could not process either (no reply)');
  assert.equal(dropped.length, 5, 'the first five in full');
  const summary = agent.logs().find((l) => typeof l.folded === 'object' && l.folded !== null);
  assert.deepEqual(summary?.folded, { undecodable: FLOOD - 5 });
  assert.ok(agent.stderr().length < 100_000, `${agent.stderr().length} bytes of log for ${FLOOD} bad messages`);
  t.diagnostic(`${FLOOD} malformed messages: ${dropped.length} lines in full + 1 summary; the agent's whole log ${agent.stderr().length} bytes; ${memory}`);
});

test("request ids: a Python oslo caller's request_id is on every log line of its call, the lifecycle's included; the agent's report_data carries one of oslo's form", {
  skip: pythonMissing,
  timeout: 120_000,
}, async (t) => {
  const { scope, node, agent } = await agentOnBus(t, { log: { level: 'info' }, target: { vhost0: { autostart: false } } });
  const requestId = 'req-5e1f0c2a-7b3d-4c8e-9f10-112233445566';
  const [outcome] = await runPythonCalls('rpc_client.py', scope, node.agentTopic, [
    { kind: 'call', method: 'start', args: { target: 'vhost0' }, server: HOST, timeout: 60, context: { request_id: requestId, is_admin: true } },
  ]);
  assert.equal((outcome as { ok: boolean }).ok, true, JSON.stringify(outcome));
  const ofCall = agent.logs().filter((l) => l.request_id === requestId);
  const messages = ofCall.map((l) => `${String(l.component)}: ${String(l.message)}`);
  assert.ok(messages.includes('spdk.lifecycle: state stopped → starting'), messages.join('\n'));
  assert.ok(messages.includes('spdk.lifecycle: target spawned'));
  assert.ok(messages.includes('spdk.lifecycle: state starting → running'));
  assert.ok(ofCall.every((l) => typeof l.msg_id === 'string' && l.msg_id !== ''));
  const startup = agent.logs().find((l) => l.target === 'nvmf0' && l.message === 'target spawned');
  assert.equal(startup?.request_id, undefined, 'lines not written for a request name none');
  const accepted = agent.logs().find((l) => l.message === 'report_data accepted by the conductor');
  assert.match(String(accepted?.request_id), /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  await stopCleanly(agent);
});
