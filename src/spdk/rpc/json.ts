/**
 * JSON with exact 64-bit integers.
 *
 * SPDK reports uint64 counters (`ticks`, cumulative latency ticks, byte counters) that pass 2^53
 * on a long-running host; `JSON.parse` silently rounds them. Here an integer literal beyond
 * `Number.MAX_SAFE_INTEGER` decodes as a `bigint`, every other number as a `number`, so small
 * values stay cheap and large ones stay exact.
 *
 * Decoding takes the scanner's list of long integer literals (`ScannedValue.longIntegers`):
 * - none (the usual case): plain `JSON.parse`;
 * - some: each unsafe literal is rewritten into a marker string of the same length, the text goes
 *   through `JSON.parse` once, and one walk turns the markers into `bigint`s. The marker starts
 *   with a control character whose `\u00XX` escape does not occur in the bytes, so no string from
 *   the target can be mistaken for one (a control character inside a JSON string can only come
 *   from an escape). If every candidate occurs, a small exact parser does the work instead.
 */
import { exactJsonText } from '../../util/exact-json.js';
import { JsonStreamScanner } from './json-scanner.js';

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER); // '9007199254740991', 16 digits

/**
 * Decodes one JSON value whose long integer literals (16+ digits) sit at the given [start, end)
 * byte offsets (`null` when there are none). Throws `SyntaxError` on invalid JSON.
 */
export function decodeJson(bytes: Buffer, longIntegers: readonly number[] | null): unknown {
  if (longIntegers === null) return JSON.parse(bytes.toString('utf8'));
  const unsafe: number[] = [];
  for (let i = 0; i < longIntegers.length; i += 2) {
    const start = longIntegers[i]!;
    const end = longIntegers[i + 1]!;
    if (isUnsafeIntegerLiteral(bytes, start, end)) unsafe.push(start, end);
  }
  if (unsafe.length === 0) return JSON.parse(bytes.toString('utf8'));
  const marker = pickMarker(bytes);
  if (marker === null) return parseJsonExact(bytes.toString('utf8'));
  return decodeWithMarkers(bytes, unsafe, marker);
}

/**
 * Parses a complete JSON text exactly (big integers as `bigint`): for text that did not come
 * through a stream scanner, such as a command-line argument. Throws `SyntaxError` naming the problem.
 */
export function parseJsonText(text: string): unknown {
  const bytes = Buffer.from(text, 'utf8');
  const scanner = new JsonStreamScanner({ scalarEndsAtChunkEnd: true });
  const results = scanner.push(bytes);
  const first = results[0];
  if (first === undefined) throw new SyntaxError(text.trim() === '' ? 'no JSON value' : 'unexpected end of JSON input');
  if (first.kind === 'error') throw new SyntaxError(`${first.reason} (near: ${first.excerpt})`);
  if (results.length > 1 || scanner.buffered > 0) throw new SyntaxError('unexpected text after the JSON value');
  return decodeJson(first.bytes, first.longIntegers);
}

/**
 * `JSON.stringify` that writes a `bigint` as a bare integer literal (so uint64 values round-trip).
 * Same output as `JSON.stringify` otherwise; `indent` as its third argument. Throws `TypeError`
 * on a circular structure. A top-level `undefined` or function gives `null`.
 */
export function stringifyJson(value: unknown, indent?: number | string): string {
  return exactJsonText(value, indent === undefined ? {} : { indent }) ?? 'null';
}

// ---------------------------------------------------------------------------------------------
// Decoding helpers

/** Whether bytes[start, end) is a valid JSON integer literal outside the safe integer range. */
function isUnsafeIntegerLiteral(bytes: Buffer, start: number, end: number): boolean {
  let i = start;
  if (bytes[i] === 0x2d) i++; // '-'
  const digits = end - i;
  if (digits <= 0) return false;
  if (bytes[i] === 0x30 && digits > 1) return false; // leading zero: invalid, let JSON.parse say so
  for (let j = i; j < end; j++) {
    const c = bytes[j]!;
    if (c < 0x30 || c > 0x39) return false;
  }
  if (digits !== MAX_SAFE_DIGITS.length) return digits > MAX_SAFE_DIGITS.length;
  return bytes.toString('latin1', i, end) > MAX_SAFE_DIGITS;
}

/** Control characters usable as a marker: those JSON can only write as `\u00XX`. */
const MARKER_CANDIDATES: number[] = [];
for (let c = 0; c < 0x20; c++) if (c !== 0x08 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) MARKER_CANDIDATES.push(c);

/** A control character that no string in `bytes` can contain, or null. */
function pickMarker(bytes: Buffer): number | null {
  for (const c of MARKER_CANDIDATES) {
    const hex = c.toString(16).padStart(2, '0');
    if (bytes.indexOf(`\\u00${hex}`) >= 0) continue;
    if (hex !== hex.toUpperCase() && bytes.indexOf(`\\u00${hex.toUpperCase()}`) >= 0) continue;
    return c;
  }
  return null;
}

/**
 * Rewrites each unsafe literal, in a copy of the bytes, into a marker string of exactly the same
 * length (`"\u00XX<index>"`, index zero-padded), so byte offsets stay put and the text is decoded
 * once. The literal's digits are kept aside and become a `bigint` when the walk meets its marker.
 */
