/**
 * An in-process, scriptable stand-in for an SPDK JSON-RPC server, to drive the client exactly:
 * answer from fixture bytes, split replies at chosen points or byte by byte, answer out of order,
 * delay, close mid-call, write garbage, send huge replies, count requests outstanding, and record
 * the exact bytes received.
 *
 * Requests are cut out of the byte stream with the same scanner SPDK's framing needs. Like SPDK,
 * a request over 32768 bytes, over 1024 JSON values or nested deeper than 64 closes the connection
 * without an answer; each such event is recorded in `limitViolations` (a client must never cause one).
 *
 *   const server = await FakeSpdkServer.start({ transport: 'unix' });
 *   t.after(() => server.close());
 *   server.handler = (req, conn) => conn.reply(req, true);
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { JsonStreamScanner } from '../../src/spdk/rpc/json-scanner.js';
import { decodeJson, stringifyJson } from '../../src/spdk/rpc/json.js';

export type Transport = 'unix' | 'tcp';

export interface FakeRequest {
  /** The request's exact bytes (one JSON value, without surrounding whitespace). */
  raw: string;
  /** The decoded request (exact integers). */
  body: unknown;
  /** The raw text of the id member, or undefined when there is none (a notification). */
  rawId: string | undefined;
  id: unknown;
  method: unknown;
  hasParams: boolean;
  params: unknown;
  /** SPDK's count of JSON values in the request. */
  values: number;
  connection: FakeConnection;
  /** Position among all requests the server received, from 0. */
  index: number;
}

export type FakeHandler = (request: FakeRequest, connection: FakeConnection) => void | Promise<void>;

export interface FakeServerOptions {
  transport?: Transport;
  /** How requests are answered; default `answerVersion` (spdk_get_version from the fixture, -32601 otherwise). */
  handler?: FakeHandler;
  /** SPDK's limits (close without an answer when exceeded); default on. */
  enforceLimits?: boolean;
}

export const SPDK_VERSION_REPLY =
  '{"jsonrpc":"2.0","id":1,"result":{"version":"SPDK v24.01 git sha1 0786843e99","fields":{"major":24,"minor":1,"patch":0,"suffix":"","commit":"0786843e99"}}}\n';

const MAX_BYTES = 32_768;
const MAX_VALUES = 1024;
const MAX_DEPTH = 64;

/**
 * Rewrites the id of every reply in `bytes` (the `"id":…` right after `"jsonrpc":"2.0"`) to `rawId`
 * (raw JSON text, e.g. `request.rawId`). Null ids are kept unless `nullToo`: SPDK's broken
 * notification reply carries `"id":null` and must stay unmatched.
 */
export function withId(bytes: string, rawId: string | undefined, options: { nullToo?: boolean } = {}): string {
  const id = options.nullToo
    ? /\{"jsonrpc":"2\.0","id":(-?[0-9][0-9.eE+-]*|"(?:[^"\\]|\\.)*"|null)/g
    : /\{"jsonrpc":"2\.0","id":(-?[0-9][0-9.eE+-]*|"(?:[^"\\]|\\.)*")/g;
  return bytes.replace(id, `{"jsonrpc":"2.0","id":${rawId ?? 'null'}`);
}

export class FakeConnection {
  /** Every chunk read from the client, in order. */
  readonly chunks: Buffer[] = [];
  readonly requests: FakeRequest[] = [];
  private readonly unanswered = new Set<FakeRequest>();
  private readonly scanner = new JsonStreamScanner({ maxDepth: MAX_DEPTH });
  private pendingWrites: string[] = [];
  private flushQueued = false;
  closed = false;

