/**
 * `-c/--json <file>` (contract §6, lib/init/json_config.c): the file is `save_config` output,
 * `{"subsystems":[{"subsystem":…,"config":[{"method":…,"params":{…}}]}]}`, comments allowed. It is
 * applied in two passes around subsystem initialisation: first every entry whose method may run in
 * STARTUP (in file order), then every RUNTIME-only entry. Entries of a subsystem this app does not
 * link are skipped with a notice. The first error stops loading and the app (unless
 * --json-ignore-init-errors). Entries go through the same dispatcher as socket requests, one at a
 * time, so they behave exactly like RPCs — and 10,000 entries load in well under a second.
 */
import { readFileSync } from 'node:fs';
import { isJsonObject, parseJson, type JsonValue } from '../json/json-parser.js';
import { RUNTIME, STARTUP, type MethodTable } from '../rpc/method-table.js';
import { strerror } from '../rpc/rpc-failure.js';
import { SITES, type SpdkLog } from './spdk-log.js';

export interface ConfigEntryCall {
  subsystem: string;
  method: string;
  params: JsonValue | undefined;
}

export type ConfigPass = 'startup' | 'runtime' | 'all';

export interface CallOutcome {
  error?: { code: number; message: string };
}

const ERRNO: Record<string, number> = { ENOENT: 2, EACCES: 13, EISDIR: 21, EPERM: 1 };

/** Reads and checks the file; prints SPDK's error and returns null when it is unusable. */
export function readJsonConfig(file: string, log: SpdkLog): ConfigEntryCall[] | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    log.error(SITES.jsonConfigRead, `Read JSON configuration file ${file} failed: ${strerror(ERRNO[code] ?? 5)}`);
    return null;
  }
  let root: JsonValue;
  try {
    root = parseJson(text, { allowComments: true });
  } catch {
    log.error(SITES.jsonConfigParse, 'Parsing JSON configuration failed (-2)');
    return null;
  }
  if (!isJsonObject(root)) {
    log.error(SITES.jsonConfigParse, 'Invalid JSON configuration: not enclosed in {}.');
    return null;
  }
  const subsystems = root.subsystems;
  if (subsystems === undefined) {
    log.warn(SITES.jsonConfigNoSubsystems, "No 'subsystems' key JSON configuration file.");
    return [];
  }
  if (!Array.isArray(subsystems)) {
    log.error(SITES.jsonConfigParse, "Invalid JSON configuration: 'subsystems' should be an array.");
    return null;
  }
  const out: ConfigEntryCall[] = [];
  for (const s of subsystems) {
    const name = isJsonObject(s) ? s.subsystem : undefined;
    const config = isJsonObject(s) ? s.config : undefined;
    if (typeof name !== 'string' || (config !== null && config !== undefined && !Array.isArray(config))) {
      log.error(SITES.jsonConfigParse, 'Invalid JSON configuration: subsystem entry needs a "subsystem" name and a "config" array or null.');
      return null;
    }
    for (const entry of Array.isArray(config) ? config : []) {
      const method = isJsonObject(entry) ? entry.method : undefined;
      const params = isJsonObject(entry) ? entry.params : undefined;
      if (typeof method !== 'string' || (params !== undefined && !isJsonObject(params))) {
        log.error(SITES.jsonConfigEntry, `Invalid JSON configuration: bad entry in subsystem '${name}' (need "method" and an object "params").`);
        return null;
      }
      out.push({ subsystem: name, method, params });
    }
  }
  return out;
}

export interface PassDeps {
  table: MethodTable;
  /** Subsystem names this app links. */
  linked: ReadonlySet<string>;
  call(method: string, params: JsonValue | undefined): Promise<CallOutcome>;
  log: SpdkLog;
  ignoreErrors: boolean;
}

/** Runs one pass; false when an error stopped it. */
export async function runConfigPass(entries: readonly ConfigEntryCall[], pass: ConfigPass, deps: PassDeps): Promise<boolean> {
  for (const entry of entries) {
    if (!deps.linked.has(entry.subsystem)) {
      if (pass !== 'runtime') {
        deps.log.notice(
          SITES.jsonConfigEntry,
          `Skipping method '${entry.method}' because its subsystem '${entry.subsystem}' is not linked into this application.`,
        );
      }
      continue;
    }
    const registered = deps.table.get(entry.method);
    const startupAllowed = registered !== undefined && (registered.mask & STARTUP) !== 0;
    if (pass === 'startup' && !startupAllowed) continue;
    if (pass === 'runtime' && (startupAllowed || (registered !== undefined && (registered.mask & RUNTIME) === 0))) continue;
    const outcome = await deps.call(entry.method, entry.params);
    if (outcome.error) {
      deps.log.error(SITES.jsonConfigResponse, `error response: ${JSON.stringify(outcome.error)}`);
      if (!deps.ignoreErrors) {
        deps.log.error(SITES.jsonConfigError, `Config load failed on method '${entry.method}' of subsystem '${entry.subsystem}'`);
        return false;
      }
    }
  }
  return true;
}
