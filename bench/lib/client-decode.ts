/**
 * What the SPDK client does with the bytes a target sends (src/spdk/rpc/connection.ts → client.ts):
 * cut the stream into JSON values with the shared one-pass scanner, decode each with exact
 * integers, interpret it as a reply. Run here on bytes already received, fed in the chunks a Unix
 * socket read hands Node, to time the client's own share with no socket in the way.
 */
import { JsonStreamScanner } from '../../src/spdk/rpc/json-scanner.js';
import { decodeJson } from '../../src/spdk/rpc/json.js';
import { interpretReply } from '../../src/spdk/rpc/reply.js';

/** What one read of a Unix socket gives Node at most. */
export const SOCKET_CHUNK = 65_536;

/** Scans, decodes and interprets every reply in `bytes`; returns the results. Throws if one is not a result. */
export function decodeLikeTheClient(bytes: Buffer, chunk = SOCKET_CHUNK): unknown[] {
  const scanner = new JsonStreamScanner();
  const results: unknown[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    for (const value of scanner.push(bytes.subarray(offset, offset + chunk))) {
      if (value.kind !== 'value') throw new Error(`reply bytes did not scan: ${value.reason}`);
      const reply = interpretReply(decodeJson(value.bytes, value.longIntegers));
      if (reply.kind !== 'result') throw new Error(`a reply was not a result (${reply.kind})`);
      results.push(reply.result);
    }
  }
  if (scanner.buffered > 0) throw new Error(`${scanner.buffered} bytes left unfinished`);
  return results;
}
