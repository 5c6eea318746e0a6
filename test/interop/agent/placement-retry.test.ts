/**
 * A real Python conductor answers report_data with Cyborg's PlacementResourceProviderNotFound (no
 * provider of that name in Placement yet): the agent logs it with what to do, retries at the next
 * period (not at once), and answers requests all along.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerSkip, testAmqpUrl, waitFor } from '../../helpers/broker.js';
import { PythonPeer, pythonSkip, type PeerEvent } from '../../helpers/python.js';
import { HOST, REPORTED_HOSTNAME, brokerScope, makeAgentNode, startDaemon } from '../../integration/agent/harness.js';
import { captureLogs } from '../../helpers/logs.js';

const skip = (await brokerSkip()) || (await pythonSkip());
const INTERVAL_SEC = 2;

test('PlacementResourceProviderNotFound is logged and retried next period while requests are answered', { skip, timeout: 120_000 }, async (t) => {
  // Back to the harness's level afterwards (it keeps the daemon's lines out of the test report).
  const logs = captureLogs(t, 'debug', { level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'error' });
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: ['nvmf0'], agent: { reportIntervalSec: INTERVAL_SEC } });
  const conductor = await PythonPeer.start(t, 'cyborg_conductor.py', {
    url: testAmqpUrl,
    exchange: scope.exchange,
    topic: node.conductorTopic,
    server: 'conductor-1',
    placement_missing: 2,
    max_seconds: 300,
  });
  // Stopped before the scope deletes the broker objects (a consumer whose queue is deleted under
  // it declares it again).
  scope.defer(() => conductor.stop());
  await startDaemon(scope, node.config);
  const caller = await scope.openTransport();
  const agent = caller.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: 20_000 });

  const arrivals: number[] = [];
  const report = async (n: number): Promise<PeerEvent> => {
    const event = await conductor.waitForEvent('report', 30_000, (e) => e.n === n);
    arrivals.push(Date.now());
    return event;
  };

  const first = await report(1);
  assert.equal(first.refused, true);
  assert.equal(first.hostname, REPORTED_HOSTNAME);
  assert.equal(((await agent.call('ping')) as { pong: string }).pong, HOST, 'requests are answered between refused reports');
  const second = await report(2);
  assert.equal(second.refused, true);
  assert.equal(((await agent.call('report', { target: 'nvmf0' })) as { targets: Array<{ state: string }> }).targets[0]!.state, 'running');
  const third = await report(3);
  assert.equal(third.refused, false);
  assert.deepEqual(third.problems, []);

  // Retried at the period, not at once (generous bounds: a broken agent would retry in milliseconds).
  assert.ok(arrivals[1]! - arrivals[0]! >= INTERVAL_SEC * 1000 * 0.75, `retry after ${arrivals[1]! - arrivals[0]!} ms`);
  assert.ok(arrivals[2]! - arrivals[1]! >= INTERVAL_SEC * 1000 * 0.75, `retry after ${arrivals[2]! - arrivals[1]!} ms`);

  const warnings = logs.lines().filter((l) => l.component === 'agent.daemon' && l.level === 'warn' && l.kind === 'no-resource-provider');
  assert.equal(
    warnings.length,
    2,
    JSON.stringify(
      logs
        .lines()
        .filter((l) => l.level !== 'debug')
        .slice(-10),
    ),
  );
  assert.match(String(warnings[0]!.message), /no Placement resource provider named "cn1\.example\.org".*agent\.reportedHostname.*retrying next period/);
  // The conductor tells us before its reply reaches the agent: wait for the agent's own word.
  await waitFor('the agent to log the accepted report', () => logs.lines().some((l) => l.message === 'report_data accepted by the conductor'));
});