function decodeWithMarkers(bytes: Buffer, unsafe: number[], marker: number): unknown {
  const copy = Buffer.allocUnsafe(bytes.length);
  bytes.copy(copy);
  // latin1: one char per byte, so byte offsets index the string.
  const original = bytes.toString('latin1');
  const literals: string[] = new Array<string>(unsafe.length / 2);
  const hexHigh = HEX.charCodeAt(marker >> 4);
  const hexLow = HEX.charCodeAt(marker & 0xf);
  for (let i = 0, index = 0; i < unsafe.length; i += 2, index++) {
    const start = unsafe[i]!;
    const end = unsafe[i + 1]!;
    literals[index] = original.slice(start, end);
    // '"' '\' 'u' '0' '0' hex hex, the index in the remaining width (16+ bytes leave 8+ digits), '"'
    copy[start] = 0x22;
    copy[start + 1] = 0x5c;
    copy[start + 2] = 0x75;
    copy[start + 3] = 0x30;
    copy[start + 4] = 0x30;
    copy[start + 5] = hexHigh;
    copy[start + 6] = hexLow;
    let rest = index;
    for (let j = end - 2; j >= start + 7; j--) {
      copy[j] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    if (rest !== 0) return parseJsonExact(bytes.toString('utf8')); // more literals than digits to number them
    copy[end - 1] = 0x22;
  }
  const parsed: unknown = JSON.parse(copy.toString('utf8'));
  return new MarkerReviver(marker, literals).revive(parsed);
}

const HEX = '0123456789abcdef';

/** Walks a parsed tree once, replacing marker strings by `bigint`s; stops when all are found. */
class MarkerReviver {
  private remaining: number;

  constructor(
    private readonly marker: number,
    private readonly literals: string[],
  ) {
    this.remaining = literals.length;
  }

  revive(value: unknown): unknown {
    if (typeof value === 'string') return this.isMarker(value) ? this.take(value) : value;
    if (value !== null && typeof value === 'object') this.walk(value as Record<string, unknown> | unknown[]);
    return value;
  }

  private isMarker(s: string): boolean {
    return s.length > 1 && s.charCodeAt(0) === this.marker;
  }

  private take(s: string): bigint {
    let index = 0;
    for (let i = 1; i < s.length; i++) index = index * 10 + (s.charCodeAt(i) - 0x30);
    this.remaining--;
    return BigInt(this.literals[index]!);
  }

  private walk(node: Record<string, unknown> | unknown[]): void {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length && this.remaining > 0; i++) {
        const v = node[i];
        if (typeof v === 'string') {
          if (this.isMarker(v)) node[i] = this.take(v);
        } else if (v !== null && typeof v === 'object') this.walk(v as Record<string, unknown> | unknown[]);
      }
      return;
    }
    for (const key in node) {
      if (this.remaining === 0) return;
      const v = node[key];
      if (typeof v === 'string') {
        if (this.isMarker(v)) node[key] = this.take(v);
      } else if (v !== null && typeof v === 'object') this.walk(v as Record<string, unknown> | unknown[]);
    }
  }
}

/**
 * A plain recursive-descent JSON parser with exact integers. Only used when no marker is free
 * (a reply holding 27 different control-character escapes); slower than `JSON.parse`, but exact.
 * Exported for tests.
 */
export function parseJsonExact(text: string): unknown {
  return new ExactParser(text).parseDocument();
}

/** Deeper than the client's scanner lets through, shallow enough for the call stack. */
const MAX_EXACT_DEPTH = 1000;
const NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings; the pattern must name them.
const STRING_PATTERN = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class ExactParser {
  private at = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.at !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private parseValue(depth: number): unknown {
    if (depth > MAX_EXACT_DEPTH) this.fail('nesting too deep');
    this.skipWhitespace();
    const c = this.text.charCodeAt(this.at);
    if (c === 0x7b) return this.parseObject(depth);
    if (c === 0x5b) return this.parseArray(depth);
    if (c === 0x22) return this.parseString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail('unexpected character');
  }

  private parseObject(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.at++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) !== 0x22) this.fail('expected a member name');
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) !== 0x3a) this.fail("expected ':'");
      this.at++;
      // defineProperty: a member named "__proto__" stays a member, as with JSON.parse.
      Object.defineProperty(out, key, { value: this.parseValue(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) this.fail("expected ',' or '}'", -1);
    }
  }

  private parseArray(depth: number): unknown[] {
    const out: unknown[] = [];
    this.at++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) this.fail("expected ',' or ']'", -1);
    }
  }

  private parseString(): string {
    STRING_PATTERN.lastIndex = this.at;
    const m = STRING_PATTERN.exec(this.text);
    if (m === null) return this.fail('invalid string');
    this.at += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  private parseNumber(): number | bigint {
    NUMBER_PATTERN.lastIndex = this.at;
    const m = NUMBER_PATTERN.exec(this.text);
    if (m === null) return this.fail('invalid number');
    this.at += m[0].length;
    const isInteger = m[1] === undefined && m[2] === undefined;
    const n = Number(m[0]);
    return isInteger && !Number.isSafeInteger(n) ? BigInt(m[0]) : n;
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  private fail(reason: string, shift = 0): never {
    throw new SyntaxError(`${reason} at position ${this.at + shift}`);
  }
}

const LITERALS: ReadonlyArray<[string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
