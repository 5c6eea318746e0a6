/**
 * `spdk-agent run [--config FILE] [--config-file cyborg.conf] [--json]`: the daemon
 * (src/agent/daemon.ts), as a system service expects it to behave.
 *
 * Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT); 1 when the shutdown overran
 * `agent.shutdownTimeoutSec` or the agent met an error it cannot go on with; 2 for a bad
 * configuration (the loader's message, one line per problem); 4 when another agent already serves
 * this host (the lock file, or a consumer on `<agentTopic>.<host>`: see the README's "Supported
 * deployments"). A second SIGTERM/SIGINT during the shutdown exits at once with 1.
 *
 * Signals: SIGHUP re-reads the configuration and applies what can change while running (a bad new
 * configuration is logged with its file:line problems and the old one stays); SIGUSR2 writes the
 * diagnostics (a state report) to the log and the agent goes on; SIGUSR1 is ignored (Node would otherwise open its
 * inspector on 127.0.0.1:9229, inside a process that usually runs as root).
 *
 * Only what the daemon needs is loaded: the config, the lifecycle, the bus and the agent.
 */
import { ConfigError, loadConfig, type LoadConfigOptions, type LoadedConfig } from '../../config/index.js';
import { errorMessage } from '../../util/errors.js';
import { configureLogging, getLogger } from '../../util/log.js';
import { ExitCode, type CliIo } from '../io.js';
import { configSources, type ConfigSourceOptions } from '../config-sources.js';
import { CliUsageError } from '../errors.js';

export interface RunOptions extends ConfigSourceOptions {
  /** Log lines as JSON whatever log.format says. */
  json?: boolean;
}

/** Another agent serves this host. */
export const EXIT_ANOTHER_AGENT = 4;

/** After the shutdown, the process exits even if a stray handle would keep it alive. */
const EXIT_GRACE_MS = 1000;

