/**
 * A soak, behind a flag (it runs for minutes): `SPDK_AGENT_SOAK_MINUTES=10 npm test` (or
 * `node --test dist/test/integration/agent/soak.test.js`). `spdk-agent run` with two targets under
 * steady load from the conductor side — ping, report and report with statistics, four at a time —
 * while it registers every 10 s; the agent's RSS is sampled every 10 s. No call may fail, and the
 * RSS after the first minute must not keep growing. Its figures are in docs/reliability.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerSkip } from '../../helpers/broker.js';
import { HOST, TestConductor, brokerScope, makeAgentNode, memoryOf, runAgent } from './harness.js';

const minutes = Number(process.env.SPDK_AGENT_SOAK_MINUTES ?? '0');
const skip = !(minutes > 0) ? 'a soak: set SPDK_AGENT_SOAK_MINUTES to run it' : await brokerSkip();
const MIB = 1024 * 1024;

test(`soak: ${minutes || 'N'} minutes of steady load, no failed call, no growth of memory`, { skip, timeout: (minutes + 2) * 60_000 }, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { agent: { reportIntervalSec: 10 } });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);
  await conductor.waitFor('the start-up report', () => true);
  const client = conductor.transport.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: 30_000 });
  const endAt = Date.now() + minutes * 60_000;
  const samples: Array<{ atSec: number; rss: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => samples.push({ atSec: Math.round((Date.now() - started) / 1000), rss: memoryOf(agent.child.pid!).now }), 10_000);
  let calls = 0;
  const failures: string[] = [];
  const worker = async (n: number): Promise<void> => {
    const methods: Array<[string, Record<string, unknown>]> = [
      ['ping', {}],
      ['report', {}],
      ['report', { target: 'nvmf0', stats: true }],
    ];
    for (let i = n; Date.now() < endAt; i++) {
      const [method, args] = methods[i % methods.length]!;
      try {
        await client.call(method, args);
        calls++;
      } catch (err) {
        failures.push(`${method}: ${String(err)}`);
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  clearInterval(sampler);
  const afterFirstMinute = samples.filter((s) => s.atSec >= 60);
  const first = afterFirstMinute[0]?.rss ?? samples[0]?.rss ?? 0;
  const last = samples.at(-1)?.rss ?? 0;
  const peak = Math.max(...samples.map((s) => s.rss));
  t.diagnostic(
    `soak ${minutes} min: ${calls} calls (${Math.round(calls / (minutes * 60))}/s), ${failures.length} failed, ${conductor.registrations.length} registrations; agent RSS at 1 min ${Math.round(first / MIB)} MiB, at the end ${Math.round(last / MIB)} MiB, peak ${Math.round(peak / MIB)} MiB`,
  );
  assert.deepEqual(failures.slice(0, 5), []);
  assert.ok(last - first < 50 * MIB, `RSS grew from ${Math.round(first / MIB)} to ${Math.round(last / MIB)} MiB`);
  agent.child.kill('SIGTERM');
  assert.equal((await agent.exited).code, 0, agent.stderr().slice(-2000));
});
