/**
 * Cyborg's `cyborg.conf` as the upper-layer configuration: which SPDK servers Cyborg enables and
 * where SPDK lives (the options of Cyborg's SPDK driver), plus the bus and host options the agent
 * must share with the Python services so both declare the same queues.
 *
 * Values are parsed as oslo.config parses them (booleans: true/false, yes/no, on/off, 1/0 in any
 * case; integers: whole numbers). A malformed value is a problem naming the file, the section,
 * the key and the line; a valid value becomes a value of the upper layer, with its origin.
 */
import path from 'node:path';
import { credentialsOf } from '../bus-credentials.js';
import { formatBrokerUrl, parseTransportUrl } from '../bus-url.js';
import { closestKey } from '../describe.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { newLayer, setLayerValue, type ConfigLayer, type Origin } from '../layer.js';
import { layerSchemaProblems } from '../layer-check.js';
import type { SpdkApp } from '../types.js';
import { parseOsloIni, type IniValue, type OsloIniFile } from './oslo-ini.js';

export interface EnabledServer {
  /** As Cyborg names it: nvmf, vhost, iscsi (or spdk_tgt). */
  server: string;
  app: SpdkApp;
}

export interface CyborgConf {
  file: string;
  /** Values in the final config's shape, with their origins. */
  layer: ConfigLayer;
  /** The servers Cyborg enables, in the order written (Cyborg's default when the key is absent). */
  servers: EnabledServer[];
  /** Where `accelerator_servers` was set; absent when Cyborg's default applies. */
  serversOrigin?: Origin;
  /** `spdk_conf_file`: the `jsonConfig` of targets that name none. */
  defaultJsonConfig?: { path: string; origin: Origin };
  warnings: string[];
}

/** Cyborg's default `accelerator_servers`. */
export const CYBORG_DEFAULT_SERVERS = ['vhost', 'nvmf', 'iscsi'] as const;

const SERVER_APPS: Record<string, SpdkApp> = {
  nvmf: 'nvmf_tgt',
  nvmf_tgt: 'nvmf_tgt',
  vhost: 'vhost',
  iscsi: 'iscsi_tgt',
  iscsi_tgt: 'iscsi_tgt',
  spdk_tgt: 'spdk_tgt',
};

/** Cyborg's server name of an app (what synthesised targets are called). */
export const APP_SERVER: Record<SpdkApp, string> = {
  nvmf_tgt: 'nvmf',
  vhost: 'vhost',
  iscsi_tgt: 'iscsi',
  spdk_tgt: 'spdk_tgt',
};

/** The SPDK driver's options live in [backend_defaults] (Cyborg's driver); [spdk] is also read and wins. */
const SPDK_SECTIONS = ['backend_defaults', 'spdk'] as const;

type Kind = 'string' | 'path' | 'bool' | 'int';

interface KeySpec {
  section: string;
  key: string;
  path: string[];
  kind: Kind;
}

