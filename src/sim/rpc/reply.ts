/**
 * Reply bytes exactly as SPDK v24.01 writes them: compact JSON, members `jsonrpc`, `id`, then
 * `result` or `error`, one `\n` after. The id is the client's raw text.
 *
 * A *successful notification* (no id, or `"id":null`) gets SPDK's broken partial reply (errors.jsonl
 * #57/#58, framing #9): `skip_response()` zeroes the send length before the writer's final flush, so
 * what was buffered still goes out — `{"jsonrpc":"2.0","id":null,"result":<result>` with no closing
 * brace and no newline. A failed notification gets a normal error reply with `"id":null`.
 */
import { toJson } from '../json/json-writer.js';

export function resultReply(id: string | null, result: unknown): string {
  const body = toJson(result);
  if (id === null) return `{"jsonrpc":"2.0","id":null,"result":${body}`;
  return `{"jsonrpc":"2.0","id":${id},"result":${body}}\n`;
}

export function errorReply(id: string | null, code: number, message: string): string {
  return `{"jsonrpc":"2.0","id":${id ?? 'null'},"error":{"code":${code},"message":${JSON.stringify(message)}}}\n`;
}
