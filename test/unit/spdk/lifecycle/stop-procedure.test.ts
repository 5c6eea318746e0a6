/**
 * The stop escalation against real processes (`sleep`, and a `sleep` that ignores SIGTERM) and a
 * fake RPC side, so each step and each deadline is exercised without an SPDK target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JsonRpcError, RpcTimeoutError } from '../../../../src/spdk/rpc/errors.js';
import { captureProcessRef, processCondition } from '../../../../src/spdk/lifecycle/process-ref.js';
import { stopTarget } from '../../../../src/spdk/lifecycle/stop-procedure.js';
import { ForeignProcessHandle, type TargetProcess } from '../../../../src/spdk/lifecycle/target-process.js';
import { TargetStopError } from '../../../../src/spdk/lifecycle/errors.js';
import type { FrameworkCalls, LifecycleRpcClient } from '../../../../src/spdk/lifecycle/rpc-link.js';

function run(t: { after: (fn: () => void) => void }, command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore' });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

async function handleFor(child: ChildProcess): Promise<ForeignProcessHandle> {
  await once(child, 'spawn');
  const ref = await captureProcessRef(child.pid!);
  assert.ok(ref);
  return new ForeignProcessHandle(ref, '/proc', 20);
}

/** A fake RPC side: kill_instance behaves as told and is recorded. */
function fakeCalls(killInstance: (signal: string) => Promise<void>): { calls: FrameworkCalls; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    calls: {
      ping: async () => undefined,
      version: async () => 'SPDK v24.01',
      waitInit: async () => undefined,
      killInstance: async (_caller, signal) => {
        sent.push(signal);
        await killInstance(signal);
      },
    },
  };
}

const fakeClient = { address: '/fake.sock' } as unknown as LifecycleRpcClient;

test('kill_instance that works: no signal is sent', async (t) => {
  const child = run(t, 'sleep', ['60']);
  const handle = await handleFor(child);
  const { calls, sent } = fakeCalls(async () => {
    child.kill('SIGTERM'); // what SPDK does to itself on spdk_kill_instance
  });
  const outcome = await stopTarget({ target: 't', process: handle, client: fakeClient, calls, socketPath: undefined, timeoutMs: 5000 });
  assert.deepEqual(outcome, { method: 'kill_instance', sent: ['kill_instance SIGTERM'], removedFiles: [] });
  assert.deepEqual(sent, ['SIGTERM']);
});

test('a target in STARTUP answers -1: straight to SIGTERM', async (t) => {
  const child = run(t, 'sleep', ['60']);
  const handle = await handleFor(child);
  const exited = once(child, 'exit');
  const { calls } = fakeCalls(async () => {
    throw new JsonRpcError({
      address: '/fake.sock',
      method: 'spdk_kill_instance',
      rpcCode: -1,
      rpcMessage: 'Method may only be called after framework is initialized using framework_start_init RPC.',
    });
  });
  const outcome = await stopTarget({ target: 't', process: handle, client: fakeClient, calls, socketPath: undefined, timeoutMs: 5000 });
  assert.deepEqual(outcome, { method: 'SIGTERM', sent: ['SIGTERM'], removedFiles: [] });
  assert.deepEqual((await exited)[1], 'SIGTERM');
});

test('SIGTERM ignored: SIGKILL within the deadline, then the stale socket and .lock are removed', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stop-kill-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const socket = path.join(dir, 'spdk.sock');
  // What SIGKILL leaves: the socket file (nobody listening) and its lock.
  await writeFile(socket, '');
  await writeFile(`${socket}.lock`, '');
  const child = run(t, 'sh', ['-c', "trap '' TERM; exec sleep 60"]);
  const handle = await handleFor(child);
  const exited = once(child, 'exit');
  const { calls } = fakeCalls(async () => {
    throw new RpcTimeoutError({ address: socket, method: 'spdk_kill_instance', timeoutMs: 100 });
  });
  const outcome = await stopTarget({ target: 't', process: handle, client: fakeClient, calls, socketPath: socket, timeoutMs: 1500 });
  assert.deepEqual(outcome.method, 'SIGKILL');
  assert.deepEqual(outcome.sent, ['SIGTERM', 'SIGKILL']);
  assert.deepEqual(outcome.removedFiles.sort(), [socket, `${socket}.lock`]);
  assert.equal((await exited)[1], 'SIGKILL');
  await assert.rejects(access(socket));
  await assert.rejects(access(`${socket}.lock`));
});

test('force: SIGKILL at once, no RPC', async (t) => {
  const child = run(t, 'sleep', ['60']);
  const handle = await handleFor(child);
  const { calls, sent } = fakeCalls(async () => assert.fail('kill_instance must not be called'));
  const outcome = await stopTarget({ target: 't', process: handle, client: fakeClient, calls, socketPath: undefined, timeoutMs: 5000, force: true });
  assert.deepEqual(outcome.sent, ['SIGKILL']);
  assert.deepEqual(sent, []);
});

test('a pid that now belongs to another process is never signalled', async (t) => {
  const stranger = run(t, 'sleep', ['60']);
  await once(stranger, 'spawn');
  const real = await captureProcessRef(stranger.pid!);
  assert.ok(real);
  const stale = new ForeignProcessHandle({ pid: stranger.pid!, startTime: real.startTime + 7 }, '/proc', 20);
  const { calls, sent } = fakeCalls(async () => assert.fail('no RPC to a target that is gone'));
  for (const force of [false, true]) {
    const outcome = await stopTarget({ target: 't', process: stale, client: fakeClient, calls, socketPath: undefined, timeoutMs: 2000, force });
    assert.deepEqual(outcome, { method: 'already-gone', sent: [], removedFiles: [] });
  }
  assert.deepEqual(sent, []);
  assert.equal(await processCondition(real), 'alive');
});

test('a process that will not die even from SIGKILL gives a TargetStopError naming what was sent', async () => {
  // Stand-in for a process stuck in the kernel (state D): it takes every signal and never exits.
  const stuck: TargetProcess = {
    pid: 4242,
    kind: 'foreign',
    condition: async () => 'alive',
    signal: async () => true,
    waitForExit: async () => false,
  };
  const { calls } = fakeCalls(async () => undefined);
  await assert.rejects(
    stopTarget({ target: 'stuck', process: stuck, client: fakeClient, calls, socketPath: undefined, timeoutMs: 200 }),
    (err: unknown) =>
      err instanceof TargetStopError &&
      err.pid === 4242 &&
      /stuck: stop failed: pid 4242 is still there after kill_instance SIGTERM, SIGTERM, SIGKILL/.test(err.message),
  );
});

test('a target whose pid is not visible: kill_instance is the only way, and a failure says so', async () => {
  const { calls } = fakeCalls(async () => {
    throw new RpcTimeoutError({ address: '/x', method: 'spdk_kill_instance', timeoutMs: 100 });
  });
  await assert.rejects(
    stopTarget({ target: 'far', process: undefined, client: fakeClient, calls, socketPath: undefined, timeoutMs: 500 }),
    (err: unknown) => err instanceof TargetStopError && /pid is not visible to the agent/.test(err.message),
  );
  const ok = fakeCalls(async () => undefined);
  const outcome = await stopTarget({
    target: 'far',
    process: undefined,
    client: fakeClient,
    calls: ok.calls,
    socketPath: undefined,
    timeoutMs: 500,
    waitForSocketGone: async () => true,
  });
  assert.deepEqual(outcome, { method: 'kill_instance', sent: ['kill_instance SIGTERM'], removedFiles: [] });
});
