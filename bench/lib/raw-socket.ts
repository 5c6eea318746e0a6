/**
 * A connection to a target that does nothing but write pre-encoded bytes and count reply
 * newlines (SPDK ends every reply with exactly one `\n`, contract §1.3). No parsing, no ids: the
 * cheapest possible client, used to measure what the target itself can do, beside the project's
 * client doing the same work.
 */
import type net from 'node:net';
import { connectUnixSocket } from '../../test/helpers/unix-socket.js';

export class RawConnection {
  private newlines = 0;
  private bytes = 0;
  private onProgress: (() => void) | null = null;
  private failure: Error | null = null;
  private kept: Buffer[] | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.kept?.push(chunk);
      let at = chunk.indexOf(10);
      while (at !== -1) {
        this.newlines++;
        at = chunk.indexOf(10, at + 1);
      }
      this.onProgress?.();
    });
    const fail = (err: Error): void => {
      this.failure ??= err;
      this.onProgress?.();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the target closed the raw connection')));
  }

  static async open(path: string, timeoutMs = 5000): Promise<RawConnection> {
    return new RawConnection(await connectUnixSocket(path, timeoutMs));
  }

  /** Replies (newlines) received so far. */
  get replies(): number {
    return this.newlines;
  }

  get bytesReceived(): number {
    return this.bytes;
  }

  /** Keep every byte received from now on (for `takeBytes`). */
  keepBytes(): void {
    this.kept ??= [];
  }

  /** The bytes kept since `keepBytes()` or the last `takeBytes()`. */
  takeBytes(): Buffer {
    const bytes = Buffer.concat(this.kept ?? []);
    if (this.kept) this.kept = [];
    return bytes;
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Resolves once `count` replies in total have arrived (rejects at the deadline or on close). */
  waitForReplies(count: number, timeoutMs: number): Promise<void> {
    if (this.newlines >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onProgress = null;
        reject(new Error(`only ${this.newlines} of ${count} replies within ${timeoutMs} ms`));
      }, timeoutMs);
      this.onProgress = () => {
        if (this.newlines >= count) {
          clearTimeout(timer);
          this.onProgress = null;
          resolve();
        } else if (this.failure) {
          clearTimeout(timer);
          this.onProgress = null;
          reject(this.failure);
        }
      };
    });
  }

  /** Writes `payload` and times until `expectReplies` more replies have arrived, in ms. */
  async exchange(payload: Buffer | string, expectReplies: number, timeoutMs = 60_000): Promise<number> {
    const target = this.newlines + expectReplies;
    const start = performance.now();
    this.write(payload);
    await this.waitForReplies(target, timeoutMs);
    return performance.now() - start;
  }

  /**
   * Keeps `window` requests in flight for `durationMs`, refilling as replies arrive, and returns
   * the replies per second. `request` is one pre-encoded request (its id never changes: nothing
   * here reads replies).
   */
  blast(request: string, window: number, durationMs: number): Promise<{ replies: number; elapsedMs: number }> {
    const one = Buffer.from(request);
    const batch = (n: number): Buffer => Buffer.concat(new Array<Buffer>(n).fill(one));
    const refillChunk = Math.max(1, window >> 2);
    const refill = batch(refillChunk);
    return new Promise((resolve, reject) => {
      const startReplies = this.newlines;
      let sent = 0;
      const start = performance.now();
      let stopping = false;
      const finish = (): void => {
        stopping = true;
        const elapsedMs = performance.now() - start;
        const replies = this.newlines - startReplies;
        clearTimeout(timer);
        // Let the requests still in flight drain before the connection is reused or closed.
        this.onProgress = () => {
          if (this.newlines - startReplies >= sent || this.failure) {
            this.onProgress = null;
            resolve({ replies, elapsedMs });
          }
        };
        this.onProgress();
      };
      const timer = setTimeout(finish, durationMs);
      this.onProgress = () => {
        if (this.failure) {
          clearTimeout(timer);
          this.onProgress = null;
          reject(this.failure);
          return;
        }
        if (stopping) return;
        while (sent - (this.newlines - startReplies) <= window - refillChunk) {
          this.socket.write(refill);
          sent += refillChunk;
        }
      };
      this.socket.write(batch(window));
      sent = window;
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}
