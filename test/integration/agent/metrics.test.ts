/**
 * The metrics endpoint and health checks of a real `spdk-agent run` on the real broker with
 * simulated targets: the exposition is read with Prometheus' own parser (python3-prometheus-client),
 * and the values must move as the node does — a bdev added, a target killed, a report_data that
 * fails, the broker connection cut and back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { brokerSkip, waitFor } from '../../helpers/broker.js';
import { httpGet, parseExposition, scrape, type Scrape } from '../../helpers/prometheus.js';
import { rawExchange } from '../../helpers/sim.js';
import {
  BrokerGate,
  HOST,
  TestConductor,
  agentOnBus,
  brokerScope,
  isAlive,
  makeAgentNode,
  runAgent,
  stopCleanly,
  trackPid,
  type AgentProcess,
} from './harness.js';

const skip = await brokerSkip();

/** The endpoint's base URL, from the agent's "listening" line (the port is chosen by the kernel). */
async function endpointOf(agent: AgentProcess): Promise<string> {
  let url: string | undefined;
  await waitFor('the metrics listener', () => {
    const line = agent.logs().find((l) => l.message === 'metrics and health checks listening');
    url = typeof line?.url === 'string' ? line.url.replace(/\/metrics$/, '') : undefined;
    return url !== undefined;
  });
  return url!;
}

async function until(base: string, what: string, check: (s: Scrape) => boolean, timeoutMs = 20_000): Promise<Scrape> {
  let last: Scrape | undefined;
  await waitFor(
    what,
    async () => {
      last = await scrape(base);
      return check(last);
    },
    timeoutMs,
    250,
  );
  return last!;
}

async function rpc(socket: string, method: string, params: unknown): Promise<void> {
  const { replies } = await rawExchange(socket, JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }), { timeoutMs: 10_000 });
  assert.ok(replies[0] && !JSON.parse(replies[0]).error, `${method}: ${replies[0]}`);
}

