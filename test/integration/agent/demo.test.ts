/**
 * `spdk-agent demo`, what a newcomer runs first: it must work end to end against the local broker
 * and leave nothing behind; without a broker it must say how to start one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { listExchanges, listQueues, rabbitmqctlSkip } from '../../helpers/broker.js';
import { agentBin } from '../../helpers/paths.js';

const skip = await rabbitmqctlSkip();

function runDemo(env: Record<string, string>, interruptWhen?: (stdout: string) => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SPDK_AGENT_')) clean[k] = v;
    const child = spawn(process.execPath, [agentBin, 'demo'], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (interruptWhen && !interrupted && interruptWhen(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

test('the demo runs end to end and leaves nothing behind', { skip, timeout: 120_000 }, async () => {
  const { code, stdout, stderr } = await runDemo({});
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  const lines = stdout.split('\n');
  const dir = /node {7}(\/\S+): a fake SPDK tree/.exec(stdout)?.[1];
  const exchange = /exchange (spdk-demo-[0-9a-f]+)/.exec(stdout)?.[1];
  assert.ok(dir && exchange, stdout);

  // What it shows: the start-up report, the calls, the reports of the changes, the clean exit.
  assert.ok(
    lines.some((l) => /conductor ◀ report_data from demo-node\.demo\.example: 3 devices, 2 deployables/.test(l)),
    stdout,
  );
  assert.ok(stdout.includes('deployable demo-node.demo.example_0000:5e:00.0_nvmf_nqn.2016-06.io.spdk:intel-ssd'));
  assert.ok(stdout.includes('CUSTOM_SPDK_NVMF ×1   traits CUSTOM_SPDK, CUSTOM_SPDK_NVMF_TCP, CUSTOM_SSD_INTEL'));
  assert.ok(stdout.includes('attach handle TEST_PCI {"ctrlr": "vhost.0", "type": "vhost_blk"}'));
  assert.match(stdout, /▶ ping → pong from demo-node/);
  assert.match(stdout, /nvmf0 {3}nvmf_tgt {2}running {2}pid \d+/);
  assert.match(stdout, /▶ stop vhost0 → stopped[^\n]*\n {2}conductor ◀ report_data[^\n]*2 devices, 1 deployable\n {4}- 0000:d8:00\.0/);
  assert.match(stdout, /▶ start vhost0 → running[^\n]*\n {2}conductor ◀ report_data[^\n]*3 devices, 2 deployables\n {4}\+ 0000:d8:00\.0/);
  assert.match(stdout, /▶ SIGTERM to the agent → exited with 0/);
  assert.match(stdout, /✔ done in [\d.]+ s; nothing left behind/);
  assert.equal(stderr, '');

  // And it is true.
  assert.equal(existsSync(dir), false, `${dir} is left`);
  assert.deepEqual(processesMentioning(dir), []);
  assert.deepEqual(
    (await listQueues()).map((q) => q.name).filter((n) => n.startsWith(exchange)),
    [],
  );
  assert.deepEqual(
    (await listExchanges()).map((e) => e.name).filter((n) => n.startsWith(exchange)),
    [],
  );
});

test('without a broker the demo says how to start one, and exits 2', { timeout: 60_000 }, async () => {
  // A TMPDIR of its own: other demos may run meanwhile.
  const tmp = mkdtempSync(path.join(tmpdir(), 'demo-test-'));
  try {
    const { code, stdout, stderr } = await runDemo({ SPDK_AGENT_BUS_URL: 'amqp://127.0.0.1:1', TMPDIR: tmp });
    assert.equal(code, 2, `${stdout}\n${stderr}`);
    assert.match(stderr, /no RabbitMQ broker at amqp:\/\/127\.0\.0\.1:1/);
    assert.match(stderr, /rabbitmq-server -detached/);
    assert.equal(stdout, '');
    // Node 22+ keeps its compile cache (bin/spdk-agent turns it on) in TMPDIR: Node's, not the demo's.
    assert.deepEqual(
      readdirSync(tmp).filter((entry) => entry !== 'node-compile-cache'),
      [],
      'its temporary directory was removed',
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('Ctrl-C in the middle of the demo cleans up just the same', { skip, timeout: 120_000 }, async () => {
  const { code, stdout, stderr } = await runDemo({}, (out) => out.includes('▶ starting the agent'));
  assert.equal(code, 130, `${stdout}\n${stderr}`);
  assert.match(stderr, /interrupted/);
  const dir = /node {7}(\/\S+): a fake SPDK tree/.exec(stdout)?.[1];
  const exchange = /exchange (spdk-demo-[0-9a-f]+)/.exec(stdout)?.[1];
  assert.ok(dir && exchange, stdout);
  assert.equal(existsSync(dir), false, `${dir} is left`);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(processesMentioning(dir), []);
  assert.deepEqual(
    (await listQueues()).map((q) => q.name).filter((n) => n.startsWith(exchange)),
    [],
  );
});
