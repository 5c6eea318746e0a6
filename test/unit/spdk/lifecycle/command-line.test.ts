import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCommandLine, memoryRequest, parseMemSize } from '../../../../src/spdk/lifecycle/command-line.js';
import { TargetNotStartableError } from '../../../../src/spdk/lifecycle/errors.js';

test('buildCommandLine: -r, -m, -s, -c, -S from the config, then the extra args', () => {
  assert.deepEqual(
    buildCommandLine({
      name: 'v0',
      app: 'vhost',
      socket: '/run/v0.sock',
      cpumask: '0x3',
      memSizeMb: 1024,
      jsonConfig: '/etc/spdk/v0.json',
      vhostSocketDir: '/var/tmp/vhost.d',
      args: ['--disable-cpumask-locks', '-L', 'vhost'],
    }),
    ['-r', '/run/v0.sock', '-m', '0x3', '-s', '1024', '-c', '/etc/spdk/v0.json', '-S', '/var/tmp/vhost.d', '--disable-cpumask-locks', '-L', 'vhost'],
  );
  assert.deepEqual(buildCommandLine({ name: 'n', app: 'nvmf_tgt', socket: '/s' }), ['-r', '/s']);
});

test('buildCommandLine refuses a tcp target and -S on an app that has no such option', () => {
  assert.throws(
    () => buildCommandLine({ name: 'remote', app: 'nvmf_tgt', tcp: '10.0.0.5:5260' }),
    (err: unknown) => err instanceof TargetNotStartableError && /remote: cannot be started by the agent: it is reached through 10.0.0.5:5260/.test(err.message),
  );
  assert.throws(
    () => buildCommandLine({ name: 'n', app: 'nvmf_tgt', socket: '/s', vhostSocketDir: '/d' }),
    (err: unknown) =>
      err instanceof TargetNotStartableError && /vhostSocketDir \(-S\) is an option of vhost and spdk_tgt only, not of nvmf_tgt/.test(err.message),
  );
});

test('memoryRequest reads --no-huge, -s in every spelling (last wins), --huge-dir, --wait-for-rpc', () => {
  assert.deepEqual(memoryRequest(['-r', '/s', '-s', '512', '--no-huge']), { noHuge: true, memSizeMb: 512, hugeDir: undefined, waitForRpc: false });
  assert.equal(memoryRequest(['-s512']).memSizeMb, 512);
  assert.equal(memoryRequest(['--mem-size', '2G']).memSizeMb, 2048);
  assert.equal(memoryRequest(['--mem-size=256M']).memSizeMb, 256);
  assert.equal(memoryRequest(['-s', '512', '-s', '1024']).memSizeMb, 1024);
  assert.equal(memoryRequest(['--huge-dir', '/mnt/huge1G']).hugeDir, '/mnt/huge1G');
  assert.equal(memoryRequest(['--huge-dir=/mnt/h']).hugeDir, '/mnt/h');
  assert.equal(memoryRequest(['--wait-for-rpc']).waitForRpc, true);
  assert.deepEqual(memoryRequest([]), { noHuge: false, memSizeMb: undefined, hugeDir: undefined, waitForRpc: false });
  // -S is vhost's socket dir, not the memory size.
  assert.equal(memoryRequest(['-S', '/tmp']).memSizeMb, undefined);
});

test('parseMemSize: MB by default, k/M/G units, nonsense refused', () => {
  assert.equal(parseMemSize('512'), 512);
  assert.equal(parseMemSize('1G'), 1024);
  assert.equal(parseMemSize('1g'), 1024);
  assert.equal(parseMemSize('300M'), 300);
  assert.equal(parseMemSize('1500k'), 2);
  assert.equal(parseMemSize('512MB'), 512);
  assert.equal(parseMemSize('lots'), undefined);
  assert.equal(parseMemSize('-5'), undefined);
});
