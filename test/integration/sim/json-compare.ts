/**
 * Compares a reply of the simulator with the captured reply of real SPDK, structurally: the same
 * members in the same order (duplicates included), the same types, the same values — except values
 * that differ per run (UUIDs, tick counters, busy/idle, latencies), which must only have the right
 * type and, for UUIDs, map one-to-one between capture and simulator across the whole scenario (so
 * the NGUID of a namespace must still be its bdev's UUID). Numbers compare by value, the request id
 * by its raw text (`1.50`, `1e3`). A mismatch names the path and both values.
 */

export type Tree =
  | { kind: 'object'; members: Array<[string, Tree]> }
  | { kind: 'array'; items: Tree[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string }
  | { kind: 'literal'; value: boolean | null };

/** An order- and duplicate-preserving parse (JSON.parse drops repeated member names). */
export function parseTree(text: string): Tree {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i} of ${JSON.stringify(text.slice(0, 120))}`);
  };
  const value = (): Tree => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const members: Array<[string, Tree]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', members };
      }
      for (;;) {
        ws();
        const key = value();
        if (key.kind !== 'string') fail('member name expected');
        ws();
        if (text[i++] !== ':') fail("':' expected");
        members.push([(key as { value: string }).value, value()]);
        ws();
        const d = text[i++];
        if (d === '}') return { kind: 'object', members };
        if (d !== ',') fail("',' or '}' expected");
      }
    }
    if (c === '[') {
      i++;
      const items: Tree[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(value());
        ws();
        const d = text[i++];
        if (d === ']') return { kind: 'array', items };
        if (d !== ',') fail("',' or ']' expected");
      }
    }
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      return { kind: 'string', value: JSON.parse(text.slice(start, i)) as string };
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m) {
      i += m[0].length;
      return { kind: 'number', raw: m[0] };
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { kind: 'literal', value: v };
      }
    }
    return fail('value expected');
  };
  const out = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return out;
}

/** Keys whose numeric values differ on every run. */
const VOLATILE_NUMBERS = new Set([
  'ticks',
  'tick_rate',
  'busy',
  'idle',
  'elapsed',
  'read_latency_ticks',
  'max_read_latency_ticks',
  'min_read_latency_ticks',
  'write_latency_ticks',
  'max_write_latency_ticks',
  'min_write_latency_ticks',
  'unmap_latency_ticks',
  'max_unmap_latency_ticks',
  'min_unmap_latency_ticks',
  'copy_latency_ticks',
  'max_copy_latency_ticks',
  'min_copy_latency_ticks',
  'tid',
  'pid',
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NGUID = /^[0-9A-F]{32}$/;

function nguidToUuid(n: string): string {
  const s = n.toLowerCase();
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** The capture↔simulator UUID correspondence of one scenario. */
export class UuidMap {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();

  /** A UUID the client chose (it appears in a request): it must come back unchanged. */
  pin(uuid: string): void {
    const u = uuid.toLowerCase();
    this.forward.set(u, u);
    this.backward.set(u, u);
  }

  /** Records or checks expected↔actual; returns a problem or null. */
  match(expected: string, actual: string): string | null {
    const known = this.forward.get(expected);
    if (known !== undefined) return known === actual ? null : `UUID ${expected} was ${known} earlier in this scenario, now ${actual}`;
    const other = this.backward.get(actual);
    if (other !== undefined) return `simulator UUID ${actual} already stands for ${other}, not ${expected}`;
    this.forward.set(expected, actual);
    this.backward.set(actual, expected);
    return null;
  }
}

export interface CompareOptions {
  uuids: UuidMap;
  /** Rewrites simulator strings before comparison (e.g. its vhost socket directory). */
  rewrite?: (s: string) => string;
}

export function compareReplies(expectedText: string, actualText: string, options: CompareOptions): string[] {
  let expected: Tree;
  let actual: Tree;
  try {
    expected = parseTree(expectedText);
  } catch (e) {
    return [`capture does not parse: ${(e as Error).message}`];
  }
  try {
    actual = parseTree(actualText);
  } catch (e) {
    return [`simulator reply does not parse: ${(e as Error).message}\n  reply: ${actualText.slice(0, 300)}`];
  }
  const problems: string[] = [];
  walk('$', expected, actual, options, problems);
  return problems;
}

function show(t: Tree): string {
  switch (t.kind) {
    case 'string':
      return JSON.stringify(t.value);
    case 'number':
      return t.raw;
    case 'literal':
      return String(t.value);
    case 'array':
      return `[… ${t.items.length} items]`;
    case 'object':
      return `{${t.members.map(([k]) => k).join(',')}}`;
  }
}

function walk(where: string, e: Tree, a: Tree, o: CompareOptions, out: string[]): void {
  if (e.kind !== a.kind) {
    out.push(`${where}: expected ${e.kind} ${show(e)}, simulator has ${a.kind} ${show(a)}`);
    return;
  }
  const key = where.slice(where.lastIndexOf('.') + 1);
  switch (e.kind) {
    case 'object': {
      const am = (a as typeof e).members;
      const ek = e.members.map(([k]) => k).join(',');
      const ak = am.map(([k]) => k).join(',');
      if (ek !== ak) {
        out.push(`${where}: members differ\n    expected: ${ek}\n    simulator: ${ak}`);
        return;
      }
      e.members.forEach(([k, v], i) => {
        walk(`${where}.${k}`, v, am[i]![1], o, out);
      });
      return;
    }
    case 'array': {
      const ai = (a as typeof e).items;
      if (e.items.length !== ai.length) {
        out.push(`${where}: expected ${e.items.length} items, simulator has ${ai.length}`);
        return;
      }
      e.items.forEach((v, i) => {
        walk(`${where}[${i}]`, v, ai[i]!, o, out);
      });
      return;
    }
    case 'string': {
      const ev = e.value;
      const av = o.rewrite ? o.rewrite((a as typeof e).value) : (a as typeof e).value;
      if (ev === av) return;
      if (UUID.test(ev) && UUID.test(av)) {
        const problem = o.uuids.match(ev, av);
        if (problem) out.push(`${where}: ${problem}`);
        return;
      }
      if (NGUID.test(ev) && NGUID.test(av)) {
        const problem = o.uuids.match(nguidToUuid(ev), nguidToUuid(av));
        if (problem) out.push(`${where}: (as NGUID) ${problem}`);
        return;
      }
      out.push(`${where}: expected ${JSON.stringify(ev)}, simulator has ${JSON.stringify(av)}`);
      return;
    }
    case 'number': {
      const ar = (a as typeof e).raw;
      if (where === '$.id') {
        if (e.raw !== ar) out.push(`${where}: id must be echoed verbatim: expected ${e.raw}, simulator has ${ar}`);
        return;
      }
      if (VOLATILE_NUMBERS.has(key)) return;
      if (Number(e.raw) !== Number(ar)) out.push(`${where}: expected ${e.raw}, simulator has ${ar}`);
      return;
    }
    case 'literal':
      if (e.value !== (a as typeof e).value) out.push(`${where}: expected ${String(e.value)}, simulator has ${String((a as typeof e).value)}`);
      return;
  }
}
