/**
 * Shared set-up of the agent tests (integration and interop): a node in a temporary directory (a
 * fake SPDK tree whose apps are the simulator, SPDK JSON configs with emulated PCIe NVMe drives,
 * an agent configuration on the test's own exchange and topics), the daemon in-process, a
 * conductor on our own bus that records every report_data, and cleanup that leaves no process
 * behind even when an assertion fails (every target pid the agent reported is SIGKILLed after the
 * test and, as a last resort, when the test process exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { AgentDaemon, type DaemonOptions } from '../../../src/agent/index.js';
import type { BusTransport } from '../../../src/bus/index.js';
import { loadConfig, type AgentConfig } from '../../../src/config/index.js';
import { DemoConductor, type ReceivedRegistration } from '../../../src/cli/demo/conductor.js';
import { configureLogging } from '../../../src/util/log.js';
import { BrokerScope, testAmqpUrl, waitFor } from '../../helpers/broker.js';
import { fakeSpdkTreeFor, type FakeSpdkTree } from '../../helpers/fake-spdk-tree.js';
import { agentBin } from '../../helpers/paths.js';

// The daemon runs in the test process: its info lines would drown the test report.
configureLogging({ level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'error' });

export const HOST = 'cn1';
export const REPORTED_HOSTNAME = 'cn1.example.org';

// ── process tracking ─────────────────────────────────────────────────────────────────────────

const tracked = new Map<number, string | undefined>();

function startTime(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Remembers a target pid, to SIGKILL it after the test if it is still the same process. */
export function trackPid(pid: number | undefined): void {
  if (pid !== undefined && !tracked.has(pid)) tracked.set(pid, startTime(pid));
}

export function isAlive(pid: number): boolean {
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
  })();
  return stat !== undefined && stat.split(') ')[1]?.[0] !== 'Z';
}

export function killTracked(): void {
  for (const [pid, started] of tracked) {
    tracked.delete(pid);
    if (started === undefined || startTime(pid) !== started) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
    for (const name of ['nvmf', 'vhost', 'iscsi', 'spdk_tgt']) rmSync(`/dev/shm/${name}_trace.pid${pid}`, { force: true });
  }
}

process.on('exit', killTracked);

// ── the node ─────────────────────────────────────────────────────────────────────────────────

