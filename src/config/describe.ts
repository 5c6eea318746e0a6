/**
 * Words for values and keys in operator-facing messages: what was found ("got …"), and the key
 * that was probably meant when an unknown one is a typo.
 */

import { maskUrlText } from '../util/broker-url.js';

/** Keys whose values are never echoed back (a message may end up in a log or a ticket). */
const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|credential|private_?key/i;

export function isSecretKey(key: string | number | undefined): boolean {
  return typeof key === 'string' && SECRET_KEY.test(key);
}

const MAX_SHOWN = 80;

/** A short rendering of a value for `(got …)`; secret values are never shown. */
export function describeValue(value: unknown, options: { secret?: boolean } = {}): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (options.secret) return `a ${Array.isArray(value) ? 'list' : typeof value}, not shown`;
  if (typeof value === 'string') {
    // A URL's password (`amqp://u:pw@h` where a list or a mapping was expected) is masked, and any
    // other text with an '@' in it is not shown at all: it may be credentials.
    const masked = value.includes('@') ? maskUrlText(value) : value;
    const shown = masked.length > MAX_SHOWN ? `${masked.slice(0, MAX_SHOWN)}…` : masked;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return `a date (${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()}; quote it)`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** The candidate an operator most likely meant, if any is close enough to be a typo. */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerated = key.length <= 4 ? 1 : 2;
  return bestDistance <= tolerated ? best : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) from one word to the other. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