test('metrics: every family parses with prometheus_client and the values follow the node', { skip, timeout: 180_000 }, async (t) => {
  const { node, agent, client, conductor } = await agentOnBus(t, {
    metrics: { listen: '127.0.0.1:0', iostatIntervalSec: 0.5, perBdevSeriesLimit: 3 },
    log: { level: 'info' },
    bus: { rpcResponseTimeoutSec: 3 },
  });
  const base = await endpointOf(agent);

  const first = await until(base, 'the first registration counted', (s) => s.value('spdk_agent_registrations_total', { outcome: 'accepted' }) >= 1);
  await t.test('the families an operator alerts on are there, named and typed as Prometheus expects', () => {
    const types = new Map(first.families.map((f) => [f.name, f.type]));
    for (const [name, type] of [
      ['spdk_agent_target_state', 'gauge'],
      ['spdk_agent_target_restarts', 'counter'],
      ['spdk_agent_spdk_rpc_duration_seconds', 'histogram'],
      ['spdk_agent_spdk_rpc_calls', 'counter'],
      ['spdk_agent_bdevs', 'gauge'],
      ['spdk_agent_bus_requests', 'counter'],
      ['spdk_agent_registrations', 'counter'],
      ['spdk_agent_last_registration_accepted_timestamp_seconds', 'gauge'],
      ['process_cpu_user_seconds', 'counter'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ] as const) {
      assert.equal(types.get(name), type, `${name} is a ${type}`);
    }
    for (const family of first.families) assert.ok(family.documentation.length > 0, `${family.name} has help text`);
    assert.equal(first.value('spdk_agent_target_state', { target: 'nvmf0', state: 'running' }), 1);
    assert.equal(first.value('spdk_agent_target_state', { target: 'nvmf0', state: 'crashed' }), 0);
    assert.equal(first.value('spdk_agent_target_up', { target: 'vhost0' }), 1);
    assert.equal(first.value('spdk_agent_bus_connected'), 1);
    assert.equal(first.value('spdk_agent_cyborg_devices', { target: 'nvmf0' }), 2);
    assert.equal(first.value('spdk_agent_cyborg_devices', { target: 'vhost0' }), 1);
    assert.equal(first.value('spdk_agent_cyborg_deployables', { target: 'vhost0' }), 1);
    const acceptedAt = first.value('spdk_agent_last_registration_accepted_timestamp_seconds');
    assert.ok(Math.abs(acceptedAt - Date.now() / 1000) < 120, `accepted ${acceptedAt}`);
    const calls = first.samples('spdk_agent_spdk_rpc_calls_total', { target: 'nvmf0', outcome: 'ok' });
    assert.ok(
      calls.some((s) => s.labels.method === 'bdev_get_bdevs' && s.value >= 1),
      'the inventory calls are counted per method',
    );
    assert.ok(first.value('spdk_agent_spdk_rpc_received_bytes_total', { target: 'nvmf0' }) > 0);
    assert.ok(first.value('spdk_agent_spdk_rpc_sent_bytes_total', { target: 'nvmf0' }) > 0);
    for (const s of first.families.flatMap((f) => f.samples)) assert.ok(!('pid' in s.labels), `${s.name} has no pid label`);
  });

  await t.test('a bdev added on the target shows in the bdev count and gets per-bdev I/O series (capped)', async () => {
    const before = first.value('spdk_agent_bdevs', { target: 'nvmf0' });
    await rpc(node.socket.nvmf0, 'bdev_malloc_create', { name: 'AAA0', num_blocks: 2048, block_size: 512 });
    const after = await until(base, 'the new bdev counted', (s) => s.value('spdk_agent_bdevs', { target: 'nvmf0' }) === before + 1);
    const withIo = await until(
      base,
      'per-bdev series of the new bdev',
      (s) => s.samples('spdk_agent_bdev_read_bytes_total', { target: 'nvmf0', bdev: 'AAA0' }).length === 1,
    );
    assert.equal(withIo.samples('spdk_agent_bdev_read_bytes_total', { target: 'nvmf0' }).length, 3, 'perBdevSeriesLimit: 3');
    assert.equal(withIo.value('spdk_agent_bdev_series_omitted', { target: 'nvmf0' }), before + 1 - 3);
    assert.ok(after.value('spdk_agent_bdevs', { target: 'nvmf0' }) > 0);
  });

  await t.test('a bus request is counted by method and outcome, with its latency', async () => {
    const before = (await scrape(base)).samples('spdk_agent_bus_requests_total', { method: 'ping', outcome: 'ok' })[0]?.value ?? 0;
    await client.call('ping', {});
    const after = await until(
      base,
      'the ping counted',
      (s) => (s.samples('spdk_agent_bus_requests_total', { method: 'ping', outcome: 'ok' })[0]?.value ?? 0) === before + 1,
    );
    assert.ok(after.value('spdk_agent_bus_request_duration_seconds_count', { method: 'ping' }) >= 1);
  });

  await t.test('a target killed: its crash and restart are counted, its state gauge follows', async () => {
    const view = (await client.call('report', { target: 'vhost0' })) as { targets: Array<{ pid: number }> };
    const pid = view.targets[0]!.pid;
    assert.ok(isAlive(pid));
    process.kill(pid, 'SIGKILL');
    const crashed = await until(base, 'the crash counted', (s) => s.value('spdk_agent_target_crashes_total', { target: 'vhost0' }) === 1);
    assert.equal(crashed.value('spdk_agent_target_last_exit_info', { target: 'vhost0', signal: 'SIGKILL' }), 1);
    const back = await until(base, 'the target running again', (s) => s.value('spdk_agent_target_up', { target: 'vhost0' }) === 1, 30_000);
    assert.equal(back.value('spdk_agent_target_restarts_total', { target: 'vhost0' }), 1);
    const newPid = ((await client.call('report', { target: 'vhost0' })) as { targets: Array<{ pid: number }> }).targets[0]!.pid;
    trackPid(newPid);
  });

  await t.test('a report_data the conductor does not answer is counted by its outcome', async () => {
    await conductor.stop();
    const answer = (await client.call('discover', {})) as { report: { status: string } };
    assert.notEqual(answer.report.status, 'sent');
    await until(base, 'the failed report_data counted', (s) => s.value('spdk_agent_registrations_total', { outcome: 'timeout' }) >= 1);
  });

  await stopCleanly(agent);
});

test('/readyz: 503 while the broker connection is cut, 200 when it is back; /healthz stays 200', { skip, timeout: 120_000 }, async (t) => {
  const gate = await BrokerGate.start(t);
  gate.open();
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, {
    targets: ['vhost0'],
    metrics: { listen: '127.0.0.1:0' },
    log: { level: 'info' },
    bus: { urls: [gate.url], heartbeatSec: 2, retry: { initialSec: 0.2, stepSec: 0.2, maxSec: 0.5 } },
  });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);
  const base = await endpointOf(agent);
  await conductor.waitFor('the start-up report', () => true, 0, 30_000);

  const ready = async (): Promise<{ status: number; reason: string }> => {
    const { status, body } = await httpGet(`${base}/readyz`);
    return { status, reason: (JSON.parse(body) as { reason: string }).reason };
  };
  await waitFor('ready', async () => (await ready()).status === 200);

  gate.shut();
  await waitFor('not ready', async () => (await ready()).status === 503);
  const cut = await ready();
  assert.match(cut.reason, /not connected to the message bus/);
  assert.equal((await httpGet(`${base}/healthz`)).status, 200, 'alive all the same');
  const down = await scrape(base);
  assert.equal(down.value('spdk_agent_bus_connected'), 0);

  gate.open();
  await waitFor('ready again', async () => (await ready()).status === 200, 30_000);
  const up = await scrape(base);
  assert.equal(up.value('spdk_agent_bus_connected'), 1);
  assert.ok(up.value('spdk_agent_bus_reconnects_total') >= 1);
  await stopCleanly(agent);
  const client = conductor.transport.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: 2000 });
  await assert.rejects(client.call('ping', {}), 'the agent is gone');
});

