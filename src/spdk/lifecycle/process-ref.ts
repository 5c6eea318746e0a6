/**
 * A process named for good: its pid *and* its start time (from `/proc/<pid>/stat`), recorded when
 * the agent spawned or adopted it.
 *
 * A pid alone is not a name: once the target exits, the kernel may hand the same number to any new
 * process, and signalling it would hit a stranger (py-spdk's "any process whose command line
 * contains the name" is worse still). Every signal the lifecycle sends goes through `signalProcess`,
 * which checks the start time first. A window remains between that check and `kill(2)` (Node has no
 * pidfd); it is microseconds wide, against seconds-to-minutes for a pid to be reused.
 */
import { DEFAULT_PROC_ROOT, readProcessStat } from './proc.js';

export interface ProcessRef {
  pid: number;
  /** Clock ticks since boot, field 22 of `/proc/<pid>/stat`. */
  startTime: number;
}

/**
 * - `alive`: the same process, not a zombie;
 * - `zombie`: the same process, exited but not yet reaped by its parent (it will never answer);
 * - `gone`: no process with that pid is visible;
 * - `reused`: the pid now belongs to another process.
 */
export type ProcessCondition = 'alive' | 'zombie' | 'gone' | 'reused';

export async function captureProcessRef(pid: number, procRoot = DEFAULT_PROC_ROOT): Promise<ProcessRef | undefined> {
  const stat = await readProcessStat(pid, procRoot);
  return stat ? { pid, startTime: stat.startTime } : undefined;
}

export async function processCondition(ref: ProcessRef, procRoot = DEFAULT_PROC_ROOT): Promise<ProcessCondition> {
  const stat = await readProcessStat(ref.pid, procRoot);
  if (!stat) return 'gone';
  if (stat.startTime !== ref.startTime) return 'reused';
  return stat.state === 'Z' || stat.state === 'X' ? 'zombie' : 'alive';
}

export function isRunning(condition: ProcessCondition): boolean {
  return condition === 'alive';
}

/**
 * Sends `signal` to the process only if the pid still names it. Returns what was found; the signal
 * was sent only when the answer is `alive` or `zombie` (signalling a zombie is harmless, and its
 * parent may be about to reap it).
 */
export async function signalProcess(ref: ProcessRef, signal: NodeJS.Signals, procRoot = DEFAULT_PROC_ROOT): Promise<ProcessCondition> {
  const condition = await processCondition(ref, procRoot);
  if (condition === 'alive' || condition === 'zombie') {
    try {
      process.kill(ref.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
      throw err;
    }
  }
  return condition;
}
