/**
 * The metrics registry, readiness and the HTTP endpoint against a plain MeasuredAgent: values read
 * when scraped, events counted, bounded labels, exact 64-bit counters, the endpoint's answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { AgentMetrics } from '../../../src/agent/metrics/agent-metrics.js';
import { HttpEndpoint } from '../../../src/agent/metrics/http-endpoint.js';
import { LivenessTicker, readiness } from '../../../src/agent/metrics/health.js';
import type { IostatSampler } from '../../../src/agent/metrics/iostat-sampler.js';
import type { MeasuredAgent, MeasuredTarget } from '../../../src/agent/metrics/measured-agent.js';
import type { DaemonHealth, RegistrationEvent } from '../../../src/agent/daemon.js';
import type { TargetStateEvent, TargetStatus } from '../../../src/spdk/lifecycle/types.js';
import { Secret } from '../../../src/config/secret.js';
import { instruments } from '../../../src/util/instrumentation.js';
import { memoryLogger } from '../../helpers/logs.js';
import { parseExposition } from '../../helpers/prometheus.js';

const HEALTHY: DaemonHealth = {
  startedUp: true,
  stopping: false,
  busEnabled: true,
  busConnected: true,
  serving: true,
  reporting: true,
  lastAcceptedAt: new Date().toISOString(),
  reportIntervalSec: 60,
};

function fakeAgent(statuses: Record<string, Partial<TargetStatus>>) {
  const events = new EventEmitter();
  const targets: MeasuredTarget[] = Object.entries(statuses).map(([name, status]) => ({
    spec: { name, app: 'nvmf_tgt' },
    status: () => ({ name, app: 'nvmf_tgt', address: `/tmp/${name}.sock`, state: 'running', since: '', reason: '', restarts: 0, ...status }) as TargetStatus,
    caller: {
      address: `/tmp/${name}.sock`,
      call: (() => Promise.reject(new Error('unused'))) as MeasuredTarget['caller']['call'],
      traffic: { bytesIn: 2 ** 40, bytesOut: 17 },
      generation: 1,
    },
  }));
  let health = { ...HEALTHY };
  const agent: MeasuredAgent = {
    targets: () => targets,
    health: () => health,
    latestInventory: () => undefined,
    busInFlight: () => 2,
    onRegistration(listener) {
      events.on('registration', listener);
      return () => void events.off('registration', listener);
    },
    onTargetState(listener) {
      events.on('state', listener);
      return () => void events.off('state', listener);
    },
  };
  return {
    agent,
    setHealth: (change: Partial<DaemonHealth>) => {
      health = { ...health, ...change };
    },
    state: (event: Partial<TargetStateEvent>) => events.emit('state', event),
    registration: (event: Partial<RegistrationEvent>) => events.emit('registration', event),
  };
}

async function scrapeOf(metrics: AgentMetrics) {
  return parseExposition((await metrics.exposition()).body);
}

test('state is read when scraped: one state series per state, up, info with the short SPDK version, traffic', async (t) => {
  const fake = fakeAgent({
    nvmf0: { state: 'running', version: 'SPDK v24.01 git sha1 abc', ownership: 'spawned' },
    vhost0: { state: 'crashed', lastExit: { signal: 'SIGKILL', at: '2026-12-07T00:00:00.000Z' } },
  });
  const metrics = new AgentMetrics({ agent: fake.agent, defaultCollectors: false });
  t.after(() => metrics.close());
  const s = await scrapeOf(metrics);
  assert.equal(s.samples('spdk_agent_target_state', { target: 'nvmf0' }).length, 8);
  assert.equal(s.value('spdk_agent_target_state', { target: 'vhost0', state: 'crashed' }), 1);
  assert.equal(s.value('spdk_agent_target_up', { target: 'nvmf0' }), 1);
  assert.equal(s.value('spdk_agent_target_up', { target: 'vhost0' }), 0);
  assert.equal(s.value('spdk_agent_target_info', { target: 'nvmf0', version: 'v24.01', ownership: 'spawned' }), 1);
  assert.equal(s.value('spdk_agent_target_last_exit_info', { target: 'vhost0', code: '', signal: 'SIGKILL' }), 1);
  assert.equal(s.value('spdk_agent_target_last_exit_timestamp_seconds', { target: 'vhost0' }), Date.parse('2026-12-07T00:00:00.000Z') / 1000);
  assert.equal(s.samples('spdk_agent_target_last_exit_info', { target: 'nvmf0' }).length, 0, 'no exit yet: no series');
  assert.equal(s.value('spdk_agent_spdk_rpc_received_bytes_total', { target: 'nvmf0' }), 2 ** 40);
  assert.equal(s.value('spdk_agent_bus_requests_in_flight'), 2);
  assert.equal(s.value('spdk_agent_target_restarts_total', { target: 'nvmf0' }), 0, 'counters start at 0 for every target');
});

test('events are counted: state changes, SPDK calls per target and method, bus requests and drops, registrations', async (t) => {
  const fake = fakeAgent({ nvmf0: {} });
  const metrics = new AgentMetrics({ agent: fake.agent, defaultCollectors: false });
  t.after(() => metrics.close());
  fake.state({ target: 'nvmf0', to: 'crashed' });
  fake.state({ target: 'nvmf0', to: 'restarting' });
  instruments.spdkCall.publish({ address: '/tmp/nvmf0.sock', method: 'bdev_get_bdevs', outcome: 'ok', seconds: 0.002 });
  instruments.spdkCall.publish({ address: '/tmp/nvmf0.sock', method: 'nvmf_subsystem_add_ns', outcome: 'rpc_error', rpcCode: -32602, seconds: 0.001 });
  instruments.spdkCall.publish({ address: '/tmp/elsewhere.sock', method: 'x', outcome: 'ok', seconds: 0.001 });
  instruments.spdkConnect.publish({ address: '/tmp/nvmf0.sock', generation: 1 });
  instruments.spdkConnect.publish({ address: '/tmp/nvmf0.sock', generation: 2 });
  instruments.busRequest.publish({ method: 'ping', kind: 'call', outcome: 'ok', seconds: 0.01 });
  instruments.busDrop.publish({ reason: 'undecodable' });
  instruments.busConnection.publish({ state: 'connected', generation: 1 });
  instruments.busConnection.publish({ state: 'connected', generation: 2 });
  fake.registration({
    ok: false,
    seconds: 3,
    error: { kind: 'timeout' } as RegistrationEvent['error'],
    built: {
      devices: [{ deployable_list: [{}, {}] }],
      sources: [{ target: 'nvmf0', bdf: '0000:5e:00.0', stub: false }],
    } as unknown as RegistrationEvent['built'],
  });
  const s = await scrapeOf(metrics);
  assert.equal(s.value('spdk_agent_target_crashes_total', { target: 'nvmf0' }), 1);
  assert.equal(s.value('spdk_agent_target_restarts_total', { target: 'nvmf0' }), 1);
  assert.equal(s.value('spdk_agent_spdk_rpc_calls_total', { target: 'nvmf0', method: 'bdev_get_bdevs', outcome: 'ok' }), 1);
  assert.equal(s.value('spdk_agent_spdk_rpc_errors_total', { target: 'nvmf0', method: 'nvmf_subsystem_add_ns', code: '-32602' }), 1);
  assert.equal(s.value('spdk_agent_spdk_rpc_duration_seconds_bucket', { target: 'nvmf0', method: 'bdev_get_bdevs', le: '0.0025' }), 1);
  assert.equal(s.samples('spdk_agent_spdk_rpc_calls_total', { method: 'x' }).length, 0, 'a client of no configured target is not counted');
  assert.equal(s.value('spdk_agent_spdk_rpc_reconnects_total', { target: 'nvmf0' }), 1);
  assert.equal(s.value('spdk_agent_bus_requests_total', { method: 'ping', kind: 'call', outcome: 'ok' }), 1);
  assert.equal(s.value('spdk_agent_bus_messages_dropped_total', { reason: 'undecodable' }), 1);
  assert.equal(s.value('spdk_agent_bus_messages_dropped_total', { reason: 'duplicate' }), 0);
  assert.equal(s.value('spdk_agent_bus_reconnects_total'), 1);
  assert.equal(s.value('spdk_agent_registrations_total', { outcome: 'timeout' }), 1);
  assert.equal(s.value('spdk_agent_registrations_total', { outcome: 'accepted' }), 0);
  assert.equal(s.value('spdk_agent_registration_duration_seconds_count'), 1);
  assert.equal(s.value('spdk_agent_cyborg_devices', { target: 'nvmf0' }), 1);
  assert.equal(s.value('spdk_agent_cyborg_deployables', { target: 'nvmf0' }), 2);

  metrics.close();
  instruments.busRequest.publish({ method: 'ping', kind: 'call', outcome: 'ok', seconds: 0.01 });
  assert.equal(
    (await scrapeOf(metrics)).value('spdk_agent_bus_requests_total', { method: 'ping', kind: 'call', outcome: 'ok' }),
    1,
    'closed: no more counting',
  );
});

test('SPDK method labels are bounded: past the cap, further names count as "other"', async (t) => {
  const fake = fakeAgent({ nvmf0: {} });
  const metrics = new AgentMetrics({ agent: fake.agent, defaultCollectors: false });
  t.after(() => metrics.close());
  for (let i = 0; i < 600; i++) instruments.spdkCall.publish({ address: '/tmp/nvmf0.sock', method: `m${i}`, outcome: 'ok', seconds: 0.001 });
  const s = await scrapeOf(metrics);
  const methods = new Set(s.samples('spdk_agent_spdk_rpc_calls_total').map((x) => x.labels.method));
  assert.equal(methods.size, 513);
  assert.equal(s.value('spdk_agent_spdk_rpc_calls_total', { method: 'other', outcome: 'ok' }), 600 - 512);
});

test('per-bdev counters: 64-bit values stay exact up to the one conversion of the exposition', async (t) => {
  const fake = fakeAgent({ nvmf0: {} });
  const big = 2n ** 53n + 1n;
  const iostat = {
    of: (target: string) =>
      target === 'nvmf0'
        ? { bdevs: [{ bdev: 'Nvme0n1', bytesRead: 123_456_789_012, readOps: 5, bytesWritten: big, writeOps: 2n ** 40n }], omitted: 7 }
        : undefined,
  } as unknown as IostatSampler;
  const metrics = new AgentMetrics({ agent: fake.agent, iostat, defaultCollectors: false });
  t.after(() => metrics.close());
  const text = (await metrics.exposition()).body;
  assert.match(text, /spdk_agent_bdev_read_bytes_total\{target="nvmf0",bdev="Nvme0n1"\} 123456789012\n/);
  assert.match(text, /spdk_agent_bdev_write_operations_total\{target="nvmf0",bdev="Nvme0n1"\} 1099511627776\n/);
  const s = await parseExposition(text);
  assert.equal(s.value('spdk_agent_bdev_written_bytes_total', { bdev: 'Nvme0n1' }), Number(big));
  assert.equal(s.value('spdk_agent_bdev_series_omitted', { target: 'nvmf0' }), 7);
});

test('readiness: each reason in turn, and the two-period rule on the last accepted report_data', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  assert.deepEqual(readiness({ ...HEALTHY, lastAcceptedAt: at(10) }, now), { ok: true, reason: 'ready', lastAcceptedAt: at(10) });
  assert.match(readiness({ ...HEALTHY, lastAcceptedAt: at(121) }, now).reason, /121 s old \(more than two periods, 120 s\)/);
  assert.equal(readiness({ ...HEALTHY, lastAcceptedAt: at(121) }, now).ok, false);
  assert.equal(readiness({ ...HEALTHY, lastAcceptedAt: null }, now).reason, 'no report_data accepted by the conductor yet');
  assert.equal(readiness({ ...HEALTHY, busConnected: false }, now).reason, 'not connected to the message bus');
  assert.equal(readiness({ ...HEALTHY, serving: false }, now).ok, false);
  assert.equal(readiness({ ...HEALTHY, startedUp: false }, now).ok, false);
  assert.equal(readiness({ ...HEALTHY, stopping: true }, now).reason, 'shutting down');
  assert.equal(readiness({ ...HEALTHY, busEnabled: false, busConnected: false, lastAcceptedAt: null }, now).ok, true);
  assert.equal(readiness({ ...HEALTHY, reporting: false, lastAcceptedAt: null }, now).ok, true);
});

test('liveness: a loop that did not tick for longer than the limit is reported', (t) => {
  const ticker = new LivenessTicker(10_000);
  t.after(() => ticker.stop());
  assert.equal(ticker.check().ok, true);
  const late = ticker.check(performance.now() + 12_000);
  assert.equal(late.ok, false);
  assert.match(late.reason, /event loop was blocked for 1\d{4} ms/);
});

test('the endpoint: 404 and 405 with a reason, HEAD without a body, a port in use logged and retried without a crash', async (t) => {
  const { logger, lines } = memoryLogger();
  const endpoint = new HttpEndpoint({
    listen: '127.0.0.1:0',
    bearerToken: new Secret('tok'),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'x 1\n' }),
    liveness: () => ({ ok: true, reason: 'alive' }),
    readiness: () => ({ ok: false, reason: 'no report_data accepted by the conductor yet' }),
    logger,
  });
  await endpoint.start();
  t.after(() => endpoint.close());
  const base = `http://127.0.0.1:${endpoint.address!.port}`;
  const notFound = await fetch(`${base}/metricz`);
  assert.equal(notFound.status, 404);
  assert.match(((await notFound.json()) as { reason: string }).reason, /use \/metrics, \/healthz or \/readyz/);
  const post = await fetch(`${base}/metrics`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 503);
  assert.deepEqual(await ready.json(), { status: 'unavailable', reason: 'no report_data accepted by the conductor yet' });
  const head = await fetch(`${base}/metrics`, { method: 'HEAD', headers: { authorization: 'Bearer tok' } });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');

  const second = new HttpEndpoint({
    listen: `127.0.0.1:${endpoint.address!.port}`,
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    liveness: () => ({ ok: true, reason: 'alive' }),
    readiness: () => ({ ok: true, reason: 'ready' }),
    logger,
  });
  await second.start();
  await second.close();
  const error = lines().find((l) => l.level === 'error');
  assert.match(String(error?.message), /cannot listen on 127\.0\.0\.1:\d+ .*the port is in use.*retrying every 30 s/);
});

test('docs/metrics.md documents every spdk_agent_ metric with its type', async (t) => {
  const { readFileSync } = await import('node:fs');
  const path = await import('node:path');
  const { repoRoot } = await import('../../helpers/paths.js');
  const doc = readFileSync(path.join(repoRoot, 'docs', 'metrics.md'), 'utf8');
  const metrics = new AgentMetrics({ agent: fakeAgent({}).agent, defaultCollectors: false });
  t.after(() => metrics.close());
  const families = await metrics.registry.getMetricsAsJSON();
  assert.ok(families.length > 30);
  for (const family of families) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${family.name}\` |`));
    assert.ok(row, `${family.name} has a row in docs/metrics.md`);
    assert.ok(row.includes(`| ${family.type} |`), `${family.name} is documented as a ${family.type}`);
  }
});