export const NVMF_JSON = {
  subsystems: [
    {
      subsystem: 'bdev',
      config: [
        { method: 'bdev_nvme_attach_controller', params: { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:5e:00.0' } },
        { method: 'bdev_nvme_attach_controller', params: { name: 'Nvme1', trtype: 'PCIe', traddr: '0000:af:00.0' } },
        { method: 'bdev_malloc_create', params: { name: 'Malloc0', num_blocks: 2048, block_size: 512 } },
      ],
    },
    {
      subsystem: 'nvmf',
      config: [
        { method: 'nvmf_create_transport', params: { trtype: 'TCP' } },
        { method: 'nvmf_create_subsystem', params: { nqn: 'nqn.2016-06.io.spdk:cnode1', allow_any_host: true, serial_number: 'SPDK00000000000001' } },
        { method: 'nvmf_subsystem_add_ns', params: { nqn: 'nqn.2016-06.io.spdk:cnode1', namespace: { bdev_name: 'Nvme0n1' } } },
        {
          method: 'nvmf_subsystem_add_listener',
          params: { nqn: 'nqn.2016-06.io.spdk:cnode1', listen_address: { trtype: 'TCP', adrfam: 'IPv4', traddr: '127.0.0.1', trsvcid: '4420' } },
        },
      ],
    },
  ],
};

export const VHOST_JSON = {
  subsystems: [
    { subsystem: 'bdev', config: [{ method: 'bdev_nvme_attach_controller', params: { name: 'Nvme0', trtype: 'PCIe', traddr: '0000:d8:00.0' } }] },
    { subsystem: 'vhost_blk', config: [{ method: 'vhost_create_blk_controller', params: { ctrlr: 'vhost.0', dev_name: 'Nvme0n1' } }] },
  ],
};

export type TargetName = 'nvmf0' | 'vhost0';

export interface NodeOptions {
  targets?: TargetName[];
  agent?: Record<string, unknown>;
  bus?: Record<string, unknown>;
  log?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  /** More targets, as written in the YAML (`socket` relative to the node's directory is made absolute). */
  extraTargets?: Array<Record<string, unknown>>;
  /** Extra keys per target (restart policy, autostart, args appended…). */
  target?: Partial<Record<TargetName, Record<string, unknown> & { extraArgs?: string[] }>>;
  /**
   * Targets that outlive the agent, as on a real node (no --sim-watch-parent): for tests that kill
   * the agent and adopt them again. They are still killed after the test (tracked pids).
   */
  targetsOutliveAgent?: boolean;
}

export interface AgentNode {
  tree: FakeSpdkTree;
  dir: string;
  configFile: string;
  config: AgentConfig;
  socket: Record<TargetName, string>;
  exchange: string;
  agentTopic: string;
  conductorTopic: string;
}

export async function makeAgentNode(t: TestContext, scope: BrokerScope, options: NodeOptions = {}): Promise<AgentNode> {
  const tree = await fakeSpdkTreeFor(t, { layout: 'source', apps: ['nvmf_tgt', 'vhost'] });
  const dir = tree.dir;
  writeFileSync(path.join(dir, 'nvmf.json'), JSON.stringify(NVMF_JSON));
  writeFileSync(path.join(dir, 'vhost.json'), JSON.stringify(VHOST_JSON));
  const socket = { nvmf0: path.join(dir, 'nvmf0.sock'), vhost0: path.join(dir, 'vhost0.sock') };
  const common = ['--no-huge', '-s', '256', '--sim-poll-period-us', '0', ...(options.targetsOutliveAgent ? [] : ['--sim-watch-parent'])];
  const definitions: Record<TargetName, Record<string, unknown>> = {
    nvmf0: { name: 'nvmf0', app: 'nvmf_tgt', socket: socket.nvmf0, jsonConfig: path.join(dir, 'nvmf.json'), args: common },
    vhost0: {
      name: 'vhost0',
      app: 'vhost',
      socket: socket.vhost0,
      jsonConfig: path.join(dir, 'vhost.json'),
      vhostSocketDir: dir,
      args: [...common, '--sim-nvme', '0000:d8:00.0,model=INTEL SSDPE2KE016T8'],
    },
  };
  const targets = (options.targets ?? ['nvmf0', 'vhost0']).map((name) => {
    const { extraArgs, ...extra } = options.target?.[name] ?? {};
    return {
      ...definitions[name],
      autostart: true,
      stopOnAgentExit: true,
      // A restart waits a second: long enough for the report that keeps the crashed target's drives.
      restart: { policy: 'on-failure', maxAttempts: 3, initialDelaySec: 1, maxDelaySec: 2 },
      startTimeoutSec: 20,
      stopTimeoutSec: 5,
      ...extra,
      args: [...(definitions[name].args as string[]), ...(extraArgs ?? [])],
    };
  });
  for (const extra of options.extraTargets ?? []) {
    targets.push({
      ...extra,
      ...(typeof extra.socket === 'string' && !path.isAbsolute(extra.socket) ? { socket: path.join(dir, extra.socket) } : {}),
    } as (typeof targets)[number]);
  }
  const agentTopic = scope.topic('agent');
  const conductorTopic = scope.topic('conductor');
  const yaml = {
    // The lock file in the test's own directory: tests run side by side, all for host cn1.
    agent: {
      host: HOST,
      reportedHostname: REPORTED_HOSTNAME,
      reportIntervalSec: 60,
      changeCheckIntervalSec: 0.3,
      shutdownTimeoutSec: 15,
      runtimeDir: path.join(dir, 'run'),
      ...options.agent,
    },
    log: { level: 'warn', format: 'json', ...options.log },
    bus: {
      urls: [testAmqpUrl],
      controlExchange: scope.exchange,
      agentTopic,
      conductorTopic,
      rpcResponseTimeoutSec: 10,
      heartbeatSec: 10,
      retry: { initialSec: 0.5, stepSec: 0.5, maxSec: 2 },
      ...options.bus,
    },
    spdk: { sourceDir: tree.root, searchPath: false, targetLogs: { dir: path.join(dir, 'logs') }, targets },
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  const configFile = path.join(dir, 'agent.yaml');
  // JSON is YAML; the file holds the test broker's password, so it is kept private.
  writeFileSync(configFile, JSON.stringify(yaml, null, 2), { mode: 0o600 });
  const { config } = await loadConfig({ file: configFile, env: {} });
  return { tree, dir, configFile, config, socket, exchange: scope.exchange, agentTopic, conductorTopic };
}

// ── the daemon, in-process ───────────────────────────────────────────────────────────────────

export const FAST_LIFECYCLE = { healthIntervalMs: 300, healthTimeoutMs: 2000, goneCheckMs: 500 } as const;

/** Starts the daemon and waits for its targets; it is shut down before the broker cleanup. */
export async function startDaemon(scope: BrokerScope, config: AgentConfig, options: DaemonOptions = {}): Promise<AgentDaemon> {
  const daemon = new AgentDaemon(config, { lifecycle: FAST_LIFECYCLE, registrationDebounceMs: 100, ...options });
  daemon.manager.on('state', (event) => trackPid(event.pid));
  scope.defer(async () => {
    await daemon.shutdown();
    killTracked();
  });
  void daemon.start();
  await daemon.started;
  return daemon;
}

// ── the daemon as a child process (spdk-agent run) ───────────────────────────────────────────

export interface AgentProcess {
  child: ChildProcess;
  /** The JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `bin/spdk-agent run --config <file>` as a child process; SIGKILLed after the test if still
 * running (before the broker clean-up), and every target pid it logged is tracked for the
 * last-resort kill.
 */
export function runAgent(t: TestContext, scope: BrokerScope, configFile: string, env: Record<string, string> = {}): AgentProcess {
  return runAgentWith(t, scope, ['--config', configFile], env);
}

/** `bin/spdk-agent run <args>` (as `runAgent`), for other ways of naming the configuration. */
export function runAgentWith(t: TestContext, scope: BrokerScope, args: string[], env: Record<string, string> = {}): AgentProcess {
  const child = spawn(process.execPath, [agentBin, 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...cleanEnv(), SPDK_AGENT_LOG_FORMAT: 'json', ...env },
  });
  let err = '';
  let partial = '';
  child.stdout!.resume();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    // Tracked as soon as logged, while the pid is surely still the target's.
    for (const line of lines) for (const match of line.matchAll(/"pid":(\d+)/g)) if (Number(match[1]) !== child.pid) trackPid(Number(match[1]));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    killTracked();
  };
  // Before the scope deletes the broker objects (a consumer would declare its queue again), and
  // again at the very end in case the scope's teardown did not run.
  scope.defer(stop);
  t.after(stop);
  return {
    child,
    exited,
    stderr: () => err,
    logs: () =>
      err
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { unparsed: l };
          }
        }),
  };
}