export async function run(options: RunOptions, io: CliIo): Promise<number> {
  // Loading the daemon's modules (bus, lifecycle, inventory) is a good part of the start-up time:
  // it overlaps with reading the configuration instead of following it.
  const daemonModule = import('../../agent/daemon.js');
  daemonModule.catch(() => undefined);
  // From the first moment: a SIGUSR1 must never open the inspector, a SIGHUP or SIGUSR2 during
  // start-up must not end the agent (Node's default for both).
  process.on('SIGUSR1', ignoreInspectorSignal);
  const early = (signal: NodeJS.Signals): void => void io.stderr.write(`spdk-agent: ${signal} ignored: the agent is still starting\n`);
  process.on('SIGHUP', early);
  process.on('SIGUSR2', early);
  const releaseEarly = (): void => {
    process.off('SIGHUP', early);
    process.off('SIGUSR2', early);
  };
  let sources: LoadConfigOptions;
  try {
    sources = await configSources(options);
  } catch (err) {
    releaseEarly();
    if (err instanceof CliUsageError) {
      io.stderr.write(`spdk-agent: ${err.message}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(sources);
  } catch (err) {
    releaseEarly();
    const text = err instanceof ConfigError ? `invalid configuration:\n${err.message}` : `cannot load the configuration: ${errorMessage(err)}`;
    io.stderr.write(`spdk-agent: ${text}\n`);
    return ExitCode.Usage;
  }
  const { config } = loaded;
  const logFormat = options.json ? 'json' : config.log.format;
  configureLogging({ level: config.log.level, format: logFormat });
  const log = getLogger('agent.run');
  for (const warning of loaded.warnings) log.warn(warning);

  const { AgentDaemon } = await daemonModule;
  const { acquireInstanceLock } = await import('../../agent/instance-lock.js');
  let lock: Awaited<ReturnType<typeof acquireInstanceLock>>;
  try {
    lock = await acquireInstanceLock({ dir: config.agent.runtimeDir, host: config.agent.host, files: loaded.files });
  } catch (err) {
    releaseEarly();
    log.error(errorMessage(err));
    return EXIT_ANOTHER_AGENT;
  }
  let daemon: InstanceType<typeof AgentDaemon>;
  try {
    daemon = new AgentDaemon(config);
  } catch (err) {
    releaseEarly();
    await lock.release();
    io.stderr.write(`spdk-agent: invalid configuration: ${errorMessage(err)}\n`);
    return ExitCode.Usage;
  }

  // Under systemd (Type=notify): READY=1 once serving, WATCHDOG=1 from the event loop, STATUS= lines.
  const { ServiceNotifier } = await import('../../util/service-notify.js');
  const notifier = ServiceNotifier.fromEnvironment({ logger: log });
  notifier?.startWatchdog();
  void notifier?.status('starting: looking after the SPDK targets');
  const topic = `${config.bus.agentTopic}.${config.agent.host}`;
  let announcedReady = false;
  const announceReady = (status: string): void => {
    if (announcedReady) return;
    announcedReady = true;
    void notifier?.ready(status);
  };
  daemon.on('serving', () => announceReady(`serving ${topic}`));
  daemon.on('started', (results) => {
    const up = results.filter((r) => r.action !== 'failed').length;
    if (!config.bus.enabled) announceReady(`${up} of ${results.length} targets up; message bus disabled`);
    else if (!announcedReady) void notifier?.status(`${up} of ${results.length} targets up; connecting to the message bus`);
  });
  daemon.on('registration', (event) => {
    if (!announcedReady) return;
    const at = new Date().toISOString().slice(11, 19);
    void notifier?.status(
      event.ok ? `serving ${topic}; report_data accepted at ${at} UTC` : `serving ${topic}; report_data failed at ${at} UTC (${event.error?.kind ?? 'error'})`,
    );
  });

  log.info('spdk-agent starting', {
    pid: process.pid,
    host: config.agent.host,
    reportedHostname: config.agent.reportedHostname,
    targets: config.spdk.targets.map((t) => t.name),
    ...(config.bus.enabled ? { exchange: config.bus.controlExchange, agentTopic: config.bus.agentTopic, conductorTopic: config.bus.conductorTopic } : {}),
    files: loaded.files,
    lockFile: lock.file,
  });

  const observability = config.metrics.listen !== undefined ? import('../../agent/metrics/index.js') : null;
  return new Promise<number>((resolve) => {
    let exiting = false;
    let endpoint: Promise<{ close(): Promise<void> } | null> = Promise.resolve(null);
    const finish = (code: number): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGHUP', onReload);
      process.off('SIGUSR2', onDiagnostics);
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      // SIGUSR1 stays ignored to the end: the inspector must not open during the last second.
      const closeEndpoint = endpoint.then((open) => open?.close()).catch(() => undefined);
      void Promise.all([closeEndpoint, lock.release()]).finally(() => {
        setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
        resolve(code);
      });
    };
    const shutdown = (why: string, code: number): void => {
      if (exiting) return;
      exiting = true;
      void notifier?.stopping(`${why}: shutting down`);
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
      log.error('unhandled promise rejection (a bug: please report it)', {
        error: errorMessage(reason),
        stack: reason instanceof Error ? reason.stack : undefined,
      });
    };
    const onException = (err: Error): void => {
      log.error('uncaught exception (a bug: please report it)', { error: err.message, stack: err.stack });
      shutdown('uncaught exception', ExitCode.Failed);
    };
    // SIGHUP: one reload at a time; a SIGHUP during a reload runs one more after it (the file may
    // have changed again).
    let reloading: Promise<void> | null = null;
    let reloadAgain = false;
    const reload = async (): Promise<void> => {
      log.info('SIGHUP: reading the configuration again', { files: loaded.files });
      let next: LoadedConfig;
      try {
        next = await loadConfig(sources);
      } catch (err) {
        const text = err instanceof ConfigError ? err.message : errorMessage(err);
        log.error(`SIGHUP: the new configuration is invalid; keeping the one in force:\n${text}`);
        return;
      }
      for (const warning of next.warnings) log.warn(warning);
      if (next.config.log.level !== daemon.config.log.level || next.config.log.format !== daemon.config.log.format) {
        configureLogging({ level: next.config.log.level, format: options.json ? 'json' : next.config.log.format });
      }
      const result = await daemon.reload(next.config);
      loaded = next;
      const targets = result.targets;
      log.info(result.changed.length === 0 ? 'SIGHUP: configuration unchanged' : 'SIGHUP: configuration reloaded', {
        applied: result.applied,
        ...(targets
          ? {
              targetsAdded: targets.added.map((t) => `${t.name} (${t.action})`),
              targetsRemoved: targets.removed,
              targetsChanged: targets.replaced.map((t) => `${t.name} (${t.action})`),
              restartPolicyChanged: targets.policyChanged,
            }
          : {}),
      });
      if (result.needsRestart.length > 0) {
        log.warn(`SIGHUP: these settings changed but take effect only when the agent restarts: ${result.needsRestart.join(', ')}`, {
          needsRestart: result.needsRestart,
        });
      }
    };
    const onReload = (): void => {
      if (exiting) return;
      if (reloading) {
        reloadAgain = true;
        return;
      }
      reloading = reload()
        .catch((err: unknown) => void log.error('SIGHUP: the reload failed (a bug: please report it)', { error: errorMessage(err) }))
        .finally(() => {
          reloading = null;
          if (reloadAgain) {
            reloadAgain = false;
            onReload();
          }
        });
    };
    const onDiagnostics = (): void => {
      // At warn: an operator asked for it, so it shows whatever the log level.
      log.warn('diagnostics (SIGUSR2)', { diagnostics: daemon.diagnostics() });
    };
    daemon.on('fatal', (error) => {
      if (exiting) return;
      exiting = true;
      void notifier?.stopping('another program serves this host: shutting down');
      log.error('another program serves this host (see the line before): shutting down', { code: error.code });
      daemon.shutdown({ leaveTargets: true }).then(
        () => finish(EXIT_ANOTHER_AGENT),
        () => finish(EXIT_ANOTHER_AGENT),
      );
    });
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('SIGHUP', onReload);
    process.on('SIGUSR2', onDiagnostics);
    releaseEarly();
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    void daemon.start();
    // The health checks answer from the first moment (503 "starting" until the targets were looked after).
    if (observability) endpoint = observability.then((module) => module.startObservability(daemon, config.metrics));
  });
}

/**
 * Installed for its side effect: with a listener, Node does not open its inspector on SIGUSR1.
 * Logged, so an operator who sent it for the diagnostics learns which signal that is.
 */
function ignoreInspectorSignal(): void {
  getLogger('agent.run').warn('SIGUSR1 ignored (the inspector is never opened); send SIGUSR2 for the diagnostics, SIGHUP to reload the configuration');
}
