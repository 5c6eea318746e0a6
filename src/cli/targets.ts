/**
 * What the target commands (`discover`, `start`, `stop`, `status`) share: reading the config with
 * CLI error handling (a bad file is exit 2 with the loader's message), a `TargetManager` set up
 * for one-shot use, and finding a target by name (unknown: exit 2, listing the configured names).
 *
 * One-shot use means: no supervision (no health timers, no restarts: the command exits), and a
 * target started from the CLI writes its output to its log file (`spdk.targetLogs.dir`/<name>.log,
 * else `<socket>.log`), because it outlives the command and a pipe would break under it.
 */
import { ConfigError, loadConfig, type AgentConfig, type LoadedConfig } from '../config/index.js';
import { targetLogFile } from '../spdk/lifecycle/target-log.js';
import { configSources, type ConfigSourceOptions } from './config-sources.js';
import { CliUsageError } from './errors.js';
import { AgentError, errorMessage } from '../util/errors.js';
import { configureLogging } from '../util/log.js';
import { UnknownTargetError } from '../spdk/lifecycle/errors.js';
import { TargetManager } from '../spdk/lifecycle/manager.js';
import type { TargetSupervisor } from '../spdk/lifecycle/supervisor.js';
import type { TargetStatus } from '../spdk/lifecycle/types.js';
import { ExitCode, type CliIo } from './io.js';

/** Exit codes of the target commands (the CLI's shared codes). */
export const EXIT_OK = ExitCode.Ok;
/** The operation failed (a start, a stop). */
export const EXIT_FAILED = ExitCode.Failed;
/** Bad input: config, target name, arguments. */
export const EXIT_USAGE = ExitCode.Usage;

/** A failure a command reports with a message and an exit code. */
export class CliFailure extends AgentError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message, { code: 'CLI_FAILURE', context: { exitCode } });
  }
}

/**
 * A one-shot command speaks for itself on stdout/stderr; the lifecycle's info lines would only
 * bury that. Warnings and errors still show; SPDK_AGENT_LOG_LEVEL brings the rest back.
 */
export function quietLogging(): void {
  configureLogging({ level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'warn' });
}

/** Loads the config; warnings go to stderr, a bad config becomes a `CliFailure` with exit 2. */
export async function loadCliConfig(options: ConfigSourceOptions, io: CliIo, showWarnings = true): Promise<LoadedConfig> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(await configSources(options));
  } catch (err) {
    if (err instanceof CliUsageError) throw new CliFailure(err.message, EXIT_USAGE);
    if (err instanceof ConfigError) throw new CliFailure(`invalid configuration:\n${err.message}`, EXIT_USAGE);
    throw new CliFailure(`cannot load the configuration: ${errorMessage(err)}`, EXIT_USAGE);
  }
  if (showWarnings) for (const warning of loaded.warnings) io.stderr.write(`warning: ${warning}\n`);
  return loaded;
}

/** A manager over the config's targets for a one-shot command. */
export function cliManager(config: AgentConfig): TargetManager {
  return new TargetManager(
    {
      ...(config.spdk.sourceDir !== undefined ? { sourceDir: config.spdk.sourceDir } : {}),
      ...(config.spdk.prefix !== undefined ? { prefix: config.spdk.prefix } : {}),
      searchPath: config.spdk.searchPath,
      hugepages: config.spdk.hugepages,
      targets: config.spdk.targets,
    },
    {
      supervise: false,
      socketTrust: { uids: config.spdk.socketOwnerUids, onUntrusted: config.spdk.untrustedSocket },
      // The same file as the daemon's, so the agent that adopts the target later follows it.
      output: (spec) => {
        const file = targetLogFile(spec, config.spdk.targetLogs.dir);
        return file !== undefined ? { kind: 'file', path: file } : { kind: 'pipe' };
      },
    },
  );
}

/** A target as one command saw it now. */
export type ObservedStatus = Omit<TargetStatus, 'since' | 'restarts'>;

/**
 * Drops what only a long-lived supervisor knows: `since` (here it would be the moment this command
 * looked) and `restarts` (a one-shot command restarts nothing).
 */
export function observed(status: TargetStatus): ObservedStatus {
  const { since: _since, restarts: _restarts, ...rest } = status;
  return rest;
}

/** The supervisor of `name`, or a `CliFailure` (exit 2) naming the configured targets. */
export function findTarget(manager: TargetManager, name: string): TargetSupervisor {
  try {
    return manager.get(name);
  } catch (err) {
    if (err instanceof UnknownTargetError) throw new CliFailure(err.message, EXIT_USAGE);
    throw err;
  }
}

/**
 * Runs a command body: a `CliFailure` prints its message to stderr and gives its exit code. With
 * `json`, stdout also gets `{"ok": false, "error": …, "exitCode": …}`, so a script reading stdout
 * always gets a JSON document.
 */
export async function runCliCommand(io: CliIo, body: () => Promise<number>, json = false): Promise<number> {
  const fail = (message: string, exitCode: number): number => {
    io.stderr.write(`spdk-agent: ${message}\n`);
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: message, exitCode }, null, 2)}\n`);
    return exitCode;
  };
  try {
    return await body();
  } catch (err) {
    if (err instanceof CliFailure) return fail(err.message, err.exitCode);
    return fail(errorMessage(err), EXIT_FAILED);
  }
}
