/** `bin/spdk-agent` run as an operator runs it: a child process, its exit code, stdout and stderr. */
import { execFile } from 'node:child_process';
import type { TestContext } from 'node:test';
import { killTracked } from '../integration/lifecycle/harness.js';
import { agentBin } from './paths.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `spdk-agent <args>` without the caller's SPDK_AGENT_CONFIG; `env` is added to the rest. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.SPDK_AGENT_CONFIG;
    execFile(process.execPath, [agentBin, ...args], { env: childEnv, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Kills, after the test, whatever serves the sockets of the targets of `config` (found through `status`). */
export function killTargetsAfter(t: TestContext, config: string): void {
  t.after(async () => {
    const run = await runCli(['status', '--json', '--config', config]);
    try {
      const { targets } = JSON.parse(run.stdout) as { targets: Array<{ pid?: number }> };
      for (const target of targets) if (target.pid !== undefined) await killTracked(target.pid);
    } catch {
      // no status: nothing was started
    }
  });
}
