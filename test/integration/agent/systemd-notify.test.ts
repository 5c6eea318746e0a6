/**
 * Type=notify, as systemd sees it: a real `spdk-agent run` with NOTIFY_SOCKET pointing at a Unix
 * datagram socket that stands in for systemd's (test/interop/py/notify_socket.py, which closes the
 * barrier descriptors as systemd does). READY=1 once the agent serves its topic, WATCHDOG=1 at
 * half the period systemd asks for, STATUS= lines, STOPPING=1 at SIGTERM; without NOTIFY_SOCKET
 * the agent runs as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { brokerSkip, waitFor } from '../../helpers/broker.js';
import { PYTHON, pythonPeersDir } from '../../helpers/python.js';
import { HOST, TestConductor, brokerScope, makeAgentNode, runAgent, stopCleanly } from './harness.js';

const skip = await brokerSkip();

interface Received {
  at: number;
  fields: Record<string, string>;
}

test('Type=notify: READY=1 once serving, WATCHDOG=1 from the event loop, STATUS= lines, STOPPING=1 at SIGTERM', { skip, timeout: 120_000 }, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, { targets: ['vhost0'] });
  const socket = path.join(node.dir, 'notify.sock');
  const listener = spawn(PYTHON, [path.join(pythonPeersDir, 'notify_socket.py'), socket], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    listener.stdin.end();
    listener.kill();
  });
  const received: Received[] = [];
  let bound = false;
  createInterface({ input: listener.stdout }).on('line', (line) => {
    const parsed = JSON.parse(line) as { ready?: boolean; message?: string };
    if (parsed.ready) bound = true;
    if (parsed.message === undefined) return;
    const fields: Record<string, string> = {};
    for (const entry of parsed.message.split('\n')) {
      const eq = entry.indexOf('=');
      if (eq > 0) fields[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    received.push({ at: Date.now(), fields });
  });
  await waitFor('the notify socket', () => bound);

  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile, { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '1000000' });
  await waitFor('READY=1', () => received.some((m) => m.fields.READY === '1'), 30_000);
  const ready = received.find((m) => m.fields.READY === '1')!;
  assert.equal(ready.fields.STATUS, `serving ${node.agentTopic}.${HOST}`);
  assert.ok(
    received.some((m) => m.at <= ready.at && m.fields.STATUS?.startsWith('starting')),
    'a status while starting came first',
  );

  const pingsBefore = received.filter((m) => m.fields.WATCHDOG === '1').length;
  await new Promise((resolve) => setTimeout(resolve, 2600));
  const pings = received.filter((m) => m.fields.WATCHDOG === '1').length - pingsBefore;
  assert.ok(pings >= 4 && pings <= 7, `WATCHDOG=1 every 0.5 s for WATCHDOG_USEC=1000000: ${pings} in 2.6 s`);

  await conductor.waitFor('the start-up report', () => true, 0, 30_000);
  await waitFor('a status naming the accepted report_data', () => received.some((m) => /report_data accepted at/.test(m.fields.STATUS ?? '')));

  await stopCleanly(agent);
  const stopping = received.find((m) => m.fields.STOPPING === '1');
  assert.ok(stopping, 'STOPPING=1 at SIGTERM');
  assert.match(stopping.fields.STATUS ?? '', /SIGTERM: shutting down/);
  const pingsAfterStop = received.filter((m) => m.fields.WATCHDOG === '1' && m.at > stopping.at + 200).length;
  assert.equal(pingsAfterStop, 0, 'no watchdog ping once stopping');
  assert.ok(!agent.stderr().includes('cannot notify systemd'), agent.stderr());
});
