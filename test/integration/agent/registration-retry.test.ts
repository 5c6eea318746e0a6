/**
 * A report_data that fails for a transient reason is retried with back-off, not left for the next
 * period: the conductor goes away (its answers time out), the node changes, the conductor comes
 * back, and the change reaches it within seconds although the period is a minute.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerSkip, waitFor } from '../../helpers/broker.js';
import { rawExchange } from '../../helpers/sim.js';
import { TestConductor, agentOnBus, stopCleanly } from './harness.js';

const skip = await brokerSkip();

test('a report_data that timed out is retried with back-off and reaches the conductor once it is back, well before the next period', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const { scope, node, agent, conductor } = await agentOnBus(t, { bus: { rpcResponseTimeoutSec: 2 }, log: { level: 'info' } });
  await conductor.stop();
  // A change the conductor must hear about: a subsystem exported on the first drive's namespace.
  const nqn = 'nqn.2016-06.io.spdk:retry1';
  for (const [method, params] of [
    ['nvmf_create_subsystem', { nqn, allow_any_host: true }],
    ['nvmf_subsystem_add_ns', { nqn, namespace: { bdev_name: 'Nvme1n1' } }],
  ] as const) {
    const { replies } = await rawExchange(node.socket.nvmf0, JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }), { timeoutMs: 10_000 });
    assert.ok(replies[0] && !JSON.parse(replies[0]).error, replies[0]);
  }
  const failed = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 5000)); // at least one attempt times out meanwhile
  const back = await TestConductor.start(scope, node.conductorTopic);
  t.after(() => back.stop());
  const report = await back.waitFor('the change, retried', (r) => r.devices.some((d) => d.deployables.some((x) => x.name.includes('retry1'))), 0, 40_000);
  assert.ok(report, 'reached the conductor');
  assert.ok(Date.now() - failed < 45_000, 'well before the 60 s period');
  const lines = agent.logs();
  assert.ok(
    lines.some((l) => l.level === 'warn' && /report_data failed: no conductor answered report_data within 2 s.*Retrying with back-off/.test(String(l.message))),
    'the failure was logged with what happens next',
  );
  // The conductor has it; the agent logs the acceptance once the answer is back.
  await waitFor('the acceptance logged', () =>
    agent
      .logs()
      .some(
        (l) =>
          l.message === 'report_data accepted by the conductor' && (l.reasons as string[] | undefined)?.includes('retry after a transient failure') === true,
      ),
  );
  const accepted = agent
    .logs()
    .find(
      (l) =>
        l.message === 'report_data accepted by the conductor' &&
        Array.isArray(l.reasons) &&
        (l.reasons as string[]).includes('retry after a transient failure'),
    );
  assert.ok(
    accepted,
    `the accepted report was a retry: ${JSON.stringify(lines.filter((l) => /report_data/.test(String(l.message))).map((l) => [l.message, l.reasons]))}`,
  );
  await stopCleanly(agent);
});
