/**
 * Which process serves an RPC socket, for a target the agent did not start.
 *
 * Two exact methods, in order:
 *   1. the kernel's own answer: the inode bound to the path in `/proc/net/unix`, and the process
 *      holding that inode among its descriptors (`/proc/<pid>/fd/* -> socket:[inode]`);
 *   2. the command line: a process whose arguments say `-r <socket>` (any getopt spelling; a relative
 *      path resolved against that process's working directory), or, for SPDK's default socket, a
 *      process whose program is exactly one of the app names and gives no `-r`.
 * Never "a command line containing nvmf_tgt", which py-spdk used and which matches an editor, a
 * `tail -f nvmf_tgt.log` or a second target on another socket.
 *
 * Either method sees only what /proc shows this user; `undefined` means "not visible", not "none".
 */
import path from 'node:path';
import { SPDK_APPS } from '../install/apps.js';
import { DEFAULT_PROC_ROOT, findPidsHoldingInodes, findSocketInodes, listPids, readCmdline, readCwd, readProcessStat, rpcSocketArgument } from './proc.js';
import { DEFAULT_RPC_SOCKET } from '../rpc/address.js';

const INTERPRETERS = /^(node|nodejs|python[0-9.]*|sh|bash|dash)$/;

export interface SocketOwner {
  pid: number;
  how: 'socket-inode' | 'command-line';
}

export async function findSocketOwner(socketPath: string, procRoot = DEFAULT_PROC_ROOT): Promise<SocketOwner | undefined> {
  const wanted = path.resolve(socketPath);
  const holders = await findPidsHoldingInodes(await findSocketInodes(wanted, procRoot), procRoot);
  const liveHolders: number[] = [];
  for (const pid of holders) if (await isLive(pid, procRoot)) liveHolders.push(pid);
  if (liveHolders.length === 1) return { pid: liveHolders[0]!, how: 'socket-inode' };
  if (liveHolders.length > 1) {
    // Several holders (a descriptor passed on, a fork): the one that names the socket is the server.
    for (const pid of liveHolders) if (await namesSocket(pid, wanted, procRoot)) return { pid, how: 'socket-inode' };
    return { pid: Math.min(...liveHolders), how: 'socket-inode' };
  }
  for (const pid of await listPids(procRoot)) {
    if (pid === process.pid) continue;
    if ((await namesSocket(pid, wanted, procRoot)) && (await isLive(pid, procRoot))) return { pid, how: 'command-line' };
  }
  return undefined;
}

async function namesSocket(pid: number, wanted: string, procRoot: string): Promise<boolean> {
  const argv = await readCmdline(pid, procRoot);
  if (!argv) return false;
  const given = rpcSocketArgument(argv);
  if (given === undefined) {
    // No -r: SPDK's default socket, if the program is an SPDK app (run directly, or as a script
    // through an interpreter: `node …/nvmf_tgt`, `bash …/spdk_tgt`).
    if (wanted !== DEFAULT_RPC_SOCKET) return false;
    let program = path.basename(argv[0] ?? '');
    if (INTERPRETERS.test(program)) program = path.basename(argv[1] ?? '');
    return (SPDK_APPS as readonly string[]).includes(program);
  }
  if (path.isAbsolute(given)) return path.resolve(given) === wanted;
  const cwd = await readCwd(pid, procRoot);
  return cwd !== undefined && path.resolve(cwd, given) === wanted;
}

async function isLive(pid: number, procRoot: string): Promise<boolean> {
  const stat = await readProcessStat(pid, procRoot);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}
