/**
 * The RPC socket's lock file (`<socket>.lock`, mode 0600), emulating SPDK's non-blocking
 * `flock(LOCK_EX)` (contract §1.1). Node has no flock, so ownership is a pid (and the process start
 * time, against pid reuse) written into the file plus a liveness check. A lock held with a real
 * `flock` — a real SPDK target on the same path — is detected through /proc/locks.
 *
 * Taking the lock: create the file exclusively; if it exists and its owner is dead (a crash left it
 * behind), take it over. On a clean exit it is removed with the socket; after SIGKILL it stays and
 * the next start recovers, as with SPDK.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

export type LockOutcome =
  | { ok: true }
  | { ok: false; reason: 'in-use'; ownerPid: number | null }
  | { ok: false; reason: 'error'; error: NodeJS.ErrnoException };

export function lockPathFor(socketPath: string): string {
  return `${socketPath}.lock`;
}

/** This process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or null. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function ownerAlive(content: string): { alive: boolean; pid: number | null } {
  const [pidText, startTime] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return { alive: false, pid: null };
  if (pid === process.pid) return { alive: false, pid };
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but not ours.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return { alive: false, pid };
  }
  if (startTime !== undefined) {
    const now = processStartTime(pid);
    if (now !== null && now !== startTime) return { alive: false, pid };
  }
  return { alive: true, pid };
}

/** Whether someone holds a kernel flock on the file (a real SPDK target). */
function flockedByOther(path: string): boolean {
  let inode: number;
  try {
    inode = statSync(path).ino;
  } catch {
    return false;
  }
  let locks: string;
  try {
    locks = readFileSync('/proc/locks', 'utf8');
  } catch {
    return false;
  }
  for (const line of locks.split('\n')) {
    // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
    const parts = line.trim().split(/\s+/);
    if (parts[1] !== 'FLOCK') continue;
    const device = parts[5]?.split(':');
    if (device && Number(device[2]) === inode && Number(parts[4]) !== process.pid) return true;
  }
  return false;
}

export function acquireLock(lockPath: string): LockOutcome {
  const content = `${process.pid} ${processStartTime(process.pid) ?? ''}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      return { ok: true };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') return { ok: false, reason: 'error', error: e };
    }
    let existing: string;
    try {
      existing = readFileSync(lockPath, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') continue;
      return { ok: false, reason: 'error', error: e };
    }
    const owner = ownerAlive(existing);
    if (owner.alive) return { ok: false, reason: 'in-use', ownerPid: owner.pid };
    if (existing.trim() === '' && flockedByOther(lockPath)) return { ok: false, reason: 'in-use', ownerPid: null };
    // A dead owner's lock (a crash): take it over, as the dead process's flock would be gone.
    try {
      unlinkSync(lockPath);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') return { ok: false, reason: 'error', error: e };
    }
  }
  return { ok: false, reason: 'in-use', ownerPid: null };
}

/** Removes the lock if this process owns it. */
export function releaseLock(lockPath: string): void {
  try {
    const content = readFileSync(lockPath, 'utf8');
    if (Number(content.trim().split(/\s+/)[0]) !== process.pid) return;
    unlinkSync(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}
