/**
 * Figure 3 — a 10 MB `bdev_get_bdevs` reply.
 *
 * The reply is a real one: the simulator holds enough null bdevs for ≥ 10 MiB of reply, each with a
 * block count beyond 2^53 (so every bdev carries a uint64 that `JSON.parse` would round), and the
 * bytes are read once over a raw connection. Then, on those same bytes:
 * - the client's path: the connection's framing (the shared scanner, fed 64 KiB socket-sized
 *   chunks) + the client's decoder (exact integers) + reply interpretation;
 * - `JSON.parse` of the same bytes (including the Buffer → string step any client needs).
 * The decoded block counts are checked against the literals in the bytes: exact, as `bigint`.
 *
 * Beside it (details only): the end-to-end call through `SpdkRpcClient` against the simulator
 * (poll period 0), and the same reply size without any integer beyond 2^53.
 */
import { SpdkRpcClient } from '../../src/spdk/rpc/index.js';
import { startSim, type SimHandle } from '../../test/helpers/sim.js';
import { decodeLikeTheClient } from '../lib/client-decode.js';
import type { BenchContext, Figure } from '../lib/context.js';
import { buildBdevOnlyConfig } from '../lib/inventories.js';
import { RawConnection } from '../lib/raw-socket.js';
import { measuredRow } from '../lib/results.js';
import { describeSamples, median, timeRepeated } from '../lib/stats.js';

const FIGURE = '3 large reply';
const TEN_MIB = 10 * 1024 * 1024;
/** Enough null bdevs for a reply over 10 MiB (≈ 550 bytes each with a 19-digit block count). */
const BDEVS = 19_500;
/** 2^60: every block count is at least this, far beyond Number.MAX_SAFE_INTEGER. */
const HUGE_BLOCKS = 2 ** 60;

interface Target {
  sim: SimHandle;
  bytes: Buffer;
}

/** A simulator with `BDEVS` null bdevs (block counts from `blocks(i)`), and its bdev_get_bdevs reply bytes. */
async function targetWithReply(blocks: (i: number) => number): Promise<Target> {
  const config = buildBdevOnlyConfig(BDEVS, false) as { subsystems: Array<{ config: Array<{ params: Record<string, unknown> }> }> };
  config.subsystems[0]!.config.forEach((entry, i) => {
    entry.params.num_blocks = blocks(i);
  });
  const sim = await startSim({ app: 'nvmf_tgt', pollPeriodUs: 0, jsonConfig: config, readyTimeoutMs: 120_000 });
  const raw = await RawConnection.open(sim.socket);
  try {
    raw.keepBytes();
    await raw.exchange('{"jsonrpc":"2.0","method":"bdev_get_bdevs","id":1}', 1, 120_000);
    return { sim, bytes: raw.takeBytes() };
  } finally {
    raw.close();
  }
}

/** Every num_blocks literal in the bytes must come out of the client's decoder as that exact bigint. */
function checkExact(bytes: Buffer, decoded: unknown): { literals: number; jsonParseWrong: number } {
  const literals = [...bytes.toString('latin1').matchAll(/"num_blocks":(\d+)/g)].map((m) => m[1]!);
  const bdevs = decoded as Array<{ num_blocks: unknown }>;
  if (!Array.isArray(bdevs) || bdevs.length !== literals.length)
    throw new Error(`decoded ${Array.isArray(bdevs) ? bdevs.length : 'no'} bdevs for ${literals.length} literals`);
  let jsonParseWrong = 0;
  bdevs.forEach((bdev, i) => {
    const literal = literals[i]!;
    const value = bdev.num_blocks;
    const exact = BigInt(literal);
    if (exact > BigInt(Number.MAX_SAFE_INTEGER)) {
      if (typeof value !== 'bigint' || value !== exact) throw new Error(`num_blocks ${literal} decoded as ${String(value)} (${typeof value})`);
      if (BigInt(Number(literal)) !== exact) jsonParseWrong++;
    } else if (value !== Number(literal)) {
      throw new Error(`num_blocks ${literal} decoded as ${String(value)}`);
    }
  });
  return { literals: literals.length, jsonParseWrong };
}

