/**
 * `spdk-agent start NAME [--config FILE]`: starts one configured target (or adopts it if its socket
 * already answers) and returns once it is ready; the target keeps running after the command exits,
 * its output going to `<socket>.log`. Progress on stderr: a spinner with the phase on a terminal,
 * plain lines otherwise.
 *
 * Exit 0: running. 1: the start failed (SPDK's own last lines on stderr), or the socket is held by
 * a process that does not answer. 2: bad config or unknown target name.
 */
import { errorMessage } from '../../util/errors.js';
import { TargetStartError } from '../../spdk/lifecycle/errors.js';
import type { StartPhase } from '../../spdk/lifecycle/types.js';
import { createProgress } from '../progress.js';
import { CliFailure, EXIT_FAILED, EXIT_OK, EXIT_USAGE, observed } from '../targets.js';
import { toJsonText } from '../output.js';
import { operate, runWithTarget } from '../target-session.js';
import type { TargetCommandOptions } from '../config-sources.js';
import type { CliIo } from '../io.js';

export interface StartCommandOptions extends TargetCommandOptions {
  /** Print the outcome as JSON on stdout (no progress lines). */
  json?: boolean;
}

const PHASE_TEXT: Record<StartPhase, string> = {
  checking: 'checking whether it already runs',
  adopting: 'adopting the running target',
  hugepages: 'checking hugepages',
  spawning: 'spawning',
  'waiting-for-socket': 'waiting for the RPC socket',
  'waiting-for-init': 'waiting for initialisation (framework_wait_init)',
};

export async function start(name: string, options: StartCommandOptions, io: CliIo): Promise<number> {
  return runWithTarget(io, name, options, async (supervisor) => {
    if (supervisor.spec.enabled === false) {
      throw new CliFailure(`target ${name} is disabled${supervisor.spec.disabledReason ? `: ${supervisor.spec.disabledReason}` : ''}`, EXIT_USAGE);
    }
    const progress = options.json ? { update: () => undefined, stop: () => undefined } : createProgress(io.stderr, `${name}: starting ${supervisor.spec.app}`);
    // Ctrl-C while it starts: do not leave a half-started target behind.
    const onInterrupt = (): void => {
      progress.update(`${name}: interrupted, stopping the half-started target`);
      void supervisor.stop().catch(() => undefined);
    };
    process.once('SIGINT', onInterrupt);
    const status = await operate(
      supervisor,
      async () => {
        try {
          return await supervisor.start({
            onPhase: (phase) => progress.update(`${name}: ${phase === 'spawning' ? `spawning ${supervisor.spec.app}` : PHASE_TEXT[phase]}`),
          });
        } finally {
          process.off('SIGINT', onInterrupt);
          progress.stop();
        }
      },
      startFailureText,
    );
    if (status.state !== 'running') {
      const text = `${name}: ${status.address} is held by ${status.pid !== undefined ? `pid ${status.pid}` : 'a process'} that does not answer RPC`;
      if (options.json) io.stdout.write(toJsonText({ ok: false, target: observed(status), error: text }));
      io.stderr.write(`spdk-agent: ${text}\n`);
      return EXIT_FAILED;
    }
    if (options.json) {
      io.stdout.write(toJsonText({ ok: true, action: status.ownership === 'adopted' ? 'adopted' : 'started', target: observed(status) }));
      return EXIT_OK;
    }
    const how = status.ownership === 'adopted' ? 'already running, adopted' : 'started';
    const details = [status.pid !== undefined ? `pid ${status.pid}` : 'pid not visible', status.version, `socket ${status.address}`].filter(Boolean);
    io.stdout.write(`${name}: ${how} (${details.join(', ')})\n`);
    return EXIT_OK;
  });
}

/** The error, then SPDK's own last lines when the app said something. */
function startFailureText(err: unknown): string {
  const text = errorMessage(err);
  if (!(err instanceof TargetStartError) || err.lastLines.length === 0) return text;
  return `${text}\n${err.target}: last lines of ${err.context.binary ?? 'the target'}:\n${err.lastLines.map((l) => `  ${l}`).join('\n')}`;
}
