/** The simulator's command line and start-up, as SPDK's apps behave (contract §5.2, §5.7). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simBin } from '../../helpers/paths.js';
import { createFakeSpdkTree, makeTempDir, rawExchange, socketAnswers, startSim } from '../../helpers/sim.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the simulator to completion (for commands that exit by themselves). */
function runSim(args: string[], options: { env?: Record<string, string>; binary?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.binary ?? simBin, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('-h prints the usage on stdout and exits 0; -v prints the version', async () => {
  const help = await runSim(['-h']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /\[options\]\n/);
  assert.match(help.stdout, /-r, --rpc-socket <path>/);
  const version = await runSim(['-v']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout, 'SPDK v24.01 git sha1 0786843e99\n');
  const v25 = await runSim(['--sim-emulate-version', '25.09', '--version']);
  assert.equal(v25.stdout, 'SPDK v25.09 git sha1 a2f2a0b279\n');
});

test('an unknown option fails like SPDK: getopt message and usage on stderr, exit 2', async () => {
  const run = await runSim(['--no-such-option', '-r', '/tmp/never.sock']);
  assert.equal(run.code, 2);
  assert.ok(run.stderr.startsWith(`${simBin}: unrecognized option '--no-such-option'\n`), run.stderr.slice(0, 200));
  assert.match(run.stderr, /Configuration options:/);
  assert.equal(run.stdout, '');
  const missing = await runSim(['-r']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /option requires an argument -- 'r'/);
  const badValue = await runSim(['-s', 'huge']);
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /app\.c:\s*\d+:spdk_app_parse_args: \*ERROR\*: invalid memory pool size `-s huge`/);
  const badSim = await runSim(['--sim-app', 'nfs']);
  assert.equal(badSim.code, 2);
  assert.match(badSim.stderr, /^spdk-sim: command line: --sim-app must be/);
});

test('the app is chosen by the name it runs under (a symlink in a fake SPDK tree)', async (t) => {
  const root = makeTempDir('spdk-tree-');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const bin = createFakeSpdkTree(root);
  const expectations: Array<[string, string, string]> = [
    ['vhost', 'vhost_create_blk_controller', 'nvmf_create_subsystem'],
    ['iscsi_tgt', 'iscsi_create_target_node', 'vhost_create_blk_controller'],
    ['nvmf_tgt', 'nvmf_create_subsystem', 'iscsi_create_target_node'],
    ['spdk_tgt', 'iscsi_create_target_node', 'no_such_method'],
  ];
  for (const [app, has, lacks] of expectations) {
    const sim = await startSim({ binary: path.join(bin, app), pollPeriodUs: 0 });
    const methods = (await sim.call('rpc_get_methods')).result as string[];
    assert.ok(methods.includes(has), `${app} lists ${has}`);
    assert.ok(!methods.includes(lacks), `${app} does not list ${lacks}`);
    assert.match(sim.stderr(), new RegExp(`DPDK EAL parameters: ${app === 'nvmf_tgt' ? 'nvmf' : app === 'iscsi_tgt' ? 'iscsi' : app} `));
    assert.equal(await sim.stop(), 0);
  }
  // Run as spdk-sim it is nvmf_tgt; --app overrides the name.
  const plain = await startSim({ pollPeriodUs: 0 });
  assert.ok(((await plain.call('rpc_get_methods')).result as string[]).includes('nvmf_get_subsystems'));
  await plain.stop();
  const overridden = await startSim({ binary: path.join(bin, 'nvmf_tgt'), app: 'vhost', pollPeriodUs: 0 });
  assert.ok(((await overridden.call('rpc_get_methods')).result as string[]).includes('vhost_get_controllers'));
  await overridden.stop();
});

test("start-up prints SPDK's banner and notices on stderr; --silence-noticelog keeps only warnings", async () => {
  const sim = await startSim({ pollPeriodUs: 0, args: ['-m', '0x1', '-e', 'bdev'] });
  await sim.stop();
  const err = sim.stderr();
  assert.match(err, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\] Starting SPDK v24\.01 git sha1 0786843e99 \/ DPDK 22\.11\.\d+ initialization\.\.\.\n/);
  assert.match(err, /\[ DPDK EAL parameters: nvmf --no-shconf -c 0x1 .*--file-prefix=spdk_pid\d+ \]/);
  assert.match(err, /app\.c: 815:spdk_app_start: \*NOTICE\*: Total cores available: 1\n/);
  assert.match(err, /reactor\.c: 937:reactor_run: \*NOTICE\*: Reactor started on core 0\n/);
  assert.match(err, /Tracepoint Group Mask bdev specified\./);
  assert.match(err, new RegExp(`Use 'spdk_trace -s nvmf -p ${sim.pid}' to capture a snapshot of events at runtime\\.`));
  const quiet = await startSim({ pollPeriodUs: 0, args: ['--silence-noticelog'] });
  await quiet.stop();
  assert.doesNotMatch(quiet.stderr(), /NOTICE|Starting SPDK/);
});