  constructor(
    readonly socket: net.Socket,
    private readonly server: FakeSpdkServer,
  ) {
    if (server.transport === 'tcp') socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.unanswered.clear();
    });
  }

  /** Requests received on this connection and not answered yet. */
  get outstanding(): number {
    return this.unanswered.size;
  }

  /** All bytes received so far. */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Answers with a result, SPDK-style (compact, member order jsonrpc,id,result, one '\n'). */
  reply(request: FakeRequest, result: unknown): void {
    this.answer(request, `{"jsonrpc":"2.0","id":${request.rawId ?? 'null'},"result":${stringifyJson(result)}}\n`);
  }

  replyError(request: FakeRequest, code: number, message: string): void {
    this.answer(request, `{"jsonrpc":"2.0","id":${request.rawId ?? 'null'},"error":{"code":${code},"message":${JSON.stringify(message)}}}\n`);
  }

  /** Answers with exact bytes (e.g. a fixture reply passed through `withId`). */
  replyRaw(request: FakeRequest, bytes: string): void {
    this.answer(request, bytes);
  }

  /** Counts a request as answered without writing anything (the bytes are written some other way). */
  markAnswered(request: FakeRequest): void {
    this.unanswered.delete(request);
  }

  /** Writes raw bytes now (after any coalesced replies). */
  write(bytes: string | Buffer): void {
    this.flush();
    if (!this.closed) this.socket.write(bytes);
  }

  /** Writes `bytes` in pieces cut at the given offsets (or one byte per write), with a pause between writes. */
  async writeInPieces(bytes: string | Buffer, cuts: number[] | 'bytewise', gapMs = 0): Promise<void> {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    const points = cuts === 'bytewise' ? Array.from({ length: buf.length - 1 }, (_, i) => i + 1) : [...cuts].sort((a, b) => a - b);
    let at = 0;
    for (const cut of [...points, buf.length]) {
      if (cut <= at) continue;
      this.write(buf.subarray(at, cut));
      at = cut;
      if (at < buf.length) await drainAndPause(this.socket, gapMs);
    }
  }

  /** Closes the connection gracefully (FIN). */
  end(): void {
    this.flush();
    this.socket.end();
  }

  /** Resets the connection. */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private answer(request: FakeRequest, bytes: string): void {
    this.unanswered.delete(request);
    this.pendingWrites.push(bytes);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pendingWrites.length === 0) return;
    const data = this.pendingWrites.join('');
    this.pendingWrites = [];
    if (!this.closed) this.socket.write(data);
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.server.noteBytes(chunk);
    for (const result of this.scanner.push(chunk)) {
      if (result.kind === 'error') {
        this.server.noteViolation(`unparseable request: ${result.reason}`);
        if (this.server.enforceLimits || !result.recoverable) this.destroy();
        return;
      }
      if (this.server.enforceLimits && (result.bytes.length > MAX_BYTES || result.values > MAX_VALUES)) {
        this.server.noteViolation(`request of ${result.bytes.length} bytes and ${result.values} values`);
        this.destroy();
        return;
      }
      const raw = result.bytes.toString('utf8');
      let body: unknown;
      try {
        body = decodeJson(result.bytes, result.longIntegers);
      } catch {
        this.server.noteViolation(`invalid JSON request: ${raw.slice(0, 200)}`);
        this.destroy();
        return;
      }
      const object = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
      const request: FakeRequest = {
        raw,
        body,
        rawId: 'id' in object ? stringifyJson(object.id) : undefined,
        id: object.id,
        method: object.method,
        hasParams: 'params' in object,
        params: object.params,
        values: result.values,
        connection: this,
        index: this.server.requests.length,
      };
      this.requests.push(request);
      this.unanswered.add(request);
      this.server.noteRequest(request);
      // Synchronously, so a test woken by waitForRequests() sees what the handler did.
      try {
        const done = this.server.handler(request, this);
        if (done instanceof Promise) done.catch((err: unknown) => this.server.noteViolation(`handler failed: ${String(err)}`));
      } catch (err) {
        this.server.noteViolation(`handler failed: ${String(err)}`);
      }
    }
  }
}

/** Socket directories of servers not closed yet: removed at exit even if a test died before its cleanup. */
const openDirs = new Set<string>();
let exitHookInstalled = false;

function removeOnExit(dir: string): void {
  openDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const d of openDirs) rmSync(d, { recursive: true, force: true });
  });
}