/** The environment without SPDK_AGENT_* settings of whoever runs the tests. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SPDK_AGENT_')) env[k] = v;
  return env;
}

// ── a broker that is down, then up ───────────────────────────────────────────────────────────

/**
 * A TCP front of the test broker that keeps its port: while closed it drops every connection at
 * once (to a client, a broker that is down), once opened it relays them. Unlike stopping and
 * listening again, no other process can take the port meanwhile.
 */
export class BrokerGate {
  private isOpen = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  static async start(t: TestContext): Promise<BrokerGate> {
    const target = new URL(testAmqpUrl);
    let gate: BrokerGate | undefined;
    const server = net.createServer((front) => {
      front.on('error', () => undefined);
      if (!gate?.isOpen) {
        front.destroy();
        return;
      }
      const back = net.connect(Number(target.port || 5672), target.hostname);
      back.on('error', () => undefined);
      for (const socket of [front, back]) {
        gate.sockets.add(socket);
        socket.on('close', () => {
          gate?.sockets.delete(socket);
          front.destroy();
          back.destroy();
        });
      }
      front.pipe(back);
      back.pipe(front);
    });
    gate = new BrokerGate(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    t.after(() => gate!.close());
    return gate;
  }

  /** The test broker's URL (credentials included) through the gate. */
  get url(): string {
    const url = new URL(testAmqpUrl);
    url.hostname = '127.0.0.1';
    url.port = String((this.server.address() as net.AddressInfo).port);
    return url.toString();
  }

  open(): void {
    this.isOpen = true;
  }

  /** Cuts every relayed connection and refuses new ones (a broker gone) until `open()`. */
  shut(): void {
    this.isOpen = false;
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.isOpen = false;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

// ── a conductor on our own bus ───────────────────────────────────────────────────────────────

/** The demo's conductor (src/cli/demo/conductor.ts) on the test's exchange, recording every report_data. */
export class TestConductor {
  private constructor(
    readonly transport: BusTransport,
    private readonly conductor: DemoConductor,
  ) {}

  static async start(scope: BrokerScope, topic: string, busOverrides: Parameters<BrokerScope['openTransport']>[0] = {}): Promise<TestConductor> {
    const transport = await scope.openTransport(busOverrides);
    const conductor = new DemoConductor();
    await conductor.start(transport, topic, 'conductor-1');
    return new TestConductor(transport, conductor);
  }

  /** Every report received, in order. */
  get registrations(): readonly ReceivedRegistration[] {
    return this.conductor.registrations;
  }

  /** The first report from index `from` on that satisfies `match`. */
  async waitFor(what: string, match: (r: ReceivedRegistration) => boolean, from = 0, timeoutMs = 20_000): Promise<ReceivedRegistration> {
    let found: ReceivedRegistration | undefined;
    await waitFor(
      what,
      () => {
        found = this.registrations.slice(from).find(match);
        return found !== undefined;
      },
      timeoutMs,
      50,
    );
    return found!;
  }

  stop(): Promise<void> {
    return this.conductor.stop();
  }
}

/** `bdf: deployable names` per device, `(stub)` marked. */
export function deviceSummary(report: ReceivedRegistration): string[] {
  return report.devices.map((d) => `${d.bdf}${d.stub ? ' (stub)' : ''}: ${d.deployables.map((x) => x.name).join(', ')}`);
}

/** A fresh scope for the test (broker objects under a unique prefix, deleted afterwards). */
export function brokerScope(t: TestContext): BrokerScope {
  return new BrokerScope(t);
}

// ── a whole scenario: an agent on the test bus ──────────────────────────────────────────────

export interface AgentOnBus {
  scope: BrokerScope;
  node: AgentNode;
  conductor: TestConductor;
  agent: AgentProcess;
  /** A client of the agent's host queue. */
  client: ReturnType<BusTransport['createClient']>;
}

/** A node, a conductor and `spdk-agent run`, once the conductor holds the start-up report. */
export async function agentOnBus(t: TestContext, options: NodeOptions = {}, callTimeoutMs = 15_000): Promise<AgentOnBus> {
  const scope = brokerScope(t);
  const node = await makeAgentNode(t, scope, options);
  const conductor = await TestConductor.start(scope, node.conductorTopic);
  const agent = runAgent(t, scope, node.configFile);
  await conductor.waitFor('the start-up report', () => true, 0, 30_000);
  const client = conductor.transport.createClient({ topic: node.agentTopic, server: HOST, timeoutMs: callTimeoutMs });
  return { scope, node, conductor, agent, client };
}

/** SIGTERM, and the clean exit 0 expected of it (the agent's last log lines otherwise). */
export async function stopCleanly(agent: AgentProcess): Promise<void> {
  agent.child.kill('SIGTERM');
  const { code } = await agent.exited;
  if (code !== 0) throw new Error(`the agent exited with ${String(code)} after SIGTERM:\n${agent.stderr().slice(-2000)}`);
}

/** Peak and current RSS of a process (the kernel's VmHWM / VmRSS), in bytes. */
export function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

/** `RSS before 80, peak 116, after 100 MiB`, from a reading taken before and one now. */
export function memoryLine(pid: number, before: { now: number }): string {
  const after = memoryOf(pid);
  const mib = (bytes: number): number => Math.round(bytes / (1024 * 1024));
  return `agent RSS before ${mib(before.now)} MiB, peak ${mib(after.peak)} MiB, after ${mib(after.now)} MiB`;
}
