/**
 * One client connection of the RPC server, as `jsonrpc_server_tcp.c` keeps it: a receive side that
 * cuts the byte stream into JSON values (the lead's `JsonStreamScanner`, with SPDK's limits), and a
 * send queue the poller drains. The server decides when each side runs (the poll loop).
 *
 * Closing mirrors SPDK: the connection is dropped with everything still queued — after a parse
 * error, an oversized request (the 32 KiB receive buffer fills), or at shutdown. A client that
 * half-closes gets its outstanding replies first.
 */
import type { Socket } from 'node:net';
import { JsonStreamScanner, type ScannedValue } from '../../spdk/rpc/json-scanner.js';
import type { ReplyChannel } from './dispatcher.js';

/** SPDK_JSONRPC_RECV_BUF_SIZE (v17.07–v26.01). */
export const RECV_BUFFER_SIZE = 32768;
/** SPDK_JSONRPC_MAX_VALUES. */
export const MAX_VALUES = 1024;
/** SPDK_JSON_MAX_NESTING_DEPTH. */
export const MAX_DEPTH = 64;

export interface ConnectionOwner {
  /** Handles one complete value; false means the connection must be closed (parse error). */
  handleValue(connection: SimRpcConnection, value: ScannedValue): boolean;
  /** The send queue has bytes (so a pass, or an immediate flush, should send them). */
  wantsFlush(connection: SimRpcConnection): void;
  closed(connection: SimRpcConnection): void;
  /** A reply was produced: where slow-reply faults hook in. */
  deliver(connection: SimRpcConnection, text: string): void;
}

export class SimRpcConnection implements ReplyChannel {
  private readonly scanner = new JsonStreamScanner({ maxDepth: MAX_DEPTH, maxValues: MAX_VALUES, recordMembers: true, scalarEndsAtChunkEnd: true });
  private inbox: Buffer[] = [];
  private outbox: string[] = [];
  private inFlight = 0;
  private readEnded = false;
  private isClosed = false;
  private taken = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly owner: ConnectionOwner,
  ) {
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('end', () => {
      this.readEnded = true;
      this.endIfDone();
    });
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get hasInput(): boolean {
    return this.inbox.length > 0;
  }

  /** Called by the server when it starts serving this connection (the accept). */
  start(): void {
    this.socket.resume();
  }

  private onInput: (() => void) | null = null;

  /** The server's hook for input arriving (immediate mode processes it at once). */
  setInputListener(listener: (() => void) | null): void {
    this.onInput = listener;
  }

  private received(chunk: Buffer): void {
    if (this.isClosed) return;
    this.inbox.push(chunk);
    this.onInput?.();
  }

  /** Handles every complete request received so far. */
  processInput(): void {
    const chunks = this.inbox;
    this.inbox = [];
    for (const chunk of chunks) {
      if (this.isClosed) return;
      for (const result of this.scanner.push(chunk)) {
        if (this.isClosed) return;
        if (result.kind === 'error' || result.bytes.length > RECV_BUFFER_SIZE || !this.owner.handleValue(this, result)) {
          this.close();
          return;
        }
      }
      if (this.scanner.buffered >= RECV_BUFFER_SIZE) {
        // The receive buffer is full of one unfinished request: SPDK's next recv() asks for 0
        // bytes, gets 0, takes it for EOF and drops the connection without a word.
        this.close();
        return;
      }
    }
    this.endIfDone();
  }

  send(text: string): void {
    if (this.isClosed || this.taken) return;
    this.owner.deliver(this, text);
  }

  /**
   * Hands the connection's output to one writer (a fault streaming a reply without end): other
   * replies are not written any more, as a target stuck writing one reply writes no other.
   */
  takeOver(): (text: string) => void {
    this.taken = true;
    return (text) => {
      if (!this.isClosed) this.owner.deliver(this, text);
    };
  }

  /** Queues reply bytes for the next flush. */
  enqueue(text: string): void {
    if (this.isClosed) return;
    this.outbox.push(text);
    this.owner.wantsFlush(this);
  }

  asyncStarted(): void {
    this.inFlight++;
  }

  asyncFinished(): void {
    this.inFlight--;
  }

  /** Writes everything queued (SPDK writes as much as the socket takes; Node buffers the rest). */
  flush(): void {
    if (this.isClosed || this.outbox.length === 0) return;
    const text = this.outbox.length === 1 ? this.outbox[0]! : this.outbox.join('');
    this.outbox = [];
    this.socket.write(text);
    this.endIfDone();
  }

  /** A half-closed client is answered, then the connection ends. */
  private endIfDone(): void {
    if (this.readEnded && !this.isClosed && this.inFlight === 0 && this.outbox.length === 0 && this.inbox.length === 0) {
      this.socket.end();
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.inbox = [];
    this.outbox = [];
    this.socket.destroy();
    this.owner.closed(this);
  }
}
