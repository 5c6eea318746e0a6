/**
 * The agent's RPC endpoint over fake targets: what each method answers, and what a failure becomes
 * for a Python caller. (The wire, the dispatcher and real targets: test/interop/agent.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PythonException, type RpcCallContext, type RpcEndpoint, type RpcMethod } from '../../../src/bus/index.js';
import { createAgentEndpoint } from '../../../src/agent/endpoint.js';
import { AgentOperations, type TargetHandle, type TargetRegistry } from '../../../src/agent/operations.js';
import { RegistrationBuilder } from '../../../src/agent/registration-builder.js';
import { SnapshotStore } from '../../../src/agent/snapshot-store.js';
import { TargetStartError, UnknownTargetError } from '../../../src/spdk/lifecycle/errors.js';
import type { TargetSpec, TargetStatus } from '../../../src/spdk/lifecycle/types.js';
import type { RpcCaller } from '../../../src/spdk/rpc/types.js';

const unusedCaller: RpcCaller = {
  address: '/nowhere.sock',
  generation: 0,
  call: () => Promise.reject(new Error('not called in these tests')),
};

function fakeTarget(spec: TargetSpec, behaviour: { start?: () => Promise<TargetStatus> } = {}): TargetHandle & { stops: Array<{ force?: boolean }> } {
  let state: TargetStatus = {
    name: spec.name,
    app: spec.app,
    address: spec.socket ?? '',
    state: 'stopped',
    since: '2026-01-01T00:00:00.000Z',
    reason: 'not started by this agent yet',
    restarts: 0,
  };
  const stops: Array<{ force?: boolean }> = [];
  return {
    name: spec.name,
    spec,
    caller: unusedCaller,
    stops,
    status: () => state,
    start: behaviour.start ?? (async () => (state = { ...state, state: 'running', pid: 4242, ownership: 'spawned', version: 'SPDK v24.01' })),
    stop: async (options = {}) => {
      stops.push(options);
      state = { ...state, state: 'stopped' };
      delete state.pid;
      return { method: options.force ? 'SIGKILL' : 'kill_instance', sent: [options.force ? 'SIGKILL' : 'kill_instance SIGTERM'], removedFiles: [] };
    },
    attach: async () => state,
  };
}

function registry(targets: TargetHandle[]): TargetRegistry {
  return {
    all: () => targets,
    get: (name) => {
      const found = targets.find((t) => t.name === name);
      if (!found) throw new UnknownTargetError({ name, known: targets.map((t) => t.name) });
      return found;
    },
  };
}

function endpointOver(targets: TargetHandle[]): RpcEndpoint {
  const operations = new AgentOperations({
    targets: registry(targets),
    identity: { host: 'cn1', reportedHostname: 'cn1.example.org', agentVersion: '9.9.9' },
    rescanInstallation: async () => ({ installed: false, apps: {}, explicitBinaries: [], searched: [], problems: [] }),
    builder: new RegistrationBuilder({ reportedHostname: 'cn1.example.org', deviceType: 'NVMe', remoteable: false }),
    requestRegistration: null,
    registrationWaitMs: 100,
    snapshots: new SnapshotStore({ freshForMs: 1000, timeoutMs: 1000 }),
  });
  return createAgentEndpoint(operations);
}

const ctx = { context: {}, method: 'x', kind: 'call', msgId: 'm', clientTimeout: null, queue: 'q', signal: new AbortController().signal } as RpcCallContext;

function invoke(endpoint: RpcEndpoint, method: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const entry = endpoint.methods[method];
  assert.ok(entry, `no method ${method}`);
  const handler = typeof entry === 'function' ? entry : (entry as RpcMethod).handler;
  return Promise.resolve().then(() => handler({ ...ctx, method }, args));
}

const nvmf0: TargetSpec = { name: 'nvmf0', app: 'nvmf_tgt', socket: '/var/tmp/nvmf0.sock' };
const off: TargetSpec = {
  name: 'iscsi0',
  app: 'iscsi_tgt',
  socket: '/var/tmp/iscsi0.sock',
  enabled: false,
  disabledReason: 'iscsi is not in accelerator_servers',
};

test('the methods are ping, discover, start, stop, report; Cyborg’s FPGA/vGPU methods are not there', () => {
  const endpoint = endpointOver([]);
  assert.equal(endpoint.className, 'AgentManager');
  assert.equal(endpoint.version, '1.0');
  assert.deepEqual(Object.keys(endpoint.methods).sort(), ['discover', 'ping', 'report', 'start', 'stop']);
});

test('ping names the agent', async () => {
  assert.deepEqual(await invoke(endpointOver([]), 'ping'), {
    pong: 'cn1',
    reported_hostname: 'cn1.example.org',
    agent: 'spdk-agent',
    version: '9.9.9',
    pid: process.pid,
  });
});

test('start and stop drive the target and return its new state', async () => {
  const target = fakeTarget(nvmf0);
  const endpoint = endpointOver([target]);
  const started = (await invoke(endpoint, 'start', { target: 'nvmf0' })) as Record<string, unknown>;
  assert.equal(started.state, 'running');
  assert.equal(started.pid, 4242);
  assert.equal(started.socket, '/var/tmp/nvmf0.sock');
  const stopped = (await invoke(endpoint, 'stop', { target: 'nvmf0', force: true })) as Record<string, unknown>;
  assert.deepEqual(target.stops, [{ force: true }]);
  assert.equal((stopped.target as Record<string, unknown>).state, 'stopped');
  assert.deepEqual(stopped.sent, ['SIGKILL']);
});

test('an unknown target is a ValueError naming the configured ones', async () => {
  await assert.rejects(invoke(endpointOver([fakeTarget(nvmf0), fakeTarget(off)]), 'start', { target: 'nvmf9' }), (err: unknown) => {
    assert.ok(err instanceof PythonException);
    assert.equal(err.pythonClass, 'ValueError');
    assert.equal(err.pythonModule, 'builtins');
    assert.equal(err.message, 'unknown target "nvmf9"; configured targets: nvmf0, iscsi0');
    return true;
  });
});

test('a failed start carries SPDK’s own last lines to the caller', async () => {
  const lines = [
    '[2026-01-01 00:00:00.000000] Starting SPDK v24.01 git sha1 0786843e99 / DPDK 22.11.4 initialization...',
    'rpc.c: 181:spdk_rpc_server_listen: *ERROR*: RPC Unix domain socket path /var/tmp/nvmf0.sock in use. Specify another.',
  ];
  const failing = fakeTarget(nvmf0, {
    start: () =>
      Promise.reject(
        new TargetStartError({ target: 'nvmf0', reason: 'exited', detail: 'nvmf_tgt exited during start-up (exit code 1)', lastLines: lines, exitCode: 1 }),
      ),
  });
  await assert.rejects(invoke(endpointOver([failing]), 'start', { target: 'nvmf0' }), (err: unknown) => {
    assert.ok(err instanceof PythonException);
    assert.equal(err.pythonClass, 'TargetStartError');
    assert.equal(err.pythonModule, 'spdk_agent.errors');
    assert.match(
      err.message,
      /^nvmf0: start failed: nvmf_tgt exited during start-up \(exit code 1\): RPC Unix domain socket path \/var\/tmp\/nvmf0\.sock in use\. Specify another\./,
    );
    assert.ok(err.message.includes(`\nlast lines of the target:\n  ${lines[0]}\n  ${lines[1]}`));
    assert.deepEqual(err.pythonKwargs, { code: 'SPDK_TARGET_START_FAILED', target: 'nvmf0', reason: 'exited', exit_code: 1, signal: null, last_lines: lines });
    return true;
  });
});

test('report shows every target, disabled ones with why, and a target not running without an inventory', async () => {
  const result = (await invoke(endpointOver([fakeTarget(nvmf0), fakeTarget(off)]), 'report')) as { targets: Array<Record<string, unknown>> };
  assert.deepEqual(
    result.targets.map((t) => [t.name, t.state, t.enabled, t.disabled_reason, t.inventory]),
    [
      ['nvmf0', 'stopped', true, null, null],
      ['iscsi0', 'stopped', false, 'iscsi is not in accelerator_servers', null],
    ],
  );
  const one = (await invoke(endpointOver([fakeTarget(nvmf0), fakeTarget(off)]), 'report', { target: 'iscsi0' })) as { targets: unknown[] };
  assert.equal(one.targets.length, 1);
});

test('bad arguments never reach the targets', async () => {
  const target = fakeTarget(nvmf0);
  await assert.rejects(
    invoke(endpointOver([target]), 'stop', { target: 'nvmf0', force: 'yes' }),
    (err: unknown) => err instanceof PythonException && err.pythonClass === 'TypeError',
  );
  await assert.rejects(
    invoke(endpointOver([target]), 'report', { stats: 'no' }),
    (err: unknown) => err instanceof PythonException && err.pythonClass === 'TypeError',
  );
  assert.deepEqual(target.stops, []);
});
