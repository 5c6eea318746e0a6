/**
 * Conformance: every request of every real SPDK v24.01 capture (test/fixtures/spdk/v24.01/*.jsonl)
 * replayed against a fresh simulator of the captured app, each answer compared with the capture
 * (replay.ts, json-compare.ts).
 *
 * Only the exchanges through SPDK's HTTP proxy (`scripts/rpc_http_proxy.py`, tcp_http.jsonl) are not
 * replayed: the proxy is a separate Python program in front of the socket, not part of the target.
 * The socat-relayed exchanges of the same file are plain socket bytes and are replayed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureFiles } from '../../helpers/fixtures.js';
import { replayRun, runsOf } from './replay.js';

const isHttpProxyExchange = (request: string): boolean => request.startsWith('POST ');

const runs = fixtureFiles().flatMap((file) => runsOf(file));
const notReplayed = runs.filter((run) => run.entries.every((e) => isHttpProxyExchange(e.request)));

test('every capture file takes part; only the HTTP proxy run is left out', () => {
  assert.deepEqual([...new Set(runs.map((run) => run.file))], fixtureFiles());
  assert.ok(fixtureFiles().length >= 9);
  assert.deepEqual(
    notReplayed.map((run) => `${run.file}: ${run.app}`),
    ['tcp_http.jsonl: nvmf_tgt + scripts/rpc_http_proxy.py 127.0.0.1 5261 spdkuser spdkpass -s <sock>'],
  );
});

for (const run of runs.filter((r) => !notReplayed.includes(r))) {
  test(`${run.file}, ${run.app} (${run.entries.length} exchanges): the simulator answers like SPDK v24.01`, { timeout: 120_000 }, async () => {
    const result = await replayRun(run);
    assert.ok(result.replayed > 0);
    assert.equal(result.replayed + result.skipped, run.entries.length);
  });
}
