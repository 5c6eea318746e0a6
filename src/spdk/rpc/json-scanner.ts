/**
 * Finds where each top-level JSON value ends in a byte stream: one pass over every byte, resumable
 * across chunks, so a multi-megabyte reply split over hundreds of reads costs the same as one read
 * (SPDK's `rpc.py` re-parses its whole buffer after every 4 KiB read and goes quadratic).
 *
 * SPDK frames nothing: both sides write JSON values back to back. Replies happen to end in `\n`, but
 * nothing promises it, so the boundary is found from the grammar, not the newline. The scanner checks
 * the grammar only as far as boundaries need (containers, strings, where a value may start); number
 * and literal spelling is left to `JSON.parse`, which runs once per complete value.
 *
 * Besides the boundary it collects, per value, what its two users need:
 * - the JSON-RPC client: the offsets of integer literals too long to be exact as a `number`
 *   (uint64 counters such as `ticks`), so the decoder can keep them exact;
 * - the SPDK simulator: SPDK's count of JSON values (its 1024-value request limit), the nesting
 *   depth (64), and the raw spans of a top-level object's members (SPDK echoes the `id` verbatim).
 *
 * One known SPDK bug gets a recovery: a successful notification makes SPDK (≤ v26.01) write a reply
 * with no closing brace and no newline, so the next reply starts inside it. A `{` where a `,` or `}`
 * was due can only mean that, so the unfinished value is dropped and reported, and scanning restarts
 * at the `{`. Any other grammar error is fatal for the stream: the scanner stops until `reset()`.
 */

export interface TopLevelMember {
  /** Offsets into `ScannedValue.bytes`: the key including its quotes, and the raw value. */
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface ScannedValue {
  kind: 'value';
  /** The value's bytes, without surrounding whitespace. */
  bytes: Buffer;
  /** [start, end) byte offsets of integer literals of 16 or more digits; null when there are none. */
  longIntegers: number[] | null;
  /** SPDK's count of JSON values: each scalar, object/array start and end, and each member name. */
  values: number;
  /** Deepest nesting reached. */
  depth: number;
  /** Raw member spans when the value is an object and `recordMembers` is on. */
  members?: TopLevelMember[];
}

export interface ScanError {
  kind: 'error';
  /** false: the stream cannot be trusted any more; the scanner ignores input until `reset()`. */
  recoverable: boolean;
  reason: string;
  /** Up to 200 bytes of the value that failed, for a log line an operator can read. */
  excerpt: string;
}

export type ScanResult = ScannedValue | ScanError;

export interface ScannerOptions {
  /** Nesting deeper than this is an error (SPDK: 64). Default 512. */
  maxDepth?: number;
  /** More JSON values than this in one top-level value is an error (SPDK: 1024). Default unlimited. */
  maxValues?: number;
  /** Record the raw spans of a top-level object's members. */
  recordMembers?: boolean;
  /**
   * A top-level number or literal that reaches the end of a chunk is complete (what SPDK's server does
   * with a request `42`). Off for a client: a number could continue in the next read.
   */
  scalarEndsAtChunkEnd?: boolean;
}

// Grammar states.
const VALUE = 0; // a value must start here (top level, after ':' or ',' in an array)
const VALUE_OR_CLOSE = 1; // just after '['
const KEY_OR_CLOSE = 2; // just after '{'
const KEY = 3; // after ',' in an object
const COLON = 4;
const COMMA_OR_CLOSE = 5; // after a member value or an array element
const STRING = 6;
const STRING_ESCAPE = 7;
const NUMBER = 8;
const LITERAL = 9;
const DEAD = 10;

const OBJECT = 1;
const ARRAY = 2;

const EXCERPT = 200;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isScalarByte(c: number): boolean {
  // digits, '-', '+', '.', 'e', 'E', and letters of true/false/null
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || (c >= 0x61 && c <= 0x7a) || c === 0x45;
}

export class JsonStreamScanner {
  private readonly maxDepth: number;
  private readonly maxValues: number;
  private readonly recordMembers: boolean;
  private readonly scalarEndsAtChunkEnd: boolean;

