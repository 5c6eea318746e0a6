/**
 * The agent's YAML as a layer: the schema-valid document with its paths made absolute (relative
 * to the file's directory, so a config works wherever the agent is started from), its broker URLs
 * normalised with the credentials taken out, and its password file read.
 */
import path from 'node:path';
import { credentialsOf, readSecretFile } from './bus-credentials.js';
import { formatBrokerUrl, parseAmqpUrl, type BrokerAddress } from './bus-url.js';
import type { ConfigProblem } from './errors.js';
import { isWorldReadable } from './files.js';
import { formatKeyPath, type KeyPath } from './key-path.js';
import { getPath, isPlainObject, newLayer, setPath, type ConfigLayer, type Origin, type PlainObject } from './layer.js';

export interface AgentFileLayer {
  layer: ConfigLayer;
  problems: ConfigProblem[];
  warnings: string[];
}

/** Keys holding paths, relative ones being relative to the file's directory. */
const PATH_KEYS: KeyPath[] = [
  ['spdk', 'upperConfig', 'path'],
  ['spdk', 'sourceDir'],
  ['spdk', 'prefix'],
  ['spdk', 'targetLogs', 'dir'],
  ['agent', 'runtimeDir'],
  ['bus', 'passwordFile'],
  ['bus', 'tls', 'ca'],
  ['bus', 'tls', 'cert'],
  ['bus', 'tls', 'key'],
  ['metrics', 'bearerTokenFile'],
];
const TARGET_PATH_KEYS = ['socket', 'jsonConfig', 'vhostSocketDir', 'binary'] as const;

export async function buildAgentLayer(
  data: PlainObject,
  file: string,
  fileMode: number,
  lineOf: (path: KeyPath) => number | undefined,
): Promise<AgentFileLayer> {
  const layer = newLayer('agent-file');
  layer.values = structuredClone(data);
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const originAt = (keyPath: KeyPath): Origin => {
    const origin: Origin = { source: 'agent-file', file, key: formatKeyPath(keyPath) };
    const line = lineOf(keyPath);
    if (line !== undefined) origin.line = line;
    return origin;
  };
  const problemAt = (keyPath: KeyPath, message: string) => {
    problems.push({ file, keyPath: formatKeyPath(keyPath), line: lineOf(keyPath), message });
  };
  recordOrigins(layer, layer.values, [], originAt);

  const baseDir = path.dirname(file);
  const resolvePath = (keyPath: KeyPath, options: { bareNameAllowed?: boolean } = {}) => {
    const value = getPath(layer.values, keyPath);
    if (typeof value !== 'string') return;
    if (value.startsWith('~')) {
      problemAt(keyPath, `"~" is not expanded; write the full path (got ${JSON.stringify(value)})`);
      return;
    }
    // A bare command name (`binary: nvmf_tgt`) is looked up on PATH, not next to the config.
    if (options.bareNameAllowed && !value.includes('/')) return;
    setPath(layer.values, keyPath, path.resolve(baseDir, value));
  };
  for (const keyPath of PATH_KEYS) resolvePath(keyPath);
  const targets = getPath(layer.values, ['spdk', 'targets']);
  if (Array.isArray(targets)) {
    targets.forEach((_, index) => {
      for (const key of TARGET_PATH_KEYS) resolvePath(['spdk', 'targets', index, key], { bareNameAllowed: key === 'binary' });
    });
  }

  readBusUrls(layer, originAt, problemAt);
  await readSecretFileSetting(BUS_PASSWORD, layer, originAt, problemAt, warnings);
  await readSecretFileSetting(METRICS_TOKEN, layer, originAt, problemAt, warnings);

  const password = getPath(layer.values, ['bus', 'password']);
  if (password !== undefined && getPath(data, ['bus', 'passwordFile']) === undefined && isWorldReadable(fileMode)) {
    warnings.push(
      `${file} holds the bus password and is readable by every user (mode ${(fileMode & 0o777).toString(8)}); ` +
        'chmod 600 it, or move the password to bus.passwordFile or SPDK_AGENT_BUS_PASSWORD',
    );
  }
  return { layer, problems, warnings };
}

