/**
 * A real Python caller (oslo.messaging 14 RPCClient, Cyborg's exception module allowed) calls every
 * method of the agent: results, bad arguments, unknown methods (Cyborg's FPGA/vGPU ones included),
 * a wrong version, a failed start with SPDK's own text, exact big integers, a cast and a fanout
 * cast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerSkip, waitFor } from '../../helpers/broker.js';
import { pythonSkip, runPythonCalls, type PythonCallOp as Op, type PythonCallOutcome as Outcome } from '../../helpers/python.js';
import { HOST, REPORTED_HOSTNAME, TestConductor, brokerScope, makeAgentNode, startDaemon } from '../../integration/agent/harness.js';

const skip = (await brokerSkip()) || (await pythonSkip());

/** 2^62: the simulated TSC starts there, so bdev_get_iostat's `ticks` is an exact uint64 beyond 2^53. */
const TICKS_START = '4611686018427387904';

function remote(o: Outcome | undefined): string {
  assert.ok(o && !o.ok, JSON.stringify(o));
  return o.is_RemoteError ? `RemoteError ${o.exc_type}: ${o.value}` : `${o.module}.${o.raised}: ${o.str_first_line}`;
}

test('a Python caller gets from every agent method what a Python agent would give', { skip, timeout: 240_000 }, async (t) => {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, {
    target: { nvmf0: { extraArgs: ['--sim-ticks-start', TICKS_START] } },
    extraTargets: [
      {
        name: 'broken0',
        app: 'nvmf_tgt',
        socket: 'broken0.sock',
        args: ['--no-huge', '-s', '64', '--sim-watch-parent', '--sim-fault', 'refuse-start=socket-in-use'],
        autostart: false,
        restart: { policy: 'never' },
        startTimeoutSec: 20,
      },
    ],
  });
  await TestConductor.start(scope, node.conductorTopic);
  const daemon = await startDaemon(scope, node.config);
  const run = (ops: Op[]): Promise<Outcome[]> => runPythonCalls('cyborg_api_client.py', scope, node.agentTopic, ops);
  const to = (method: string, args: Record<string, unknown> = {}, extra: Partial<Op> = {}): Op => ({
    kind: 'call',
    method,
    args,
    server: HOST,
    timeout: 60,
    ...extra,
  });

  const r = await run([
    to('ping'),
    to('oslo_rpc_server_ping'),
    to('ping', {}, { server: REPORTED_HOSTNAME }),
    { kind: 'call', method: 'ping', args: {}, timeout: 60 },
    to('discover'),
    to('report'),
    to('report', { target: 'nvmf0', stats: true }),
    to('stop', { target: 'vhost0' }),
    to('start', { target: 'vhost0' }),
    to('start', { target: 'broken0' }),
    to('start', { target: 'nope' }),
    to('start', { target: 5 }),
    to('stop', { target: 'nvmf0', force: 'yes' }),
    to('report', { target: 'nvmf0', stats: 'no' }),
    to('start'),
    to('ping', { x: 1 }),
    to('fpga_program', {
      controlpath_id: { cpid_type: 'PCI', cpid_info: { domain: '0000', bus: '5e', device: '00', function: '0' } },
      bitstream_uuid: 'b',
      driver_name: 'intel_fpga_driver',
    }),
    to('create_vgpu_mdev', { pci_addr: '0000:5e:00.0', asked_type: 'nvidia-35', ah_uuid: 'u' }),
    to('remove_vgpu_mdev', { pci_addr: '0000:5e:00.0', asked_type: 'nvidia-35', ah_uuid: 'u' }),
    to('ping', {}, { version: '1.1' }),
    to('ping', {}, { version: '2.0' }),
    to('_private'),
    { kind: 'cast', method: 'stop', args: { target: 'vhost0' }, server: HOST },
  ]);

  await t.test('ping, under the host name, the reported hostname and the shared topic; oslo’s ping', () => {
    const pong = {
      ok: true,
      result: { pong: HOST, reported_hostname: REPORTED_HOSTNAME, agent: 'spdk-agent', version: daemon.operations.ping().version, pid: process.pid },
    };
    assert.deepEqual(r[0], pong);
    assert.deepEqual(r[1], { ok: true, result: 'pong' });
    assert.deepEqual(r[2], pong);
    assert.deepEqual(r[3], pong);
  });

  await t.test('discover: installation, targets, the Cyborg devices, and the report it pushed', () => {
    const result = r[4]!.result as {
      installation: { installed: boolean };
      targets: Array<{ name: string; state: string }>;
      devices: Array<{ bdf: string }>;
      report: { status: string };
    };
    assert.equal(result.installation.installed, true);
    assert.deepEqual(
      result.targets.map((x) => `${x.name} ${x.state}`),
      ['nvmf0 running', 'vhost0 running', 'broken0 stopped'],
    );
    assert.deepEqual(
      result.devices.map((d) => d.bdf),
      ['0000:5e:00.0', '0000:af:00.0', '0000:d8:00.0'],
    );
    assert.equal(result.report.status, 'sent');
  });

  await t.test('report: every target with state, pid, socket, version, bdevs, subsystems, vhost controllers', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the Python caller's JSON, read field by field by the assertions below.
    const { targets } = r[5]!.result as { targets: Array<Record<string, any>> };
    assert.deepEqual(
      targets.map((x) => x.name),
      ['nvmf0', 'vhost0', 'broken0'],
    );
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    const [nvmf, vhost, broken] = targets as [Record<string, any>, Record<string, any>, Record<string, any>];
    assert.equal(nvmf.state, 'running');
    assert.equal(typeof nvmf.pid, 'number');
    assert.equal(nvmf.socket, node.socket.nvmf0);
    assert.match(String(nvmf.version), /^SPDK v24\.01/);
    assert.deepEqual(
      nvmf.inventory.bdevs.map((b: { name: string }) => b.name),
      ['Malloc0', 'Nvme0n1', 'Nvme1n1'],
    );
    assert.ok(nvmf.inventory.nvmf.subsystems.some((s: { nqn: string }) => s.nqn === 'nqn.2016-06.io.spdk:cnode1'));
    assert.deepEqual(
      vhost.inventory.vhost_controllers.map((c: { ctrlr: string }) => c.ctrlr),
      ['vhost.0'],
    );
    assert.equal(broken.state, 'stopped');
    assert.equal(broken.inventory, null);
  });

  await t.test('report with stats: exact unsigned 64-bit counters reach Python as ints', () => {
    const { targets } = r[6]!.result as { targets: Array<{ inventory: { stats: { iostat: { ticks: unknown; tick_rate: unknown } } } }> };
    assert.equal(targets.length, 1);
    const ticks = targets[0]!.inventory.stats.iostat.ticks as { bigint: string };
    assert.equal(typeof ticks.bigint, 'string', `ticks arrived as ${JSON.stringify(ticks)}`);
    const value = BigInt(ticks.bigint);
    assert.ok(value > BigInt(TICKS_START), ticks.bigint);
    // A trip through a double would round it to a multiple of 1024 at this magnitude.
    assert.notEqual(value % 1024n, 0n, `${ticks.bigint} looks rounded`);
    assert.equal(targets[0]!.inventory.stats.iostat.tick_rate, 2450000000);
  });

  await t.test('stop and start a target', () => {
    assert.equal((r[7]!.result as { target: { state: string } }).target.state, 'stopped');
    assert.deepEqual((r[7]!.result as { sent: string[] }).sent, ['kill_instance SIGTERM']);
    assert.equal((r[8]!.result as { state: string }).state, 'running');
  });

  await t.test('a failed start carries SPDK’s own error text', () => {
    assert.equal(r[9]!.is_RemoteError, true);
    assert.equal(r[9]!.exc_type, 'TargetStartError');
    const text = String(r[9]!.value);
    assert.match(text, /^broken0: start failed: nvmf_tgt exited during start-up \(exit code 1\): Unable to start RPC service at \S+broken0\.sock\n/);
    assert.match(text, /\nlast lines of the target:\n {2}\[/);
    assert.match(text, /\*ERROR\*: RPC Unix domain socket path \S+broken0\.sock in use\. Specify another\./);
  });

  await t.test('bad arguments: real ValueError / TypeError, naming what was wrong', () => {
    assert.equal(remote(r[10]), 'builtins.ValueError: unknown target "nope"; configured targets: nvmf0, vhost0, broken0');
    assert.equal(remote(r[11]), "builtins.TypeError: AgentManager.start() argument 'target' must be str, not int");
    assert.equal(remote(r[12]), "builtins.TypeError: AgentManager.stop() argument 'force' must be bool, not str");
    assert.equal(remote(r[13]), "builtins.TypeError: AgentManager.report() argument 'stats' must be bool, not str");
    assert.equal(remote(r[14]), "builtins.TypeError: AgentManager.start() missing 1 required positional argument: 'target'");
    assert.equal(remote(r[15]), "builtins.TypeError: AgentManager.ping() got an unexpected keyword argument 'x'");
  });

  await t.test('Cyborg’s FPGA and vGPU methods, and private names: NoSuchMethod, as from a Python agent without those drivers', () => {
    for (const [i, method] of [
      [16, 'fpga_program'],
      [17, 'create_vgpu_mdev'],
      [18, 'remove_vgpu_mdev'],
      [21, '_private'],
    ] as const) {
      assert.equal(remote(r[i]), `RemoteError NoSuchMethod: Endpoint does not support RPC method ${method}`);
    }
  });

  await t.test('a version above 1.0: UnsupportedVersion', () => {
    assert.equal(remote(r[19]), 'RemoteError UnsupportedVersion: Endpoint does not support RPC version 1.1. Attempted method: ping');
    assert.equal(remote(r[20]), 'RemoteError UnsupportedVersion: Endpoint does not support RPC version 2.0. Attempted method: ping');
  });

  await t.test('a cast is executed without a reply; a fanout cast reaches the agent too', async () => {
    assert.deepEqual(r[22], { ok: true, result: null });
    await waitFor('the cast stop of vhost0', () => daemon.manager.get('vhost0').state === 'stopped', 30_000);
    const [fanout] = await run([{ kind: 'fanout', method: 'start', args: { target: 'vhost0' } }]);
    assert.deepEqual(fanout, { ok: true, result: null });
    await waitFor('the fanout start of vhost0', () => daemon.manager.get('vhost0').state === 'running', 30_000);
  });
});