  private state = VALUE;
  private stringIsKey = false;
  private readonly stack: Uint8Array;
  private depth = 0;
  private deepest = 0;
  private values = 0;

  /** Parts of the current value from earlier chunks. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Whether a value has started (its first byte was seen). */
  private inValue = false;

  // Current number token.
  private numberStart = 0;
  private numberDigits = 0;
  private numberIsInteger = true;
  private longIntegers: number[] | null = null;

  // Top-level member recording.
  private members: TopLevelMember[] | null = null;
  private memberKeyStart = 0;
  private memberKeyEnd = 0;
  private memberValueStart = -1;

  constructor(options: ScannerOptions = {}) {
    this.maxDepth = options.maxDepth ?? 512;
    this.maxValues = options.maxValues ?? Number.POSITIVE_INFINITY;
    this.recordMembers = options.recordMembers ?? false;
    this.scalarEndsAtChunkEnd = options.scalarEndsAtChunkEnd ?? false;
    this.stack = new Uint8Array(this.maxDepth + 1);
  }

  /** Bytes held for a value that has not ended yet. */
  get buffered(): number {
    return this.partsLength;
  }

  /** Whether the scanner stopped on a fatal error and waits for `reset()`. */
  get dead(): boolean {
    return this.state === DEAD;
  }

  /** Forgets everything: for a new connection. */
  reset(): void {
    this.state = VALUE;
    this.depth = 0;
    this.clearValue();
  }

  private clearValue(): void {
    this.parts = [];
    this.partsLength = 0;
    this.inValue = false;
    this.values = 0;
    this.deepest = 0;
    this.longIntegers = null;
    this.members = null;
    this.memberValueStart = -1;
  }

