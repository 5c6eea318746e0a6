/**
 * vhost-user controllers (lib/vhost): each owns a Unix socket `<-S dir>/<ctrlr>` a VM connects to.
 * The simulator creates the real socket file (a listening socket nobody talks to), so tools that
 * look for it find it; a stale socket at the path is replaced as SPDK does, anything else at the
 * path is an error. Sockets are removed on delete and on a clean exit, and stay after SIGKILL.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { Bdev } from './bdev.js';
import type { ScsiDevice } from './scsi.js';

/** sun_path holds 107 bytes and a NUL. */
export const MAX_SOCKET_PATH = 107;

export interface ScsiTarget {
  num: number;
  device: ScsiDevice;
  bdev: Bdev;
}

export interface VhostController {
  name: string;
  kind: 'blk' | 'scsi';
  /** Core bitmask the controller's thread may run on. */
  cpumask: bigint;
  delayBaseUs: number;
  iopsThreshold: number;
  socketPath: string;
  server: Server;
  blk?: { bdev: Bdev | null; bdevName: string; readonly: boolean; transport: string; packedRing: boolean };
  /** Eight target slots. */
  scsi?: Array<ScsiTarget | undefined>;
}

export class VhostControllers {
  private readonly byName = new Map<string, VhostController>();

  get(name: string): VhostController | undefined {
    return this.byName.get(name);
  }

  add(c: VhostController): void {
    this.byName.set(c.name, c);
  }

  remove(name: string): void {
    this.byName.delete(name);
  }

  all(): VhostController[] {
    return [...this.byName.values()];
  }
}

/**
 * Creates the vhost-user socket. Resolves with the listening server; rejects with the errno SPDK
 * would report (EIO for something that is not a socket in the way, the listen errno otherwise).
 */
export function openVhostSocket(path: string): Promise<Server> {
  try {
    const st = lstatSync(path);
    if (!st.isSocket()) return Promise.reject(Object.assign(new Error(`${path} exists and is not a socket`), { code: 'EIO' }));
    unlinkSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EIO') return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      // Nobody talks to this socket; a late error must not take the process down.
      server.on('error', () => undefined);
      resolve(server);
    });
  });
}

export function closeVhostSocket(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
