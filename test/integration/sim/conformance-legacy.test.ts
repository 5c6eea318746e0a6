/** Conformance: legacy.jsonl (legacy method names and aliases) replayed against the simulator; see replay.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayRun, runsOf } from './replay.js';

for (const run of runsOf('legacy.jsonl')) {
  const replayable = run.entries.some((e) => !e.request.startsWith('POST '));
  const skip = replayable ? false : 'HTTP proxy exchanges: the proxy is not part of SPDK, only the socat relay is replayed';
  test(`legacy.jsonl, ${run.app} (${run.entries.length} exchanges): the simulator answers like SPDK v24.01`, { timeout: 120_000, skip }, async () => {
    const result = await replayRun(run);
    assert.ok(result.replayed > 0);
    assert.equal(result.replayed + result.skipped, run.entries.length);
  });
}
