/**
 * The agent's YAML as a layer: the schema-valid document with its paths made absolute (relative
 * to the file's directory, so a config works wherever the agent is started from), its broker URLs
 * normalised with the credentials taken out, and its password file read.
 */
import path from 'node:path';
import { credentialsOf, readPasswordFile, readSecretFile } from './bus-credentials.js';
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
  await readPasswordSetting(layer, originAt, problemAt, warnings);
  await readBearerTokenFile(layer, originAt, problemAt, warnings);

  const password = getPath(layer.values, ['bus', 'password']);
  if (password !== undefined && getPath(data, ['bus', 'passwordFile']) === undefined && isWorldReadable(fileMode)) {
    warnings.push(
      `${file} holds the bus password and is readable by every user (mode ${(fileMode & 0o777).toString(8)}); ` +
        'chmod 600 it, or move the password to bus.passwordFile or SPDK_AGENT_BUS_PASSWORD',
    );
  }
  return { layer, problems, warnings };
}

/** `metrics.bearerTokenFile` read into `metrics.bearerToken` (the two are exclusive). */
async function readBearerTokenFile(
  layer: ConfigLayer,
  originAt: (p: KeyPath) => Origin,
  problemAt: (p: KeyPath, message: string) => void,
  warnings: string[],
): Promise<void> {
  const tokenFile = getPath(layer.values, ['metrics', 'bearerTokenFile']);
  if (typeof tokenFile !== 'string') return;
  if (getPath(layer.values, ['metrics', 'bearerToken']) !== undefined) {
    problemAt(['metrics', 'bearerTokenFile'], 'metrics.bearerToken is also given; set only one of them');
    return;
  }
  const read = await readSecretFile(tokenFile, 'bearer token');
  if (!read.ok) {
    problemAt(['metrics', 'bearerTokenFile'], read.reason);
    return;
  }
  if (read.warning) warnings.push(read.warning);
  setPath(layer.values, ['metrics', 'bearerToken'], read.password);
  layer.origins.set(formatKeyPath(['metrics', 'bearerToken']), originAt(['metrics', 'bearerTokenFile']));
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

async function readPasswordSetting(
  layer: ConfigLayer,
  originAt: (p: KeyPath) => Origin,
  problemAt: (p: KeyPath, message: string) => void,
  warnings: string[],
): Promise<void> {
  const passwordFile = getPath(layer.values, ['bus', 'passwordFile']);
  if (typeof passwordFile !== 'string') return;
  if (getPath(layer.values, ['bus', 'password']) !== undefined) {
    problemAt(['bus', 'passwordFile'], 'the password is also given (bus.password or a URL); set only one of them');
    return;
  }
  const read = await readPasswordFile(passwordFile);
  if (!read.ok) {
    problemAt(['bus', 'passwordFile'], read.reason);
    return;
  }
  if (read.warning) warnings.push(read.warning);
  setPath(layer.values, ['bus', 'password'], read.password);
  layer.origins.set(formatKeyPath(['bus', 'password']), originAt(['bus', 'passwordFile']));
}
