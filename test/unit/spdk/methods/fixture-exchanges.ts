/**
 * Every request/reply pair in the v24.01 captures, matched by id (one write may hold several
 * requests, and replies come in completion order). Not a test file.
 */
import { JsonStreamScanner } from '../../../../src/spdk/rpc/json-scanner.js';
import type { RpcParams } from '../../../../src/spdk/rpc/types.js';
import { allFixtures, type FixtureEntry } from '../../../helpers/fixtures.js';

export interface Exchange {
  entry: FixtureEntry;
  method: string;
  params: RpcParams | undefined;
  reply: { result?: unknown; error?: { code: number; message: string } };
}

function values(text: string): unknown[] {
  const out: unknown[] = [];
  for (const scanned of new JsonStreamScanner({ scalarEndsAtChunkEnd: true }).push(Buffer.from(text))) {
    if (scanned.kind !== 'value') break;
    try {
      out.push(JSON.parse(scanned.bytes.toString('utf8')));
    } catch {
      break;
    }
  }
  return out;
}

function replyTexts(entry: FixtureEntry): string[] {
  if (Array.isArray(entry.responses)) return entry.responses;
  if (typeof entry.response !== 'string') return [];
  return entry.response.split('\n').filter((line) => line.trim() !== '');
}

export function fixtureExchanges(): Exchange[] {
  const out: Exchange[] = [];
  for (const entry of allFixtures()) {
    const requests = values(entry.request).filter(
      (r): r is { method: string; id?: unknown; params?: unknown } =>
        typeof r === 'object' && r !== null && !Array.isArray(r) && typeof (r as { method?: unknown }).method === 'string',
    );
    const replies = replyTexts(entry).flatMap((text) => {
      try {
        return [JSON.parse(text) as { id?: unknown; result?: unknown; error?: { code: number; message: string } }];
      } catch {
        return []; // SPDK's broken notification replies, HTTP
      }
    });
    for (const request of requests) {
      if (request.id === undefined || request.id === null) continue;
      const reply = replies.find((r) => JSON.stringify(r.id) === JSON.stringify(request.id));
      if (!reply) continue;
      const params =
        typeof request.params === 'object' && request.params !== null && !Array.isArray(request.params) ? (request.params as RpcParams) : undefined;
      out.push({ entry, method: request.method, params, reply });
    }
  }
  return out;
}
