/**
 * The JSON Schema (draft-07) of the agent's YAML file.
 *
 * It is the single source of truth for keys, types and defaults; `config/agent.schema.json` is a
 * copy for editors (a test keeps the two identical). Every object sets
 * `additionalProperties: false` so a misspelt key is reported rather than silently ignored.
 *
 * `x-expected` is ours: the words used in an error message when a value does not match its
 * pattern (a regex means nothing to an operator).
 */

const seconds = (defaultValue: number, description: string) => ({ type: 'number', exclusiveMinimum: 0, default: defaultValue, description }) as const;

const path = (description: string) => ({ type: 'string', minLength: 1, description }) as const;

const hostName = (description: string) =>
  ({
    type: 'string',
    pattern: '^[^\\s/]+$',
    'x-expected': 'a host name without spaces or slashes',
    description,
  }) as const;

const agentSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    host: hostName('RPC server name (Cyborg CONF.host): the agent listens on cyborg-agent.<host>. Default: the system hostname.'),
    reportedHostname: hostName('Hostname sent in report_data (Cyborg [agent] resource_provider_name). Default: the FQDN.'),
    reportIntervalSec: seconds(60, 'Period of report_data.'),
    changeCheckIntervalSec: seconds(1, 'How often target inventories are compared for on-change reports.'),
    shutdownTimeoutSec: seconds(20, 'How long a clean shutdown may take before the agent exits anyway.'),
    runtimeDir: path(
      "Where the agent keeps its lock file (one agent per host). Default: $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=), else /run/spdk-agent as root, else $XDG_RUNTIME_DIR/spdk-agent or <tmp>/spdk-agent-<uid>.",
    ),
    onForeignConsumer: {
      enum: ['refuse', 'own-topic'],
      default: 'refuse',
      description:
        "When another program (e.g. OpenStack's Python cyborg-agent) already consumes cyborg-agent.<host>: refuse to serve (default), or serve under the topic spdk-agent without sending report_data (two reporters for one hostname erase each other's devices).",
    },
  },
} as const;

const logSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    level: { enum: ['error', 'warn', 'info', 'debug'], default: 'info' },
    format: { enum: ['auto', 'json', 'text'], default: 'auto', description: 'auto: text on a terminal, JSON lines otherwise.' },
  },
} as const;

const busSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: true },
    urls: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      default: ['amqp://127.0.0.1:5672'],
      description: 'Broker URLs (amqp:// or amqps://), tried in order.',
    },
    username: { type: 'string', minLength: 1, default: 'guest' },
    password: { type: 'string', default: 'guest' },
    passwordFile: path('File holding the broker password (read at start).'),
    vhost: { type: 'string', minLength: 1, default: '/' },
    controlExchange: { type: 'string', minLength: 1, default: 'cyborg' },
    agentTopic: { type: 'string', minLength: 1, default: 'cyborg-agent' },
    conductorTopic: { type: 'string', minLength: 1, default: 'cyborg-conductor' },
    rpcResponseTimeoutSec: seconds(60, 'Timeout of calls the agent makes (oslo rpc_response_timeout).'),
    heartbeatSec: { type: 'integer', minimum: 0, default: 60, description: 'AMQP heartbeat; 0 disables it.' },
    durableQueues: { type: 'boolean', default: false },
    autoDeleteQueues: { type: 'boolean', default: false },
    quorumQueues: { type: 'boolean', default: false },
    haQueues: { type: 'boolean', default: false },
    transientQueuesTtlSec: { type: 'integer', minimum: 1, default: 1800 },
    transientQuorumQueues: {
      type: 'boolean',
      default: false,
      description: 'Reply and fanout queues as quorum queues, the fanout exchange durable (oslo 18 rabbit_transient_quorum_queue).',
    },
    streamFanout: {
      type: 'boolean',
      default: false,
      description: 'One <topic>_fanout stream queue per topic for fanout (oslo 18 rabbit_stream_fanout; needs transientQuorumQueues and qosPrefetchCount > 0).',
    },
    useQueueManager: {
      type: 'boolean',
      default: false,
      description: 'Reply and fanout queue names <host>:<process>:<n>, stable across restarts (oslo 18 use_queue_manager).',
    },
    queueManagerHostname: {
      type: 'string',
      minLength: 1,
      description: "The queue manager's host name (oslo [oslo_messaging_rabbit] hostname). Default: the system host name.",
    },
    queueManagerProcessName: { type: 'string', minLength: 1, description: "The queue manager's process name (oslo processname). Default: spdk-agent." },
    quorumDeliveryLimit: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'x-delivery-limit of quorum queues; 0: none (oslo rabbit_quorum_delivery_limit).',
    },
    quorumMaxMemoryLength: { type: 'integer', minimum: 0, default: 0, description: 'x-max-in-memory-length of quorum queues; 0: none.' },
    quorumMaxMemoryBytes: { type: 'integer', minimum: 0, default: 0, description: 'x-max-in-memory-bytes of quorum queues; 0: none.' },
    cancelOnFailover: { type: 'boolean', default: false, description: 'Consumers ask for x-cancel-on-ha-failover (oslo enable_cancel_on_failover).' },
    qosPrefetchCount: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'basic.qos prefetch of consuming channels; 0: unlimited (oslo rabbit_qos_prefetch_count).',
    },
    pingEnabled: {
      type: 'boolean',
      default: true,
      description: 'Answer oslo_rpc_server_ping (oslo rpc_ping_enabled; on by default here: it costs nothing and lets oslo tooling probe the agent).',
    },
    retry: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        initialSec: { type: 'number', minimum: 0, default: 1 },
        stepSec: { type: 'number', minimum: 0, default: 2 },
        maxSec: { type: 'number', exclusiveMinimum: 0, default: 30 },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ca: path('CA bundle (PEM) for amqps://.'),
        cert: path('Client certificate (PEM).'),
        key: path('Client private key (PEM).'),
        servername: { type: 'string', minLength: 1 },
        verify: { type: 'boolean', default: true },
      },
    },
  },
} as const;

const targetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'app'],
  properties: {
    name: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
      'x-expected': 'a name of letters, digits, "_", "." or "-" (at most 64, not starting with a symbol)',
    },
    app: { enum: ['nvmf_tgt', 'vhost', 'iscsi_tgt', 'spdk_tgt'] },
    socket: path('RPC Unix socket (-r). Default: /var/tmp/spdk.sock when tcp is not set.'),
    tcp: {
      type: 'string',
      pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$',
      'x-expected': 'host:port, e.g. "10.0.0.5:5260" or "[fd00::5]:5260"',
    },
    binary: path('The app binary; overrides detection.'),
    args: { type: 'array', items: { type: 'string', 'x-expected': 'a quoted string such as "512"' }, default: [] },
    env: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      additionalProperties: { type: 'string' },
      default: {},
    },
    jsonConfig: path('SPDK JSON config, passed as -c.'),
    cpumask: {
      type: 'string',
      pattern: '^(0[xX][0-9A-Fa-f]+|[0-9A-Fa-f]+|\\[[0-9,\\s-]+\\])$',
      'x-expected': 'a core mask like "0x3" or a core list like "[0,1,8-12]", in quotes (unquoted, YAML reads 0x3 as the number 3)',
    },
    memSizeMb: { type: 'integer', minimum: 1 },
    vhostSocketDir: path('Where vhost sockets go (-S; vhost and spdk_tgt only).'),
    autostart: { type: 'boolean', default: false },
    adopt: { type: 'boolean', default: true },
    stopOnAgentExit: { type: 'boolean', default: false },
    restart: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        policy: { enum: ['never', 'on-failure', 'always'], default: 'on-failure' },
        maxAttempts: { type: 'integer', minimum: 1, default: 5 },
        initialDelaySec: { type: 'number', minimum: 0, default: 1 },
        maxDelaySec: { type: 'number', minimum: 0, default: 30 },
        unresponsiveSec: {
          type: 'number',
          minimum: 0,
          default: 60,
          description: 'A target that does not answer for this long is hung: restarted (SIGTERM, then SIGKILL) unless the policy is never. 0: never acted on.',
        },
      },
    },
    startTimeoutSec: seconds(60, 'How long a start may take until the RPC socket answers.'),
    stopTimeoutSec: seconds(15, 'How long a graceful stop may take before SIGKILL.'),
    rpcTimeoutSec: seconds(30, 'Default deadline of one RPC call.'),
    maxReplyBytes: {
      type: 'integer',
      minimum: 65536,
      default: 268435456,
      description:
        'Largest reply accepted from the target, counted while it is read (default 256 MiB); a larger or endless one fails the call and resets the connection.',
    },
    enabled: { type: 'boolean', default: true },
  },
} as const;

const spdkSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    upperConfig: {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: path("The management application's file (Cyborg's cyborg.conf)."),
        format: { enum: ['cyborg'], default: 'cyborg' },
      },
    },
    sourceDir: path('An SPDK source tree.'),
    prefix: path('An installed SPDK prefix.'),
    searchPath: { type: 'boolean', default: true },
    hugepages: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        allocate: { type: 'boolean', default: false },
        useSetupScript: { type: 'boolean', default: true },
      },
    },
    socketOwners: {
      type: 'array',
      items: { type: ['string', 'integer'], minLength: 1, minimum: 0 },
      default: ['root'],
      description: "Users (names or uids) who may own a target's socket and the process serving it; the agent's own user always may.",
    },
    untrustedSocket: {
      enum: ['refuse', 'warn'],
      default: 'refuse',
      description: 'A socket (or its process) owned by anyone else: refuse to adopt or signal it (the target fails, saying why), or adopt it with a warning.',
    },
    targetLogs: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        dir: path(
          "Where targets the agent starts write their output, one file per target (<dir>/<name>.log). Default: $LOGS_DIRECTORY (systemd's LogsDirectory=), else <socket>.log beside each target's socket.",
        ),
        maxBytes: {
          type: 'integer',
          minimum: 65536,
          default: 16777216,
          description: 'A target log larger than this is rotated to <file>.1 (copy and truncate) while the agent follows it.',
        },
      },
    },
    deviceType: { type: 'string', minLength: 1, default: 'NVMe' },
    remoteable: { type: 'boolean', default: false },
    targets: { type: 'array', items: targetSchema, default: [] },
  },
} as const;

const metricsSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    listen: {
      type: 'string',
      pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:/\\[\\]]+):[0-9]{1,5}$',
      'x-expected': 'host:port, e.g. 127.0.0.1:9466 or [::1]:9466',
      description: 'Where the Prometheus endpoint (/metrics) and the health checks (/healthz, /readyz) listen, host:port. Absent: no listener (the default).',
    },
    bearerToken: {
      type: 'string',
      minLength: 1,
      description: 'A token scrapers must send as "Authorization: Bearer <token>" (/healthz and /readyz stay open). Prefer bearerTokenFile.',
    },
    bearerTokenFile: path('A file holding the bearer token (one line), read at start-up.'),
    perBdevSeriesLimit: {
      type: 'integer',
      minimum: 0,
      default: 100,
      description: 'Per-bdev I/O series per target at most (the first bdevs by name); the rest are summed into bdev="_other". 0: no per-bdev series.',
    },
    iostatIntervalSec: seconds(15, 'How often the per-bdev I/O statistics (bdev_get_iostat) are read for the metrics while the endpoint is on.'),
  },
} as const;

export const agentConfigSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'spdk-agent configuration (agent.yaml)',
  type: 'object',
  additionalProperties: false,
  properties: {
    agent: agentSection,
    log: logSection,
    bus: busSection,
    spdk: spdkSection,
    metrics: metricsSection,
  },
} as const;

/** Keys under `x-expected` are annotations, not validation keywords. */
export const EXPECTED_KEYWORD = 'x-expected';
