/**
 * `loadConfig`: from files and environment to one validated, final `AgentConfig`.
 *
 * Precedence, lowest first: built-in defaults < the upper-layer file (cyborg.conf) < the agent's
 * YAML < the environment. Every source is checked before anything is merged, and every problem
 * of every source is reported at once (`ConfigError`), each with its file, key and line.
 */
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { getLogger } from '../util/log.js';
import { buildAgentLayer } from './agent-file.js';
import { withDefaultVhost } from './bus-url.js';
import { checkConfig } from './checks.js';
import { readCyborgConf, type CyborgConf } from './cyborg/cyborg-conf.js';
import { ENV, envValue, readEnvironment } from './environment.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { isRegularFile, readTextFile } from './files.js';
import { resolveFqdn } from './fqdn.js';
import { resolveUsers } from './users.js';
import { formatKeyPath, keyPathFromPointer } from './key-path.js';
import { getPath, isPlainObject, mergeLayers, originOf, type ConfigLayer, type Origin } from './layer.js';
import { orderLike } from './order.js';
import { redactConfig } from './redact.js';
import { agentConfigSchema } from './schema.js';
import { Secret } from './secret.js';
import { finishTargets, planTargets } from './targets.js';
import type { AgentConfig, LoadConfigOptions, LoadedConfig, TargetConfig } from './types.js';
import { applyDefaults, schemaProblems } from './validate.js';
import { parseYamlDocument } from './yaml/document.js';

export const DEFAULT_CONFIG_FILE = '/etc/spdk-agent/agent.yaml';

const log = getLogger('config.load');

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const { layers, upper, files, warnings } = await readSources(options);
  const merged = mergeLayers(layers);
  warnings.push(...merged.warnings);
  const synthesised = planTargets(merged.values, upper, merged.origins, warnings);

  const leftovers = applyDefaults(merged.values);
  if (leftovers.length > 0) {
    // Each source was validated on its own; a leftover means two valid sources combine badly.
    throw new ConfigError(
      leftovers.map((error) => {
        const keyPath = keyPathFromPointer(error.instancePath, merged.values);
        const origin = originOf(merged.origins, keyPath);
        return { file: origin?.file ?? files.agent ?? 'defaults', keyPath: formatKeyPath(keyPath), line: origin?.line, message: error.message ?? 'is invalid' };
      }),
    );
  }

  let config = merged.values as unknown as AgentConfig;
  config.spdk.targets = finishTargets(config.spdk.targets as unknown as Record<string, unknown>[], upper, synthesised, warnings);
  if (upper) config.spdk.enabledApps = upper.servers.map((s) => s.app);
  finishBus(config, merged.origins);
  finishMetrics(config);

  const checked = checkConfig(config, merged.origins, files.agent ?? 'defaults');
  if (checked.problems.length > 0) throw new ConfigError(checked.problems);
  warnings.push(...checked.warnings);
  // Last: it may wait for DNS, which is pointless for a config that is refused anyway.
  await finishHostnames(config, warnings);

  finishPaths(config, options.env ?? process.env);
  const owners = await resolveUsers(config.spdk.socketOwners);
  if (owners.unknown.length > 0) {
    const origin = originOf(merged.origins, ['spdk', 'socketOwners']);
    throw new ConfigError([
      {
        file: origin?.file ?? files.agent ?? 'defaults',
        keyPath: 'spdk.socketOwners',
        line: origin?.line,
        message: `no such user in /etc/passwd: ${owners.unknown.join(', ')}`,
      },
    ]);
  }
  config.spdk.socketOwnerUids = owners.uids;

  config = orderLike(config, agentConfigSchema);
  protect(config);
  log.debug('configuration loaded', { files, targets: config.spdk.targets.map((t: TargetConfig) => t.name), warnings: warnings.length });
  return { config, warnings, files, origins: merged.origins };
}

/**
 * Defaults that depend on where the agent runs: systemd hands a unit its directories in
 * `RUNTIME_DIRECTORY` and `LOGS_DIRECTORY`; elsewhere root gets /run, a user their runtime dir.
 */
