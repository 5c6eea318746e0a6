/**
 * `spdk-agent status [--config FILE] [--json]`: each configured target's state as seen from here
 * and now (running, unresponsive, stopped), its pid and socket. Acts on the targets directly, no
 * daemon needed; changes nothing.
 *
 * Exit codes, as `systemctl is-active` gives them, so a script or a monitoring check can act on
 * them: 0 every enabled target is running; 3 at least one enabled target is not running (stopped,
 * unresponsive, failed); 2 bad configuration or arguments. Disabled targets do not count.
 */
import { renderTargets, toJsonText } from '../output.js';
import { EXIT_OK, observed } from '../targets.js';

/** An enabled target is not running (`systemctl is-active`'s "inactive"). */
export const EXIT_NOT_RUNNING = 3;
import { disabledReasons, observeAll, runWithTargets } from '../target-session.js';
import type { TargetCommandOptions } from '../config-sources.js';
import type { CliIo } from '../io.js';

export interface StatusOptions extends TargetCommandOptions {
  json?: boolean;
}

export async function status(options: StatusOptions, io: CliIo): Promise<number> {
  return runWithTargets(io, options, async (manager) => {
    const targets = await observeAll(manager, async (supervisor, enablement) => {
      // A target that cannot be taken on (an untrusted socket) is shown failed, with why: the others still are.
      const current = enablement.enabled ? await supervisor.attach().catch(() => supervisor.status()) : supervisor.status();
      return { ...observed(current), ...enablement };
    });
    const notRunning = targets.filter((target) => target.enabled && target.state !== 'running').map((target) => target.name);
    if (options.json) {
      io.stdout.write(toJsonText({ targets, allRunning: notRunning.length === 0 }));
    } else {
      io.stdout.write(renderTargets(targets, disabledReasons(targets)));
      if (notRunning.length > 0) io.stdout.write(`not running: ${notRunning.join(', ')}\n`);
    }
    return notRunning.length === 0 ? EXIT_OK : EXIT_NOT_RUNNING;
  });
}
