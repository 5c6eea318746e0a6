/**
 * Whether a socket found on a target's path may be trusted before the agent adopts (or stops) what
 * serves it: the socket file must belong to a trusted user (root, the agent's own user, or the
 * configured SPDK users), and so must the process behind it where /proc shows it.
 *
 * Why: SPDK's default socket, /var/tmp/spdk.sock, sits in a directory anyone can write. A user who
 * starts a listener there first would otherwise be adopted by a root agent, and the drives it
 * invents reported to the conductor; a stop would send the agent's signals to that user's process.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_PROC_ROOT } from './proc.js';

export interface SocketTrustPolicy {
  /** Trusted owners; the agent's own uid is always trusted. */
  uids: readonly number[];
  /** `refuse`: not adopted, the target fails with the reason; `warn`: adopted, with a warning. */
  onUntrusted: 'refuse' | 'warn';
}

export const DEFAULT_SOCKET_TRUST: SocketTrustPolicy = { uids: [0], onUntrusted: 'refuse' };

export type TrustVerdict = { trusted: true } | { trusted: false; reason: string };

/** The real uid of a process, from `/proc/<pid>/status`; undefined when not visible. */
export async function processUid(pid: number, procRoot = DEFAULT_PROC_ROOT): Promise<number | undefined> {
  try {
    const status = await readFile(path.join(procRoot, String(pid), 'status'), 'utf8');
    const match = /^Uid:\s+(\d+)/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function checkSocketTrust(
  socket: string | undefined,
  ownerPid: number | undefined,
  policy: SocketTrustPolicy,
  procRoot = DEFAULT_PROC_ROOT,
): Promise<TrustVerdict> {
  const own = typeof process.getuid === 'function' ? process.getuid() : 0;
  const trusted = new Set([own, ...policy.uids]);
  const names = `uid ${[...trusted].sort((a, b) => a - b).join(', ')}`;
  if (socket !== undefined) {
    let uid: number | undefined;
    try {
      uid = (await lstat(socket)).uid;
    } catch {
      uid = undefined; // gone meanwhile: nothing to trust or distrust
    }
    if (uid !== undefined && !trusted.has(uid)) {
      return { trusted: false, reason: `the socket ${socket} belongs to uid ${uid}, not to a trusted owner (${names})` };
    }
  }
  if (ownerPid !== undefined) {
    const uid = await processUid(ownerPid, procRoot);
    if (uid !== undefined && !trusted.has(uid)) {
      return { trusted: false, reason: `the process serving it, pid ${ownerPid}, runs as uid ${uid}, not as a trusted owner (${names})` };
    }
  }
  return { trusted: true };
}
