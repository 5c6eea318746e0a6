/**
 * Puts keys in the schema's order (sections, then keys as documented), so "show config" and logs
 * read like the documentation whatever order the sources were merged in. Keys the schema does not
 * list (computed ones such as a target's `source`) come last.
 */
import { isPlainObject } from './layer.js';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

export function orderLike<T>(value: T, schemaNode: unknown): T {
  const schema = (schemaNode ?? {}) as SchemaNode;
  if (Array.isArray(value)) return value.map((item) => (schema.items ? orderLike(item, schema.items) : item)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  // defineProperty, not assignment: a user-chosen key (a target's env variable) may be "__proto__".
  const put = (key: string, item: unknown) => Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  const known = schema.properties ?? {};
  for (const key of Object.keys(known)) {
    if (Object.hasOwn(value, key) && value[key] !== undefined) put(key, orderLike(value[key], known[key]!));
  }
  for (const [key, item] of Object.entries(value)) {
    if (!Object.hasOwn(out, key) && item !== undefined) put(key, item);
  }
  return out as T;
}
