/**
 * Transport options: what the caller gives (`BusOptions`, the same names as the agent's `bus:`
 * config section) and the validated, defaulted form the bus runs on (`ResolvedBusOptions`).
 *
 * Every default is oslo.messaging's (or Cyborg's), so that the agent declares the same objects as
 * the Python services it shares a broker with; the oslo option name is given for each.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackoffPolicy } from './backoff.js';
import { BusConfigError } from './errors.js';
import { type ConnectableBroker, parseBrokerUrl } from './url.js';

export interface BusTlsOptions {
  /** Use TLS with every broker, even `rabbit://`/`amqp://` URLs (oslo `ssl`). `amqps://` always does. */
  enabled?: boolean;
  /** PEM file of the CA(s) that signed the broker certificate (oslo `ssl_ca_file`). */
  ca?: string;
  /** PEM client certificate, for brokers that require one (oslo `ssl_cert_file`). */
  cert?: string;
  /** PEM private key of the client certificate (oslo `ssl_key_file`). */
  key?: string;
  /** The name expected in the broker certificate, when it differs from the URL's host. */
  servername?: string;
  /** Verify the broker certificate (default true). false accepts any certificate: tests only. */
  verify?: boolean;
}

export interface BusOptions {
  /** Broker URLs tried in order (a cluster). Each may be an oslo comma list: `rabbit://u:p@h1,u:p@h2/vhost`. */
  urls: string | readonly string[];
  /** User name when a URL has none. */
  username?: string;
  /** Password when a URL has none (never logged). */
  password?: string;
  /** Virtual host when a URL has none; default `/`. */
  vhost?: string;
  /** oslo `control_exchange`; Cyborg forces `cyborg`. */
  controlExchange?: string;
  /** oslo `rpc_response_timeout`: default call timeout, and the `expiration` of a call. Default 60. */
  rpcResponseTimeoutSec?: number;
  /** oslo `heartbeat_timeout_threshold`: the AMQP heartbeat; 0 disables. Default 60. */
  heartbeatSec?: number;
  /** oslo `amqp_durable_queues`. */
  durableQueues?: boolean;
  /** oslo `amqp_auto_delete`. */
  autoDeleteQueues?: boolean;
  /** oslo `rabbit_quorum_queue`. */
  quorumQueues?: boolean;
  /** oslo `rabbit_ha_queues`. */
  haQueues?: boolean;
  /** oslo `rabbit_transient_queues_ttl`: `x-expires` of reply and fanout queues; 0 = none. Default 1800. */
  transientQueuesTtlSec?: number;
  /** oslo `rabbit_transient_quorum_queue` (18.x): reply and fanout queues as quorum queues, the fanout exchange durable. */
  transientQuorumQueues?: boolean;
  /** oslo `rabbit_stream_fanout` (18.x): one `<topic>_fanout` stream queue per topic, consumed from the last offset. */
  streamFanout?: boolean;
  /** oslo `use_queue_manager` (18.x): reply and fanout queue names from host, process name and a counter. */
  useQueueManager?: boolean;
  /** oslo `[oslo_messaging_rabbit] hostname` for the queue manager; default the system host name. */
  queueManagerHostname?: string;
  /** oslo `[oslo_messaging_rabbit] processname` for the queue manager; default `processName`. */
  queueManagerProcessName?: string;
  /** oslo `rabbit_quorum_delivery_limit` (`x-delivery-limit`); 0 = none. */
  quorumDeliveryLimit?: number;
  /** oslo `rabbit_quorum_max_memory_length` (`x-max-in-memory-length`); 0 = none. */
  quorumMaxMemoryLength?: number;
  /** oslo `rabbit_quorum_max_memory_bytes` (`x-max-in-memory-bytes`); 0 = none. */
  quorumMaxMemoryBytes?: number;
  /** oslo `enable_cancel_on_failover`: consumers ask for `x-cancel-on-ha-failover`. */
  cancelOnFailover?: boolean;
  /** oslo `rabbit_qos_prefetch_count`: basic.qos prefetch of the consuming channels; 0 = unlimited. */
  qosPrefetchCount?: number;
  /** oslo `rpc_ping_enabled`: servers answer `oslo_rpc_server_ping` with "pong". Default false. */
  pingEnabled?: boolean;
  /** oslo `rabbit_retry_interval` (1), `rabbit_retry_backoff` (2), `rabbit_interval_max` (30), seconds. */
  retry?: { initialSec?: number; stepSec?: number; maxSec?: number };
  tls?: BusTlsOptions;
  /** Per-broker limit for TCP + TLS + AMQP handshake. Default 10. */
  connectTimeoutSec?: number;
  /** How long `openTransport` keeps trying before it fails. Default 60. */
  openTimeoutSec?: number;
  /** oslo `rabbit_login_method`. Default AMQPLAIN, as oslo. */
  loginMethod?: 'AMQPLAIN' | 'PLAIN';
  /** First part of `connection_name` (`<name>:<pid>:<uuid>`); default the script's base name. */
  processName?: string;
}