function recordOrigins(layer: ConfigLayer, value: unknown, keyPath: Array<string | number>, originAt: (p: KeyPath) => Origin): void {
  if (keyPath.length > 0) layer.origins.set(formatKeyPath(keyPath), originAt(keyPath));
  if (Array.isArray(value))
    value.forEach((item, index) => {
      recordOrigins(layer, item, [...keyPath, index], originAt);
    });
  else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) recordOrigins(layer, item, [...keyPath, key], originAt);
  }
}

/** Normalises `bus.urls` and moves credentials found in them to `bus.username` / `bus.password`. */
function readBusUrls(layer: ConfigLayer, originAt: (p: KeyPath) => Origin, problemAt: (p: KeyPath, message: string) => void): void {
  const urls = getPath(layer.values, ['bus', 'urls']);
  if (!Array.isArray(urls)) return;
  const addresses: BrokerAddress[] = [];
  urls.forEach((url, index) => {
    const parsed = parseAmqpUrl(String(url));
    if (parsed.ok) addresses.push(parsed.value);
    else problemAt(['bus', 'urls', index], parsed.reason);
  });
  if (addresses.length !== urls.length) return;
  const credentials = credentialsOf(addresses);
  if (!credentials.ok) {
    problemAt(
      ['bus', 'urls', credentials.index],
      `names a different ${credentials.field} than the URLs before it; spdk-agent uses one username and password for every broker host`,
    );
    return;
  }
  setPath(layer.values, ['bus', 'urls'], addresses.map(formatBrokerUrl));
  for (const field of ['username', 'password'] as const) {
    const fromUrl = credentials.value[field];
    if (fromUrl === undefined) continue;
    const explicit = getPath(layer.values, ['bus', field]);
    const urlIndex = addresses.findIndex((address) => address[field] !== undefined);
    if (explicit !== undefined && explicit !== fromUrl) {
      problemAt(['bus', field], `differs from the ${field} in bus.urls[${urlIndex}]; set it in one place only`);
      continue;
    }
    setPath(layer.values, ['bus', field], fromUrl);
    if (explicit === undefined) layer.origins.set(formatKeyPath(['bus', field]), originAt(['bus', 'urls', urlIndex]));
  }
}

/** A secret that may come from a file of its own: where its value and its file are, and how it is named. */
interface SecretFileSetting {
  value: KeyPath;
  file: KeyPath;
  /** In messages: "password", "bearer token". */
  what: string;
  /** Why the value and the file cannot both be given. */
  conflict: string;
}

const BUS_PASSWORD: SecretFileSetting = {
  value: ['bus', 'password'],
  file: ['bus', 'passwordFile'],
  what: 'password',
  conflict: 'the password is also given (bus.password or a URL); set only one of them',
};

const METRICS_TOKEN: SecretFileSetting = {
  value: ['metrics', 'bearerToken'],
  file: ['metrics', 'bearerTokenFile'],
  what: 'bearer token',
  conflict: 'metrics.bearerToken is also given; set only one of them',
};

/** Reads a secret's file into its value (the file's origin becomes the value's), or reports why not. */
async function readSecretFileSetting(
  setting: SecretFileSetting,
  layer: ConfigLayer,
  originAt: (p: KeyPath) => Origin,
  problemAt: (p: KeyPath, message: string) => void,
  warnings: string[],
): Promise<void> {
  const file = getPath(layer.values, setting.file);
  if (typeof file !== 'string') return;
  if (getPath(layer.values, setting.value) !== undefined) {
    problemAt(setting.file, setting.conflict);
    return;
  }
  const read = await readSecretFile(file, setting.what);
  if (!read.ok) {
    problemAt(setting.file, read.reason);
    return;
  }
  if (read.warning) warnings.push(read.warning);
  setPath(layer.values, setting.value, read.password);
  layer.origins.set(formatKeyPath(setting.value), originAt(setting.file));
}
