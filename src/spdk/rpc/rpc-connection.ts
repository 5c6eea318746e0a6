/**
 * One stream connection to a target (Unix socket or TCP, the same bytes either way): opens with a
 * deadline, coalesces the requests of one event-loop turn into one socket write, cuts the incoming
 * bytes into JSON values with the shared one-pass scanner, and reports the end of the connection
 * exactly once.
 *
 * It knows nothing of calls and ids: the client above matches replies to calls.
 */
import net from 'node:net';
import { JsonStreamScanner, type ScanError, type ScannedValue } from './json-scanner.js';
import type { RpcAddress } from './address.js';

/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_UNIX_PATH_BYTES = 107;

export interface ConnectionHandlers {
  /** A complete top-level value arrived. */
  onValue(value: ScannedValue): void;
  /** The scanner dropped an unfinished value and carries on (SPDK's broken notification reply). */
  onWarning(problem: ScanError): void;
  /** The byte stream cannot be trusted any more; the connection is already being destroyed. */
  onFatal(problem: ScanError): void;
  /** The connection ended on its own (target closed it, reset, error). Not called after `destroy()`. */
  onLost(cause: ConnectionLoss): void;
  /** A reply grew past `maxReplyBytes`; the connection is already being destroyed. */
  onOversize(bytes: number, limitBytes: number): void;
}

/** The default bound on one reply: far above the largest real one (a 10,000-bdev `bdev_get_bdevs` is about 10 MB). */
export const DEFAULT_MAX_REPLY_BYTES = 256 * 1024 * 1024;

export interface ConnectionLoss {
  reason: string;
  errno?: string;
  cause?: Error;
}

/** Why a connection could not be opened. */
export class ConnectFailure extends Error {
  constructor(
    readonly reason: string,
    readonly errno: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

export class RpcConnection {
  private readonly scanner = new JsonStreamScanner();
  private outgoing: string[] = [];
  private flushScheduled = false;
  private finished = false;
  private referenced = true;
  private closedPromise: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly handlers: ConnectionHandlers,
    private readonly maxReplyBytes: number,
  ) {
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.lose({ reason: 'the target closed the connection' }));
    socket.on('error', (err: NodeJS.ErrnoException) => this.lose({ reason: `connection lost: ${err.message}`, errno: err.code, cause: err }));
    socket.on('close', () => this.lose({ reason: 'the connection closed' }));
  }

