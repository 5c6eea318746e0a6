/**
 * Configuration sources as layers, and their merge.
 *
 * Each source (the upper-layer file, the agent's YAML, the environment) is turned into a partial
 * config of the final shape plus, for every value it sets, where it was set (file, line, key as
 * the operator wrote it). The merge applies them lowest first; when a higher layer replaces a
 * different value of a lower one, a warning names both places, so nobody wonders why a setting
 * in cyborg.conf "does nothing".
 */
import { isDeepStrictEqual } from 'node:util';
import { describeValue, isSecretKey } from './describe.js';
import { formatKeyPath, type KeyPath } from './key-path.js';

export type SourceKind = 'upper-file' | 'agent-file' | 'environment';

/** Where one value came from. */
export interface Origin {
  source: SourceKind;
  /** The file, or `environment`. */
  file: string;
  line?: number;
  /** The key as written there: `spdk.sourceDir`, `[backend_defaults] spdk_dir`, `SPDK_AGENT_HOST`. */
  key: string;
}

export type PlainObject = Record<string, unknown>;

export interface ConfigLayer {
  source: SourceKind;
  /** A partial config in the final shape. */
  values: PlainObject;
  /** Origin of every value set, by formatted key path (ancestors may be present too). */
  origins: Map<string, Origin>;
}

export function newLayer(source: SourceKind): ConfigLayer {
  return { source, values: {}, origins: new Map() };
}

/** A mapping as parsed from a file (not a list, a Date, a Secret or any other class instance). */
export function isPlainObject(value: unknown): value is PlainObject {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export function getPath(root: unknown, path: KeyPath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** Sets a value, creating the mappings on the way. */
export function setPath(root: PlainObject, path: KeyPath, value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (next === null || typeof next !== 'object') node[segment] = {};
    node = node[segment] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Sets a value in a layer and records where it came from. */
export function setLayerValue(layer: ConfigLayer, path: KeyPath, value: unknown, origin: Origin): void {
  setPath(layer.values, path, value);
  layer.origins.set(formatKeyPath(path), origin);
}

/** The origin of a key path or, failing that, of its nearest ancestor that has one. */
export function originOf(origins: Map<string, Origin>, path: KeyPath): Origin | undefined {
  for (let n = path.length; n >= 0; n--) {
    const origin = origins.get(formatKeyPath(path.slice(0, n)));
    if (origin) return origin;
  }
  return undefined;
}

export function formatOrigin(origin: Origin): string {
  if (origin.source === 'environment') return origin.key;
  const where = origin.line === undefined ? origin.file : `${origin.file}:${origin.line}`;
  return origin.source === 'upper-file' ? `${where} (${origin.key})` : where;
}

const SOURCE_WORDS: Record<SourceKind, string> = {
  'upper-file': 'the upper-layer file',
  'agent-file': 'the agent file',
  environment: 'the environment',
};

export interface MergeResult {
  values: PlainObject;
  origins: Map<string, Origin>;
  warnings: string[];
}

/** Merges layers given lowest precedence first. Mappings merge key by key; lists and scalars replace. */
export function mergeLayers(layers: readonly ConfigLayer[]): MergeResult {
  const values: PlainObject = {};
  const origins = new Map<string, Origin>();
  const warnings: string[] = [];
  for (const layer of layers) {
    // Merge first, then record this layer's origins: while merging, `origins` still says where
    // each value about to be replaced came from.
    mergeInto(values, layer.values, [], layer, origins, warnings);
    for (const [key, origin] of layer.origins) origins.set(key, origin);
  }
  return { values, origins, warnings };
}

function mergeInto(
  target: PlainObject,
  source: PlainObject,
  path: Array<string | number>,
  layer: ConfigLayer,
  origins: Map<string, Origin>,
  warnings: string[],
): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const keyPath = [...path, key];
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      mergeInto(existing, value, keyPath, layer, origins, warnings);
      continue;
    }
    if (existing !== undefined && !isDeepStrictEqual(existing, value)) {
      const lower = originOf(origins, keyPath);
      const higher = layer.origins.get(formatKeyPath(keyPath));
      if (lower && higher) warnings.push(conflictWarning(keyPath, higher, value, lower, existing));
    }
    target[key] = isPlainObject(value) ? structuredClone(value) : value;
  }
}

/** The warning for a value of a higher layer replacing a different one of a lower layer. */
export function conflictWarning(path: KeyPath, higher: Origin, higherValue: unknown, lower: Origin, lowerValue: unknown): string {
  const secret = path.some((segment) => isSecretKey(segment));
  const shown = (value: unknown) => (secret ? 'a value (not shown)' : show(value));
  return (
    `${formatKeyPath(path)}: ${formatOrigin(higher)} sets ${shown(higherValue)} and ` +
    `${formatOrigin(lower)} sets ${secret ? 'a different one' : shown(lowerValue)}; ` +
    `using ${SOURCE_WORDS[higher.source]}'s value`
  );
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => describeValue(v)).join(', ')}]`;
  return describeValue(value);
}
