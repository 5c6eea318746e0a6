/** Whom the agent trusts with a target's socket (socket-trust.ts) and the users it names (config/users.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkSocketTrust, processUid } from '../../../../src/spdk/lifecycle/socket-trust.js';
import { resolveUsers } from '../../../../src/config/users.js';
import { scratch } from '../../config/scratch.js';

const isRoot = process.getuid?.() === 0;

function fakeProcess(procRoot: string, pid: number, uid: number): void {
  mkdirSync(path.join(procRoot, String(pid)), { recursive: true });
  writeFileSync(
    path.join(procRoot, String(pid), 'status'),
    `Name:\tnvmf_tgt\nState:\tS (sleeping)\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n`,
  );
}

test('a socket and a process of a trusted user pass; the agent’s own user is always trusted', async (t) => {
  const dir = scratch(t);
  const socket = dir.write('spdk.sock', '');
  const procRoot = path.join(dir.dir, 'proc');
  fakeProcess(procRoot, 42, process.getuid?.() ?? 0);
  assert.deepEqual(await checkSocketTrust(socket, 42, { uids: [], onUntrusted: 'refuse' }, procRoot), { trusted: true });
  assert.deepEqual(
    await checkSocketTrust(undefined, undefined, { uids: [], onUntrusted: 'refuse' }, procRoot),
    { trusted: true },
    'a tcp target: nothing to look at',
  );
  assert.equal(await processUid(42, procRoot), process.getuid?.() ?? 0);
  assert.equal(await processUid(43, procRoot), undefined);
});

test('a process of another user behind the socket is not trusted, unless that user is listed', async (t) => {
  const dir = scratch(t);
  const socket = dir.write('spdk.sock', '');
  const procRoot = path.join(dir.dir, 'proc');
  fakeProcess(procRoot, 7, 4321);
  const verdict = await checkSocketTrust(socket, 7, { uids: [0], onUntrusted: 'refuse' }, procRoot);
  assert.equal(verdict.trusted, false);
  assert.match(verdict.trusted ? '' : verdict.reason, /the process serving it, pid 7, runs as uid 4321, not as a trusted owner/);
  assert.deepEqual(await checkSocketTrust(socket, 7, { uids: [0, 4321], onUntrusted: 'refuse' }, procRoot), { trusted: true });
});

test('a socket file owned by another user is not trusted', { skip: isRoot ? false : 'chown needs root' }, async (t) => {
  const dir = scratch(t);
  const socket = dir.write('spdk.sock', '');
  chownSync(socket, 65534, 65534);
  const verdict = await checkSocketTrust(socket, undefined, { uids: [0], onUntrusted: 'refuse' });
  assert.equal(verdict.trusted, false);
  assert.match(
    verdict.trusted ? '' : verdict.reason,
    new RegExp(`the socket ${socket.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} belongs to uid 65534, not to a trusted owner`),
  );
});

test('socketOwners: names from /etc/passwd, numbers as they are, unknown names reported', async (t) => {
  const dir = scratch(t);
  const passwd = dir.write('passwd', 'root:x:0:0:root:/root:/bin/bash\nspdk:x:998:998::/var/lib/spdk:/usr/sbin/nologin\n#comment\n');
  assert.deepEqual(await resolveUsers(['root', 'spdk', 1000, '1001', 'nobody-here'], passwd), { uids: [0, 998, 1000, 1001], unknown: ['nobody-here'] });
  assert.deepEqual(await resolveUsers(['root'], path.join(dir.dir, 'missing')), { uids: [], unknown: ['root'] });
});
