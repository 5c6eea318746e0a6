/**
 * The effective configuration as `spdk-agent config show` prints it: every value, secrets masked,
 * with where it came from (the file and line, the environment variable, or the built-in default).
 */
import { formatKeyPath, type KeyPath } from './key-path.js';
import { formatOrigin, type Origin } from './layer.js';
import { redactConfig } from './redact.js';
import type { LoadedConfig } from './types.js';

export interface ShownValue {
  /** `bus.urls`, `spdk.targets[0].socket`. */
  key: string;
  /** As printed: masked where secret. */
  value: unknown;
  /** `agent.yaml:12`, `/etc/cyborg/cyborg.conf:4 ([DEFAULT] transport_url)`, `SPDK_AGENT_HOST`, or `default`. */
  source: string;
}

/** Every leaf value of the loaded config, in the config's own order. */
export function describeConfig(loaded: LoadedConfig): ShownValue[] {
  const out: ShownValue[] = [];
  const origins = loaded.origins as Map<string, Origin>;
  const walk = (value: unknown, path: KeyPath): void => {
    const isLeafList = Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object');
    if (value !== null && typeof value === 'object' && !isLeafList) {
      const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
      if (entries.length === 0) out.push({ key: formatKeyPath(path), value, source: sourceOf(origins, path) });
      for (const [key, item] of entries) walk(item, [...path, key]);
      return;
    }
    out.push({ key: formatKeyPath(path), value, source: sourceOf(origins, path) });
  };
  walk(redactConfig(loaded.config), []);
  return out;
}

/**
 * A value's own origin; else that of the list it sits in (a list given whole: `bus.urls`, targets
 * synthesised from cyborg.conf); else it is a default, even inside a mapping a file wrote.
 */
function sourceOf(origins: Map<string, Origin>, path: KeyPath): string {
  for (let n = path.length; n > 0; n--) {
    const origin = origins.get(formatKeyPath(path.slice(0, n)));
    if (origin && (n === path.length || path.slice(n).some((segment) => typeof segment === 'number'))) return formatOrigin(origin);
  }
  return 'default';
}
