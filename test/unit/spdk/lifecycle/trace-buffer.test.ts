import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { disposeTraceBuffer, traceBufferPath } from '../../../../src/spdk/lifecycle/trace-buffer.js';
import { getLogger } from '../../../../src/util/log.js';

const logger = getLogger('test.trace-buffer');
// A pid no process has (above the kernel's pid_max of 4194304).
const DEAD_PID = 4_194_999;

function shmDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'shm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('each app names its trace buffer as SPDK does', () => {
  assert.equal(traceBufferPath('nvmf_tgt', 42), '/dev/shm/nvmf_trace.pid42');
  assert.equal(traceBufferPath('vhost', 42), '/dev/shm/vhost_trace.pid42');
  assert.equal(traceBufferPath('iscsi_tgt', 42), '/dev/shm/iscsi_trace.pid42');
  assert.equal(traceBufferPath('spdk_tgt', 42, '/x'), '/x/spdk_tgt_trace.pid42');
});

test("a dead, untraced target's buffer is removed", async (t) => {
  const dir = shmDir(t);
  const file = traceBufferPath('nvmf_tgt', DEAD_PID, dir);
  writeFileSync(file, 'trace');
  assert.equal(await disposeTraceBuffer({ app: 'nvmf_tgt', pid: DEAD_PID, args: ['-r', '/s', '-m', '0x1'], logger, shmDir: dir }), 'removed');
  assert.equal(existsSync(file), false);
  assert.equal(await disposeTraceBuffer({ app: 'nvmf_tgt', pid: DEAD_PID, args: [], logger, shmDir: dir }), 'none');
});

test('a traced target keeps its buffer for a post-mortem', async (t) => {
  const dir = shmDir(t);
  for (const args of [['-e', '0x10'], ['-e0x10'], ['--tpoint-group', 'nvmf'], ['--tpoint-group=all']]) {
    const file = traceBufferPath('vhost', DEAD_PID, dir);
    writeFileSync(file, 'trace');
    assert.equal(await disposeTraceBuffer({ app: 'vhost', pid: DEAD_PID, args, logger, shmDir: dir }), 'kept', args.join(' '));
    assert.equal(existsSync(file), true);
  }
});

test('a shared (-i) buffer and the buffer of a live pid are left alone', async (t) => {
  const dir = shmDir(t);
  const shared = traceBufferPath('nvmf_tgt', DEAD_PID, dir);
  writeFileSync(shared, 'trace');
  assert.equal(await disposeTraceBuffer({ app: 'nvmf_tgt', pid: DEAD_PID, args: ['-i', '3'], logger, shmDir: dir }), 'left');
  assert.equal(existsSync(shared), true);
  const live = traceBufferPath('nvmf_tgt', process.pid, dir);
  writeFileSync(live, 'trace');
  assert.equal(await disposeTraceBuffer({ app: 'nvmf_tgt', pid: process.pid, args: [], logger, shmDir: dir }), 'left');
  assert.equal(existsSync(live), true);
});
