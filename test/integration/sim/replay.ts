/**
 * Replays the real SPDK captures (test/fixtures/spdk/v24.01/*.jsonl) against fresh simulators and
 * compares every answer with the capture (json-compare.ts). A capture file holds one or more runs
 * (a new run when the app changes or `seq` starts again at 1); each run gets its own simulator of
 * the captured app and mode, with SPDK's 4 ms poll period, and the requests go in capture order
 * over one connection unless the scenario needs more (second connections, the 65th connection,
 * kill, rpc.py's connection per call). Scenario-specific steps are keyed by file and seq below.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { loadFixture, type FixtureEntry } from '../../helpers/fixtures.js';
import { makeTempDir, SimConnection, startSim, type SimApp, type SimHandle } from '../../helpers/sim.js';
import { compareReplies, UuidMap } from './json-compare.js';

export interface ReplayRun {
  file: string;
  app: string;
  entries: FixtureEntry[];
}

/** Splits a capture file into runs. */
export function runsOf(file: string): ReplayRun[] {
  const runs: ReplayRun[] = [];
  for (const entry of loadFixture(file)) {
    const last = runs[runs.length - 1];
    if (!last || last.app !== entry.app || entry.seq <= last.entries[last.entries.length - 1]!.seq) {
      runs.push({ file, app: entry.app, entries: [entry] });
    } else {
      last.entries.push(entry);
    }
  }
  return runs;
}

const UUID_IN_TEXT = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;

class Replayer {
  readonly uuids = new UuidMap();
  main!: SimConnection;
  second: SimConnection | null = null;
  private readonly rewrite: ((s: string) => string) | undefined;

  constructor(
    readonly run: ReplayRun,
    readonly sim: SimHandle,
    vhostDir: string | null,
  ) {
    this.rewrite = vhostDir === null ? undefined : (s: string) => (s.startsWith(`${vhostDir}/`) ? `/var/tmp/vhost.d/${s.slice(vhostDir.length + 1)}` : s);
  }

  async connect(): Promise<SimConnection> {
    return SimConnection.open(this.sim.socket);
  }

  label(entry: FixtureEntry): string {
    return `${entry.file} [${entry.scenario} ${entry.app}] #${entry.seq} ${entry.name}`;
  }

  pinRequestUuids(request: string): void {
    for (const m of request.match(UUID_IN_TEXT) ?? []) this.uuids.pin(m);
  }

  /** Asserts that `actual` matches the capture, naming the entry, the paths and both texts. */
  check(entry: FixtureEntry, expected: string, actual: string | undefined): void {
    assert.ok(actual !== undefined, `${this.label(entry)}: no reply; expected ${expected.slice(0, 300)}`);
    assert.equal(actual.endsWith('\n'), expected.endsWith('\n'), `${this.label(entry)}: reply termination differs: ${JSON.stringify(actual.slice(-40))}`);
    const problems = compareReplies(expected, actual, { uuids: this.uuids, rewrite: this.rewrite });
    if (problems.length > 0) {
      assert.fail(
        `${this.label(entry)}: the simulator's reply differs from real SPDK:\n  ${problems.join('\n  ')}\n  capture:   ${expected.slice(0, 600)}\n  simulator: ${actual.slice(0, 600)}`,
      );
    }
  }

  /** A notification's unterminated reply: compare it closed with the missing brace. */
  checkPartial(entry: FixtureEntry, expected: string, actual: string): void {
    assert.ok(!actual.endsWith('\n'), `${this.label(entry)}: expected SPDK's unterminated notification reply, got ${JSON.stringify(actual)}`);
    const problems = compareReplies(`${expected}}`, `${actual}}`, { uuids: this.uuids, rewrite: this.rewrite });
    if (problems.length > 0) assert.fail(`${this.label(entry)}: ${problems.join('\n  ')}\n  capture: ${expected}\n  simulator: ${actual}`);
  }

  /** The usual step: write the request, read as many replies as the capture has, compare. */
  async standard(entry: FixtureEntry, given?: SimConnection): Promise<void> {
    // After SPDK closed the connection (a parse error, an oversized request), the client reconnects.
    if (given === undefined && this.main.closed) this.main = await this.connect();
    const conn = given ?? this.main;
    this.pinRequestUuids(entry.request);
    conn.write(entry.request);
    await this.expectAnswer(entry, conn);
  }

