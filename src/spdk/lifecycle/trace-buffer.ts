/**
 * SPDK's trace buffer: `/dev/shm/<name>_trace.pid<PID>` (contract §5.6).
 *
 * SPDK unlinks it on a clean exit unless trace points recorded events. After a SIGKILL or a crash it
 * stays in /dev/shm — that is, in RAM — until someone runs `setup.sh cleanup`, and a target that
 * crash-loops under supervision would leave one more per attempt. So once the lifecycle knows such
 * a process is dead, it applies SPDK's own rule: with tracing on (`-e`) the buffer may hold the
 * events that explain the crash, so it is kept and its path logged for `spdk_trace -f`; otherwise
 * it holds nothing and is removed. With `-i` the name belongs to a multi-process group and is left
 * alone.
 */
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { SpdkApp } from '../../config/types.js';
import type { Logger } from '../../util/log.js';
import { DEFAULT_PROC_ROOT, readProcessStat } from './proc.js';

/** `opts.name` of each app, which names its shared-memory files. */
const SHM_NAMES: Record<SpdkApp, string> = { nvmf_tgt: 'nvmf', vhost: 'vhost', iscsi_tgt: 'iscsi', spdk_tgt: 'spdk_tgt' };

export const DEFAULT_SHM_DIR = '/dev/shm';

export function traceBufferPath(app: SpdkApp, pid: number, shmDir = DEFAULT_SHM_DIR): string {
  return path.join(shmDir, `${SHM_NAMES[app]}_trace.pid${pid}`);
}

/** Whether the argument vector has the option (`-x`, `-xVALUE`, `--long`, `--long=VALUE`). */
function hasOption(args: readonly string[], short: string, long: string): boolean {
  return args.some((arg) => arg === long || arg.startsWith(`${long}=`) || (!arg.startsWith('--') && arg.startsWith(short)));
}

export type TraceBufferOutcome = 'removed' | 'kept' | 'left' | 'none';

/**
 * Disposes of the trace buffer of a dead target started with `args`:
 * `removed`; `kept` (tracing was on: logged for a post-mortem); `left` (`-i`, or the pid is alive
 * again — reused by another process, whose file this may now be); `none` (no such file).
 */
export async function disposeTraceBuffer(options: {
  app: SpdkApp;
  pid: number;
  args: readonly string[];
  logger: Logger;
  shmDir?: string;
  procRoot?: string;
}): Promise<TraceBufferOutcome> {
  const file = traceBufferPath(options.app, options.pid, options.shmDir);
  if (hasOption(options.args, '-i', '--shm-id')) return 'left';
  const stat = await readProcessStat(options.pid, options.procRoot ?? DEFAULT_PROC_ROOT);
  if (stat !== undefined && stat.state !== 'Z' && stat.state !== 'X') return 'left';
  if (hasOption(options.args, '-e', '--tpoint-group')) {
    options.logger.info('the dead target traced events: its trace buffer is kept for a post-mortem', {
      file,
      read: `spdk_trace -f ${file}`,
    });
    return 'kept';
  }
  try {
    await unlink(file);
    options.logger.debug('trace buffer of the dead target removed', { file });
    return 'removed';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    options.logger.warn('could not remove the trace buffer of the dead target', { file, error: (err as Error).message });
    return 'left';
  }
}