  /** Opens a connection; rejects with `ConnectFailure` (errno ENOENT, ECONNREFUSED, EACCES, ETIMEDOUT …). */
  static open(
    address: RpcAddress,
    timeoutMs: number,
    handlers: ConnectionHandlers,
    abort?: AbortSignal,
    maxReplyBytes = DEFAULT_MAX_REPLY_BYTES,
  ): Promise<RpcConnection> {
    if (address.kind === 'unix' && Buffer.byteLength(address.path) > MAX_UNIX_PATH_BYTES) {
      // Node would silently cut the path to fit sun_path, and might reach another socket.
      const bytes = Buffer.byteLength(address.path);
      return Promise.reject(
        new ConnectFailure(`the socket path is ${bytes} bytes, over the ${MAX_UNIX_PATH_BYTES}-byte limit of a Unix socket address`, 'ENAMETOOLONG'),
      );
    }
    return new Promise((resolve, reject) => {
      let socket: net.Socket;
      try {
        socket = address.kind === 'unix' ? net.connect({ path: address.path }) : net.connect({ host: address.host, port: address.port });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        reject(new ConnectFailure(e.message, e.code, { cause: e }));
        return;
      }
      const settle = (failure: ConnectFailure | null): void => {
        clearTimeout(timer);
        socket.removeListener('connect', onConnect);
        socket.removeListener('error', onError);
        abort?.removeEventListener('abort', onAbort);
        if (failure === null) {
          if (address.kind === 'tcp') socket.setNoDelay(true);
          resolve(new RpcConnection(socket, handlers, maxReplyBytes));
        } else {
          socket.on('error', () => {}); // nothing more is wanted from this socket
          socket.destroy();
          reject(failure);
        }
      };
      const onConnect = (): void => settle(null);
      const onError = (err: NodeJS.ErrnoException): void => settle(new ConnectFailure(describeConnectError(err), err.code, { cause: err }));
      const onAbort = (): void => settle(new ConnectFailure('client closed', undefined));
      const timer = setTimeout(() => settle(new ConnectFailure(`no connection within ${timeoutMs} ms`, 'ETIMEDOUT')), Math.min(timeoutMs, 2_147_483_647));
      socket.once('connect', onConnect);
      socket.once('error', onError);
      abort?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get isOpen(): boolean {
    return !this.finished;
  }

  /** Bytes read from and written to the socket so far (the metrics' traffic counters). */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  get bytesWritten(): number {
    return this.socket.bytesWritten;
  }

  /** Bytes of a reply that has begun but not ended. */
  get unfinishedBytes(): number {
    return this.scanner.buffered;
  }

  /** Queues a request; everything queued in this event-loop turn goes out in one write. */
  send(text: string): void {
    if (this.finished) return;
    this.outgoing.push(text);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flush);
    }
  }

  /** Whether the socket keeps the process alive: only while calls wait on it. */
  setReferenced(referenced: boolean): void {
    if (referenced === this.referenced || this.finished) return;
    this.referenced = referenced;
    if (referenced) this.socket.ref();
    else this.socket.unref();
  }

  /** Closes the connection without reporting it as lost; resolves once the socket is closed. */
  destroy(): Promise<void> {
    this.finished = true;
    this.outgoing = [];
    this.socket.destroy();
    return this.closedPromise;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.finished || this.outgoing.length === 0) return;
    const data = this.outgoing.length === 1 ? this.outgoing[0]! : this.outgoing.join('');
    this.outgoing = [];
    this.socket.write(data);
  };

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    for (const result of this.scanner.push(chunk)) {
      if (this.finished) return; // a handler dropped the connection
      if (result.kind === 'value' && result.bytes.length > this.maxReplyBytes) {
        this.oversize(result.bytes.length);
        return;
      }
      if (result.kind === 'value') this.handlers.onValue(result);
      else if (result.recoverable) this.handlers.onWarning(result);
      else {
        this.finished = true;
        this.socket.destroy();
        this.handlers.onFatal(result);
        return;
      }
    }
    // Bounded while reading: an endless reply is cut off here, not when memory runs out.
    if (!this.finished && this.scanner.buffered > this.maxReplyBytes) this.oversize(this.scanner.buffered);
  }

  private oversize(bytes: number): void {
    this.finished = true;
    this.outgoing = [];
    this.socket.destroy();
    this.scanner.reset();
    this.handlers.onOversize(bytes, this.maxReplyBytes);
  }

  private lose(loss: ConnectionLoss): void {
    if (this.finished) return;
    this.finished = true;
    this.outgoing = [];
    this.socket.destroy();
    if (this.scanner.buffered > 0) loss = { ...loss, reason: `${loss.reason} in the middle of a reply (${this.scanner.buffered} bytes unfinished)` };
    this.handlers.onLost(loss);
  }
}

/** An operator-facing reason for a failed connect, with the usual cause spelled out. */
function describeConnectError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such socket (is the SPDK target running, and is this its -r path?)';
    case 'ECONNREFUSED':
      return 'connection refused (nothing is listening: the target is not running, or the socket file is stale)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the socket belongs to another user: run the agent with the target’s privileges)';
    case 'ENOTSOCK':
      return 'not a socket (the path is a regular file or a directory)';
    case 'ENOTDIR':
      return 'a component of the socket path is not a directory';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host (${err.code})`;
    default:
      return err.message;
  }
}
