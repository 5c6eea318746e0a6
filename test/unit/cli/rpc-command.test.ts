/**
 * The ordinary `spdk-agent rpc` line is parsed without commander (src/cli/rpc-command.ts); every
 * other line goes to commander. These tests hold the two to the same reading of a line, and keep
 * the rpc entry's bundle free of what it exists to avoid loading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { DEFAULT_RPC_SOCKET } from '../../../src/spdk/rpc/address.js';
import { DEFAULT_RPC_TIMEOUT_SECONDS, parseRpcCommandLine } from '../../../src/cli/rpc-command.js';
import { packageRoot, packageVersion } from '../../../src/util/package-info.js';
import { FakeSpdkServer } from '../../helpers/fake-spdk-server.js';
import { agentBin, repoRoot } from '../../helpers/paths.js';

test('the ordinary rpc line is read without commander, with the same defaults', () => {
  assert.deepEqual(parseRpcCommandLine(['rpc', 'spdk_get_version']), {
    method: 'spdk_get_version',
    paramsText: undefined,
    options: { server: DEFAULT_RPC_SOCKET, timeout: DEFAULT_RPC_TIMEOUT_SECONDS },
  });
  const forms: string[][] = [
    ['rpc', '-s', '/s.sock', '-t', '2.5', 'bdev_get_bdevs', '{"name":"M"}'],
    ['rpc', '--server', '/s.sock', '--timeout', '2.5', 'bdev_get_bdevs', '{"name":"M"}'],
    ['rpc', '--server=/s.sock', '--timeout=2.5', 'bdev_get_bdevs', '{"name":"M"}'],
    ['rpc', '-s/s.sock', '-t2.5', 'bdev_get_bdevs', '{"name":"M"}'],
    ['rpc', 'bdev_get_bdevs', '-s', '/s.sock', '{"name":"M"}', '-t', '2.5', '--json'],
    ['rpc', '-s', '/s.sock', '-t', '2.5', '--', 'bdev_get_bdevs', '{"name":"M"}'],
  ];
  for (const args of forms) {
    assert.deepEqual(
      parseRpcCommandLine(args),
      { method: 'bdev_get_bdevs', paramsText: '{"name":"M"}', options: { server: '/s.sock', timeout: 2.5 } },
      args.join(' '),
    );
  }
  assert.equal(parseRpcCommandLine(['rpc', 'x', '-'])?.paramsText, '-', "'-' is stdin, not an option");
});

test('any other line is left to commander', () => {
  const others: string[][] = [
    ['discover'],
    ['rpc'],
    ['rpc', '--help'],
    ['rpc', '-h'],
    ['rpc', 'x', '{}', 'extra'],
    ['rpc', '--frobnicate', 'x'],
    ['rpc', '-t', 'abc', 'x'],
    ['rpc', '-t', '0', 'x'],
    ['rpc', '-t', '-5', 'x'],
    ['rpc', '-t', '', 'x'],
    ['rpc', '-s'],
    ['rpc', '--no-color', 'x'],
  ];
  for (const args of others) assert.equal(parseRpcCommandLine(args), undefined, args.join(' '));
});

test('bin/spdk-agent: the fast path and commander send the same request and print the same', { timeout: 60_000 }, async (t) => {
  const server = await FakeSpdkServer.start({ transport: 'unix' });
  t.after(() => server.close());
  const lines: string[][] = [
    ['rpc', '-s', server.address, 'spdk_get_version'],
    ['rpc', `--server=${server.address}`, '-t', '5', 'bdev_get_bdevs', '{"name":"Malloc0","timeout":18446744073709551615}'],
    ['rpc', 'bdev_get_bdevs', '--json', '-s', server.address, '{}'],
  ];
  for (const line of lines) {
    // `--no-color` in front makes bin/ load the full command line: commander parses the same line.
    const outcomes = [];
    for (const args of [line, ['--no-color', ...line]]) {
      const run = await execa(process.execPath, [agentBin, ...args], { reject: false, timeout: 30_000, env: { SPDK_AGENT_LOG_LEVEL: 'error' } });
      const request = server.requests.at(-1);
      outcomes.push({
        exitCode: run.exitCode,
        stdout: run.stdout,
        stderr: run.stderr,
        method: request?.method,
        params: request?.params,
        hasParams: request?.hasParams,
      });
    }
    assert.equal(server.requests.length % 2, 0, `${line.join(' ')}: each run sent one request`);
    assert.deepEqual(outcomes[0], outcomes[1], line.join(' '));
  }
  assert.equal(server.requests.length, lines.length * 2);
});

test("the rpc entry's bundle holds neither commander nor the rest of the command line", () => {
  const bundle = readFileSync(path.join(repoRoot, 'dist', 'cli', 'rpc.js'), 'utf8');
  const modules = [...bundle.matchAll(/^\/\/ (\S+)$/gm)].map((m) => m[1]!);
  assert.ok(modules.includes('dist/src/spdk/rpc/client.js'), `the SPDK client is bundled in: ${modules.join(', ')}`);
  for (const unwanted of ['node_modules/commander', 'dist/src/cli/commands.js', 'dist/src/agent/', 'dist/src/bus/', 'dist/src/config/']) {
    assert.ok(!modules.some((m) => m.startsWith(unwanted)), `${unwanted} is in the rpc bundle`);
  }
  assert.doesNotMatch(bundle, /from ["'](?:winston|commander|amqplib)["']/);
});

test('the package root and version are found from dist/src and from the bundle alike', async () => {
  assert.equal(packageRoot(), repoRoot);
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(packageVersion(), pkg.version);
  const run = await execa(process.execPath, [agentBin, '--version']);
  assert.equal(run.stdout, pkg.version);
});
