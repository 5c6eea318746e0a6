/**
 * What Linux's /proc says about processes and Unix sockets, read without a shell and without `ps`.
 *
 * The root is injectable (`procRoot`) so tests can hand in a fake tree. Every reader treats a
 * vanished process or an unreadable entry (another user's process, a hardened /proc) as "not
 * visible" rather than an error: a process can exit between two reads, and the callers decide what
 * "not visible" means for them.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_PROC_ROOT = '/proc';

export interface ProcessStat {
  pid: number;
  /** The executable's name as the kernel keeps it (at most 15 characters). */
  comm: string;
  /** R running, S sleeping, D disk wait, Z zombie, T stopped, t traced, X dead, I idle … */
  state: string;
  ppid: number;
  /** Process start time in clock ticks since boot: with the pid, it names one process for good. */
  startTime: number;
}

/**
 * Parses `/proc/<pid>/stat`. The command name sits in parentheses and may itself contain spaces
 * and parentheses, so the fields after it are found from the *last* `)`.
 */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTime = Number(rest[19]);
  if (!Number.isInteger(pid) || state === undefined || !Number.isFinite(startTime) || !Number.isInteger(ppid)) {
    return undefined;
  }
  return { pid, comm: text.slice(open + 1, close), state, ppid, startTime };
}

export async function readProcessStat(pid: number, procRoot = DEFAULT_PROC_ROOT): Promise<ProcessStat | undefined> {
  if (!isPlausiblePid(pid)) return undefined;
  try {
    return parseProcessStat(await readFile(path.join(procRoot, String(pid), 'stat'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The argument vector of a process (`/proc/<pid>/cmdline`, NUL-separated); undefined when not visible. */
export async function readCmdline(pid: number, procRoot = DEFAULT_PROC_ROOT): Promise<string[] | undefined> {
  if (!isPlausiblePid(pid)) return undefined;
  try {
    const raw = await readFile(path.join(procRoot, String(pid), 'cmdline'), 'utf8');
    if (raw === '') return undefined; // kernel threads and zombies have none
    const parts = raw.split('\0');
    if (parts.at(-1) === '') parts.pop();
    return parts;
  } catch {
    return undefined;
  }
}

/** The working directory of a process, to resolve a relative `-r` path; undefined when not visible. */
export async function readCwd(pid: number, procRoot = DEFAULT_PROC_ROOT): Promise<string | undefined> {
  try {
    return await readlink(path.join(procRoot, String(pid), 'cwd'));
  } catch {
    return undefined;
  }
}

export async function listPids(procRoot = DEFAULT_PROC_ROOT): Promise<number[]> {
  try {
    return (await readdir(procRoot)).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

/**
 * The inodes of the Unix sockets bound to `socketPath`, from `/proc/net/unix` (format:
 * `Num RefCount Protocol Flags Type St Inode Path`). The listening socket and every connection the
 * server accepted on it carry the path; client ends do not.
 */
export function parseUnixSocketTable(text: string, socketPath: string): Set<number> {
  const inodes = new Set<number>();
  const lines = text.split('\n');
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    // A path may contain spaces: everything after the seventh field is the path.
    const entryPath = line.trim().split(/\s+/).slice(7).join(' ');
    if (entryPath === socketPath) {
      const inode = Number(fields[6]);
      if (Number.isInteger(inode) && inode > 0) inodes.add(inode);
    }
  }
  return inodes;
}

export async function findSocketInodes(socketPath: string, procRoot = DEFAULT_PROC_ROOT): Promise<Set<number>> {
  try {
    return parseUnixSocketTable(await readFile(path.join(procRoot, 'net', 'unix'), 'utf8'), socketPath);
  } catch {
    return new Set();
  }
}

/** The pids whose open file descriptors include one of `inodes` (`/proc/<pid>/fd/* -> socket:[N]`). */
export async function findPidsHoldingInodes(inodes: ReadonlySet<number>, procRoot = DEFAULT_PROC_ROOT): Promise<number[]> {
  if (inodes.size === 0) return [];
  const holders: number[] = [];
  for (const pid of await listPids(procRoot)) {
    let fds: string[];
    try {
      fds = await readdir(path.join(procRoot, String(pid), 'fd'));
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = await readlink(path.join(procRoot, String(pid), 'fd', fd));
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(Number(m[1]))) {
        holders.push(pid);
        break;
      }
    }
  }
  return holders;
}

/**
 * The RPC socket a command line names, read the way SPDK's getopt reads it: `-r PATH`, `-rPATH`,
 * `--rpc-socket PATH` or `--rpc-socket=PATH`; the last one wins. Undefined when none is given (the
 * app then uses SPDK's default, which the caller knows).
 */
export function rpcSocketArgument(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '-r' || arg === '--rpc-socket') {
      const next = argv[i + 1];
      if (next !== undefined) found = next;
      i++;
    } else if (arg.startsWith('--rpc-socket=')) {
      found = arg.slice('--rpc-socket='.length);
    } else if (arg.startsWith('-r') && !arg.startsWith('--') && arg.length > 2) {
      found = arg.slice(2);
    }
  }
  return found;
}

function isPlausiblePid(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0 && pid <= 0x3fffffff;
}