  /**
   * Scans one chunk. Returns the values that ended in it (and errors), in stream order. The chunk's
   * memory is referenced by the returned values, not copied: do not reuse it.
   */
  push(chunk: Buffer): ScanResult[] {
    const out: ScanResult[] = [];
    if (this.state === DEAD) return out;
    const n = chunk.length;
    // Offset in `chunk` where the current value started (0 when it started in an earlier chunk).
    let start = 0;
    let i = 0;
    // Offset of chunk[0] relative to the current value's first byte.
    let base = this.partsLength;

    while (i < n) {
      const state = this.state;

      if (state === STRING) {
        // Hot loop: most bytes of an SPDK reply are inside strings. (A native indexOf per string was
        // measured: no faster, SPDK's strings are short.)
        while (i < n) {
          const c = chunk[i]!;
          if (c === 0x22 || c === 0x5c) break;
          i++;
        }
        if (i === n) break;
        if (chunk[i] === 0x5c) {
          this.state = STRING_ESCAPE;
          i++;
          continue;
        }
        // closing quote
        i++;
        if (this.stringIsKey) {
          if (this.recordMembers && this.depth === 1) this.memberKeyEnd = base + i;
          this.state = COLON;
        } else {
          this.endScalar(base + i);
          if (this.depth === 0) {
            out.push(this.finish(chunk, start, i));
            start = i;
            base = -i;
          }
        }
        continue;
      }

      if (state === STRING_ESCAPE) {
        // The byte after a backslash never ends a string; \uXXXX digits cannot be '"' or '\'.
        this.state = STRING;
        i++;
        continue;
      }

      const c = chunk[i]!;

      if (state === NUMBER || state === LITERAL) {
        if (isScalarByte(c)) {
          if (state === NUMBER) {
            if (c >= 0x30 && c <= 0x39) this.numberDigits++;
            else if (c === 0x2e || c === 0x65 || c === 0x45) this.numberIsInteger = false;
          }
          i++;
          continue;
        }
        this.endNumberToken(base + i);
        this.endScalar(base + i);
        if (this.depth === 0) {
          out.push(this.finish(chunk, start, i));
          start = i;
          base = -i;
        }
        continue; // the delimiter is read in the new state
      }

      if (isWhitespace(c)) {
        if (!this.inValue) start = i + 1;
        i++;
        continue;
      }

      switch (state) {
        case VALUE:
        case VALUE_OR_CLOSE:
          if (state === VALUE_OR_CLOSE && c === 0x5d) {
            this.close(ARRAY, base + i + 1);
            i++;
            if (this.depth === 0) {
              out.push(this.finish(chunk, start, i));
              start = i;
              base = -i;
            }
            continue;
          }
          if (!this.inValue) {
            this.inValue = true;
            start = i;
            base = -i;
          }
          {
            const problem = this.beginValue(c, base + i);
            if (problem !== null) {
              out.push(this.fail(chunk, start, i, problem));
              return out;
            }
          }
          i++;
          continue;

        case KEY_OR_CLOSE:
        case KEY:
          if (c === 0x22) {
            this.count();
            this.state = STRING;
            this.stringIsKey = true;
            if (this.recordMembers && this.depth === 1) this.memberKeyStart = base + i;
            i++;
            continue;
          }
          if (state === KEY_OR_CLOSE && c === 0x7d) {
            this.close(OBJECT, base + i + 1);
            i++;
            if (this.depth === 0) {
              out.push(this.finish(chunk, start, i));
              start = i;
              base = -i;
            }
            continue;
          }
          return this.grammarError(out, chunk, start, i, c, 'a member name');

        case COLON:
          if (c === 0x3a) {
            this.state = VALUE;
            i++;
            continue;
          }
          return this.grammarError(out, chunk, start, i, c, "':'");

        case COMMA_OR_CLOSE: {
          const container = this.stack[this.depth]!;
          if (c === 0x2c) {
            this.state = container === OBJECT ? KEY : VALUE;
            i++;
            continue;
          }
          if ((container === OBJECT && c === 0x7d) || (container === ARRAY && c === 0x5d)) {
            this.close(container, base + i + 1);
            i++;
            if (this.depth === 0) {
              out.push(this.finish(chunk, start, i));
              start = i;
              base = -i;
            }
            continue;
          }
          return this.grammarError(out, chunk, start, i, c, container === OBJECT ? "',' or '}'" : "',' or ']'");
        }

        default:
          return out;
      }
    }

    // End of chunk.
    if ((this.state === NUMBER || this.state === LITERAL) && this.depth === 0 && this.scalarEndsAtChunkEnd) {
      this.endNumberToken(base + n);
      this.endScalar(base + n);
      out.push(this.finish(chunk, start, n));
      return out;
    }
    if (this.inValue && start < n) {
      const rest = chunk.subarray(start, n);
      this.parts.push(rest);
      this.partsLength += rest.length;
    }
    return out;
  }

  /** A value starts with byte c at value-relative offset `at`; returns why it cannot, or null. */
  private beginValue(c: number, at: number): string | null {
    if (this.recordMembers && this.depth === 1 && this.memberValueStart < 0) this.memberValueStart = at;
    switch (c) {
      case 0x7b: // {
        return this.open(OBJECT, KEY_OR_CLOSE);
      case 0x5b: // [
        return this.open(ARRAY, VALUE_OR_CLOSE);
      case 0x22: // "
        this.count();
        this.state = STRING;
        this.stringIsKey = false;
        return null;
      case 0x74: // t
      case 0x66: // f
      case 0x6e: // n
        this.count();
        this.state = LITERAL;
        return null;
      default:
        if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
          this.count();
          this.state = NUMBER;
          this.numberStart = at;
          this.numberDigits = c === 0x2d ? 0 : 1;
          this.numberIsInteger = true;
          return null;
        }
        return `unexpected byte ${describe(c)} where a JSON value must start`;
    }
  }

