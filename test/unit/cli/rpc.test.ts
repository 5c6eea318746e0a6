/** `spdk-agent rpc`, run as the operator runs it (bin/spdk-agent, after the build) against the fake target. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { FakeSpdkServer, withId, type Transport } from '../../helpers/fake-spdk-server.js';
import { loadFixture } from '../../helpers/fixtures.js';
import { agentBin } from '../../helpers/paths.js';

const GUARD = { timeout: 60_000 };

interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

async function spdkAgent(args: string[], input?: string): Promise<Run> {
  const child = await execa(process.execPath, [agentBin, ...args], {
    reject: false,
    timeout: 30_000,
    stripFinalNewline: false,
    env: { SPDK_AGENT_LOG_LEVEL: 'error' },
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
  });
  assert.equal(child.timedOut, false, `spdk-agent ${args.join(' ')} hung`);
  return { exitCode: child.exitCode, stdout: String(child.stdout), stderr: String(child.stderr) };
}

async function fakeTarget(t: TestContext, transport: Transport = 'unix'): Promise<FakeSpdkServer> {
  const server = await FakeSpdkServer.start({ transport });
  t.after(() => server.close());
  return server;
}

test('prints the result exactly as rpc.py does for object and list results (rpcpy.jsonl)', GUARD, async (t) => {
  const server = await fakeTarget(t);
  const cases = loadFixture('rpcpy.jsonl').filter((e) => e.rpcpy_exit_code === 0 && /^\{"jsonrpc":"2\.0","id":1,"result":[{[]/.test(e.response ?? ''));
  assert.ok(cases.length >= 4, `only ${cases.length} rpc.py cases`);
  for (const entry of cases) {
    const sent = JSON.parse(entry.request) as { method: string; params?: Record<string, unknown> };
    server.handler = (request, connection) => connection.replyRaw(request, withId(entry.response!, request.rawId));
    const args = ['rpc', '-s', server.address, sent.method, ...(sent.params ? [JSON.stringify(sent.params)] : [])];
    const run = await spdkAgent(args);
    assert.equal(run.exitCode, 0, `${entry.name}: ${run.stderr}`);
    assert.equal(run.stdout, entry.rpcpy_stdout, entry.name);
    assert.equal(run.stderr, '');
    const received = server.requests.at(-1)!;
    assert.equal(received.method, sent.method);
    assert.deepEqual(received.params, sent.params, entry.name);
    assert.equal(received.hasParams, sent.params !== undefined, `${entry.name}: never "params":{}`);
  }
});

test('scalar results print as JSON, and uint64 values print exactly', GUARD, async (t) => {
  const server = await fakeTarget(t);
  const replies: Record<string, string> = {
    bdev_malloc_create: '"Malloc0"',
    nvmf_create_transport: 'true',
    bdev_get_iostat: '{"tick_rate":2450000000,"ticks":18446744073709551615,"bdevs":[{"name":"Null0","read_latency_ticks":9007199254740993}]}',
  };
  server.handler = (request, connection) =>
    connection.replyRaw(request, `{"jsonrpc":"2.0","id":${request.rawId},"result":${replies[request.method as string]!}}\n`);
  assert.deepEqual(await spdkAgent(['rpc', '-s', server.address, 'bdev_malloc_create', '{"name":"Malloc0","num_blocks":131072,"block_size":512}']), {
    exitCode: 0,
    stdout: '"Malloc0"\n',
    stderr: '',
  });
  assert.equal((await spdkAgent(['rpc', '-s', server.address, 'nvmf_create_transport', '{"trtype":"TCP"}'])).stdout, 'true\n');
  const iostat = await spdkAgent(['rpc', '-s', server.address, 'bdev_get_iostat']);
  assert.equal(iostat.exitCode, 0, iostat.stderr);
  assert.match(iostat.stdout, /\n {2}"ticks": 18446744073709551615,\n/);
  assert.match(iostat.stdout, /"read_latency_ticks": 9007199254740993\n/);
});

test('params with big integers and from stdin reach the target exactly', GUARD, async (t) => {
  const server = await fakeTarget(t);
  server.handler = (request, connection) => connection.reply(request, true);
  await spdkAgent(['rpc', '-s', server.address, 'bdev_null_create', '{"name":"N","num_blocks":18446744073709551615,"block_size":512}']);
  assert.equal(
    server.requests.at(-1)!.raw,
    '{"jsonrpc":"2.0","method":"bdev_null_create","id":1,"params":{"name":"N","num_blocks":18446744073709551615,"block_size":512}}',
  );
  const run = await spdkAgent(['rpc', '-s', server.address, 'spdk_kill_instance', '-'], '{\n  "sig_name": "SIGTERM"\n}\n');
  assert.equal(run.exitCode, 0, run.stderr);
  assert.deepEqual(server.requests.at(-1)!.params, { sig_name: 'SIGTERM' });
  // No params: the member is left out, even for '{}'.
  await spdkAgent(['rpc', '-s', server.address, 'spdk_get_version', '{}']);
  assert.equal(server.requests.at(-1)!.raw, '{"jsonrpc":"2.0","method":"spdk_get_version","id":1}');
});

test('a JSON-RPC error exits 1 with the code and message on stderr', GUARD, async (t) => {
  const server = await fakeTarget(t);
  const entry = loadFixture('rpcpy.jsonl').find((e) => e.name.includes('bdev_get_bdevs -b nope'))!;
  server.handler = (request, connection) => connection.replyRaw(request, withId(entry.response!, request.rawId));
  const run = await spdkAgent(['rpc', '-s', server.address, 'bdev_get_bdevs', '{"name":"nope"}']);
  assert.equal(run.exitCode, 1, run.stderr);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, `spdk-agent: bdev_get_bdevs on ${server.address} failed: No such device (code -19)\n`);
});

test('usage errors exit 2 with a clear message and send nothing', GUARD, async (t) => {
  const server = await fakeTarget(t);
  const s = server.address;
  const cases: Array<[string[], RegExp]> = [
    [['rpc', '-s', s], /missing required argument 'method'/],
    [['rpc', '-s', s, '-t', 'abc', 'spdk_get_version'], /option '-t, --timeout <seconds>' argument 'abc' is invalid/],
    [['rpc', '-s', s, '-t', '0', 'spdk_get_version'], /argument '0' is invalid/],
    [['rpc', '-s', s, '-t', '-5', 'spdk_get_version'], /argument '-5' is invalid/],
    [['rpc', '-s', s, 'bdev_get_bdevs', '{"name":'], /PARAMS_JSON is not valid JSON: unexpected end of JSON input/],
    [['rpc', '-s', s, 'bdev_get_bdevs', "{'name':'x'}"], /PARAMS_JSON is not valid JSON/],
    [['rpc', '-s', s, 'bdev_get_bdevs', '["Malloc0"]'], /PARAMS_JSON must be a JSON object of named params .*not an array/],
    [['rpc', '-s', s, 'bdev_get_bdevs', '"Malloc0"'], /must be a JSON object .*not a string/],
    [['rpc', '-s', s, 'bdev_get_bdevs', 'null'], /not null/],
    [['rpc', '-s', s, 'bdev_get_bdevs', '{}', 'extra'], /too many arguments/],
    [['rpc', '--frobnicate', 'x'], /unknown option '--frobnicate'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['rpc', '-s', 'tcp:nowhere', 'spdk_get_version'], /invalid JSON-RPC address: expected 'tcp:<host>:<port>'/],
    [['rpc', '-s', s, 'x', `{"name":"${'x'.repeat(40_000)}"}`], /x on .*: request not sent: the request is \d+ bytes, over the target's limit of 32768 bytes/],
  ];
  for (const [args, message] of cases) {
    const run = await spdkAgent(args);
    assert.equal(run.exitCode, 2, `${args.join(' ').slice(0, 80)}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(' ').slice(0, 80));
    assert.match(run.stderr, /^spdk-agent: /);
    assert.equal(run.stdout, '');
  }
  const stdinBad = await spdkAgent(['rpc', '-s', s, 'x', '-'], '[1]');
  assert.equal(stdinBad.exitCode, 2, stdinBad.stderr);
  assert.match(stdinBad.stderr, /PARAMS_JSON from stdin must be a JSON object/);
  assert.equal(server.requests.length, 0);
  assert.equal(server.bytesReceived, 0);
});

test('--help and --version exit 0 on stdout', GUARD, async () => {
  const help = await spdkAgent(['rpc', '--help']);
  assert.equal(help.exitCode, 0, help.stderr);
  assert.match(help.stdout, /Usage: spdk-agent rpc \[options\] <method> \[params_json\]/);
  assert.match(help.stdout, /-s, --server <address>/);
  const version = await spdkAgent(['--version']);
  assert.equal(version.exitCode, 0, version.stderr);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('no target: exit 2 naming the socket', GUARD, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spdk-agent-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const socket = path.join(dir, 'spdk.sock');
  const run = await spdkAgent(['rpc', '-s', socket, 'spdk_get_version']);
  assert.equal(run.exitCode, 2, run.stderr);
  assert.equal(run.stderr, `spdk-agent: ${socket}: cannot connect: no such socket (is the SPDK target running, and is this its -r path?)\n`);
  const kill = await spdkAgent(['rpc', '-s', socket, 'spdk_kill_instance', '{"sig_name":"SIGTERM"}']);
  assert.equal(kill.exitCode, 2, 'a target that cannot be reached was not killed');
});

test('no answer within -t: exit 2 with the timeout', GUARD, async (t) => {
  const server = await fakeTarget(t);
  server.handler = () => {};
  const run = await spdkAgent(['rpc', '-s', server.address, '-t', '0.3', 'framework_wait_init']);
  assert.equal(run.exitCode, 2, run.stderr);
  assert.equal(run.stderr, `spdk-agent: framework_wait_init on ${server.address}: no answer within 300 ms\n`);
});

test('an invalid reply: exit 2 with a protocol error', GUARD, async (t) => {
  const server = await fakeTarget(t);
  server.handler = (_request, connection) => connection.write('<html>proxy error</html>\n');
  const run = await spdkAgent(['rpc', '-s', server.address, 'spdk_get_version']);
  assert.equal(run.exitCode, 2, run.stderr);
  assert.match(run.stderr, /^spdk-agent: spdk_get_version on .*: invalid reply from the target: unexpected byte 0x3c '<'/);
});

test('spdk_kill_instance: a connection closed before the reply is success; for other methods it is not', GUARD, async (t) => {
  const server = await fakeTarget(t);
  server.handler = (_request, connection) => connection.end();
  const kill = await spdkAgent(['rpc', '-s', server.address, 'spdk_kill_instance', '{"sig_name":"SIGTERM"}']);
  assert.equal(kill.exitCode, 0, kill.stderr);
  assert.equal(kill.stdout, '');
  assert.match(kill.stderr, /closed the connection before answering: the target is exiting/);
  const other = await spdkAgent(['rpc', '-s', server.address, 'bdev_get_bdevs']);
  assert.equal(other.exitCode, 2, other.stderr);
  assert.equal(other.stderr, `spdk-agent: bdev_get_bdevs on ${server.address}: the target closed the connection\n`);
  // The usual case (kill.jsonl): `true`, then the socket closes.
  const entry = loadFixture('kill.jsonl').find((e) => e.name === 'spdk_kill_instance SIGTERM')!;
  server.handler = (request, connection) => {
    connection.replyRaw(request, withId(entry.response!, request.rawId));
    setTimeout(() => connection.end(), 5);
  };
  const answered = await spdkAgent(['rpc', '-s', server.address, 'spdk_kill_instance', '{"sig_name":"SIGTERM"}']);
  assert.deepEqual(answered, { exitCode: 0, stdout: 'true\n', stderr: '' });
});

test('over TCP (a socat-style bridge address)', GUARD, async (t) => {
  const server = await fakeTarget(t, 'tcp');
  const run = await spdkAgent(['rpc', '-s', server.address, 'spdk_get_version']);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    version: 'SPDK v24.01 git sha1 0786843e99',
    fields: { major: 24, minor: 1, patch: 0, suffix: '', commit: '0786843e99' },
  });
  const tcp = await spdkAgent(['rpc', '-s', `tcp:${server.address}`, 'spdk_get_version']);
  assert.equal(tcp.exitCode, 0, tcp.stderr);
});
