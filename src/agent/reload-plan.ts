/**
 * What a configuration reload (SIGHUP) can change while the agent runs, and what waits for a
 * restart. Compared section by section, key by key, on the loaded configurations.
 *
 * Applied while running: logging, the report and change-check periods, the shutdown deadline,
 * the targets (added, removed, changed, restart policies) and the bus settings (by reconnecting).
 * Needing a restart: the agent's identity on the bus and in report_data (`agent.host`,
 * `agent.reportedHostname`: the conductor would keep the old name's records), the lock file's
 * place, what to do beside a foreign consumer, turning the bus on or off, and where SPDK is
 * installed, hugepages, target log places and the Cyborg device fields (read once by the pieces
 * built at start-up), and the metrics endpoint (its listener is opened once).
 */
import { isDeepStrictEqual } from 'node:util';
import type { AgentConfig } from '../config/types.js';

export interface ReloadPlan {
  /** Every `section.key` whose value differs. */
  changed: string[];
  /** Those applied while running. */
  applied: string[];
  /** Those kept as they were until the agent restarts. */
  needsRestart: string[];
  /** The bus link is to be replaced (bus settings changed, the bus is on). */
  busReconnect: boolean;
  targetsChanged: boolean;
}

const LIVE: ReadonlySet<string> = new Set([
  'log.level',
  'log.format',
  'agent.reportIntervalSec',
  'agent.changeCheckIntervalSec',
  'agent.shutdownTimeoutSec',
  'spdk.targets',
]);
/** Derived from other keys (the upper file's servers show in the targets' `enabled`), or only a pointer to a file that is re-read anyway. */
const DERIVED: ReadonlySet<string> = new Set(['spdk.enabledApps', 'spdk.upperConfig']);

export function planReload(previous: AgentConfig, next: AgentConfig): ReloadPlan {
  const changed: string[] = [];
  for (const section of ['agent', 'log', 'bus', 'spdk', 'metrics'] as const) {
    const before = previous[section] as unknown as Record<string, unknown>;
    const after = next[section] as unknown as Record<string, unknown>;
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const name = `${section}.${key}`;
      if (DERIVED.has(name)) continue;
      if (!isDeepStrictEqual(comparable(before[key]), comparable(after[key]))) changed.push(name);
    }
  }
  const busOn = previous.bus.enabled && next.bus.enabled;
  const isLive = (name: string): boolean => LIVE.has(name) || (busOn && name.startsWith('bus.') && name !== 'bus.enabled');
  const applied = changed.filter(isLive);
  return {
    changed,
    applied,
    needsRestart: changed.filter((name) => !isLive(name)),
    busReconnect: applied.some((name) => name.startsWith('bus.')),
    targetsChanged: applied.includes('spdk.targets'),
  };
}

/** Plain data to compare: a Secret by its value (it prints as `***`), frozen objects as copies. */
function comparable(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { reveal?: unknown }).reveal === 'function') {
    return { secret: (value as { reveal: () => string }).reveal() };
  }
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}
