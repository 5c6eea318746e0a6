/**
 * Environment overrides: the highest layer, so secrets and per-host values need not sit in a file
 * (systemd `Environment=`/`LoadCredential=`, container secrets). An empty variable counts as unset.
 */
import path from 'node:path';
import { credentialsOf, readPasswordFile } from './bus-credentials.js';
import { formatBrokerUrl, parseAmqpUrl, type BrokerAddress } from './bus-url.js';
import { closestKey } from './describe.js';
import { ENVIRONMENT, type ConfigProblem } from './errors.js';
import { getPath, newLayer, setLayerValue, type ConfigLayer, type Origin } from './layer.js';
import { layerSchemaProblems } from './layer-check.js';

export const ENV = {
  config: 'SPDK_AGENT_CONFIG',
  busUrl: 'SPDK_AGENT_BUS_URL',
  busUsername: 'SPDK_AGENT_BUS_USERNAME',
  busPassword: 'SPDK_AGENT_BUS_PASSWORD',
  busPasswordFile: 'SPDK_AGENT_BUS_PASSWORD_FILE',
  host: 'SPDK_AGENT_HOST',
  reportedHostname: 'SPDK_AGENT_REPORTED_HOSTNAME',
  logLevel: 'SPDK_AGENT_LOG_LEVEL',
  logFormat: 'SPDK_AGENT_LOG_FORMAT',
} as const;

export interface EnvironmentLayer {
  layer: ConfigLayer;
  problems: ConfigProblem[];
  warnings: string[];
}

export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export async function readEnvironment(env: NodeJS.ProcessEnv, cwd: string): Promise<EnvironmentLayer> {
  const layer = newLayer('environment');
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const origin = (name: string): Origin => ({ source: 'environment', file: ENVIRONMENT, key: name });
  const problem = (name: string, message: string) => problems.push({ file: ENVIRONMENT, keyPath: name, message });
  const copy = (name: string, keyPath: string[], transform: (v: string) => string = (v) => v.trim()) => {
    const value = envValue(env, name);
    if (value !== undefined) setLayerValue(layer, keyPath, transform(value), origin(name));
  };

  copy(ENV.host, ['agent', 'host']);
  copy(ENV.reportedHostname, ['agent', 'reportedHostname']);
  copy(ENV.logLevel, ['log', 'level'], (v) => v.trim().toLowerCase());
  copy(ENV.logFormat, ['log', 'format'], (v) => v.trim().toLowerCase());
  copy(ENV.busUsername, ['bus', 'username']);
  // A password is taken exactly as given: spaces may be part of it.
  copy(ENV.busPassword, ['bus', 'password'], (v) => v);

  const urlList = envValue(env, ENV.busUrl);
  if (urlList !== undefined) readUrlList(urlList, layer, origin(ENV.busUrl), problem);

  const passwordFile = envValue(env, ENV.busPasswordFile);
  if (passwordFile !== undefined) {
    if (getPath(layer.values, ['bus', 'password']) !== undefined) {
      problem(ENV.busPasswordFile, `the password is also given (${ENV.busPassword} or ${ENV.busUrl}); set only one of them`);
    } else {
      const file = path.resolve(cwd, passwordFile.trim());
      const read = await readPasswordFile(file);
      if (!read.ok) problem(ENV.busPasswordFile, read.reason);
      else {
        if (read.warning) warnings.push(read.warning);
        setLayerValue(layer, ['bus', 'password'], read.password, origin(ENV.busPasswordFile));
        setLayerValue(layer, ['bus', 'passwordFile'], file, origin(ENV.busPasswordFile));
      }
    }
  }

  warnings.push(...typoWarnings(env));
  problems.push(...layerSchemaProblems(layer));
  return { layer, problems, warnings };
}

/**
 * A misspelt variable would be ignored in silence (SPDK_AGENT_BUS_PASSWD, and the password stays
 * "guest"): name the one that was probably meant. Other SPDK_AGENT_* variables (tests, tools) are
 * left alone unless they are that close to a known one; values are never shown.
 */
function typoWarnings(env: NodeJS.ProcessEnv): string[] {
  const known: string[] = Object.values(ENV);
  return Object.keys(env)
    .filter((name) => name.startsWith('SPDK_AGENT_') && !known.includes(name))
    .flatMap((name) => {
      const guess = closestKey(name, known);
      return guess ? [`the environment variable ${name} is not used by spdk-agent; did you mean ${guess}?`] : [];
    });
}

function readUrlList(list: string, layer: ConfigLayer, origin: Origin, problem: (name: string, message: string) => void): void {
  const items = list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) {
    problem(ENV.busUrl, 'lists no URL (expected amqp://host:port/vhost, several separated by commas)');
    return;
  }
  const addresses: BrokerAddress[] = [];
  items.forEach((item, index) => {
    const parsed = parseAmqpUrl(item);
    if (parsed.ok) addresses.push(parsed.value);
    else problem(ENV.busUrl, `URL ${index + 1} of ${items.length} ${parsed.reason}`);
  });
  if (addresses.length !== items.length) return;
  const credentials = credentialsOf(addresses);
  if (!credentials.ok) {
    problem(
      ENV.busUrl,
      `URL ${credentials.index + 1} names a different ${credentials.field} than the URLs before it; spdk-agent uses one username and password for every broker host`,
    );
    return;
  }
  setLayerValue(layer, ['bus', 'urls'], addresses.map(formatBrokerUrl), origin);
  for (const field of ['username', 'password'] as const) {
    const fromUrl = credentials.value[field];
    if (fromUrl === undefined) continue;
    const explicit = getPath(layer.values, ['bus', field]);
    if (explicit !== undefined && explicit !== fromUrl) {
      const variable = field === 'username' ? ENV.busUsername : ENV.busPassword;
      problem(variable, `differs from the ${field} in ${ENV.busUrl}; set it in one place only`);
      continue;
    }
    if (explicit === undefined) setLayerValue(layer, ['bus', field], fromUrl, origin);
  }
}