function finishPaths(config: AgentConfig, env: NodeJS.ProcessEnv): void {
  const agent = config.agent as Partial<AgentConfig['agent']> & AgentConfig['agent'];
  const firstOf = (value: string | undefined): string | undefined => value?.split(':').find((p) => p.trim() !== '');
  if (agent.runtimeDir === undefined) {
    const systemd = firstOf(envValue(env, 'RUNTIME_DIRECTORY'));
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const xdg = envValue(env, 'XDG_RUNTIME_DIR');
    agent.runtimeDir = systemd ?? (uid === 0 ? '/run/spdk-agent' : xdg ? path.join(xdg, 'spdk-agent') : path.join(os.tmpdir(), `spdk-agent-${uid}`));
  }
  const logs = config.spdk.targetLogs as Partial<AgentConfig['spdk']['targetLogs']> & AgentConfig['spdk']['targetLogs'];
  if (logs.dir === undefined) {
    const systemd = firstOf(envValue(env, 'LOGS_DIRECTORY'));
    if (systemd !== undefined) logs.dir = systemd;
  }
}

interface Sources {
  /** Lowest precedence first. */
  layers: ConfigLayer[];
  upper?: CyborgConf;
  files: LoadedConfig['files'];
  warnings: string[];
}

/** Reads and checks every source; throws one `ConfigError` with the problems of all of them. */
async function readSources(options: LoadConfigOptions): Promise<Sources> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const warnings: string[] = [];
  const problems: ConfigProblem[] = [];
  const files: LoadedConfig['files'] = {};

  // As oslo services: a file named on the command line replaces the default places.
  const agentFile = options.upperFile !== undefined && options.file === undefined ? undefined : await chooseAgentFile(options.file, env, cwd, warnings);
  let agentLayer: ConfigLayer | undefined;
  let upper: CyborgConf | undefined;
  if (agentFile !== undefined) {
    files.agent = agentFile.file;
    const built = await readAgentFile(agentFile.file, agentFile.namedBy, problems);
    if (built) {
      agentLayer = built.layer;
      warnings.push(...built.warnings);
      if (options.upperFile === undefined) {
        upper = await readUpperFile(built.layer, problems, files);
        if (upper) warnings.push(...upper.warnings);
      } else if (getPath(built.layer.values, ['spdk', 'upperConfig', 'path']) !== undefined) {
        warnings.push(
          `${agentFile.file}: spdk.upperConfig.path is not used: the Cyborg file given on the command line (${path.resolve(cwd, options.upperFile)}) is`,
        );
      }
    }
  }
  if (options.upperFile !== undefined) {
    upper = await readUpperPath(path.resolve(cwd, options.upperFile), undefined, problems, files);
    if (upper) warnings.push(...upper.warnings);
  }
  const environment = await readEnvironment(env, cwd);
  problems.push(...environment.problems);
  warnings.push(...environment.warnings);
  if (problems.length > 0) throw new ConfigError(problems);

  const layers = [upper?.layer, agentLayer, environment.layer].filter((layer): layer is ConfigLayer => layer !== undefined);
  return upper ? { layers, upper, files, warnings } : { layers, files, warnings };
}

async function chooseAgentFile(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
  warnings: string[],
): Promise<{ file: string; namedBy?: string } | undefined> {
  if (explicit !== undefined) return { file: path.resolve(cwd, explicit) };
  const fromEnv = envValue(env, ENV.config);
  if (fromEnv !== undefined) return { file: path.resolve(cwd, fromEnv.trim()), namedBy: ENV.config };
  if (await isRegularFile(DEFAULT_CONFIG_FILE)) return { file: DEFAULT_CONFIG_FILE };
  warnings.push(`no configuration file: ${ENV.config} is not set and ${DEFAULT_CONFIG_FILE} does not exist; using built-in defaults`);
  return undefined;
}

async function readAgentFile(file: string, namedBy: string | undefined, problems: ConfigProblem[]) {
  const read = await readTextFile(file);
  if (!read.ok) {
    const why = namedBy === undefined ? '' : ` (named by ${namedBy})`;
    throw new ConfigError([{ file, keyPath: '', message: `cannot read the configuration file: ${read.reason}${why}` }]);
  }
  if (looksLikeIni(read.text)) {
    throw new ConfigError([
      {
        file,
        keyPath: '',
        line: 1,
        message:
          "this is an INI file (like cyborg.conf), not the agent's YAML: pass it with --config-file to run from it, or name it in spdk.upperConfig.path of the YAML",
      },
    ]);
  }
  const document = parseYamlDocument(read.text, file);
  const data = document.data ?? {};
  if (!isPlainObject(data)) {
    throw new ConfigError([
      {
        file,
        keyPath: '',
        line: 1,
        message: `must be a mapping with the sections agent, log, bus and spdk (got ${Array.isArray(data) ? 'a list' : JSON.stringify(data)})`,
      },
    ]);
  }
  const invalid = schemaProblems(data, file, document.lineOf);
  if (invalid.length > 0) {
    problems.push(...invalid);
    return undefined;
  }
  const built = await buildAgentLayer(data, file, read.mode, document.lineOf);
  problems.push(...built.problems);
  return built.problems.length > 0 ? undefined : built;
}

