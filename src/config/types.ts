/**
 * The loaded, validated configuration every other layer reads (`loadConfig()` returns it).
 *
 * Everything here is final: defaults are applied, the upper-layer file (Cyborg's `cyborg.conf`)
 * and the environment are merged in, paths are absolute, and bus URLs are normalised. Consumers
 * never re-read a file or an environment variable, and never have to guess a default.
 *
 * docs/configuration.md documents every key; docs/architecture.md ("Configuration") shows the shape.
 */
import type { Secret } from './secret.js';

/** The four SPDK applications the agent drives. */
export type SpdkApp = 'nvmf_tgt' | 'vhost' | 'iscsi_tgt' | 'spdk_tgt';
export const SPDK_APPS: readonly SpdkApp[] = ['nvmf_tgt', 'vhost', 'iscsi_tgt', 'spdk_tgt'];

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** auto: text on a terminal, JSON lines otherwise (the logger's own type). */
export type { LogFormat } from '../util/log.js';
import type { LogFormat } from '../util/log.js';
export type RestartPolicyName = 'never' | 'on-failure' | 'always';

/** SPDK's own default RPC socket (`SPDK_DEFAULT_RPC_ADDR`); a target with no socket and no tcp uses it. */
export const SPDK_DEFAULT_SOCKET = '/var/tmp/spdk.sock';

export interface AgentSection {
  /** The RPC server name (`cyborg-agent.<host>`), Cyborg's `CONF.host`. Default: `os.hostname()`. */
  host: string;
  /** The hostname sent in `report_data` (Cyborg `[agent] resource_provider_name`). Default: the FQDN. */
  reportedHostname: string;
  reportIntervalSec: number;
  /** How often target inventories are compared, to report changes without waiting for the period. */
  changeCheckIntervalSec: number;
  shutdownTimeoutSec: number;
  /** Absolute; the lock file `spdk-agent.<host>.lock` lives here. */
  runtimeDir: string;
  /** What to do when a program that is not a spdk-agent consumes `<agentTopic>.<host>`. */
  onForeignConsumer: 'refuse' | 'own-topic';
}

export interface LogSection {
  level: LogLevel;
  format: LogFormat;
}

export interface BusRetry {
  /** First reconnect delay (oslo `rabbit_retry_interval`). */
  initialSec: number;
  /** Added to the delay after each failed attempt (oslo `rabbit_retry_backoff`). */
  stepSec: number;
  /** Cap on the delay (oslo `rabbit_interval_max`). */
  maxSec: number;
}

/** TLS options for `amqps://` URLs (ignored for `amqp://`). Paths are absolute. */
export interface BusTls {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  /** Verify the broker's certificate (never turn this off in production). */
  verify: boolean;
}

export interface BusConfig {
  enabled: boolean;
  /**
   * Broker URLs, tried in order (several = a cluster). Normalised: scheme `amqp:` or `amqps:`,
   * an explicit port, the vhost as the URL-encoded path (`/%2F` for `/`), the query kept, and
   * **never any credentials** (they are in `username` / `password`).
   * Example: `amqp://10.0.0.1:5672/%2F`.
   */
  urls: string[];
  username: string;
  /**
   * The broker password. A `Secret`: `toJSON`, `toString` and `util.inspect` print `***`;
   * call `.reveal()` only where the password is handed to amqplib.
   */
  password: Secret;
  /** Where the password was read from, when it came from a file (absolute path). */
  passwordFile?: string;
  /** The vhost of URLs that do not name one (already applied to `urls`). */
  vhost: string;
  controlExchange: string;
  agentTopic: string;
  conductorTopic: string;
  rpcResponseTimeoutSec: number;
  /** AMQP heartbeat (oslo `heartbeat_timeout_threshold`); 0 disables it. */
  heartbeatSec: number;
  durableQueues: boolean;
  autoDeleteQueues: boolean;
  quorumQueues: boolean;
  haQueues: boolean;
  transientQueuesTtlSec: number;
  /** oslo 18.x options (docs/bus.md, "RabbitMQ options"). */
  transientQuorumQueues: boolean;
  streamFanout: boolean;
  useQueueManager: boolean;
  queueManagerHostname?: string;
  queueManagerProcessName?: string;
  quorumDeliveryLimit: number;
  quorumMaxMemoryLength: number;
  quorumMaxMemoryBytes: number;
  cancelOnFailover: boolean;
  qosPrefetchCount: number;
  pingEnabled: boolean;
  retry: BusRetry;
  tls: BusTls;
}

export interface UpperConfigRef {
  /** Absolute path of the management application's file. */
  path: string;
  format: 'cyborg';
}

export interface HugepagesConfig {
  allocate: boolean;
  useSetupScript: boolean;
}

export interface RestartConfig {
  policy: RestartPolicyName;
  /** Consecutive restarts before the agent gives up on the target. */
  maxAttempts: number;
  initialDelaySec: number;
  /** Always >= initialDelaySec (checked at load). */
  maxDelaySec: number;
  /** Unresponsive this long = hung: restarted per the policy (0: never acted on). */
  unresponsiveSec: number;
}

export interface TargetConfig {
  /** Unique among the targets. */
  name: string;
  app: SpdkApp;
  /**
   * Exactly one of `socket` and `tcp` is set. `socket` is an absolute path; when the file gave
   * neither, it is SPDK's default `/var/tmp/spdk.sock`.
   */
  socket?: string;
  /** `host:port` (or `[v6]:port`) of an RPC bridge; such a target is never started by the agent. */
  tcp?: string;
  /** Absolute path, or a bare command name to look up on PATH; absent = detect. */
  binary?: string;
  args: string[];
  env: Record<string, string>;
  /** Absolute path, passed as `-c`. */
  jsonConfig?: string;
  cpumask?: string;
  memSizeMb?: number;
  /** Absolute path, passed as `-S` (vhost, spdk_tgt). */
  vhostSocketDir?: string;
  /** Never true for a `tcp` target (checked at load). */
  autostart: boolean;
  adopt: boolean;
  stopOnAgentExit: boolean;
  restart: RestartConfig;
  startTimeoutSec: number;
  stopTimeoutSec: number;
  rpcTimeoutSec: number;
  /** Largest reply accepted from the target (bytes), counted while it is read. */
  maxReplyBytes: number;
  /**
   * False when the agent file disables the target, or when the upper file does not enable its
   * app's server (see `disabledReason`). A disabled target is neither started nor reported.
   */
  enabled: boolean;
  /** Why `enabled` is false, in words for an operator. */
  disabledReason?: string;
  /** Where the target was declared: in the agent file, or synthesised from `accelerator_servers`. */
  source: 'agent-file' | 'upper-file';
}

export interface TargetLogsConfig {
  /** Absolute; absent: `<socket>.log` beside each target's socket. */
  dir?: string;
  /** Rotation threshold of one target log (copy to `.1`, truncate). */
  maxBytes: number;
}

export interface SpdkConfig {
  upperConfig?: UpperConfigRef;
  /** An SPDK source tree (absolute): `build/bin/<app>`, or the old `app/<app>/<app>`. */
  sourceDir?: string;
  /** An installed prefix (absolute): `<prefix>/bin/<app>`. */
  prefix?: string;
  /** Also look for the binaries on PATH. */
  searchPath: boolean;
  hugepages: HugepagesConfig;
  /** Users who may own a target's socket and its process: names or uids, as written. */
  socketOwners: Array<string | number>;
  /** Loaded only: `socketOwners` as uids (names looked up in /etc/passwd). */
  socketOwnerUids: number[];
  untrustedSocket: 'refuse' | 'warn';
  targetLogs: TargetLogsConfig;
  /** Cyborg `device_type` (informational, reported as-is). */
  deviceType: string;
  /** Cyborg `remoteable`: whether the exported devices may be used from other hosts. */
  remoteable: boolean;
  /**
   * The apps whose Cyborg server is enabled by the upper file's `accelerator_servers`;
   * absent when there is no upper file (then every app is allowed).
   */
  enabledApps?: SpdkApp[];
  targets: TargetConfig[];
}

/** The Prometheus endpoint and health checks (docs/metrics.md). */
export interface MetricsSection {
  /** `host:port`; absent: no listener. */
  listen?: string;
  /** From `bearerToken` or `bearerTokenFile`; absent: scrapes need no token. */
  bearerToken?: Secret;
  /** Absolute; only when the token came from it. */
  bearerTokenFile?: string;
  perBdevSeriesLimit: number;
  iostatIntervalSec: number;
}

export interface AgentConfig {
  agent: AgentSection;
  log: LogSection;
  bus: BusConfig;
  spdk: SpdkConfig;
  metrics: MetricsSection;
}

export interface LoadedConfig {
  config: AgentConfig;
  /** Operator-facing notes (precedence conflicts, disabled targets, defaults used). No secrets. */
  warnings: string[];
  /** Absolute paths of the files that were read. */
  files: { agent?: string; upper?: string };
  /** Where each value that was set came from, by key path (`bus.urls`); absent: a built-in default. */
  origins: ReadonlyMap<string, { source: 'upper-file' | 'agent-file' | 'environment'; file: string; line?: number; key: string }>;
}

export interface LoadConfigOptions {
  /** The agent's YAML; relative to `cwd`. Default: `SPDK_AGENT_CONFIG`, then /etc/spdk-agent/agent.yaml. */
  file?: string;
  /**
   * Cyborg's `cyborg.conf` given directly (`--config-file`), with or without an agent YAML: its
   * targets, host and bus are taken from it as `spdk.upperConfig.path` would. Relative to `cwd`.
   */
  upperFile?: string;
  /** Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Base of a relative `file` / `SPDK_AGENT_CONFIG`. Default: `process.cwd()`. */
  cwd?: string;
}
