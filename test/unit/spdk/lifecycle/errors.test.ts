import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentError } from '../../../../src/util/errors.js';
import { HugepagesError, TargetStartError, UnknownTargetError, mostTellingLine } from '../../../../src/spdk/lifecycle/errors.js';

test("mostTellingLine picks SPDK's last *ERROR* text, else an EAL/failure line, else the last line", () => {
  assert.equal(
    mostTellingLine([
      '[2024-05-01 10:00:00.000] Starting SPDK v24.01 git sha1 0786843e99 / DPDK 22.11.0 initialization...',
      '[2024-05-01 10:00:00.100] rpc.c: 181:spdk_rpc_server_listen: *ERROR*: RPC Unix domain socket path /var/tmp/a.sock in use. Specify another.',
      '[2024-05-01 10:00:00.100] rpc.c:  66:spdk_rpc_initialize: *ERROR*: Unable to start RPC service at /var/tmp/a.sock',
      'some trailing notice',
    ]),
    'Unable to start RPC service at /var/tmp/a.sock',
  );
  assert.equal(
    mostTellingLine(['EAL: No free hugepages reported in hugepages-2048kB', 'EAL: FATAL: Cannot get hugepage information.', 'bye']),
    'EAL: FATAL: Cannot get hugepage information.',
  );
  assert.equal(mostTellingLine(['hello', '', 'world ']), 'world');
  assert.equal(mostTellingLine([]), undefined);
});

test("TargetStartError carries SPDK's lines, the exit code, and reads well", () => {
  const err = new TargetStartError({
    target: 'nvmf0',
    reason: 'exited',
    detail: 'nvmf_tgt exited during start-up (exit code 1)',
    lastLines: ['x: *ERROR*: RPC Unix domain socket path /s in use. Specify another.'],
    exitCode: 1,
    socket: '/s',
  });
  assert.ok(err instanceof AgentError);
  assert.equal(err.code, 'SPDK_TARGET_START_FAILED');
  assert.equal(err.message, 'nvmf0: start failed: nvmf_tgt exited during start-up (exit code 1): RPC Unix domain socket path /s in use. Specify another.');
  assert.equal(err.exitCode, 1);
  assert.deepEqual(err.lastLines, ['x: *ERROR*: RPC Unix domain socket path /s in use. Specify another.']);
  assert.equal(err.toJSON().target, 'nvmf0');
  assert.equal(err.toJSON().socket, '/s');
});

test('UnknownTargetError lists the configured names', () => {
  const err = new UnknownTargetError({ name: 'nvmf9', known: ['nvmf0', 'vhost0'] });
  assert.equal(err.message, 'unknown target "nvmf9"; configured targets: nvmf0, vhost0');
  assert.equal(new UnknownTargetError({ name: 'x', known: [] }).message, 'unknown target "x"; configured targets: (none configured)');
});

test('HugepagesError numbers its fixes in the message', () => {
  const err = new HugepagesError({ target: 't', problem: 'needs 512 MB', fixes: ['do A', 'do B'] });
  assert.equal(err.message, 't: needs 512 MB. Fix it in one of these ways:\n  (1) do A\n  (2) do B');
});
