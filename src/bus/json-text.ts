/**
 * The JSON text of a message, written natively (`JSON.stringify`), with one addition: a `bigint`
 * is written as a bare integer literal, so an exact uint64 counter reaches Python's `json` (which
 * reads any integer exactly) as the same number.
 *
 * Why not Python's exact `json.dumps` form: any JSON is accepted by oslo (contract §4.3), and a
 * JavaScript writer of that form costs 8× `JSON.stringify` on a large reply (measured on a 5 MB
 * `report`: 76 ms against 9 ms), run twice per message since the envelope nests the text in a
 * string. The rules are `JSON.stringify`'s: `undefined`, functions and symbols are left out of
 * objects and written as `null` in arrays, `toJSON` is honoured, `NaN` and `±Infinity` (not JSON)
 * are written as `null`, a cycle is a `TypeError`, non-ASCII text is written as UTF-8.
 *
 * The bigint path runs only when the plain one met a bigint: each bigint is first written as a
 * marker string carrying a random nonce, then the markers are replaced by their digits. A string
 * of the data that happened to look like a marker would make the counts differ; the text is then
 * written again with a fresh nonce, so such a string can never become a number.
 */
import { randomBytes } from 'node:crypto';

const MARKER_START = '\u0000';
const ATTEMPTS = 3;

/**
 * The JSON text of `value`; throws `TypeError` when it has none (a cycle, a top-level undefined).
 * `nonce` makes the markers of the bigint path (tests choose it; the default is random).
 */
export function jsonText(value: unknown, nonce: () => string = randomNonce): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    if (!isBigIntError(err)) throw err;
    return withExactIntegers(value, nonce);
  }
  if (text === undefined) throw new TypeError(`a ${typeof value} is not JSON serializable`);
  return text;
}

function isBigIntError(err: unknown): boolean {
  return err instanceof TypeError && /BigInt/i.test(err.message);
}

function randomNonce(): string {
  return randomBytes(8).toString('hex');
}

function withExactIntegers(value: unknown, nextNonce: () => string): string {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const nonce = nextNonce();
    if (!/^[0-9a-f]+$/.test(nonce)) throw new RangeError('a marker nonce is made of lower-case hex digits');
    const prefix = MARKER_START + nonce;
    let written = 0;
    const text = JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item !== 'bigint') return item;
      written++;
      return prefix + item.toString();
    });
    if (text === undefined) throw new TypeError(`a ${typeof value} is not JSON serializable`);
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
