/**
 * The frame the target commands (`discover`, `start`, `stop`, `status`) run in (their command-line
 * shape is in config-sources.ts): the one-shot set-up (quiet logging, the config, a
 * manager over its targets), and the CLI's connections to the targets dropped when the command is
 * done, whatever happened. The pieces themselves (config loading, the manager, finding a target)
 * are in targets.ts.
 */
import type { TargetManager } from '../spdk/lifecycle/manager.js';
import type { TargetSupervisor } from '../spdk/lifecycle/supervisor.js';
import type { TargetSpec } from '../spdk/lifecycle/types.js';
import { errorMessage } from '../util/errors.js';
import type { CliIo } from './io.js';
import type { TargetCommandOptions } from './config-sources.js';
import { CliFailure, EXIT_FAILED, cliManager, findTarget, loadCliConfig, quietLogging, runCliCommand } from './targets.js';

/** Runs a command's `body` on a manager over the configured targets, as `runCliCommand` does. */
export function runWithTargets(io: CliIo, options: TargetCommandOptions, body: (manager: TargetManager) => Promise<number>): Promise<number> {
  return runCliCommand(
    io,
    async () => {
      quietLogging();
      const { config } = await loadCliConfig(options, io);
      return body(cliManager(config));
    },
    (options as { json?: boolean }).json === true,
  );
}

/** Runs a command's `body` on the configured target `name` (unknown: exit 2). */
export function runWithTarget(
  io: CliIo,
  name: string,
  options: TargetCommandOptions,
  body: (supervisor: TargetSupervisor) => Promise<number>,
): Promise<number> {
  return runWithTargets(io, options, (manager) => body(findTarget(manager, name)));
}

/**
 * The one operation of `start` or `stop`: a failure becomes exit 1 with `describe(err)`; the CLI's
 * connection to the target is dropped either way (the target itself keeps running or stays stopped).
 */
export async function operate<T>(supervisor: TargetSupervisor, operation: () => Promise<T>, describe: (err: unknown) => string = errorMessage): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw new CliFailure(describe(err), EXIT_FAILED);
  } finally {
    await supervisor.detach();
  }
}

/** Whether a target may be started or adopted, and why not. */
export interface Enablement {
  enabled: boolean;
  disabledReason?: string;
}

function enablementOf(spec: TargetSpec): Enablement {
  return { enabled: spec.enabled !== false, ...(spec.disabledReason !== undefined ? { disabledReason: spec.disabledReason } : {}) };
}

/** Looks at every configured target at once (`observe`); the connections are dropped after. */
export async function observeAll<T>(manager: TargetManager, observe: (supervisor: TargetSupervisor, enablement: Enablement) => Promise<T>): Promise<T[]> {
  try {
    return await Promise.all(manager.all().map((supervisor) => observe(supervisor, enablementOf(supervisor.spec))));
  } finally {
    await Promise.all(manager.all().map((supervisor) => supervisor.detach()));
  }
}

/** The disabled targets and why, as `renderTargets` marks them. */
export function disabledReasons(targets: ReadonlyArray<{ name: string } & Enablement>): Map<string, string> {
  return new Map(targets.filter((target) => !target.enabled).map((target) => [target.name, target.disabledReason ?? 'disabled']));
}