/** Alternates the two parsers rep by rep, so drift and GC hit both alike; ms per parse each. */
async function compare(bytes: Buffer, reps: number): Promise<{ client: number[]; jsonParse: number[] }> {
  const client: number[] = [];
  const jsonParse: number[] = [];
  for (let i = 0; i < reps + 1; i++) {
    let start = performance.now();
    decodeLikeTheClient(bytes);
    const c = performance.now() - start;
    start = performance.now();
    JSON.parse(bytes.toString('utf8'));
    const j = performance.now() - start;
    if (i > 0) {
      client.push(c);
      jsonParse.push(j);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { client, jsonParse };
}

async function endToEnd(ctx: BenchContext, target: Target): Promise<{ client: number[]; raw: number[] }> {
  const reps = ctx.size(3, 7);
  const client = new SpdkRpcClient({ address: target.sim.socket });
  const raw = await RawConnection.open(target.sim.socket);
  try {
    await client.call('bdev_get_bdevs');
    const clientMs = await timeRepeated(reps, () => client.call('bdev_get_bdevs'));
    const rawMs: number[] = [];
    for (let i = 0; i < reps; i++) {
      raw.keepBytes();
      const start = performance.now();
      await raw.exchange('{"jsonrpc":"2.0","method":"bdev_get_bdevs","id":1}', 1, 120_000);
      JSON.parse(raw.takeBytes().toString('utf8'));
      rawMs.push(performance.now() - start);
    }
    return { client: clientMs, raw: rawMs };
  } finally {
    raw.close();
    await client.close();
  }
}

export const largeRepliesFigure: Figure = {
  id: '3',
  title: 'Large replies (10 MB bdev_get_bdevs)',
  plannedRows() {
    return [{ figure: FIGURE, metric: 'parse a 10 MB bdev_get_bdevs reply, exact uint64', unit: 'ms', target: '< 3× JSON.parse' }];
  },
  async run(ctx) {
    const reps = ctx.size(7, 25);
    ctx.progress(`figure 3: simulator with ${BDEVS.toLocaleString('en-US')} null bdevs, block counts ≥ 2^60`);
    const huge = await targetWithReply((i) => HUGE_BLOCKS + i * 256);
    let details: string[];
    let row: ReturnType<typeof measuredRow>;
    try {
      if (huge.bytes.length < TEN_MIB) throw new Error(`the reply is only ${huge.bytes.length} bytes: raise BDEVS`);
      const [decoded] = decodeLikeTheClient(huge.bytes);
      const exact = checkExact(huge.bytes, decoded);
      ctx.progress(`figure 3: ${reps} alternating parses of ${(huge.bytes.length / 2 ** 20).toFixed(1)} MiB`);
      const timings = await compare(huge.bytes, reps);
      const e2e = await endToEnd(ctx, huge);
      const clientMs = median(timings.client);
      const parseMs = median(timings.jsonParse);
      details = [
        `reply: ${huge.bytes.length.toLocaleString('en-US')} bytes (${(huge.bytes.length / 2 ** 20).toFixed(2)} MiB), ${exact.literals.toLocaleString('en-US')} bdevs, ` +
          `each num_blocks ≥ 2^60: all ${exact.literals.toLocaleString('en-US')} decoded as exact bigint (checked against the literals); JSON.parse rounds ${exact.jsonParseWrong.toLocaleString('en-US')} of them`,
        `  client framing + exact decoder, 64 KiB chunks: ${describeSamples(timings.client, 'ms')}`,
        `  JSON.parse(bytes.toString()) of the same bytes: ${describeSamples(timings.jsonParse, 'ms')}`,
        `  end to end on the simulator (poll 0): SpdkRpcClient.call ${describeSamples(e2e.client, 'ms')}; raw socket read + JSON.parse ${describeSamples(e2e.raw, 'ms')}`,
      ];
      row = measuredRow({
        figure: FIGURE,
        metric: `parse a ${(huge.bytes.length / 2 ** 20).toFixed(1)} MiB bdev_get_bdevs reply, ${exact.literals.toLocaleString('en-US')} exact uint64`,
        unit: 'ms',
        direction: 'lower-is-better',
        value: clientMs,
        baseline: 'JSON.parse',
        baselineValue: parseMs,
        bound: 3 * parseMs,
        target: '< 3× JSON.parse',
        limitedBy: `JSON.parse alone takes ${parseMs.toFixed(1)} ms; the rest is the scanner's pass over the bytes and turning ${exact.literals} markers into bigints`,
      });
    } finally {
      await huge.sim.stop();
    }

    if (ctx.quick) return { rows: [row], details };
    ctx.progress('figure 3: the same reply size without integers beyond 2^53');
    const plain = await targetWithReply((i) => 2 ** 52 + i);
    try {
      const [decoded] = decodeLikeTheClient(plain.bytes);
      checkExact(plain.bytes, decoded);
      const timings = await compare(plain.bytes, ctx.size(5, 15));
      details.push(
        `  for comparison, ${(plain.bytes.length / 2 ** 20).toFixed(2)} MiB with no integer beyond 2^53: client ${describeSamples(timings.client, 'ms')}, ` +
          `JSON.parse ${describeSamples(timings.jsonParse, 'ms')} (${(median(timings.client) / median(timings.jsonParse)).toFixed(2)}×)`,
      );
    } finally {
      await plain.sim.stop();
    }
    return { rows: [row], details };
  },
};
