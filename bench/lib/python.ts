/**
 * The Python side: baselines and peers under bench/baselines/, run with Debian's /usr/bin/python3
 * (the interpreter that has python3-oslo.messaging; the one on PATH may not).
 */
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { repoRoot } from '../../test/helpers/paths.js';
import { runToCompletion, startChild, type Child } from './processes.js';

export const PYTHON = process.env.SPDK_AGENT_BENCH_PYTHON ?? '/usr/bin/python3';
export const baselinesDir = path.join(repoRoot, 'bench', 'baselines');

/** Runs a one-shot baseline script with its JSON parameters; resolves with its JSON result line. */
export function runBaseline<T>(script: string, params: unknown, label: string, timeoutMs: number): Promise<T> {
  return runToCompletion<T>(PYTHON, [path.join(baselinesDir, script), JSON.stringify(params)], {
    label,
    cwd: baselinesDir,
    timeoutMs,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
  });
}

/** oslo.messaging 18.1 (../shared/peers): a peer run with this on its PYTHONPATH and `oslo18: true` in its parameters. */
export const oslo18Path = path.resolve(repoRoot, '..', 'shared', 'peers', 'oslo.messaging-18.1.0');

/** Starts a long-running Python peer (stdin open: it stops on a "stop" line or end of input). */
export function startPeer(script: string, params: unknown, label: string, env: Record<string, string> = {}): Child {
  return startChild(PYTHON, [path.join(baselinesDir, script), JSON.stringify(params)], {
    label,
    cwd: baselinesDir,
    stdin: true,
    env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', ...env },
  });
}

/** "Python 3.11.2", or why not. */
export function pythonVersion(): string {
  try {
    return execFileSync(PYTHON, ['--version'], { encoding: 'utf8' }).trim();
  } catch (err) {
    return `unavailable (${(err as Error).message})`;
  }
}

/** Whether `import oslo_messaging` works in PYTHON: null if yes, else the reason. */
export function osloProblem(): string | null {
  try {
    execFileSync(PYTHON, ['-c', 'import oslo_messaging, oslo_config'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    return null;
  } catch (err) {
    return `${PYTHON} cannot import oslo_messaging (${(err as Error).message.split('\n')[0]})`;
  }
}

/** Stops a peer that reads "stop" on stdin (falls back to SIGTERM, then SIGKILL). */
export async function stopPeer(peer: Child | null, graceMs = 10_000): Promise<void> {
  if (peer === null || !peer.running) return;
  peer.send('stop');
  const timer = setTimeout(() => void peer.stop('SIGTERM', 2000), graceMs);
  await peer.exited;
  clearTimeout(timer);
}
