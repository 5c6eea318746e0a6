/**
 * The config as it may be shown: the CLI's "show config", a debug log line, a support ticket.
 * The broker password becomes `***`, and so does the value of any target environment variable
 * whose name looks secret (an HTTP proxy password passed to an SPDK app, say).
 */
import { redactText } from '../util/log.js';
import { isSecretKey } from './describe.js';
import { MASK, Secret } from './secret.js';
import type { AgentConfig } from './types.js';

export function redactConfig(config: AgentConfig): Record<string, unknown> {
  return redactValue(config, []) as Record<string, unknown>;
}

function redactValue(value: unknown, path: Array<string | number>): unknown {
  if (value instanceof Secret) return MASK;
  if (typeof value === 'string') {
    const key = path[path.length - 1];
    const inTargetEnv = path.length >= 2 && path[path.length - 2] === 'env';
    if ((isSecretKey(key) || (inTargetEnv && /pass|secret|token|key|credential/i.test(String(key)))) && value !== '') return MASK;
    return redactText(value);
  }
  if (Array.isArray(value)) return value.map((item, index) => redactValue(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a target's env variable may be called "__proto__".
      Object.defineProperty(out, key, { value: redactValue(item, [...path, key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
