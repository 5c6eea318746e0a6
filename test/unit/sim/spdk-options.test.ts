import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCpumask, parseMemSize, parseSpdkCommandLine, DEFAULT_RPC_SOCKET } from '../../../src/sim/cli/spdk-options.js';
import { SimUsageError } from '../../../src/sim/errors.js';
import type { AppName } from '../../../src/sim/cli/apps.js';
import type { EmulatedVersion } from '../../../src/sim/versions/version-id.js';

const readable = (): boolean => true;

function cl(args: string[], app: AppName = 'nvmf_tgt', version: EmulatedVersion = '24.01') {
  return parseSpdkCommandLine(app, args, app, version, readable);
}

function failure(fn: () => unknown): SimUsageError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SimUsageError);
    return err;
  }
  assert.fail('no error');
}

test('SPDK options: the capture command line and defaults', () => {
  const c = cl(['--no-huge', '-s', '512', '-u', '-m', '0x1', '--disable-cpumask-locks', '-r', '/tmp/x.sock']);
  assert.equal(c.action, 'run');
  assert.equal(c.noHuge, true);
  assert.equal(c.memSizeMb, 512);
  assert.equal(c.noPci, true);
  assert.equal(c.cpumask, '0x1');
  assert.equal(c.disableCpumaskLocks, true);
  assert.equal(c.rpcSocket, '/tmp/x.sock');
  const d = cl([]);
  assert.equal(d.rpcSocket, DEFAULT_RPC_SOCKET);
  assert.equal(d.memSizeMb, undefined);
  assert.equal(d.waitForRpc, false);
});

test('SPDK options: long forms, repeatable lists, -h and -v', () => {
  const c = cl([
    '--wait-for-rpc',
    '--json',
    '/etc/c.json',
    '--json-ignore-init-errors',
    '-L',
    'nvmf',
    '-L',
    'bdev',
    '-B',
    '0000:01:00.0',
    '-B',
    '0000:02:00.0',
    '--rpcs-allowed',
    'spdk_get_version,rpc_get_methods',
    '--iova-mode=va',
    '--silence-noticelog',
    '-i',
    '3',
    '--num-trace-entries',
    '0',
  ]);
  assert.equal(c.waitForRpc, true);
  assert.equal(c.jsonConfig, '/etc/c.json');
  assert.equal(c.jsonIgnoreInitErrors, true);
  assert.deepEqual(c.logFlags, ['nvmf', 'bdev']);
  assert.deepEqual(c.pciBlocked, ['0000:01:00.0', '0000:02:00.0']);
  assert.deepEqual(c.rpcsAllowed, ['spdk_get_version', 'rpc_get_methods']);
  assert.equal(c.iovaMode, 'va');
  assert.equal(c.silenceNoticelog, true);
  assert.equal(c.shmId, 3);
  assert.equal(c.numTraceEntries, 0);
  assert.equal(cl(['-h', '--bogus-after-help']).action, 'help');
  assert.equal(cl(['-v']).action, 'version');
});

test('SPDK options: value errors SPDK reports while parsing', () => {
  assert.equal(failure(() => cl(['-s', 'lots'])).message, 'invalid memory pool size `-s lots`');
  assert.equal(failure(() => cl(['-L', 'nosuchflag'])).message, 'unknown flag: nosuchflag');
  assert.equal(failure(() => cl(['-A', '0000:01:00.0', '-B', '0000:02:00.0'])).message, '-B and -A cannot be used at the same time');
  assert.match(failure(() => cl(['-i', '-4'])).message, /Invalid shared memory ID/);
  assert.match(failure(() => cl(['--num-trace-entries', '1000'])).message, /must be a power of 2/);
  assert.equal(failure(() => cl(['-e', 'nonsense'])).message, 'invalid tpoint mask nonsense');
  assert.equal(failure(() => cl(['-L', 'x'])).fromGetopt, false);
});

test('SPDK options: app-specific options exist only in their apps', () => {
  assert.equal(cl(['-S', '/var/tmp/vhost.d', '-f', '/run/vhost.pid'], 'vhost').vhostSocketDir, '/var/tmp/vhost.d');
  assert.equal(cl(['-S', '/d'], 'spdk_tgt').vhostSocketDir, '/d');
  assert.equal(cl(['-b'], 'iscsi_tgt').background, true);
  assert.equal(failure(() => cl(['-S', '/d'], 'nvmf_tgt')).message, "nvmf_tgt: invalid option -- 'S'");
  assert.equal(failure(() => cl(['-b'], 'vhost')).message, "vhost: invalid option -- 'b'");
});

test('SPDK options: options follow the emulated release', () => {
  assert.equal(cl(['-v'], 'nvmf_tgt', '24.01').action, 'version');
  assert.match(failure(() => cl(['-v'], 'nvmf_tgt', '19.04')).message, /invalid option -- 'v'/, '-v arrived in v20.01');
  assert.match(failure(() => cl(['--no-huge', '-s', '64'], 'nvmf_tgt', '19.04')).message, /unrecognized option '--no-huge'/);
  assert.match(failure(() => cl(['--wait-for-rpc'], 'nvmf_tgt', '17.07')).message, /unrecognized option/);
  assert.equal(cl(['--no-rpc-server'], 'nvmf_tgt', '25.09').noRpcServer, true);
  assert.match(failure(() => cl(['--no-rpc-server'], 'nvmf_tgt', '24.01')).message, /unrecognized option/);
});

test('SPDK options: an unreadable --json is dropped with a warning, as SPDK does', () => {
  const c = parseSpdkCommandLine('nvmf_tgt', ['--json', '/nope.json'], 'nvmf_tgt', '24.01', () => false);
  assert.equal(c.jsonConfig, undefined);
  assert.deepEqual(c.warnings, ["Can't read JSON configuration file '/nope.json'"]);
});

test('cpumask parsing: masks and lists, and what DPDK rejects', () => {
  assert.deepEqual(parseCpumask('0x1'), [0]);
  assert.deepEqual(parseCpumask('0x5'), [0, 2]);
  assert.deepEqual(parseCpumask('F'), [0, 1, 2, 3]);
  assert.deepEqual(parseCpumask('[0,2-4]'), [0, 2, 3, 4]);
  assert.equal(parseCpumask('0x0'), null);
  assert.equal(parseCpumask('zz'), null);
  assert.equal(parseCpumask('[3-1]'), null);
});

test('memory size parsing: MB by default, units divided down', () => {
  assert.equal(parseMemSize('512'), 512);
  assert.equal(parseMemSize('1G'), 1024);
  assert.equal(parseMemSize('2048M'), 2048);
  assert.equal(parseMemSize('1048576K'), 1024);
  assert.throws(() => parseMemSize('-1'), SimUsageError);
});