test('the bearer token guards /metrics (401 without it, constant answer for a wrong one); the health checks stay open', {
  skip,
  timeout: 90_000,
}, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: ['vhost0'], log: { level: 'info' } });
  const tokenFile = path.join(node.dir, 'metrics-token');
  writeFileSync(tokenFile, 's3cret-scrape-token\n', { mode: 0o600 });
  // The same node with a token file: the configuration written again with the metrics section.
  const yaml = JSON.parse((await import('node:fs')).readFileSync(node.configFile, 'utf8')) as Record<string, unknown>;
  yaml.metrics = { listen: '127.0.0.1:0', bearerTokenFile: tokenFile };
  writeFileSync(node.configFile, JSON.stringify(yaml), { mode: 0o600 });
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);
  const base = await endpointOf(agent);
  await conductor.waitFor('the start-up report', () => true, 0, 30_000);

  const none = await httpGet(`${base}/metrics`);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
  assert.equal((await httpGet(`${base}/metrics`, { authorization: 'Bearer wrong' })).status, 401);
  const good = await httpGet(`${base}/metrics`, { authorization: 'Bearer s3cret-scrape-token' });
  assert.equal(good.status, 200);
  assert.match(good.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  await parseExposition(good.body);
  assert.equal((await httpGet(`${base}/healthz`)).status, 200);
  assert.equal((await httpGet(`${base}/nope`)).status, 404);
  assert.ok(!agent.stderr().includes('s3cret-scrape-token'), 'the token is never logged');
  await stopCleanly(agent);
});

test('the parser the tests rely on rejects a malformed exposition', async () => {
  await assert.rejects(parseExposition('# TYPE x counter\nx{a="1" 3\n'), /rejected by prometheus_client/);
});
