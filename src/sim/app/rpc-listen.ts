/**
 * Starting the RPC server the way `spdk_rpc_listen` (v24.01; `spdk_rpc_server_listen` from v24.05)
 * does: path length, the lock file, a stale socket removed, bind — and SPDK's exact error lines when
 * a step fails, followed by `Unable to start RPC service at <path>`. Since v21.04 the app then stops.
 */
import { unlinkSync } from 'node:fs';
import { acquireLock, lockPathFor } from './lock-file.js';
import { SITES, type LogSite, type SpdkLog } from './spdk-log.js';
import type { SimRpcServer } from '../rpc/sim-rpc-server.js';
import type { StartRefusal } from '../cli/faults.js';
import { strerror } from '../rpc/rpc-failure.js';
import type { VersionProfile } from '../versions/profile.js';

const ERRNO: Record<string, number> = { ENOENT: 2, EACCES: 13, EPERM: 1, EROFS: 30, ENOTDIR: 20, EADDRINUSE: 98, EINVAL: 22, ENAMETOOLONG: 36 };

/** sun_path: 107 bytes plus NUL. */
const MAX_PATH = 107;

export type ListenOutcome = { ok: true; lockPath: string } | { ok: false; reason: string };

export async function listenRpc(
  socketPath: string,
  server: SimRpcServer,
  log: SpdkLog,
  profile: VersionProfile,
  refusal: StartRefusal | undefined,
): Promise<ListenOutcome> {
  const site: LogSite = profile.number >= 2405 ? SITES.rpcListen2405 : SITES.rpcListen;
  const fail = (reason: string, lines: Array<[LogSite, string]>): ListenOutcome => {
    for (const [where, text] of lines) log.error(where, text);
    log.error(SITES.rpcInitialize, `Unable to start RPC service at ${socketPath}`);
    return { ok: false, reason };
  };
  const lockPath = lockPathFor(socketPath);
  if (Buffer.byteLength(socketPath) > MAX_PATH) return fail('socket path too long', [[site, 'RPC Listen address Unix socket path too long']]);
  if (refusal === 'socket-in-use') return fail('socket in use', [[site, `RPC Unix domain socket path ${socketPath} in use. Specify another.`]]);
  if (refusal === 'socket-dir') return fail('lock file', [[SITES.rpcLockFile, `Cannot open lock file ${lockPath}: ${strerror(2)}`]]);
  const lock = acquireLock(lockPath);
  if (!lock.ok) {
    if (lock.reason === 'in-use') return fail('socket in use', [[site, `RPC Unix domain socket path ${socketPath} in use. Specify another.`]]);
    return fail('lock file', [[SITES.rpcLockFile, `Cannot open lock file ${lockPath}: ${strerror(ERRNO[lock.error.code ?? ''] ?? 5)}`]]);
  }
  try {
    unlinkSync(socketPath);
  } catch {
    // No stale socket: the usual case.
  }
  try {
    await server.listen();
  } catch (err) {
    try {
      unlinkSync(lockPath);
    } catch {
      // Best effort: the lock belongs to this process, nobody else removes it.
    }
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return fail('bind failed', [
      [{ file: 'jsonrpc_server_tcp.c', line: 79, func: 'spdk_jsonrpc_server_listen' }, `could not bind JSON-RPC server: ${strerror(ERRNO[code] ?? 5)}`],
      [site, 'spdk_jsonrpc_server_listen() failed'],
    ]);
  }
  return { ok: true, lockPath };
}