export interface QueueFlags {
  durable: boolean;
  autoDelete: boolean;
  quorum: boolean;
  ha: boolean;
  /** `x-expires` of reply and fanout queues in ms; 0 = none. */
  transientTtlMs: number;
  /** Reply and fanout queues are quorum queues (oslo 18 `rabbit_transient_quorum_queue`). */
  transientQuorum: boolean;
  /** One stream queue per topic for fanout (oslo 18 `rabbit_stream_fanout`). */
  streamFanout: boolean;
  /** Arguments of every quorum queue: 0 = not set. */
  quorumLimits: { deliveryLimit: number; maxMemoryLength: number; maxMemoryBytes: number };
  /** Consumers ask for `x-cancel-on-ha-failover`. */
  cancelOnFailover: boolean;
  /** basic.qos prefetch count of consuming channels; 0 = unlimited. */
  prefetchCount: number;
  /** Stable reply and fanout queue names (oslo 18 `use_queue_manager`); null: random names. */
  queueManager: { hostname: string; processName: string } | null;
}

export interface ResolvedTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  verify: boolean;
}

export interface ResolvedBusOptions {
  brokers: readonly ConnectableBroker[];
  controlExchange: string;
  rpcResponseTimeoutMs: number;
  heartbeatSec: number;
  queues: QueueFlags;
  pingEnabled: boolean;
  retry: BackoffPolicy;
  tls: ResolvedTls;
  connectTimeoutMs: number;
  openTimeoutMs: number;
  loginMethod: 'AMQPLAIN' | 'PLAIN';
  processName: string;
}

/** Validates and defaults the options; throws `BusConfigError` naming the bad field. */
export function resolveBusOptions(input: BusOptions): ResolvedBusOptions {
  if (typeof input !== 'object' || input === null) throw new BusConfigError('bus options must be an object', { field: 'bus' });
  const urls = typeof input.urls === 'string' ? [input.urls] : input.urls;
  if (!Array.isArray(urls) || urls.length === 0 || urls.some((u) => typeof u !== 'string' || u.trim() === '')) {
    throw new BusConfigError('bus.urls must list at least one broker URL', { field: 'bus.urls' });
  }
  const username = optionalString(input.username, 'bus.username');
  const password = optionalString(input.password, 'bus.password');
  const vhost = optionalString(input.vhost, 'bus.vhost');
  const tlsInput = input.tls ?? {};
  if (typeof tlsInput !== 'object') throw new BusConfigError('bus.tls must be an object', { field: 'bus.tls' });
  const tlsForAll = bool(tlsInput.enabled, false, 'bus.tls.enabled');
  const brokers = (urls as string[]).flatMap((url) => parseBrokerUrl(url.trim(), { username, password, vhost, tls: tlsForAll }));

  const quorum = bool(input.quorumQueues, false, 'bus.quorumQueues');
  const ha = bool(input.haQueues, false, 'bus.haQueues');
  // oslo.messaging's own start-up checks, with its texts (impl_rabbit.py): an operator who reads
  // one of them in a Python service's log finds the same words here.
  if (quorum && ha) {
    throw new BusConfigError(
      'Configuration Error: rabbit_quorum_queue and rabbit_ha_queues both enabled, queue type is quorum or HA (mirrored) not both (bus.quorumQueues and bus.haQueues)',
      { field: 'bus.quorumQueues' },
    );
  }
  const transientQuorum = bool(input.transientQuorumQueues, false, 'bus.transientQuorumQueues');
  const streamFanout = bool(input.streamFanout, false, 'bus.streamFanout');
  const prefetchCount = count(input.qosPrefetchCount, 'bus.qosPrefetchCount');
  if (streamFanout && prefetchCount <= 0) {
    throw new BusConfigError(
      'Configuration Error: rabbit_stream_fanout need rabbit_qos_prefetch_count to be set to a value greater than 0. (bus.streamFanout needs bus.qosPrefetchCount > 0)',
      { field: 'bus.streamFanout' },
    );
  }
  if (streamFanout && !transientQuorum) {
    throw new BusConfigError(
      'Configuration Error: rabbit_stream_fanout need rabbit_transient_quorum_queue to be set to true. (bus.streamFanout needs bus.transientQuorumQueues)',
      { field: 'bus.streamFanout' },
    );
  }
  const processName = nonEmptyString(input.processName, defaultProcessName(), 'bus.processName');
  const queueManager = bool(input.useQueueManager, false, 'bus.useQueueManager')
    ? {
        hostname: nonEmptyString(input.queueManagerHostname, os.hostname(), 'bus.queueManagerHostname'),
        processName: nonEmptyString(input.queueManagerProcessName, processName, 'bus.queueManagerProcessName'),
      }
    : null;
  const retry = input.retry ?? {};
  const initialSec = seconds(retry.initialSec, 1, 'bus.retry.initialSec');
  const maxSec = seconds(retry.maxSec, 30, 'bus.retry.maxSec');
  if (maxSec < initialSec) throw new BusConfigError('bus.retry.maxSec must be ≥ bus.retry.initialSec', { field: 'bus.retry.maxSec' });

  return {
    brokers,
    controlExchange: nonEmptyString(input.controlExchange, 'cyborg', 'bus.controlExchange'),
    rpcResponseTimeoutMs: positiveSeconds(input.rpcResponseTimeoutSec, 60, 'bus.rpcResponseTimeoutSec') * 1000,
    heartbeatSec: Math.round(seconds(input.heartbeatSec, 60, 'bus.heartbeatSec')),
    queues: {
      durable: bool(input.durableQueues, false, 'bus.durableQueues'),
      autoDelete: bool(input.autoDeleteQueues, false, 'bus.autoDeleteQueues'),
      quorum,
      ha,
      transientTtlMs: Math.round(seconds(input.transientQueuesTtlSec, 1800, 'bus.transientQueuesTtlSec') * 1000),
      transientQuorum,
      streamFanout,
      quorumLimits: {
        deliveryLimit: count(input.quorumDeliveryLimit, 'bus.quorumDeliveryLimit'),
        maxMemoryLength: count(input.quorumMaxMemoryLength, 'bus.quorumMaxMemoryLength'),
        maxMemoryBytes: count(input.quorumMaxMemoryBytes, 'bus.quorumMaxMemoryBytes'),
      },
      cancelOnFailover: bool(input.cancelOnFailover, false, 'bus.cancelOnFailover'),
      prefetchCount,
      queueManager,
    },
    pingEnabled: bool(input.pingEnabled, false, 'bus.pingEnabled'),
    retry: {
      initialMs: initialSec * 1000,
      stepMs: seconds(retry.stepSec, 2, 'bus.retry.stepSec') * 1000,
      maxMs: maxSec * 1000,
    },
    tls: {
      ca: readPem(tlsInput.ca, 'bus.tls.ca'),
      cert: readPem(tlsInput.cert, 'bus.tls.cert'),
      key: readPem(tlsInput.key, 'bus.tls.key'),
      servername: optionalString(tlsInput.servername, 'bus.tls.servername'),
      verify: bool(tlsInput.verify, true, 'bus.tls.verify'),
    },
    connectTimeoutMs: positiveSeconds(input.connectTimeoutSec, 10, 'bus.connectTimeoutSec') * 1000,
    openTimeoutMs: positiveSeconds(input.openTimeoutSec, 60, 'bus.openTimeoutSec') * 1000,
    loginMethod: loginMethod(input.loginMethod),
    processName,
  };
}