async function readUpperFile(agentLayer: ConfigLayer, problems: ConfigProblem[], files: LoadedConfig['files']): Promise<CyborgConf | undefined> {
  const upperPath = getPath(agentLayer.values, ['spdk', 'upperConfig', 'path']);
  if (typeof upperPath !== 'string') return undefined;
  return readUpperPath(upperPath, agentLayer.origins.get('spdk.upperConfig.path'), problems, files);
}

async function readUpperPath(
  upperPath: string,
  namedAt: Origin | undefined,
  problems: ConfigProblem[],
  files: LoadedConfig['files'],
): Promise<CyborgConf | undefined> {
  files.upper = upperPath;
  const read = await readTextFile(upperPath);
  if (!read.ok) {
    problems.push({
      file: namedAt?.file ?? upperPath,
      keyPath: namedAt ? 'spdk.upperConfig.path' : '',
      line: namedAt?.line,
      message: `cannot read the upper-layer file ${upperPath}: ${read.reason}`,
    });
    return undefined;
  }
  const { conf, problems: found } = readCyborgConf(read.text, upperPath);
  problems.push(...found);
  return conf;
}

/** Final bus shape: every URL names its vhost, the password is a Secret, passwordFile only if used. */
function finishBus(config: AgentConfig, origins: Map<string, Origin>): void {
  const bus = config.bus as unknown as Record<string, unknown> & AgentConfig['bus'];
  bus.urls = bus.urls.map((url) => withDefaultVhost(url, bus.vhost));
  const passwordOrigin = origins.get(formatKeyPath(['bus', 'password']));
  const fromFile = passwordOrigin?.key === 'bus.passwordFile' || passwordOrigin?.key === ENV.busPasswordFile;
  if (!fromFile) delete bus.passwordFile;
  bus.password = new Secret(bus.password as unknown as string);
}

/** The bearer token is a Secret (whether written inline or read from its file). */
function finishMetrics(config: AgentConfig): void {
  const metrics = config.metrics as unknown as Record<string, unknown> & AgentConfig['metrics'];
  const token = metrics.bearerToken as unknown as string | undefined;
  if (token !== undefined) metrics.bearerToken = new Secret(token);
}

async function finishHostnames(config: AgentConfig, warnings: string[]): Promise<void> {
  const agent = config.agent as Partial<AgentConfig['agent']> & AgentConfig['agent'];
  const hostname = os.hostname();
  agent.host ??= hostname;
  if (agent.reportedHostname === undefined) {
    const fqdn = await resolveFqdn(hostname);
    if (fqdn.timedOut) {
      warnings.push(
        `could not resolve the FQDN of ${hostname} in time; reporting as ${fqdn.name} (set agent.reportedHostname to match Cyborg's [agent] resource_provider_name)`,
      );
    }
    agent.reportedHostname = fqdn.name;
  }
}

/**
 * Makes the loaded config safe to print and hard to corrupt: JSON and `util.inspect` give the
 * redacted form, and the object is frozen (every component reads the same, final values).
 */
function protect(config: AgentConfig): void {
  Object.defineProperty(config, 'toJSON', { value: () => redactConfig(config), enumerable: false });
  Object.defineProperty(config, inspect.custom, { value: () => redactConfig(config), enumerable: false });
  deepFreeze(config);
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}

/**
 * An oslo-style INI file: its first statement is a `[section]` header and it has `key = value`
 * lines. Neither is valid YAML together, so a YAML file is never mistaken for one.
 */
export function looksLikeIni(text: string): boolean {
  const statements = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !/^\s*[#;]/.test(line));
  return statements.length > 0 && /^\[[^\]\s][^\]]*\]\s*$/.test(statements[0]!) && statements.some((line) => /^\s*[A-Za-z_][\w.-]*\s*=/.test(line));
}
