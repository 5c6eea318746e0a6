/**
 * Compact JSON text the way SPDK's writer produces it: no whitespace, members in insertion order,
 * integers of any size as bare literals (uint64 counters arrive as `bigint`), and pre-rendered
 * fragments spliced in verbatim (`RawJson`): the simulator caches each bdev's JSON so a 10,000-bdev
 * listing is a join, and a few real SPDK replies are not valid JSON objects (a duplicate key) and
 * can only be reproduced as raw text.
 */

/** JSON text inserted verbatim into a reply. The creator guarantees it is well-formed. */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * Serialises `value`. Object members whose value is `undefined` are left out, as SPDK leaves out
 * optional fields; `undefined` elsewhere becomes `null`.
 */
export function toJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // SPDK never writes NaN or infinities; a bug here must not produce invalid JSON.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof RawJson) return value.text;
      if (Array.isArray(value)) return arrayJson(value);
      return objectJson(value as Record<string, unknown>);
    default:
      return 'null';
  }
}

function arrayJson(items: readonly unknown[]): string {
  if (items.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += toJson(items[i]);
  }
  return `${out}]`;
}

function objectJson(obj: Record<string, unknown>): string {
  let out = '{';
  let first = true;
  for (const key of Object.keys(obj)) {
    const member = obj[key];
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${toJson(member)}`;
  }
  return `${out}}`;
}
