/**
 * `spdk-agent run` as the process an operator (or systemd) runs: a bad configuration exits 2; a
 * SIGTERM with a call in flight finishes the call, stops the targets it owns, deletes its fanout
 * queue and exits 0; a broker that is down at start-up is waited for while the targets are
 * already supervised.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { brokerSkip, listQueues, rabbitmqctlSkip, waitFor } from '../../helpers/broker.js';
import { socketAnswers } from '../../helpers/sim.js';
import { BrokerGate, HOST, TestConductor, brokerScope, isAlive, makeAgentNode, runAgent } from './harness.js';

const brokerMissing = await brokerSkip();
const rabbitmqctlMissing = await rabbitmqctlSkip();

const answers = socketAnswers;

test('a bad configuration exits 2 with the loader’s message, naming the file, line and key', { skip: brokerMissing, timeout: 60_000 }, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: ['nvmf0'] });
  const bad = path.join(node.dir, 'bad.yaml');
  writeFileSync(bad, 'agent:\n  reportIntervalSec: soon\nspdk:\n  targets:\n    - name: nvmf0\n      app: nvmf\n', { mode: 0o600 });
  const agent = runAgent(t, scope, bad);
  const { code } = await agent.exited;
  assert.equal(code, 2);
  assert.match(agent.stderr(), /invalid configuration/);
  assert.match(agent.stderr(), /bad\.yaml:2: agent\.reportIntervalSec/);
  assert.match(agent.stderr(), /bad\.yaml:6: spdk\.targets\[0\]\.app: must be one of nvmf_tgt, vhost, iscsi_tgt, spdk_tgt/);
});

test('SIGTERM: the call in flight finishes, owned targets stop, the fanout queue goes, exit 0', { skip: rabbitmqctlMissing, timeout: 120_000 }, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, {
    log: { level: 'info' },
    // vhost0 is started by a call, and takes 2.5 s to come up: the call is in flight at SIGTERM.
    target: { vhost0: { autostart: false, extraArgs: ['--sim-fault', 'slow-start=2500'] } },
  });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);
  await conductor.waitFor('the start-up report', () => true);
  const fanoutPrefix = `${node.agentTopic}_fanout_`;
  const fanout = (await listQueues()).map((q) => q.name).filter((n) => n.startsWith(fanoutPrefix));
  assert.equal(fanout.length, 1, 'the agent consumes one fanout queue');
  const nvmfPid = Number(agent.logs().find((l) => l.message === 'target spawned' && l.target === 'nvmf0')?.pid);
  assert.ok(isAlive(nvmfPid));

  const client = conductor.transport.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: 30_000 });
  const call = client.call<{ state: string; pid: number }>('start', { target: 'vhost0' });
  await waitFor('vhost0 to be starting', () => agent.logs().some((l) => l.target === 'vhost0' && l.message === 'target spawned'));
  agent.child.kill('SIGTERM');

  const started = await call;
  assert.equal(started.state, 'running', 'the call in flight finished and was answered');
  const { code } = await agent.exited;
  assert.equal(code, 0, agent.stderr().slice(-2000));
  assert.equal(isAlive(nvmfPid), false, 'nvmf0 (stopOnAgentExit) was stopped');
  assert.equal(isAlive(started.pid), false, 'vhost0 (stopOnAgentExit) was stopped');
  assert.equal(await answers(node.socket.nvmf0), false);
  const left = (await listQueues()).map((q) => q.name);
  assert.ok(!left.includes(fanout[0]!), 'the fanout queue was deleted');
  assert.ok(left.includes(`${node.agentTopic}.${HOST}`), 'the server queues stay, as oslo leaves them');
  const logs = agent.logs();
  const signalled = logs.findIndex((l) => l.message === 'SIGTERM: shutting down');
  const vhostUp = logs.findIndex((l) => l.target === 'vhost0' && l.message === 'state starting → running');
  assert.ok(signalled >= 0 && vhostUp > signalled, 'vhost0 came up after the SIGTERM: the call was in flight');
  const shutDown = logs.find((l) => l.message === 'shut down');
  assert.equal(shutDown?.clean, true);
  assert.equal(shutDown?.fanoutQueueDeleted, true);
});

test('the broker down at start-up: targets are supervised at once, reports flow once it comes', { skip: brokerMissing, timeout: 120_000 }, async (t) => {
  const scope = brokerScope(t);
  const gate = await BrokerGate.start(t);
  const node = await makeAgentNode(t, scope, { targets: ['nvmf0'], bus: { urls: [gate.url] } });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);

  await waitFor('nvmf0 to be started without a broker', () => answers(node.socket.nvmf0), 30_000, 200);
  assert.equal(agent.child.exitCode, null, 'the agent keeps running');
  assert.equal(conductor.registrations.length, 0);

  gate.open();
  const report = await conductor.waitFor('the first report once the broker is there', () => true, 0, 30_000);
  assert.deepEqual(
    report.devices.map((d) => d.bdf),
    ['0000:5e:00.0', '0000:af:00.0'],
  );
  agent.child.kill('SIGTERM');
  assert.equal((await agent.exited).code, 0, agent.stderr().slice(-2000));
});