  async expectAnswer(entry: FixtureEntry, conn: SimConnection): Promise<void> {
    if (entry.response === null) {
      if (entry.connection_closed_after) {
        assert.ok(await conn.waitClosed(5000), `${this.label(entry)}: SPDK closed the connection; the simulator did not`);
        assert.equal(conn.pending, '', `${this.label(entry)}: SPDK sent nothing before closing`);
      } else {
        const text = await conn.readUntilIdle(300, 2000);
        assert.equal(text, '', `${this.label(entry)}: SPDK did not answer (yet); the simulator sent ${text.slice(0, 200)}`);
      }
      return;
    }
    const expected = entry.responses ?? entry.response.split(/(?<=\n)/);
    if (!expected[expected.length - 1]!.endsWith('\n')) {
      const text = await conn.readUntilIdle(300, 5000);
      this.checkPartial(entry, expected.join(''), text);
      return;
    }
    const lines = await conn.readLines(expected.length, 10000);
    assert.equal(
      lines.length,
      expected.length,
      `${this.label(entry)}: expected ${expected.length} replies, got ${lines.length}: ${lines.join('').slice(0, 300)}`,
    );
    expected.forEach((e, i) => {
      this.check(entry, e, lines[i]);
    });
    if (entry.connection_closed_after === true) assert.ok(await conn.waitClosed(5000), `${this.label(entry)}: connection should close`);
  }
}

type Step = (r: Replayer, entry: FixtureEntry) => Promise<void>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Steps that need more than write-and-read, keyed `file#seq` (or `file:scenario#seq`). */
const SPECIAL: Partial<Record<string, Step>> = {
  // One byte at a time, 2 ms apart.
  'framing.jsonl#7': async (r, e) => {
    for (const byte of Buffer.from(e.request)) {
      r.main.write(Buffer.from([byte]));
      await sleep(2);
    }
    await r.expectAnswer(e, r.main);
  },
  // Two writes 0.5 s apart.
  'framing.jsonl#8': async (r, e) => {
    const half = Math.floor(e.request.length / 2);
    r.main.write(e.request.slice(0, half));
    await sleep(500);
    r.main.write(e.request.slice(half));
    await r.expectAnswer(e, r.main);
  },
  // A notification's partial reply runs straight into the next reply.
  'framing.jsonl#9': async (r, e) => {
    r.main.write(e.request);
    const text = (await r.main.readLines(1, 5000))[0] ?? '';
    const expected = e.response!;
    const cut = (s: string): [string, string] => {
      const i = s.indexOf('}{"jsonrpc"');
      return i < 0 ? [s, ''] : [s.slice(0, i + 1), s.slice(i + 1)];
    };
    const [ePartial, eRest] = cut(expected);
    const [aPartial, aRest] = cut(text);
    r.checkPartial(e, ePartial, aPartial);
    r.check(e, eRest, aRest);
  },
  // bdev_get_bdevs waits for a bdev another request creates later on the same connection.
  'framing.jsonl#11': async (r, e) => {
    r.main.write(e.request);
    await sleep(200);
    r.main.write('{"jsonrpc":"2.0","method":"bdev_malloc_create","params":{"name":"LateBdev","num_blocks":64,"block_size":512},"id":124}');
    await r.expectAnswer(e, r.main);
  },
  // 1000 pipelined requests in one write; the capture keeps the first two and the last reply.
  'framing.jsonl#15': async (r, e) => {
    let request = '';
    for (let id = 125; id <= 1124; id++) request += `{"jsonrpc":"2.0","method":"spdk_get_version","id":${id}}`;
    r.main.write(request);
    const lines = await r.main.readLines(1000, 20000);
    assert.equal(lines.length, 1000, `${r.label(e)}: expected 1000 replies`);
    lines.forEach((line, i) => {
      assert.ok(line.startsWith(`{"jsonrpc":"2.0","id":${125 + i},`), `${r.label(e)}: reply ${i} out of order: ${line.slice(0, 60)}`);
    });
    const stored = e.responses!;
    r.check(e, stored[0]!, lines[0]);
    r.check(e, stored[1]!, lines[1]);
    r.check(e, stored[2]!, lines[999]);
  },
  // 64 connections are served; the 65th connects but waits until one closes.
  'framing.jsonl#16': async (r, e) => {
    const others: SimConnection[] = [];
    try {
      for (let i = 0; i < 63; i++) others.push(await r.connect());
      others.forEach((c, i) => {
        c.write(`{"jsonrpc":"2.0","method":"spdk_get_version","id":${5000 + i}}`);
      });
      for (const c of others) assert.equal((await c.readLines(1, 10000)).length, 1, `${r.label(e)}: connections 2..64 must be served`);
      const extra = await r.connect();
      others.push(extra);
      extra.write(e.request);
      assert.deepEqual(await extra.readLines(1, 1000), [], `${r.label(e)}: the 65th connection must not be served while 64 are open`);
      others[0]!.close();
      const [reply] = await extra.readLines(1, 5000);
      r.check(e, e.response!, reply);
    } finally {
      for (const c of others) c.close();
    }
  },
  // framework_wait_init before init: no answer; a second connection asks too (#12 was sent before #11).
  'wait_for_rpc.jsonl#10': async (r, e) => {
    await r.standard(e);
    const twelfth = r.run.entries.find((x) => x.seq === 12)!;
    r.second = await r.connect();
    r.second.write(twelfth.request);
    assert.equal(await r.second.readUntilIdle(300, 2000), '', `${r.label(twelfth)}: must wait for framework_start_init`);
  },
  'wait_for_rpc.jsonl#12': async (r, e) => {
    await r.expectAnswer(e, r.second!);
    r.second!.close();
  },
  // kill.jsonl: #1 on a second connection, #2 spdk_kill_instance on the first.
  'kill.jsonl#1': async (r, e) => {
    r.second = await r.connect();
    await r.standard(e, r.second);
  },
  'kill.jsonl#2': async (r, e) => {
    await r.standard(e);
    assert.ok(await r.main.waitClosed(5000), `${r.label(e)}: the connection must close`);
    assert.ok(await r.second!.waitClosed(5000), `${r.label(e)}: the other connection must close`);
    const exit = await Promise.race([r.sim.exited, sleep(5000).then(() => null)]);
    assert.ok(exit !== null, `${r.label(e)}: the process must exit`);
    assert.equal(existsSync(r.sim.socket), !e.socket_file_removed, `${r.label(e)}: socket file removed = ${String(e.socket_file_removed)}`);
    if (e.socket_file_removed === false) assert.equal(exit.signal, 'SIGKILL', `${r.label(e)}: SIGKILL kills the process`);
    else assert.equal(exit.code, 0, `${r.label(e)}: a signal-initiated stop exits 0`);
  },
};

