/**
 * `spdk-agent run [--config FILE]`: the daemon (src/agent/daemon.ts).
 *
 * Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT); 1 when the shutdown overran
 * `agent.shutdownTimeoutSec` or the agent met an error it cannot go on with; 2 for a bad
 * configuration (the loader's message, one line per problem). A second SIGTERM/SIGINT during the
 * shutdown exits at once with 1.
 *
 * Only what the daemon needs is loaded: the config, the lifecycle, the bus and the agent.
 */
import type { Command } from 'commander';
import { ConfigError, loadConfig, type LoadedConfig } from '../../config/index.js';
import { errorMessage } from '../../util/errors.js';
import { configureLogging, getLogger } from '../../util/log.js';
import { ExitCode, type CliIo } from '../io.js';
import { exitWith } from '../targets.js';

export interface RunOptions {
  config?: string;
}

/** After the shutdown, the process exits even if a stray handle would keep it alive. */
const EXIT_GRACE_MS = 1000;

export async function run(options: RunOptions, io: CliIo): Promise<number> {
  // Loading the daemon's modules (bus, lifecycle, inventory) is a good part of the start-up time:
  // it overlaps with reading the configuration instead of following it.
  const daemonModule = import('../../agent/daemon.js');
  daemonModule.catch(() => undefined);
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(options.config !== undefined ? { file: options.config } : {});
  } catch (err) {
    const text = err instanceof ConfigError ? `invalid configuration:\n${err.message}` : `cannot load the configuration: ${errorMessage(err)}`;
    io.stderr.write(`spdk-agent: ${text}\n`);
    return ExitCode.Usage;
  }
  const { config } = loaded;
  configureLogging({ level: config.log.level, format: config.log.format });
  const log = getLogger('agent.run');
  for (const warning of loaded.warnings) log.warn(warning);

  const { AgentDaemon } = await daemonModule;
  let daemon: InstanceType<typeof AgentDaemon>;
  try {
    daemon = new AgentDaemon(config);
  } catch (err) {
    io.stderr.write(`spdk-agent: invalid configuration: ${errorMessage(err)}\n`);
    return ExitCode.Usage;
  }

  log.info('spdk-agent starting', {
    pid: process.pid,
    host: config.agent.host,
    reportedHostname: config.agent.reportedHostname,
    targets: config.spdk.targets.map((t) => t.name),
    ...(config.bus.enabled ? { exchange: config.bus.controlExchange, agentTopic: config.bus.agentTopic, conductorTopic: config.bus.conductorTopic } : {}),
    files: loaded.files,
  });

  return new Promise<number>((resolve) => {
    let exiting = false;
    const finish = (code: number): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
      resolve(code);
    };
    const shutdown = (why: string, code: number): void => {
      if (exiting) return;
      exiting = true;
      log.info(`${why}: shutting down`);
      daemon.shutdown().then(
        (result) => finish(result.clean ? code : ExitCode.Failed),
        (err: unknown) => {
          log.error('shutdown failed', { error: errorMessage(err) });
          finish(ExitCode.Failed);
        },
      );
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (exiting) {
        log.error(`${signal} during the shutdown: exiting now`);
        process.exit(ExitCode.Failed);
      }
      shutdown(signal, ExitCode.Ok);
    };
    // A bug must not take the node's storage management down silently: log it loudly; a thrown
    // exception (state unknown) ends the daemon cleanly, a stray rejection does not.
    const onRejection = (reason: unknown): void => {
      log.error('unhandled promise rejection (a bug: please report it)', { error: errorMessage(reason), stack: reason instanceof Error ? reason.stack : undefined });
    };
    const onException = (err: Error): void => {
      log.error('uncaught exception (a bug: please report it)', { error: err.message, stack: err.stack });
      shutdown('uncaught exception', ExitCode.Failed);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    void daemon.start();
  });
}

export function register(program: Command, io: CliIo): void {
  program
    .command('run')
    .description('Run the agent: supervise the SPDK targets, register them with the Cyborg conductor, answer requests on the bus.')
    .option('-c, --config <file>', 'agent configuration file (default: $SPDK_AGENT_CONFIG, then /etc/spdk-agent/agent.yaml)')
    .action(async (opts: { config?: string }) => {
      exitWith(await run(opts.config !== undefined ? { config: opts.config } : {}, io));
    });
}
