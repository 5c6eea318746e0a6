import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseProcessStat, parseUnixSocketTable, readCmdline, readProcessStat, rpcSocketArgument } from '../../../../src/spdk/lifecycle/proc.js';
import { findSocketOwner } from '../../../../src/spdk/lifecycle/socket-owner.js';

const STAT_TAIL = '1 2 3 4 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 987654 1000000 200 18446744073709551615';

test('parseProcessStat finds the fields after the last ")", whatever the command name holds', () => {
  const stat = parseProcessStat(`4242 (weird) name (x)) S ${STAT_TAIL}`);
  assert.deepEqual(stat, { pid: 4242, comm: 'weird) name (x)', state: 'S', ppid: 1, startTime: 987654 });
  assert.equal(parseProcessStat(`77 (nvmf_tgt) Z ${STAT_TAIL}`)?.state, 'Z');
});

test('parseProcessStat refuses text that is not a stat line', () => {
  assert.equal(parseProcessStat(''), undefined);
  assert.equal(parseProcessStat('hello world'), undefined);
  assert.equal(parseProcessStat('12 (x) S 1 2'), undefined);
});

test('readProcessStat and readCmdline read this very process', async () => {
  const stat = await readProcessStat(process.pid);
  assert.equal(stat?.pid, process.pid);
  assert.ok((stat?.startTime ?? 0) > 0);
  const argv = await readCmdline(process.pid);
  // Node 24's test runner starts each file by its relative path: compare resolved paths.
  const script = path.resolve(process.argv[1]!);
  assert.ok(
    argv?.some((arg) => path.resolve(arg) === script),
    `cmdline ${JSON.stringify(argv)} names ${script}`,
  );
  assert.equal(await readProcessStat(-5), undefined);
  assert.equal(await readProcessStat(2 ** 31), undefined);
});

test('parseUnixSocketTable returns the inodes bound to exactly that path', () => {
  const table = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000000000000: 00000002 00000000 00010000 0001 01 11111 /var/tmp/spdk.sock',
    '0000000000000000: 00000003 00000000 00000000 0001 03 22222 /var/tmp/spdk.sock',
    '0000000000000000: 00000002 00000000 00010000 0001 01 33333 /var/tmp/spdk.sock2',
    '0000000000000000: 00000003 00000000 00000000 0001 03 44444',
    '0000000000000000: 00000002 00000000 00010000 0001 01 55555 /tmp/with space.sock',
  ].join('\n');
  assert.deepEqual([...parseUnixSocketTable(table, '/var/tmp/spdk.sock')].sort(), [11111, 22222]);
  assert.deepEqual([...parseUnixSocketTable(table, '/tmp/with space.sock')], [55555]);
  assert.deepEqual([...parseUnixSocketTable(table, '/var/tmp/spdk')], []);
});

test('rpcSocketArgument reads -r the way getopt does, the last one winning', () => {
  assert.equal(rpcSocketArgument(['nvmf_tgt', '-r', '/a.sock', '-m', '0x1']), '/a.sock');
  assert.equal(rpcSocketArgument(['nvmf_tgt', '-r/b.sock']), '/b.sock');
  assert.equal(rpcSocketArgument(['nvmf_tgt', '--rpc-socket', '/c.sock']), '/c.sock');
  assert.equal(rpcSocketArgument(['nvmf_tgt', '--rpc-socket=/d.sock']), '/d.sock');
  assert.equal(rpcSocketArgument(['nvmf_tgt', '-r', '/e.sock', '-r', '/f.sock']), '/f.sock');
  assert.equal(rpcSocketArgument(['nvmf_tgt', '-m', '0x1']), undefined);
  assert.equal(rpcSocketArgument(['vim', '/var/tmp/spdk.sock']), undefined);
});

/** A fake /proc with processes given by argv, cwd and socket inodes. */
async function fakeProc(entries: Array<{ pid: number; argv: string[]; cwd?: string; state?: string; inode?: number }>, unixTable: string[]): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'fake-proc-'));
  await mkdir(path.join(root, 'net'));
  await writeFile(path.join(root, 'net', 'unix'), ['Num       RefCount Protocol Flags    Type St Inode Path', ...unixTable, ''].join('\n'));
  for (const e of entries) {
    const dir = path.join(root, String(e.pid));
    await mkdir(path.join(dir, 'fd'), { recursive: true });
    await writeFile(path.join(dir, 'stat'), `${e.pid} (${path.basename(e.argv[0]!)}) ${e.state ?? 'S'} ${STAT_TAIL}`);
    await writeFile(path.join(dir, 'cmdline'), `${e.argv.join('\0')}\0`);
    await symlink(e.cwd ?? '/', path.join(dir, 'cwd'));
    await symlink('/dev/null', path.join(dir, 'fd', '0'));
    if (e.inode !== undefined) await symlink(`socket:[${e.inode}]`, path.join(dir, 'fd', '7'));
  }
  return root;
}

test('findSocketOwner: the process holding the socket inode wins over one that only names it', async (t) => {
  const root = await fakeProc(
    [
      { pid: 100, argv: ['/usr/bin/vim', '/var/tmp/a.sock'] },
      { pid: 200, argv: ['/opt/spdk/build/bin/nvmf_tgt', '-r', '/var/tmp/a.sock'] },
      { pid: 300, argv: ['/opt/spdk/build/bin/nvmf_tgt', '-m', '0x2'], inode: 9001 },
    ],
    ['0000000000000000: 00000002 00000000 00010000 0001 01 9001 /var/tmp/a.sock'],
  );
  t.after(() => rm(root, { recursive: true, force: true }));
  assert.deepEqual(await findSocketOwner('/var/tmp/a.sock', root), { pid: 300, how: 'socket-inode' });
});

test('findSocketOwner falls back to an exact -r on the command line, relative paths against the cwd', async (t) => {
  const root = await fakeProc(
    [
      { pid: 100, argv: ['/usr/bin/tail', '-f', '/var/tmp/b.sock.log'] },
      { pid: 101, argv: ['/usr/bin/less', 'nvmf_tgt'] },
      { pid: 200, argv: ['/opt/spdk/build/bin/nvmf_tgt', '-r', 'b.sock'], cwd: '/var/tmp' },
      { pid: 201, argv: ['/opt/spdk/build/bin/nvmf_tgt', '-r', '/var/tmp/other.sock'] },
    ],
    [],
  );
  t.after(() => rm(root, { recursive: true, force: true }));
  assert.deepEqual(await findSocketOwner('/var/tmp/b.sock', root), { pid: 200, how: 'command-line' });
  assert.equal(await findSocketOwner('/var/tmp/none.sock', root), undefined);
});

test('findSocketOwner: the default socket belongs to an SPDK app without -r, never to a zombie', async (t) => {
  const root = await fakeProc(
    [
      { pid: 100, argv: ['/usr/bin/grep', 'spdk_tgt'] },
      { pid: 150, argv: ['/opt/spdk/build/bin/vhost', '-S', '/tmp'], state: 'Z' },
      { pid: 200, argv: ['node', '/opt/fake/build/bin/spdk_tgt', '-m', '0x1'] },
    ],
    [],
  );
  t.after(() => rm(root, { recursive: true, force: true }));
  assert.deepEqual(await findSocketOwner('/var/tmp/spdk.sock', root), { pid: 200, how: 'command-line' });
});