export class FakeSpdkServer {
  handler: FakeHandler;
  readonly enforceLimits: boolean;
  readonly connections: FakeConnection[] = [];
  readonly requests: FakeRequest[] = [];
  /** Requests SPDK would have dropped the connection for (the client must never send one). */
  readonly limitViolations: string[] = [];
  /** The most requests ever outstanding at once, over all connections. */
  maxOutstanding = 0;
  bytesReceived = 0;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(
    private readonly server: net.Server,
    readonly transport: Transport,
    /** What a client passes as `address`: the socket path, or `127.0.0.1:<port>`. */
    readonly address: string,
    private readonly dir: string | undefined,
    options: FakeServerOptions,
  ) {
    this.handler = options.handler ?? answerVersion;
    this.enforceLimits = options.enforceLimits ?? true;
    server.on('connection', (socket) => this.connections.push(new FakeConnection(socket, this)));
  }

  static async start(options: FakeServerOptions = {}): Promise<FakeSpdkServer> {
    const transport = options.transport ?? 'unix';
    const server = net.createServer();
    if (transport === 'unix') {
      const dir = await mkdtemp(path.join(os.tmpdir(), `fake-spdk-${randomBytes(4).toString('hex')}-`));
      removeOnExit(dir);
      const socketPath = path.join(dir, 'spdk.sock');
      await listen(server, { path: socketPath });
      return new FakeSpdkServer(server, transport, socketPath, dir, options);
    }
    await listen(server, { host: '127.0.0.1', port: 0 });
    const port = (server.address() as net.AddressInfo).port;
    return new FakeSpdkServer(server, transport, `127.0.0.1:${port}`, undefined, options);
  }

  /** Requests received and not answered, over open connections. */
  get outstanding(): number {
    return this.connections.reduce((n, c) => n + c.outstanding, 0);
  }

  /** The last connection accepted. */
  get lastConnection(): FakeConnection | undefined {
    return this.connections[this.connections.length - 1];
  }

  /** All bytes received, over every connection, in connection order. */
  received(): string {
    return Buffer.concat(this.connections.flatMap((c) => c.chunks)).toString('utf8');
  }

  /** Resolves once `count` requests have arrived in total; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake server: ${this.requests.length} of ${count} requests after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Resolves once `count` connections have been accepted; rejects after `timeoutMs`. */
  async waitForConnections(count: number, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.connections.length < count) {
      if (Date.now() > until) throw new Error(`fake server: ${this.connections.length} of ${count} connections after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops listening, resets every connection and removes the socket's directory. */
  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.dir !== undefined) {
      await rm(this.dir, { recursive: true, force: true });
      openDirs.delete(this.dir);
    }
  }

  /** @internal */
  noteRequest(request: FakeRequest): void {
    this.requests.push(request);
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const ready = this.waiters.filter((w) => this.requests.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.requests.length < w.count);
    for (const w of ready) w.resolve();
  }

  /** @internal */
  noteBytes(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
  }

  /** @internal */
  noteViolation(what: string): void {
    this.limitViolations.push(what);
  }
}

/** The default handler: `spdk_get_version` answered with the real v24.01 bytes, anything else -32601. */
export const answerVersion: FakeHandler = (request, connection) => {
  if (request.method === 'spdk_get_version') connection.replyRaw(request, withId(SPDK_VERSION_REPLY, request.rawId));
  else connection.replyError(request, -32601, 'Method not found');
};

/** A handler that never answers (the requests stay outstanding). */
export const neverAnswer: FakeHandler = () => {};

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

function drainAndPause(socket: net.Socket, gapMs: number): Promise<void> {
  // Each piece should reach the client in its own read: let the kernel take it and the event
  // loop turn (the client reads in the poll phase, setImmediate runs after it), then pause.
  return new Promise((resolve) => {
    const go = (): void => {
      if (gapMs > 0) setTimeout(resolve, gapMs);
      else setImmediate(resolve);
    };
    if (socket.writableNeedDrain) socket.once('drain', go);
    else go();
  });
}
