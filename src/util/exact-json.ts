/**
 * JSON text with exact integers: `JSON.stringify`, plus a `bigint` written as a bare integer
 * literal. SPDK's uint64 counters arrive as `bigint` (src/spdk/rpc/json.ts decodes them so); they
 * must leave the same way, to SPDK in a request, to Python's `json` (which reads any integer
 * exactly) in a bus message, and to an operator's terminal.
 *
 * The rules are otherwise `JSON.stringify`'s, because it does the work: `undefined`, functions and
 * symbols are left out of objects and written as `null` in arrays, `toJSON` is honoured, `NaN` and
 * `±Infinity` are written as `null`, a cycle is a `TypeError`, non-ASCII text is written as is.
 *
 * The bigint path runs only when the plain one met a bigint: each bigint is first written as a
 * marker string carrying a random nonce, then the markers are replaced by their digits. A string
 * of the data that happened to look like a marker would make the counts differ; the text is then
 * written again with a fresh nonce, so such a string can never become a number. That count, not
 * the nonce's randomness, is what makes it safe, so `Math.random` serves: `node:crypto` would cost
 * the CLI's `rpc` command ~5 ms to load.
 */

const MARKER_START = '\u0000';
const ATTEMPTS = 3;

export interface ExactJsonOptions {
  /** `JSON.stringify`'s third argument. */
  indent?: number | string;
  /** Makes the markers of the bigint path (tests choose it; the default is random hex). */
  nonce?: () => string;
}

/**
 * The JSON text of `value`, or `undefined` where `JSON.stringify` has none (a top-level
 * `undefined`, function or symbol). Throws `TypeError` on a cycle.
 */
export function exactJsonText(value: unknown, options: ExactJsonOptions = {}): string | undefined {
  try {
    return JSON.stringify(value, null, options.indent);
  } catch (err) {
    if (!isBigIntError(err)) throw err;
  }
  return withExactIntegers(value, options.indent, options.nonce ?? randomNonce);
}

function isBigIntError(err: unknown): boolean {
  return err instanceof TypeError && /BigInt/i.test(err.message);
}

function randomNonce(): string {
  return Math.floor(Math.random() * 2 ** 52).toString(16) + Math.floor(Math.random() * 2 ** 52).toString(16);
}

function withExactIntegers(value: unknown, indent: number | string | undefined, nextNonce: () => string): string | undefined {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const nonce = nextNonce();
    if (!/^[0-9a-f]+$/.test(nonce)) throw new RangeError('a marker nonce is made of lower-case hex digits');
    const prefix = MARKER_START + nonce;
    let written = 0;
    const text = JSON.stringify(
      value,
      (_key, item: unknown) => {
        // A BigInt wrapper object is unwrapped by JSON.stringify after this replacer: do it first.
        const plain = item instanceof BigInt ? item.valueOf() : item;
        if (typeof plain !== 'bigint') return item;
        written++;
        return prefix + plain.toString();
      },
      indent,
    );
    if (text === undefined) return undefined;
    // The marker's control character is written as the escape \u0000 inside a string literal.
    const pattern = new RegExp(`"\\\\u0000${nonce}(-?\\d+)"`, 'g');
    let found = 0;
    const exact = text.replace(pattern, (_match, digits: string) => {
      found++;
      return digits;
    });
    if (found === written) return exact;
  }
  throw new TypeError('the value holds strings that imitate the bigint markers; it cannot be written exactly');
}
