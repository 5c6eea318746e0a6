/**
 * One agent per host on this machine: a lock file `spdk-agent.<host>.lock` in the runtime
 * directory, created exclusively, holding the owner's pid, start time and configuration files.
 *
 * A file left by an agent that died (SIGKILL, a power cut: /run is a tmpfs, but a configured
 * runtimeDir may not be) is taken over when its pid no longer runs an spdk-agent: the pid is
 * checked in /proc, together with the process's command line, so a reused pid does not keep the
 * lock. Another agent for the same host name on another machine (or in a container) is caught by
 * the bus check instead (bus-link.ts).
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../util/errors.js';
import { DEFAULT_PROC_ROOT, readCmdline } from '../spdk/lifecycle/proc.js';
import { AgentAlreadyRunningError } from './errors.js';

export interface LockOwner {
  pid: number;
  startedAt: string;
  host: string;
  files?: Record<string, string | undefined>;
}

export interface InstanceLock {
  file: string;
  release(): Promise<void>;
}

export interface AcquireOptions {
  dir: string;
  host: string;
  files?: Record<string, string | undefined>;
  /** Where processes are looked up; tests pass a fake. */
  procRoot?: string;
  pid?: number;
}

/** The lock file of `host` in `dir` (host names are file-name safe after this). */
export function lockFileOf(dir: string, host: string): string {
  return path.join(dir, `spdk-agent.${host.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`);
}

/** Takes the lock or throws `AgentAlreadyRunningError` naming the agent that holds it. */
export async function acquireInstanceLock(options: AcquireOptions): Promise<InstanceLock> {
  const file = lockFileOf(options.dir, options.host);
  const pid = options.pid ?? process.pid;
  const owner: LockOwner = { pid, startedAt: new Date().toISOString(), host: options.host, ...(options.files ? { files: options.files } : {}) };
  try {
    await mkdir(options.dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new AgentAlreadyRunningError(`cannot create the runtime directory ${options.dir} for the lock file: ${errorMessage(err)} (set agent.runtimeDir)`, {
      dir: options.dir,
    });
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(owner)}\n`);
      } finally {
        await handle.close();
      }
      return {
        file,
        release: async () => {
          const holder = await readOwner(file);
          if (holder?.pid === pid) await unlink(file).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AgentAlreadyRunningError(`cannot create the lock file ${file}: ${errorMessage(err)} (set agent.runtimeDir to a writable directory)`, {
          file,
        });
      }
    }
    const holder = await readOwner(file);
    if (holder && holder.pid !== pid && (await isAgentProcess(holder.pid, options.procRoot ?? DEFAULT_PROC_ROOT))) {
      const config = holder.files ? Object.values(holder.files).filter(Boolean).join(', ') : '';
      throw new AgentAlreadyRunningError(
        `another spdk-agent for host ${options.host} is running: pid ${holder.pid}, started ${holder.startedAt}${config ? `, configuration ${config}` : ''} ` +
          `(lock file ${file}); one agent per host: stop it first (systemctl stop spdk-agent, or kill -TERM ${holder.pid})`,
        { file, otherPid: holder.pid },
      );
    }
    // Left by an agent that is gone (or unreadable): take it over.
    await unlink(file).catch(() => undefined);
  }
  throw new AgentAlreadyRunningError(`could not take the lock file ${file}: another agent took it at the same moment`, { file });
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0 ? (parsed as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs and is a spdk-agent (its command line names it), not a process that got the pid since. */
async function isAgentProcess(pid: number, procRoot: string): Promise<boolean> {
  const argv = await readCmdline(pid, procRoot);
  return argv?.some((arg) => arg.includes('spdk-agent')) === true;
}

/** The spdk-agent that holds the lock of `host` in `dir` now, if one does (what `doctor` asks). */
export async function lockHolder(dir: string, host: string, procRoot = DEFAULT_PROC_ROOT): Promise<{ pid?: number; file: string }> {
  const file = lockFileOf(dir, host);
  const owner = await readOwner(file);
  return owner && (await isAgentProcess(owner.pid, procRoot)) ? { pid: owner.pid, file } : { file };
}