test('hugepages: without --no-huge the machine must have free hugepages (fake meminfo)', async (t) => {
  const dir = makeTempDir('sim-huge-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const none = path.join(dir, 'none');
  writeFileSync(none, 'MemTotal: 16384000 kB\nHugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n');
  const socket = path.join(dir, 'h.sock');
  const failed = await runSim(['-r', socket], { env: { SPDK_SIM_MEMINFO: none } });
  assert.equal(failed.code, 1);
  assert.match(
    failed.stderr,
    /EAL: No available 2048 kB hugepages reported\nEAL: FATAL: Cannot get hugepage information\.\nEAL: Cannot get hugepage information\.\n/,
  );
  assert.match(failed.stderr, /init\.c: 606:spdk_env_init: \*ERROR\*: Failed to initialize DPDK/);
  assert.match(failed.stderr, /app\.c: 815:spdk_app_start: \*ERROR\*: Unable to initialize SPDK env/);
  assert.equal(existsSync(socket), false);

  const few = path.join(dir, 'few');
  writeFileSync(few, 'HugePages_Total:     256\nHugePages_Free:      128\nHugepagesize:       2048 kB\n');
  const short = await runSim(['-r', socket, '-s', '1024'], { env: { SPDK_SIM_MEMINFO: few } });
  assert.equal(short.code, 1);
  assert.match(short.stderr, /EAL: Not enough memory available! Requested: 1024MB, available: 256MB/);

  const enough = await startSim({ hugepages: false, args: ['-s', '128'], env: { SPDK_SIM_MEMINFO: few }, pollPeriodUs: 0 });
  assert.equal((await enough.call('spdk_get_version')).error, undefined);
  await enough.stop();

  const noHugeNoSize = await runSim(['-r', socket, '--no-huge'], { env: { SPDK_SIM_MEMINFO: none } });
  assert.equal(noHugeNoSize.code, 1);
  assert.match(noHugeNoSize.stderr, /\nDisabling hugepages requires specifying how much memory will be allocated using -s parameter\n/);

  const noHuge = await startSim({ hugepages: false, args: ['--no-huge', '-s', '512'], env: { SPDK_SIM_MEMINFO: none }, pollPeriodUs: 0 });
  assert.equal((await noHuge.call('spdk_get_version')).error, undefined);
  await noHuge.stop();
});

test('a core the machine does not have is refused by DPDK', async () => {
  const run = await runSim(['-m', '[0,1023]', '-r', '/tmp/never-used.sock', '--no-huge', '-s', '64']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /EAL: lcore 1023 unavailable/);
});

test('-f writes a pid file (vhost, spdk_tgt); iscsi_tgt -b goes to the background', async (t) => {
  const dir = makeTempDir('sim-pid-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pidFile = path.join(dir, 'vhost.pid');
  const sim = await startSim({ app: 'vhost', args: ['-f', pidFile], pollPeriodUs: 0 });
  assert.equal(readFileSync(pidFile, 'utf8'), `${sim.pid}\n`);
  await sim.stop();

  const socket = path.join(dir, 'iscsi.sock');
  const meminfo = path.join(dir, 'meminfo');
  writeFileSync(meminfo, 'HugePages_Total: 64\nHugePages_Free: 64\nHugepagesize: 2048 kB\n');
  // exit-after: should this test die halfway, the background target still goes away by itself.
  const fg = await runSim(['--sim-app', 'iscsi_tgt', '-b', '-r', socket, '--sim-poll-period-us', '0', '--sim-fault', 'exit-after=60000'], {
    env: { SPDK_SIM_MEMINFO: meminfo },
  });
  assert.equal(fg.code, 0, 'the foreground command returns at once');
  let pid = 0;
  try {
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && !existsSync(`${socket}.lock`)) await new Promise((r) => setTimeout(r, 50));
    pid = Number(readFileSync(`${socket}.lock`, 'utf8').split(' ')[0]);
    // The lock is taken before the socket listens: wait until it answers (a loaded machine shows the gap).
    while (Date.now() < deadline && !(await socketAnswers(socket))) await new Promise((r) => setTimeout(r, 50));
    assert.ok(pid > 0);
    const { replies } = await rawExchange(socket, '{"jsonrpc":"2.0","method":"iscsi_get_portal_groups","id":1}', { timeoutMs: 5000 });
    assert.deepEqual(replies, ['{"jsonrpc":"2.0","id":1,"result":[]}\n']);
  } finally {
    if (pid > 0) process.kill(pid, 'SIGTERM');
  }
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline && existsSync(socket)) await new Promise((r) => setTimeout(r, 50));
  assert.equal(existsSync(socket), false, 'the background target stopped cleanly');
});
