/** What a SIGHUP applies while running and what waits for a restart (src/agent/reload-plan.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, type AgentConfig } from '../../../src/config/index.js';
import { planReload } from '../../../src/agent/reload-plan.js';
import { scratch } from '../config/scratch.js';

async function configOf(dir: ReturnType<typeof scratch>, yaml: string, name = 'agent.yaml'): Promise<AgentConfig> {
  return (await loadConfig({ file: dir.write(name, yaml), env: {} })).config;
}

const BASE = `agent: { host: cn1, reportedHostname: cn1.example, runtimeDir: /tmp/run }
bus: { urls: ["amqp://127.0.0.1"], password: one }
spdk:
  targets:
    - { name: nvmf0, app: nvmf_tgt, socket: /tmp/n.sock }
`;

test('nothing changed: nothing to do', async (t) => {
  const dir = scratch(t);
  const plan = planReload(await configOf(dir, BASE, 'a.yaml'), await configOf(dir, BASE, 'b.yaml'));
  assert.deepEqual(plan, { changed: [], applied: [], needsRestart: [], busReconnect: false, targetsChanged: false });
});

test('periods, logging, targets and bus settings apply; identity and places need a restart', async (t) => {
  const dir = scratch(t);
  const next = `agent: { host: cn2, reportedHostname: cn1.example, runtimeDir: /tmp/run, reportIntervalSec: 5, changeCheckIntervalSec: 2 }
log: { level: debug }
bus: { urls: ["amqp://127.0.0.1"], password: two, heartbeatSec: 10 }
spdk:
  deviceType: SSD
  targets:
    - { name: nvmf0, app: nvmf_tgt, socket: /tmp/n.sock, restart: { policy: never } }
`;
  const plan = planReload(await configOf(dir, BASE, 'a.yaml'), await configOf(dir, next, 'b.yaml'));
  assert.deepEqual(
    plan.applied.sort(),
    ['agent.changeCheckIntervalSec', 'agent.reportIntervalSec', 'bus.heartbeatSec', 'bus.password', 'log.level', 'spdk.targets'].sort(),
  );
  assert.deepEqual(plan.needsRestart.sort(), ['agent.host', 'spdk.deviceType']);
  assert.equal(plan.busReconnect, true, 'a new password is a bus change: reconnect');
  assert.equal(plan.targetsChanged, true);
});

test('turning the bus off (or on) needs a restart, and bus settings changed with it do not reconnect', async (t) => {
  const dir = scratch(t);
  const plan = planReload(
    await configOf(dir, BASE, 'a.yaml'),
    await configOf(dir, BASE.replace('password: one }', 'password: one, enabled: false, heartbeatSec: 5 }'), 'b.yaml'),
  );
  assert.deepEqual(plan.needsRestart.sort(), ['bus.enabled', 'bus.heartbeatSec']);
  assert.equal(plan.busReconnect, false);
});
