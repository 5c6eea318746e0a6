/**
 * How JSON values look to the Python peers: the bytes of `json.dumps`, `str()`, `repr()`, type
 * names and truthiness.
 *
 * Python's exact `json.dumps` form (", " and ": " separators, `\uXXXX` for every non-ASCII
 * character) is not needed for Python to read us — messages are written natively (json-text.ts) —
 * but it is kept where the text itself is compared or shown: a failure's JSON text (what a Python
 * server would send), and the identity texts the agent writes as Cyborg's drivers do. The other
 * helpers reproduce the text of Python's own error messages (`TypeError`, `ValueError`, …) that
 * oslo servers send, so Python callers see exactly what they would from a Python peer.
 */

/** Python `json.dumps(value)` with its defaults (ensure_ascii, allow_nan); bigint as an integer. */
export function pythonJsonDumps(value: unknown): string {
  const out = dumpValue(value, new Set());
  if (out === undefined) throw new TypeError(`a ${typeof value} is not JSON serializable`);
  return out;
}

function dumpValue(value: unknown, ancestors: Set<object>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return dumpNumber(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  const obj = value as object;
  const withToJson = obj as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return dumpValue(withToJson.toJSON(), ancestors);
  if (ancestors.has(obj)) throw new TypeError('Circular reference detected');
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      if (obj.length === 0) return '[]';
      return `[${obj.map((item) => dumpValue(item, ancestors) ?? 'null').join(', ')}]`;
    }
    const parts: string[] = [];
    for (const [key, item] of Object.entries(obj)) {
      const dumped = dumpValue(item, ancestors);
      if (dumped !== undefined) parts.push(`${quote(key)}: ${dumped}`);
    }
    return parts.length === 0 ? '{}' : `{${parts.join(', ')}}`;
  } finally {
    ancestors.delete(obj);
  }
}

function dumpNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

/** Printable ASCII other than `"` and `\`: what most strings are, written as they are. */
const PLAIN_ASCII = /^[ !#-[\]-~]*$/;
/** What ensure_ascii escapes beyond JSON's own escapes: DEL and every non-ASCII UTF-16 unit. */
const BEYOND_ASCII = /[\u007f-\uffff]/g;

function unicodeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * A JSON string literal as Python writes it with ensure_ascii: only printable ASCII stays.
 * `JSON.stringify` already escapes `"`, `\` and control characters exactly as Python does (`\b`
 * `\f` `\n` `\r` `\t`, else `\u00xx` in lower case); what it leaves, DEL and beyond, is escaped
 * per UTF-16 unit, which is Python's surrogate-pair form for characters outside the BMP. Both steps
 * run natively.
 */
function quote(text: string): string {
  if (PLAIN_ASCII.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(BEYOND_ASCII, unicodeEscape);
}

/** Python's type name of a value decoded from JSON (`NoneType`, `int`, `list`, …). */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** Python truthiness of a decoded JSON value (`None`, `False`, `0`, `""`, `[]`, `{}` are false). */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (typeof value === 'bigint') return value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Python `repr()` of a decoded JSON value. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return dumpNumber(value).replace('Infinity', 'inf').replace('NaN', 'nan');
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return (
      '{' +
      Object.entries(value)
        .map(([k, v]) => `${reprString(k)}: ${pythonRepr(v)}`)
        .join(', ') +
      '}'
    );
  }
  return String(value);
}

/** Python `str()` of a decoded JSON value: strings as they are, everything else as `repr()`. */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

function reprString(text: string): string {
  const useDouble = text.includes("'") && !text.includes('"');
  const delimiter = useDouble ? '"' : "'";
  let out = delimiter;
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === delimiter) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + delimiter;
}

/**
 * Python `int(text)` for a string, as `str.split` parts are parsed in oslo's version check.
 * Returns undefined where Python raises `ValueError: invalid literal for int() with base 10`.
 */
export function pythonIntOfString(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(trimmed)) return undefined;
  return Number(trimmed.replace(/_/g, ''));
}

/** Python `int(value)` for a decoded JSON value (numbers truncate); undefined where Python raises. */
export function pythonInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return pythonIntOfString(value);
  return undefined;
}