  private open(container: number, next: number): string | null {
    this.count();
    if (this.depth >= this.maxDepth) return `nesting deeper than ${this.maxDepth} levels`;
    this.depth++;
    if (this.depth > this.deepest) this.deepest = this.depth;
    this.stack[this.depth] = container;
    this.state = next;
    if (this.recordMembers && this.depth === 1 && container === OBJECT) this.members = [];
    return null;
  }

  private close(_container: number, endAt: number): void {
    this.count();
    this.depth--;
    this.endScalar(endAt);
  }

  /** A value (scalar or container) ended at value-relative offset `endAt`. */
  private endScalar(endAt: number): void {
    if (this.depth === 0) {
      this.state = VALUE;
      return;
    }
    this.state = COMMA_OR_CLOSE;
    if (this.depth === 1 && this.members !== null && this.memberValueStart >= 0) {
      this.members.push({
        keyStart: this.memberKeyStart,
        keyEnd: this.memberKeyEnd,
        valueStart: this.memberValueStart,
        valueEnd: endAt,
      });
      this.memberValueStart = -1;
    }
  }

  private endNumberToken(endAt: number): void {
    if (this.state === NUMBER && this.numberIsInteger && this.numberDigits >= 16) {
      this.longIntegers ??= [];
      this.longIntegers.push(this.numberStart, endAt);
    }
  }

  private count(): void {
    this.values++;
  }

  private finish(chunk: Buffer, start: number, end: number): ScanResult {
    const tail = chunk.subarray(start, end);
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail], this.partsLength + tail.length);
    if (this.values > this.maxValues) {
      const error: ScanError = {
        kind: 'error',
        recoverable: true,
        reason: `request holds ${this.values} JSON values, over the limit of ${this.maxValues}`,
        excerpt: excerpt(bytes),
      };
      this.clearValue();
      return error;
    }
    const value: ScannedValue = {
      kind: 'value',
      bytes,
      longIntegers: this.longIntegers,
      values: this.values,
      depth: this.deepest,
    };
    if (this.members !== null) value.members = this.members;
    this.clearValue();
    return value;
  }

  private grammarError(out: ScanResult[], chunk: Buffer, start: number, i: number, c: number, expected: string): ScanResult[] {
    const reason = `unexpected byte ${describe(c)} where ${expected} was due`;
    if (c === 0x7b && this.depth > 0) {
      // SPDK's broken notification reply: drop the unfinished value and start again at this '{'.
      const dropped = this.parts.length === 0 ? chunk.subarray(start, i) : Buffer.concat([...this.parts, chunk.subarray(start, i)]);
      out.push({ kind: 'error', recoverable: true, reason: `${reason}: an unfinished reply was dropped`, excerpt: excerpt(dropped) });
      this.depth = 0;
      this.state = VALUE;
      this.clearValue();
      return out.concat(this.push(chunk.subarray(i)));
    }
    out.push(this.fail(chunk, start, i, reason));
    return out;
  }

  private fail(chunk: Buffer, start: number, i: number, reason: string): ScanError {
    const seen = this.parts.length === 0 ? chunk.subarray(start, i + 1) : Buffer.concat([...this.parts, chunk.subarray(start, i + 1)]);
    this.state = DEAD;
    this.depth = 0;
    this.clearValue();
    return { kind: 'error', recoverable: false, reason, excerpt: excerpt(seen) };
  }
}

function describe(c: number): string {
  const printable = c >= 0x20 && c < 0x7f ? ` '${String.fromCharCode(c)}'` : '';
  return `0x${c.toString(16).padStart(2, '0')}${printable}`;
}

function excerpt(bytes: Buffer): string {
  const text = bytes.subarray(0, EXCERPT).toString('utf8');
  return bytes.length > EXCERPT ? `${text}…(${bytes.length} bytes)` : text;
}
