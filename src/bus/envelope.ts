/**
 * The oslo.messaging envelope (version 2.0) and the AMQP properties every oslo message carries.
 *
 * The body is `{"oslo.version": "2.0", "oslo.message": "<the message as a JSON string>"}`: the
 * payload is JSON-encoded twice (natively: any JSON is accepted, contract §4.3). Decoding follows kombu + oslo exactly, because what they refuse
 * is dropped without a reply and what they accept must be served:
 * - kombu decodes the body only when `content_type` is `application/json`; anything else reaches
 *   oslo as a string, which it cannot use ("Failed to process message ... skipping it");
 * - a JSON object without both envelope keys is taken as it is (the pre-envelope "1.0" format);
 * - the envelope version must pass the RPC version rule against "2.0" (2.0 yes, 2.1 or 3.0 no).
 */
import type { Options } from 'amqplib';
import { jsonText } from './json-text.js';
import { versionIsCompatible } from './versions.js';

export const ENVELOPE_VERSION = '2.0';
const VERSION_KEY = 'oslo.version';
const MESSAGE_KEY = 'oslo.message';
const ENVELOPE_HEAD = `{"${VERSION_KEY}": "${ENVELOPE_VERSION}", "${MESSAGE_KEY}": `;

export type OsloMessage = Record<string, unknown>;

/** The properties oslo (kombu) sets on every request and reply (captured: §4.2 of the contract). */
export function osloPublishProperties(): Options.Publish {
  return {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: 2,
    priority: 0,
    headers: {},
  };
}

/**
 * The envelope bytes for a message; throws TypeError when the message is not serializable.
 * Written natively, not in Python's `json.dumps` form (see json-text.ts for why): a Python peer
 * decodes both to the same data. The head is Python's, for whoever reads the bytes.
 */
export function encodeEnvelope(message: OsloMessage): Buffer {
  return Buffer.from(`${ENVELOPE_HEAD + JSON.stringify(jsonText(message))}}`, 'utf8');
}

export type DecodeResult = { ok: true; message: OsloMessage; legacyFormat: boolean } | { ok: false; reason: string };

export interface BodyProperties {
  contentType?: unknown;
  contentEncoding?: unknown;
}

/** Encodings whose decoding of a valid body is the same as UTF-8 (kombu decodes with any codec). */
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'ascii', 'us-ascii']);

/**
 * Bounds on what a peer can make the agent decode: a body larger than the largest real message
 * many times over (a 10,000-bdev report is about 5 MB) or nested deeper than any real one is
 * refused before it is decoded, so no message can exhaust memory or a recursion further on.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
export const MAX_JSON_DEPTH = 128;

/** Whether JSON text nests arrays and objects deeper than `limit` (strings and escapes skipped): one pass, no parse. */
export function nestsDeeperThan(text: Buffer | string, limit: number): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Decodes a delivered body as oslo would, or says why oslo would drop it. */
export function decodeEnvelope(content: Buffer, properties: BodyProperties): DecodeResult {
  if (content.length > MAX_MESSAGE_BYTES) return { ok: false, reason: `body of ${content.length} bytes, over the limit of ${MAX_MESSAGE_BYTES}` };
  if (nestsDeeperThan(content, MAX_JSON_DEPTH)) return { ok: false, reason: `body nested deeper than ${MAX_JSON_DEPTH} levels` };
  if (properties.contentType !== 'application/json') {
    const got = properties.contentType === undefined ? 'no content_type' : `content_type ${JSON.stringify(properties.contentType)}`;
    return { ok: false, reason: `${got} (oslo.messaging decodes only application/json)` };
  }
  const encoding = properties.contentEncoding;
  if (encoding !== undefined && (typeof encoding !== 'string' || !UTF8_NAMES.has(encoding.toLowerCase()))) {
    return { ok: false, reason: `unsupported content_encoding ${JSON.stringify(encoding)}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `body is not valid JSON (${(err as Error).message})` };
  }
  if (!isPlainObject(body)) return { ok: false, reason: `body is a JSON ${jsonKind(body)}, not an object` };
  if (!(VERSION_KEY in body) || !(MESSAGE_KEY in body)) return { ok: true, message: body, legacyFormat: true };

  const version = body[VERSION_KEY];
  let compatible: boolean;
  try {
    compatible = typeof version === 'string' && versionIsCompatible(ENVELOPE_VERSION, version);
  } catch {
    compatible = false;
  }
  if (!compatible) return { ok: false, reason: `unsupported envelope version ${JSON.stringify(version)} (expected ${ENVELOPE_VERSION})` };

  const inner = body[MESSAGE_KEY];
  if (typeof inner !== 'string') return { ok: false, reason: `"${MESSAGE_KEY}" is a JSON ${jsonKind(inner)}, not a string` };
  if (nestsDeeperThan(inner, MAX_JSON_DEPTH)) return { ok: false, reason: `"${MESSAGE_KEY}" nested deeper than ${MAX_JSON_DEPTH} levels` };
  let message: unknown;
  try {
    message = JSON.parse(inner);
  } catch (err) {
    return { ok: false, reason: `"${MESSAGE_KEY}" is not valid JSON (${(err as Error).message})` };
  }
  if (!isPlainObject(message)) return { ok: false, reason: `"${MESSAGE_KEY}" is a JSON ${jsonKind(message)}, not an object` };
  return { ok: true, message, legacyFormat: false };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
