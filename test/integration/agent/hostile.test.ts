/**
 * The agent as `spdk-agent run` under a bad day and hostile peers: a target that sends a reply
 * without end, broker connections closed again and again with calls in flight, a hundred calls in
 * flight at SIGTERM, forty hostile calls. Each test states what it measured (`# …` lines).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { brokerSkip, closeConnectionByName, rabbitmqctlSkip, waitFor } from '../../helpers/broker.js';
import { HOST, TestConductor, agentOnBus, brokerScope, isAlive, makeAgentNode, memoryLine, memoryOf, runAgent, stopCleanly } from './harness.js';

const brokerMissing = await brokerSkip();
const rabbitmqctlMissing = await rabbitmqctlSkip();
const MIB = 1024 * 1024;

interface TargetLine {
  name: string;
  state: string;
  state_reason: string;
}

test('a target whose reply never ends: the agent cuts it at maxReplyBytes, stays within a bounded memory and keeps serving', {
  skip: brokerMissing,
  timeout: 120_000,
}, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, {
    targets: ['nvmf0'],
    log: { level: 'info' },
    // The 8th request on the target (during the start-up inventory) gets a reply without end.
    target: { nvmf0: { maxReplyBytes: 32 * MIB, extraArgs: ['--sim-fault', 'endless-reply-after=7'] } },
  });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);
  await waitFor('the reply to be cut', () => agent.logs().some((l) => l.message === 'a reply passed the size limit; connection reset'), 60_000).catch(
    (err: unknown) => {
      throw new Error(`${String(err)}\n${agent.stderr().slice(-3000)}`);
    },
  );
  const cut = agent.logs().find((l) => l.message === 'a reply passed the size limit; connection reset')!;
  assert.equal(cut.limitBytes, 32 * MIB);
  const client = conductor.transport.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: 20_000 });
  assert.equal(((await client.call('ping')) as { agent: string }).agent, 'spdk-agent');
  await conductor.waitFor('a registration with the drives', (r) => r.devices.some((d) => d.bdf === '0000:5e:00.0' && !d.stub), 0, 60_000);
  const memory = memoryOf(agent.child.pid!);
  assert.ok(memory.peak < 400 * MIB, `agent peak RSS ${Math.round(memory.peak / MIB)} MiB`);
  t.diagnostic(
    `endless reply to the agent (maxReplyBytes 32 MiB): cut after ${String(cut.bytes)} bytes; agent peak RSS ${Math.round(memory.peak / MIB)} MiB, now ${Math.round(memory.now / MIB)} MiB; serving and registering throughout`,
  );
  await stopCleanly(agent);
});

test('broker connections closed ten times with calls in flight: no caller gets a wrong reply or none at all, the agent serves after each', {
  skip: rabbitmqctlMissing,
  timeout: 180_000,
}, async (t) => {
  const { agent, client } = await agentOnBus(t, { log: { level: 'info' } });
  const memoryBefore = memoryOf(agent.child.pid!);
  const started = Date.now();
  let answered = 0;
  let failed = 0;
  const recoveries: number[] = [];
  for (let round = 0; round < 10; round++) {
    const names = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? 'nvmf0' : 'vhost0'));
    const calls = names.map((name) =>
      client.call<{ targets: TargetLine[] }>('report', { target: name }).then(
        (r) => ({ ok: true as const, r, name }),
        (err: unknown) => ({ ok: false as const, err, name }),
      ),
    );
    const connectionName = String(
      agent
        .logs()
        .filter((l) => typeof l.connectionName === 'string' && l.message === 'connecting to the message bus')
        .at(-1)?.connectionName,
    );
    await closeConnectionByName(connectionName, `test round ${round}`);
    const cutAt = Date.now();
    for (const outcome of await Promise.all(calls)) {
      if (outcome.ok) {
        answered++;
        assert.deepEqual(
          outcome.r.targets.map((x) => x.name),
          [outcome.name],
          'each reply answers its own call',
        );
      } else failed++;
    }
    await waitFor(
      'the agent to serve again',
      async () => {
        try {
          await client.call('ping', {}, { timeoutMs: 2000 });
          return true;
        } catch {
          return false;
        }
      },
      30_000,
      100,
    );
    recoveries.push(Date.now() - cutAt);
  }
  assert.equal(answered + failed, 60);
  assert.equal(agent.child.exitCode, null);
  t.diagnostic(
    `10 connection closures, 60 calls in flight: ${answered} answered, ${failed} failed with an error, none wrong; served again after ${Math.min(...recoveries)}–${Math.max(...recoveries)} ms; ${Math.round((Date.now() - started) / 1000)} s in all; ${memoryLine(agent.child.pid!, memoryBefore)}`,
  );
  await stopCleanly(agent);
});

test('a hundred calls in flight at SIGTERM are all answered, then the agent exits 0', { skip: brokerMissing, timeout: 120_000 }, async (t) => {
  const scope = brokerScope(t);
  // Every RPC of nvmf0 takes 5 ms more: a report with statistics reads it live, so the calls are still
  // running when the signal comes.
  const node = await makeAgentNode(t, scope, { targets: ['nvmf0'], log: { level: 'debug' }, target: { nvmf0: { extraArgs: ['--sim-fault', 'slow=5'] } } });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);
  await conductor.waitFor('the start-up report', () => true, 0, 30_000);
  const client = conductor.transport.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: 60_000 });
  const calls = Array.from({ length: 100 }, () => client.call<{ targets: TargetLine[] }>('report', { target: 'nvmf0', stats: true }));
  // Every call has reached the agent and begun (its debug line "serving"); those not answered yet
  // are in flight when the signal comes.
  const memoryBefore = memoryOf(agent.child.pid!);
  const serving = (): number => agent.logs().filter((l) => l.message === 'serving' && l.method === 'report').length;
  await waitFor('the calls to reach the agent', async () => serving() >= 100, 20_000, 5);
  let answeredBefore = 0;
  for (const call of calls)
    void call.then(
      () => answeredBefore++,
      () => undefined,
    );
  await new Promise((resolve) => setImmediate(resolve));
  const inFlightAtSignal = 100 - answeredBefore;
  const memoryAtSignal = memoryLine(agent.child.pid!, memoryBefore);
  agent.child.kill('SIGTERM');
  const results = await Promise.allSettled(calls);
  const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
  const shutdownLines = agent.logs().filter((l) => /shut|stop|abandon|grace|SIGTERM/i.test(String(l.message)) && l.component !== 'spdk.lifecycle');
  assert.equal(failed.length, 0, `${failed.length} failed: ${failed[0] ?? ''}\n${JSON.stringify(shutdownLines).slice(0, 3000)}`);

  assert.equal((await agent.exited).code, 0, agent.stderr().slice(-2000));
  assert.ok(inFlightAtSignal > 0, 'calls were still running at the signal');
  t.diagnostic(`100 report calls sent, ${inFlightAtSignal} still in flight at SIGTERM: all 100 answered, exit 0; ${memoryAtSignal} (at the signal)`);
});

test('forty hostile calls: each refused with a Python exception or answered, no program run, no file touched, the agent serves on', {
  skip: brokerMissing,
  timeout: 120_000,
}, async (t) => {
  const { node, agent, client } = await agentOnBus(t, { targets: ['nvmf0'] });
  const memoryBefore = memoryOf(agent.child.pid!);
  const canary = path.join(node.dir, 'pwned');
  const names: unknown[] = [
    `$(touch ${canary})`,
    `; touch ${canary}`,
    `\`touch ${canary}\``,
    `| touch ${canary}`,
    `../../../../${canary}`,
    `nvmf0\0 --version`,
    'nvmf0 --sim-fault crash-after=0',
    '-rf /',
    '*',
    'x'.repeat(100_000),
    '',
    ' nvmf0',
    'NVMF0',
    '%s%s%s%n',
    '\u202envmf0',
    null,
    42,
    true,
    [],
    { $ne: null },
  ];
  const calls: Array<[string, Record<string, unknown>]> = [];
  for (const target of names) {
    calls.push(['start', { target }]);
    calls.push(['stop', { target, force: 'yes please' }]);
  }
  assert.equal(calls.length, 40);
  const outcomes: string[] = [];
  for (const [method, args] of calls) {
    try {
      await client.call(method, args);
      outcomes.push('answered');
    } catch (err) {
      outcomes.push((err as { className?: string }).className ?? (err as Error).name);
    }
  }
  const refusedAsPython = outcomes.filter((o) => o === 'ValueError' || o === 'TypeError').length;
  assert.equal(refusedAsPython, 40, outcomes.join(', '));
  assert.equal(existsSync(canary), false, 'no command ran');
  const view = (await client.call('report', { target: 'nvmf0' })) as { targets: TargetLine[] };
  assert.equal(view.targets[0]?.state, 'running', 'nvmf0 untouched');
  assert.ok(isAlive(agent.child.pid!));
  t.diagnostic(
    `40 hostile calls: ${refusedAsPython} refused with ValueError/TypeError; no file created; nvmf0 still running; ${memoryLine(agent.child.pid!, memoryBefore)}`,
  );
  await stopCleanly(agent);
});