/** rpc.py opens a connection per command. */
async function rpcpyStep(r: Replayer, e: FixtureEntry): Promise<void> {
  const conn = await r.connect();
  try {
    await r.standard(e, conn);
  } finally {
    conn.close();
  }
}

export interface ReplayResult {
  replayed: number;
  skipped: number;
}

export async function replayRun(run: ReplayRun): Promise<ReplayResult> {
  const [appName, ...flags] = run.app.split(' ');
  const app = appName as SimApp;
  const args = ['--sim-io-ops-per-sec', '0'];
  if (flags.includes('--wait-for-rpc')) args.push('--wait-for-rpc');
  // vhost sockets go to a directory of their own; replies are compared with it renamed to the
  // capture's /var/tmp/vhost.d.
  const vhostDir = app === 'vhost' || app === 'spdk_tgt' ? makeTempDir('spdk-sim-vhost-') : null;
  if (vhostDir !== null) args.push('-S', vhostDir);
  const handle = await startSim({ app, args, pollPeriodUs: 4000 });
  const r = new Replayer(run, handle, vhostDir);
  let replayed = 0;
  let skipped = 0;
  try {
    r.main = await r.connect();
    for (const entry of run.entries) {
      if (entry.request.startsWith('POST ')) {
        skipped++; // HTTP proxy entries: the proxy is not part of SPDK's socket.
        continue;
      }
      const special = SPECIAL[`${entry.file}#${entry.seq}`];
      if (special && r.main.closed) r.main = await r.connect();
      if (special) await special(r, entry);
      else if (entry.file === 'rpcpy.jsonl') await rpcpyStep(r, entry);
      else await r.standard(entry);
      replayed++;
    }
  } finally {
    r.main?.close();
    r.second?.close();
    await handle.stop();
    if (vhostDir !== null) rmSync(vhostDir, { recursive: true, force: true });
  }
  return { replayed, skipped };
}
