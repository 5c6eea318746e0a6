/**
 * The RPC socket file and its `.lock` as files: is anything listening, and removing them once they
 * are known to be stale.
 *
 * SPDK removes both on a clean exit and leaves both after SIGKILL (contract §5.6). A leftover is
 * harmless to SPDK itself (the next start takes the flock and rebinds) but misleads people and
 * tools that look for the file, so the lifecycle removes them after it had to SIGKILL a target,
 * and only when a connect proves nobody listens.
 */
import net from 'node:net';
import { unlink } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * - `listening`: a connect succeeded (someone accepts; whether it answers RPC is another question);
 * - `refused`: the file exists but nobody listens (a stale socket);
 * - `missing`: no such file;
 * - `error`: anything else (EACCES, not a socket, timeout), with the errno.
 */
export type SocketProbe = { kind: 'listening' } | { kind: 'refused' } | { kind: 'missing' } | { kind: 'error'; errno: string };

export function probeSocket(socketPath: string, timeoutMs = 1000): Promise<SocketProbe> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath });
    const timer = setTimeout(() => finish({ kind: 'error', errno: 'ETIMEDOUT' }), timeoutMs);
    function finish(result: SocketProbe): void {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(result);
    }
    socket.once('connect', () => finish({ kind: 'listening' }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') finish({ kind: 'refused' });
      else if (err.code === 'ENOENT') finish({ kind: 'missing' });
      else finish({ kind: 'error', errno: err.code ?? 'EUNKNOWN' });
    });
  });
}

/**
 * Removes `socketPath` and `socketPath.lock` unless something listens on the socket. Returns the
 * files removed. Call it only once the target process is known to be dead.
 *
 * `settleMs`: how long a socket that still accepts may take to go. A killed multi-threaded process
 * (SPDK's reactors, Node's workers) reads as a zombie as soon as its main thread is gone, while the
 * other threads, which share its descriptors, are still being torn down: for a few milliseconds
 * the socket of a dead target still accepts connections.
 */
export async function removeStaleSocketFiles(socketPath: string, settleMs = 0): Promise<string[]> {
  const until = Date.now() + settleMs;
  let probe = await probeSocket(socketPath);
  // A probe that could not decide (a connect that timed out on a loaded machine) is asked again too.
  while ((probe.kind === 'listening' || probe.kind === 'error') && Date.now() < until) {
    await delay(20);
    probe = await probeSocket(socketPath);
  }
  // Only a refused connect proves the file is a dead socket; on EACCES or a timeout, leave it be.
  if (probe.kind === 'listening' || probe.kind === 'error') return [];
  const removed: string[] = [];
  for (const file of [socketPath, `${socketPath}.lock`]) {
    try {
      await unlink(file);
      removed.push(file);
    } catch {
      // Already gone, or not ours to remove: nothing to clean.
    }
  }
  return removed;
}
