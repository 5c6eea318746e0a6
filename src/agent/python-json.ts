/**
 * Python's `json.dumps(value, sort_keys=True)`, byte for byte: keys in code-point order, `", "` and
 * `": "` separators, every non-ASCII character as `\uXXXX`.
 *
 * Why it matters: the conductor compares `cpid_info` and `attach_info` as strings from one report
 * to the next (contract §3.3); the in-tree Cyborg drivers write them with this exact form
 * (`pci_str_to_json`), so writing the same bytes keeps a device's identity the same whether it was
 * reported by a Python driver or by this agent, and from one agent version to the next.
 *
 * Only JSON data is accepted (strings, finite numbers, booleans, null, arrays, plain objects):
 * these texts are identities, and anything else has no single Python rendering.
 */
import { pythonJsonDumps } from '../bus/index.js';

export function pythonSortedJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return pythonJsonDumps(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
    return pythonJsonDumps(value);
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[${value.map((item) => pythonSortedJson(item)).join(', ')}]`;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    // Written from a sorted key list, not from a rebuilt object: JS orders integer-like keys
    // numerically ("9" before "10"), Python's sort_keys does not.
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort(compareCodePoints);
    if (keys.length === 0) return '{}';
    return `{${keys.map((key) => `${pythonJsonDumps(key)}: ${pythonSortedJson(record[key])}`).join(', ')}}`;
  }
  throw new TypeError(`a ${typeof value} is not JSON data`);
}

/** Python's `str` ordering (by code point); JS's default sort compares UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