/** A whole number ≥ 0 (oslo's IntOpt with a 0 default meaning "not set"). */
function count(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new BusConfigError(`${field} must be a whole number ≥ 0, not ${JSON.stringify(value)}`, { field });
  }
  return value;
}

function defaultProcessName(): string {
  const script = process.argv[1];
  return script ? path.basename(script) : path.basename(process.argv0 || 'node');
}

function loginMethod(value: unknown): 'AMQPLAIN' | 'PLAIN' {
  if (value === undefined) return 'AMQPLAIN';
  if (value === 'AMQPLAIN' || value === 'PLAIN') return value;
  throw new BusConfigError(`bus.loginMethod must be AMQPLAIN or PLAIN, not ${JSON.stringify(value)}`, { field: 'bus.loginMethod' });
}

function readPem(file: unknown, field: string): Buffer | undefined {
  if (file === undefined || file === null || file === '') return undefined;
  if (typeof file !== 'string') throw new BusConfigError(`${field} must be a file path`, { field });
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new BusConfigError(`${field}: cannot read ${file} (${code})`, { field, file }, err);
  }
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BusConfigError(`${field} must be a string`, { field });
  return value;
}

function nonEmptyString(value: unknown, fallback: string, field: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || value.trim() === '') throw new BusConfigError(`${field} must be a non-empty string`, { field });
  return value;
}

function bool(value: unknown, fallback: boolean, field: string): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new BusConfigError(`${field} must be true or false, not ${JSON.stringify(value)}`, { field });
  return value;
}

function seconds(value: unknown, fallback: number, field: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new BusConfigError(`${field} must be a number of seconds ≥ 0, not ${JSON.stringify(value)}`, { field });
  }
  return value;
}

function positiveSeconds(value: unknown, fallback: number, field: string): number {
  const n = seconds(value, fallback, field);
  if (n <= 0) throw new BusConfigError(`${field} must be > 0`, { field });
  return n;
}
