/**
 * The real agent daemon, `bin/spdk-agent run --config <file>`, as the bus, fleet, start-up and
 * memory figures run it: a YAML config of its own in a temporary directory (its bus on the figure's
 * exchange and topics, one target adopted on a running simulator's socket, a fake SPDK tree so
 * detection finds an installation), started as a child process and stopped with SIGTERM.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { agentBin, repoRoot } from '../../test/helpers/paths.js';
import { createFakeSpdkTree } from '../../test/helpers/sim.js';
import { brokerProblem, type BrokerScope } from './broker.js';
import { onCleanup } from './cleanup.js';
import { startChild, type Child } from './processes.js';
import { osloProblem } from './python.js';

export interface AgentSetup {
  /** agent.host (the RPC server name) and agent.reportedHostname. */
  host: string;
  /** The figure's broker scope: the agent's broker, control exchange and topics. */
  scope: BrokerScope;
  /** The running target to adopt. */
  socket: string;
  app?: 'nvmf_tgt' | 'vhost' | 'iscsi_tgt' | 'spdk_tgt';
  reportIntervalSec?: number;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Extra environment for the agent process. */
  env?: Record<string, string>;
  /** More keys of the agent's `bus:` section (queue modes). */
  bus?: Record<string, unknown>;
  /** The agent's `metrics:` section (absent: no endpoint). */
  metrics?: Record<string, unknown>;
  /** Write a V8 CPU profile of the agent into this directory when it exits (`node --cpu-prof`). */
  cpuProfileDir?: string;
}

export interface AgentProcess {
  child: Child;
  configFile: string;
  /** performance.now() and Date.now() just before the spawn. */
  spawnedAt: { perf: number; epochMs: number };
  /** SIGTERM, then SIGKILL after `graceMs`; removes the config directory. */
  stop(graceMs?: number): Promise<void>;
}

let shared: { dir: string; tree: string } | null = null;

/** One temporary directory per run for configs and the fake SPDK tree; removed at the end. */
function workDir(): { dir: string; tree: string } {
  if (shared === null) {
    const dir = mkdtempSync(path.join(tmpdir(), 'spdk-agent-bench-'));
    const treeRoot = path.join(dir, 'spdk');
    createFakeSpdkTree(treeRoot);
    shared = { dir, tree: treeRoot };
    onCleanup(() => {
      rmSync(dir, { recursive: true, force: true });
      shared = null;
    });
  }
  return shared;
}

/** Why the agent daemon cannot be run (not built yet, or the command does not exist), or null. */
export function agentUnavailable(): string | null {
  const runCommand = path.join(repoRoot, 'dist', 'src', 'cli', 'actions', 'run.js');
  if (!existsSync(runCommand))
    return 'spdk-agent run is not available (dist/src/cli/actions/run.js missing: src/agent and the run command are not built or not written yet)';
  return null;
}

/**
 * Why a figure that runs agent daemons against the Python conductor cannot be measured here
 * (`not measured: …`), or null.
 */
export async function agentFigureProblem(): Promise<string | null> {
  if ((await brokerProblem()) !== null) return 'not measured: broker unreachable';
  const missing = osloProblem() ?? agentUnavailable();
  return missing === null ? null : `not measured: ${missing}`;
}

export function writeAgentConfig(setup: AgentSetup): string {
  const { dir, tree } = workDir();
  const file = path.join(dir, `agent-${setup.host}.yaml`);
  const config = {
    agent: {
      host: setup.host,
      reportedHostname: setup.host,
      reportIntervalSec: setup.reportIntervalSec ?? 3600,
      changeCheckIntervalSec: 1,
      shutdownTimeoutSec: 10,
      // The lock file (one agent per host) beside the config, not in the machine's runtime directory.
      runtimeDir: path.join(dir, 'run'),
    },
    log: { level: setup.logLevel ?? 'warn', format: 'json' },
    bus: {
      urls: [setup.scope.url],
      controlExchange: setup.scope.exchange,
      agentTopic: setup.scope.agentTopic,
      conductorTopic: setup.scope.conductorTopic,
      rpcResponseTimeoutSec: 30,
      ...setup.bus,
    },
    spdk: {
      sourceDir: tree,
      searchPath: false,
      targets: [{ name: 'bench0', app: setup.app ?? 'spdk_tgt', socket: setup.socket, autostart: false, adopt: true, stopOnAgentExit: false }],
    },
    ...(setup.metrics ? { metrics: setup.metrics } : {}),
  };
  writeFileSync(file, dump(config));
  return file;
}

/** Starts `spdk-agent run` on a config written for `setup`. */
export function startAgent(setup: AgentSetup): AgentProcess {
  const configFile = writeAgentConfig(setup);
  const spawnedAt = { perf: performance.now(), epochMs: Date.now() };
  const nodeArgs = setup.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${setup.cpuProfileDir}`] : [];
  const child = startChild(process.execPath, [...nodeArgs, agentBin, 'run', '--config', configFile], {
    label: `spdk-agent ${setup.host}`,
    cwd: repoRoot,
    env: { SPDK_AGENT_CONFIG: undefined, SPDK_AGENT_LOG_LEVEL: undefined, ...setup.env },
  });
  return {
    child,
    configFile,
    spawnedAt,
    async stop(graceMs = 15_000) {
      await child.stop('SIGTERM', graceMs);
      rmSync(configFile, { force: true });
    },
  };
}
