/**
 * SPDK's JSON-RPC server on a Unix socket, with its poll loop (`spdk_jsonrpc_server_poll`, run by a
 * 4 ms poller on the app thread). One pass: accept at most one new connection if fewer than 64 are
 * served, then for every connection send its queued replies, then handle every complete request it
 * has received. So a reply queued in one pass leaves in the next: a serial client sees 4–8 ms per
 * call, as on a real target. Connections beyond 64 complete `connect()` (the kernel backlog) and are
 * simply not served until a slot frees (framing.jsonl #16).
 *
 * With a poll period of 0 there is no loop: requests are handled as they arrive and replies leave
 * at the end of the current event-loop turn (for benchmarks and fast tests).
 *
 * `pause()` reproduces v24.05+, where the socket exists during initialisation but the server is
 * not polled: clients connect and hang until `resume()`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ScannedValue } from '../../spdk/rpc/json-scanner.js';
import { getLogger } from '../../util/log.js';
import { SimRpcConnection, type ConnectionOwner } from './sim-rpc-connection.js';

const log = getLogger('sim.rpc-server');

/** SPDK_JSONRPC_MAX_CONNS. */
export const MAX_CONNECTIONS = 64;

export interface RpcServerOptions {
  socketPath: string;
  pollPeriodUs: number;
  /** Handles one complete JSON value from a connection; false closes the connection. */
  handleValue(connection: SimRpcConnection, value: ScannedValue): boolean;
  /** Delay every reply by this many ms (fault injection); 0 for none. */
  replyDelayMs: number;
}

export class SimRpcServer implements ConnectionOwner {
  private readonly server: Server;
  private readonly active = new Set<SimRpcConnection>();
  private readonly waiting: SimRpcConnection[] = [];
  private readonly dirty = new Set<SimRpcConnection>();
  private timer: NodeJS.Timeout | null = null;
  private flushScheduled = false;
  private nextId = 1;
  private paused = false;
  private frozen = false;
  private closing = false;

  constructor(private readonly options: RpcServerOptions) {
    this.server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.connected(socket));
  }

  get immediate(): boolean {
    return this.options.pollPeriodUs === 0;
  }

  /** Binds the socket (the caller took the lock and removed a stale file). */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ path: this.options.socketPath, backlog: 512 }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => log.error('RPC server socket error', { socket: this.options.socketPath, error: err.message }));
        if (!this.immediate) {
          const periodMs = Math.max(1, Math.round(this.options.pollPeriodUs / 1000));
          this.timer = setInterval(() => this.pass(), periodMs);
        }
        resolve();
      });
    });
  }

  /** Stop polling: connections wait in silence (v24.05+ during init). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (this.immediate) {
      this.acceptWaiting();
      for (const c of this.active) this.serveImmediately(c);
      for (const c of this.dirty) c.flush();
      this.dirty.clear();
    }
  }

  /** Hang fault: the app thread is stuck; nothing is accepted, read or sent ever again. */
  freeze(): void {
    this.frozen = true;
  }

  get connectionCount(): number {
    return this.active.size;
  }

  private connected(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const connection = new SimRpcConnection(this.nextId++, socket, this);
    this.waiting.push(connection);
    if (this.immediate) this.acceptWaiting();
  }

  private acceptWaiting(): void {
    while (!this.paused && !this.frozen && this.active.size < MAX_CONNECTIONS && this.waiting.length > 0) {
      this.activate(this.waiting.shift()!);
    }
  }

  private activate(connection: SimRpcConnection): void {
    if (connection.closed) return;
    this.active.add(connection);
    if (this.immediate) connection.setInputListener(() => this.serveImmediately(connection));
    connection.start();
  }

  private serveImmediately(connection: SimRpcConnection): void {
    if (this.paused || this.frozen || connection.closed) return;
    connection.processInput();
  }

  /** One pass of the poller. */
  private pass(): void {
    if (this.paused || this.frozen) return;
    while (this.waiting.length > 0 && this.waiting[0]!.closed) this.waiting.shift();
    if (this.active.size < MAX_CONNECTIONS && this.waiting.length > 0) this.activate(this.waiting.shift()!);
    for (const connection of this.active) {
      connection.flush();
      if (connection.hasInput) connection.processInput();
    }
    this.dirty.clear();
  }

  handleValue(connection: SimRpcConnection, value: ScannedValue): boolean {
    return this.options.handleValue(connection, value);
  }

  deliver(connection: SimRpcConnection, text: string): void {
    if (this.options.replyDelayMs > 0) {
      setTimeout(() => connection.enqueue(text), this.options.replyDelayMs);
    } else {
      connection.enqueue(text);
    }
  }

  wantsFlush(connection: SimRpcConnection): void {
    if (!this.immediate) return; // the next pass sends it
    this.dirty.add(connection);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.frozen || this.paused) return;
      for (const c of this.dirty) c.flush();
      this.dirty.clear();
    });
  }

  closed(connection: SimRpcConnection): void {
    this.dirty.delete(connection);
    const wasActive = this.active.delete(connection);
    if (wasActive && this.immediate) this.acceptWaiting();
  }

  /** Closes every connection (queued replies are dropped) and the socket; libuv unlinks the file. */
  close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const c of [...this.active, ...this.waiting]) c.close();
    this.waiting.length = 0;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