const PLAIN_KEYS: KeySpec[] = [
  { section: 'DEFAULT', key: 'host', path: ['agent', 'host'], kind: 'string' },
  { section: 'agent', key: 'resource_provider_name', path: ['agent', 'reportedHostname'], kind: 'string' },
  { section: 'DEFAULT', key: 'control_exchange', path: ['bus', 'controlExchange'], kind: 'string' },
  { section: 'DEFAULT', key: 'rpc_response_timeout', path: ['bus', 'rpcResponseTimeoutSec'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'amqp_durable_queues', path: ['bus', 'durableQueues'], kind: 'bool' },
  { section: 'oslo_messaging_rabbit', key: 'amqp_auto_delete', path: ['bus', 'autoDeleteQueues'], kind: 'bool' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_quorum_queue', path: ['bus', 'quorumQueues'], kind: 'bool' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_ha_queues', path: ['bus', 'haQueues'], kind: 'bool' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_transient_queues_ttl', path: ['bus', 'transientQueuesTtlSec'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_transient_quorum_queue', path: ['bus', 'transientQuorumQueues'], kind: 'bool' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_stream_fanout', path: ['bus', 'streamFanout'], kind: 'bool' },
  { section: 'oslo_messaging_rabbit', key: 'use_queue_manager', path: ['bus', 'useQueueManager'], kind: 'bool' },
  { section: 'oslo_messaging_rabbit', key: 'hostname', path: ['bus', 'queueManagerHostname'], kind: 'string' },
  { section: 'oslo_messaging_rabbit', key: 'processname', path: ['bus', 'queueManagerProcessName'], kind: 'string' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_quorum_delivery_limit', path: ['bus', 'quorumDeliveryLimit'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_quorum_max_memory_length', path: ['bus', 'quorumMaxMemoryLength'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_quorum_max_memory_bytes', path: ['bus', 'quorumMaxMemoryBytes'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'enable_cancel_on_failover', path: ['bus', 'cancelOnFailover'], kind: 'bool' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_qos_prefetch_count', path: ['bus', 'qosPrefetchCount'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'heartbeat_timeout_threshold', path: ['bus', 'heartbeatSec'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_retry_interval', path: ['bus', 'retry', 'initialSec'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_retry_backoff', path: ['bus', 'retry', 'stepSec'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'rabbit_interval_max', path: ['bus', 'retry', 'maxSec'], kind: 'int' },
  { section: 'oslo_messaging_rabbit', key: 'ssl_ca_file', path: ['bus', 'tls', 'ca'], kind: 'path' },
  { section: 'oslo_messaging_rabbit', key: 'ssl_cert_file', path: ['bus', 'tls', 'cert'], kind: 'path' },
  { section: 'oslo_messaging_rabbit', key: 'ssl_key_file', path: ['bus', 'tls', 'key'], kind: 'path' },
];

const SPDK_KEYS: Array<Omit<KeySpec, 'section'>> = [
  { key: 'spdk_dir', path: ['spdk', 'sourceDir'], kind: 'path' },
  { key: 'device_type', path: ['spdk', 'deviceType'], kind: 'string' },
  { key: 'remoteable', path: ['spdk', 'remoteable'], kind: 'bool' },
];

/** Keys whose values may hold a password: never quoted in a message. */
const VALUES_WITH_SECRETS = ['transport_url'];

const TRUE_WORDS = ['true', '1', 'on', 'yes'];
const FALSE_WORDS = ['false', '0', 'off', 'no'];

/** Parses cyborg.conf; throws a `ConfigError` listing every problem. */
export function parseCyborgConf(text: string, file: string): CyborgConf {
  const { conf, problems } = readCyborgConf(text, file);
  if (problems.length > 0) throw new ConfigError(problems);
  return conf;
}

/** Parses cyborg.conf and returns the problems instead of throwing (so they join the others). */
export function readCyborgConf(text: string, file: string): { conf: CyborgConf; problems: ConfigProblem[] } {
  const absolute = path.resolve(file);
  const { ini, problems } = parseOsloIni(text, absolute);
  const reader = new Reader(ini, absolute, problems);
  const conf: CyborgConf = { file: absolute, layer: newLayer('upper-file'), servers: [], warnings: [] };

  for (const spec of PLAIN_KEYS) reader.copy(conf.layer, spec);
  for (const spec of SPDK_KEYS) {
    const section = reader.spdkSection(spec.key, conf.warnings);
    if (section) reader.copy(conf.layer, { ...spec, section });
  }
  // Read (and so checked) even without a transport_url: a bad value is a bad file either way.
  const ssl = reader.value('oslo_messaging_rabbit', 'ssl', 'bool');
  readTransportUrl(reader, conf, ssl?.value === true);
  readServers(reader, conf);

  const confSection = reader.spdkSection('spdk_conf_file', conf.warnings);
  if (confSection) {
    const value = reader.value(confSection, 'spdk_conf_file', 'path');
    if (value !== undefined) conf.defaultJsonConfig = { path: value.value as string, origin: value.origin };
  }
  // Ranges and formats (a TTL of 0, a host name with spaces) are the schema's business.
  problems.push(...layerSchemaProblems(conf.layer));
  return { conf, problems };
}

function readTransportUrl(reader: Reader, conf: CyborgConf, ssl: boolean): void {
  const entry = reader.value('DEFAULT', 'transport_url', 'string');
  if (entry === undefined) return;
  const parsed = parseTransportUrl(entry.value as string, { ssl });
  if (!parsed.ok) {
    reader.problem(entry.origin, parsed.reason);
    return;
  }
  const credentials = credentialsOf(parsed.value.hosts);
  if (!credentials.ok) {
    reader.problem(
      entry.origin,
      `host ${credentials.index + 1} names a different ${credentials.field} than the hosts before it; ` +
        'spdk-agent uses one username and password for every broker host',
    );
    return;
  }
  const origin = entry.origin;
  setLayerValue(conf.layer, ['bus', 'urls'], parsed.value.hosts.map(formatBrokerUrl), origin);
  if (parsed.value.vhost !== undefined) setLayerValue(conf.layer, ['bus', 'vhost'], parsed.value.vhost, origin);
  if (credentials.value.username !== undefined) setLayerValue(conf.layer, ['bus', 'username'], credentials.value.username, origin);
  if (credentials.value.password !== undefined) setLayerValue(conf.layer, ['bus', 'password'], credentials.value.password, origin);
  if (parsed.value.hasQuery) {
    conf.warnings.push(`${reader.where(origin)}: the query part of transport_url (oslo driver options) is not used by spdk-agent`);
  }
}

function readServers(reader: Reader, conf: CyborgConf): void {
  const section = reader.spdkSection('accelerator_servers', conf.warnings);
  const entry = section ? reader.value(section, 'accelerator_servers', 'string') : undefined;
  if (entry === undefined) {
    conf.servers = CYBORG_DEFAULT_SERVERS.map((server) => ({ server, app: SERVER_APPS[server]! }));
    return;
  }
  conf.serversOrigin = entry.origin;
  // A StrOpt with a Python list as its default: accept "nvmf, vhost" as well as "['nvmf', 'vhost']".
  const names = (entry.value as string)
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(/[\s,]+/)
    .map((name) => name.replace(/^["']|["']$/g, ''))
    .filter((name) => name !== '');
  const seen = new Set<SpdkApp>();
  for (const name of names) {
    const app = SERVER_APPS[name.toLowerCase()];
    if (app === undefined) {
      const guess = closestKey(name, Object.keys(SERVER_APPS));
      reader.problem(
        entry.origin,
        `unknown server ${JSON.stringify(name)}; expected nvmf, vhost, iscsi or an SPDK app name ` +
          `(nvmf_tgt, iscsi_tgt, spdk_tgt)${guess ? `; did you mean "${guess}"?` : ''}`,
      );
      continue;
    }
    if (seen.has(app)) continue;
    seen.add(app);
    conf.servers.push({ server: APP_SERVER[app], app });
  }
}

/** Typed access to the INI values, collecting problems with their place. */
class Reader {
  constructor(
    private readonly ini: OsloIniFile,
    private readonly file: string,
    private readonly problems: ConfigProblem[],
  ) {}

  origin(entry: IniValue): Origin {
    return { source: 'upper-file', file: this.file, line: entry.line, key: `[${entry.section}] ${entry.key}` };
  }

  where(origin: Origin): string {
    return `${origin.file}:${origin.line} (${origin.key})`;
  }

  problem(origin: Origin, message: string): void {
    this.problems.push({ file: this.file, keyPath: origin.key, line: origin.line, message });
  }

  /**
   * Which section holds an SPDK driver key: [spdk] if it sets it, else [backend_defaults].
   * When both do, with different values, the choice is reported.
   */
  spdkSection(key: string, warnings: string[]): string | undefined {
    const [legacy, own] = SPDK_SECTIONS.map((section) => this.ini.get(section, key));
    if (own && legacy && own.raw !== legacy.raw) {
      warnings.push(`${this.where(this.origin(own))} and ${this.where(this.origin(legacy))} both set ${key}; using [spdk]`);
    }
    if (own) return 'spdk';
    return legacy ? 'backend_defaults' : undefined;
  }

  /** A value converted to its kind, or undefined when absent or malformed (then a problem is recorded). */
  value(section: string, key: string, kind: Kind): { value: string | number | boolean; origin: Origin } | undefined {
    const entry = this.ini.get(section, key);
    if (entry === undefined) return undefined;
    const origin = this.origin(entry);
    const resolved = this.ini.resolve(entry);
    if (!resolved.ok) {
      // The reason quotes the reference, which in transport_url is likely part of the password.
      const reason = VALUES_WITH_SECRETS.includes(key)
        ? 'holds a "$" that is not a reference to a value of this file; write "$$" for a literal "$" (in a password too)'
        : resolved.reason;
      this.problem(origin, reason);
      return undefined;
    }
    const text = resolved.value.trim();
    switch (kind) {
      case 'bool': {
        const lower = text.toLowerCase();
        if (TRUE_WORDS.includes(lower)) return { value: true, origin };
        if (FALSE_WORDS.includes(lower)) return { value: false, origin };
        this.problem(origin, `must be a boolean: true/false, yes/no, on/off or 1/0 (got ${JSON.stringify(text)})`);
        return undefined;
      }
      case 'int':
        if (/^[+-]?\d+$/.test(text)) return { value: Number(text), origin };
        this.problem(origin, `must be a whole number (got ${JSON.stringify(text)})`);
        return undefined;
      case 'path':
        if (text === '') {
          this.problem(origin, 'must not be empty');
          return undefined;
        }
        return { value: path.resolve(path.dirname(this.file), text), origin };
      case 'string':
        return { value: text, origin };
    }
  }

  copy(layer: ConfigLayer, spec: KeySpec): void {
    const found = this.value(spec.section, spec.key, spec.kind);
    if (found !== undefined) setLayerValue(layer, spec.path, found.value, found.origin);
  }
}
