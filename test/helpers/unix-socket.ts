/**
 * Opening a connection to a target's Unix socket for the byte-level tests and the benchmark's raw
 * client: they read replies their own way, but connect alike.
 */
import net from 'node:net';

/** The connected socket at `path`; rejects with the socket's error, or after `timeoutMs`. */
export function connectUnixSocket(path: string, timeoutMs = 5000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${path} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      // The caller installs its own error handling on the connected socket.
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
