/**
 * The simulator's JSON parser for requests and config files. `JSON.parse` cannot be used: SPDK's
 * strict decoder notices things `JSON.parse` erases, and the simulator must answer as SPDK does:
 * - a repeated member name (SPDK's decoder fails; `JSON.parse` keeps the last one),
 * - a fraction or exponent on a number an integer field expects (`1e3` is rejected for a uint),
 * - integers beyond 2^53 (uint64 fields are exact in SPDK),
 * - an embedded NUL in a string (a parse error in SPDK),
 * and config files may carry comments, which SPDK's config loader accepts.
 *
 * Objects are null-prototype records (a member named `__proto__` is just a member). A repeated name
 * is recorded on the object under `DUPLICATE_MEMBER`, for the decoder to reject.
 */

/** A number written with a fraction or an exponent: integer decoders reject it, as SPDK's do. */
export class JsonFloat {
  constructor(
    readonly value: number,
    readonly raw: string,
  ) {}
}

export const DUPLICATE_MEMBER: unique symbol = Symbol('duplicate JSON member');

export type JsonValue = null | boolean | number | bigint | JsonFloat | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [member: string]: JsonValue;
  [DUPLICATE_MEMBER]?: string;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface ParseOptions {
  /** Accept `/* … *\/` and `// …` comments (SPDK's config loader does; the RPC socket does not). */
  allowComments?: boolean;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonFloat);
}

/** Parses exactly one JSON value (surrounding whitespace allowed). Throws `JsonSyntaxError`. */
export function parseJson(text: string, options: ParseOptions = {}): JsonValue {
  const parser = new Parser(text, options.allowComments ?? false);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos !== text.length) parser.fail('unexpected text after the value');
  return value;
}

const MAX_DEPTH = 512;

class Parser {
  pos = 0;

  constructor(
    private readonly text: string,
    private readonly allowComments: boolean,
  ) {}

  fail(reason: string): never {
    throw new JsonSyntaxError(reason, this.pos);
  }

  skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        this.pos++;
      } else if (c === 0x2f && this.allowComments) {
        this.skipComment();
      } else {
        return;
      }
    }
  }

  private skipComment(): void {
    const t = this.text;
    const next = t.charCodeAt(this.pos + 1);
    if (next === 0x2a) {
      const end = t.indexOf('*/', this.pos + 2);
      if (end < 0) this.fail('unterminated comment');
      this.pos = end + 2;
    } else if (next === 0x2f) {
      const end = t.indexOf('\n', this.pos + 2);
      this.pos = end < 0 ? t.length : end + 1;
    } else {
      this.fail("unexpected '/'");
    }
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b:
        return this.object(depth + 1);
      case 0x5b:
        return this.array(depth + 1);
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character');
    }
  }

  private literal<T extends JsonValue>(word: string, result: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`invalid literal (expected ${word})`);
    this.pos += word.length;
    return result;
  }

  private object(depth: number): JsonObject {
    const obj: JsonObject = Object.create(null) as JsonObject;
    if (this.opensEmpty(0x7d)) return obj;
    do {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a member name');
      const key = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.skipSpace();
      const member = this.value(depth);
      if (key in obj && obj[DUPLICATE_MEMBER] === undefined) obj[DUPLICATE_MEMBER] = key;
      obj[key] = member;
    } while (!this.closes(0x7d, "expected ',' or '}'"));
    return obj;
  }

  private array(depth: number): JsonValue[] {
    const items: JsonValue[] = [];
    if (this.opensEmpty(0x5d)) return items;
    do items.push(this.value(depth));
    while (!this.closes(0x5d, "expected ',' or ']'"));
    return items;
  }

  /** Steps over `{` or `[` and the space after it; true (past `close`) when the container is empty. */
  private opensEmpty(close: number): boolean {
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== close) return false;
    this.pos++;
    return true;
  }

  /** After a member or an item: true past `close`, false past a `,` (and the space after it). */
  private closes(close: number, expected: string): boolean {
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x2c) {
      this.pos++;
      this.skipSpace();
      return false;
    }
    if (c !== close) this.fail(expected);
    this.pos++;
    return true;
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos; // opening quote
    // Fast path: no escapes.
    let i = start;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return t.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20 || Number.isNaN(c)) {
        this.pos = i;
        this.fail(Number.isNaN(c) ? 'unterminated string' : 'control character in a string');
      }
      i++;
    }
    let out = t.slice(start, i);
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out;
      }
      if (Number.isNaN(c)) {
        this.pos = i;
        this.fail('unterminated string');
      }
      if (c < 0x20) {
        this.pos = i;
        this.fail('control character in a string');
      }
      if (c !== 0x5c) {
        out += t[i];
        i++;
        continue;
      }
      const e = t.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const hex = t.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = i;
            this.fail('invalid \\u escape');
          }
          const code = parseInt(hex, 16);
          if (code === 0) {
            this.pos = i;
            this.fail('NUL character in a string');
          }
          out += String.fromCharCode(code);
          i += 4;
          break;
        }
        default:
          this.pos = i - 1;
          this.fail('invalid escape');
      }
    }
  }

  private number(): number | bigint | JsonFloat {
    const t = this.text;
    const start = this.pos;
    let i = start;
    if (t.charCodeAt(i) === 0x2d) i++;
    const firstDigit = t.charCodeAt(i);
    if (firstDigit === 0x30) {
      i++;
    } else if (firstDigit >= 0x31 && firstDigit <= 0x39) {
      while (isDigit(t.charCodeAt(i))) i++;
    } else {
      this.pos = i;
      this.fail('invalid number');
    }
    let integer = true;
    if (t.charCodeAt(i) === 0x2e) {
      integer = false;
      i++;
      if (!isDigit(t.charCodeAt(i))) {
        this.pos = i;
        this.fail('invalid number');
      }
      while (isDigit(t.charCodeAt(i))) i++;
    }
    const e = t.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      i++;
      const sign = t.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!isDigit(t.charCodeAt(i))) {
        this.pos = i;
        this.fail('invalid number');
      }
      while (isDigit(t.charCodeAt(i))) i++;
    }
    this.pos = i;
    const raw = t.slice(start, i);
    if (!integer) return new JsonFloat(Number(raw), raw);
    if (i - start <= 15) return Number(raw);
    const big = BigInt(raw);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
