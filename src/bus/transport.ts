/**
 * The entry point of the bus layer, as oslo's transport: one connection per process, RPC servers
 * and clients on top of it, one reply queue shared by all clients.
 *
 *   const bus = await openTransport(options);
 *   const server = bus.createServer({ topic: 'cyborg-agent', servers: [host, fqdn], endpoints: [agent] });
 *   await server.start();
 *   const conductor = bus.createClient({ topic: 'cyborg-conductor' });
 *   await conductor.call('report_data', { hostname, driver_device_list });
 *   await server.stop();
 *   await bus.close();
 */
import { getLogger } from '../util/log.js';
import { BusConnection, type ConnectedInfo, type ReconnectingInfo } from './broker-connection.js';
import type { BusConnectionLostError } from './errors.js';
import { BusClosedError } from './errors.js';
import { type BusOptions, type ResolvedBusOptions, resolveBusOptions } from './options.js';
import { ReplyListener } from './reply-listener.js';
import { RpcClient, type RpcClientOptions } from './rpc-client.js';
import { RpcServer, type RpcServerOptions } from './rpc-server.js';
import { maskAddress } from './url.js';
import type { ExchangeDeclaration, QueueDeclaration } from './declarations.js';

/** How an existing broker object compares with the declaration this agent would make. */
export type DeclarationCheck =
  | { name: string; kind: 'exchange' | 'queue'; outcome: 'absent' | 'compatible' }
  | { name: string; kind: 'exchange' | 'queue'; outcome: 'incompatible'; reason: string };

/** Validates the options and connects (failing over the broker list); rejects with a `BusError`. */
export async function openTransport(options: BusOptions): Promise<BusTransport> {
  const transport = new BusTransport(resolveBusOptions(options));
  await transport.open();
  return transport;
}

export interface CloseOptions {
  /** Grace period for calls in flight in servers still running. Default 5000. */
  serverStopTimeoutMs?: number;
}

export class BusTransport {
  private readonly log = getLogger('bus.transport');
  private readonly connection: BusConnection;
  private readonly replies: ReplyListener;
  private readonly servers = new Set<RpcServer>();
  private closed = false;

  constructor(readonly options: ResolvedBusOptions) {
    this.connection = new BusConnection(options);
    this.replies = new ReplyListener(this.connection);
  }

  /** Connects; called by `openTransport`. */
  async open(): Promise<void> {
    this.log.info('connecting to the message bus', { urls: this.options.brokers.map(maskAddress), connectionName: this.connection.connectionName });
    await this.connection.open();
  }

  /** An RPC server on this connection; call `start()` on it. */
  createServer(options: RpcServerOptions): RpcServer {
    this.assertOpen();
    const server = new RpcServer(this.connection, options);
    this.servers.add(server);
    return server;
  }

  /** An RPC client for a target (topic, optional server, version…). */
  createClient(options: RpcClientOptions): RpcClient {
    this.assertOpen();
    return new RpcClient(this.connection, this.replies, options);
  }

  /** `<process>:<pid>:<uuid>`, the connection name shown by `rabbitmqctl list_connections`. */
  get connectionName(): string {
    return this.connection.connectionName;
  }

  /** The reply queue of this process (declared on the first call). */
  get replyQueueName(): string {
    return this.replies.queueName;
  }

  get isConnected(): boolean {
    return this.connection.isConnected;
  }

  /** The broker in use, masked; null while reconnecting. */
  get currentUrl(): string | null {
    return this.connection.currentUrl;
  }

  /** Calls waiting for a reply. */
  get pendingCalls(): number {
    return this.replies.inbox.size;
  }

  /**
   * A queue as the broker has it now (passive declaration, on a channel of its own so a missing
   * queue's 404 closes nothing else): its consumers and ready messages; null when it does not exist.
   */
  async inspectQueue(name: string): Promise<{ consumers: number; messages: number } | null> {
    this.assertOpen();
    const model = this.connection.currentModel();
    if (!model) throw new BusClosedError('not connected to the message bus');
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    try {
      const found = await channel.checkQueue(name);
      return { consumers: found.consumerCount, messages: found.messageCount };
    } catch (err) {
      if ((err as { code?: number }).code === 404) return null;
      throw err;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * For each declaration: does the object exist, and would declaring it with these flags be
   * accepted? An existing object is declared again with the same flags (a no-op when they match;
   * 406 PRECONDITION_FAILED, which closes only that channel, when they differ); a missing one is
   * not created.
   */
  async checkDeclarations(
    declarations: ReadonlyArray<(ExchangeDeclaration & { kind: 'exchange' }) | (QueueDeclaration & { kind: 'queue' })>,
  ): Promise<DeclarationCheck[]> {
    this.assertOpen();
    const current = this.connection.currentModel();
    if (!current) throw new BusClosedError('not connected to the message bus');
    const model = current;
    const results: DeclarationCheck[] = [];
    for (const declaration of declarations) {
      const attempt = async (
        work: (channel: Awaited<ReturnType<typeof model.createChannel>>) => Promise<unknown>,
      ): Promise<{ ok: true } | { ok: false; code?: number; message: string }> => {
        const channel = await model.createChannel();
        channel.on('error', () => undefined);
        try {
          await work(channel);
          return { ok: true };
        } catch (err) {
          return { ok: false, code: (err as { code?: number }).code, message: (err as Error).message };
        } finally {
          await channel.close().catch(() => undefined);
        }
      };
      const { name, kind } = declaration;
      const exists = await attempt((channel) => (kind === 'exchange' ? channel.checkExchange(name) : channel.checkQueue(name)));
      if (!exists.ok) {
        if (exists.code === 404) results.push({ name, kind, outcome: 'absent' });
        else results.push({ name, kind, outcome: 'incompatible', reason: exists.message });
        continue;
      }
      const declared = await attempt((channel) =>
        declaration.kind === 'exchange' ? channel.assertExchange(name, declaration.type, declaration.options) : channel.assertQueue(name, declaration.options),
      );
      results.push(declared.ok ? { name, kind, outcome: 'compatible' } : { name, kind, outcome: 'incompatible', reason: declared.message });
    }
    return results;
  }

  onConnected(listener: (info: ConnectedInfo) => void): () => void {
    this.connection.on('connected', listener);
    return () => this.connection.off('connected', listener);
  }

  onDisconnected(listener: (err: BusConnectionLostError) => void): () => void {
    this.connection.on('disconnected', listener);
    return () => this.connection.off('disconnected', listener);
  }

  onReconnecting(listener: (info: ReconnectingInfo) => void): () => void {
    this.connection.on('reconnecting', listener);
    return () => this.connection.off('reconnecting', listener);
  }

  /**
   * Stops the servers still running (short grace), fails pending calls with `BusClosedError`,
   * deletes the reply queue and closes the connection.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const timeoutMs = options.serverStopTimeoutMs ?? 5000;
    await Promise.all([...this.servers].map((server) => server.stop({ timeoutMs })));
    this.servers.clear();
    await this.replies.close();
    await this.connection.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new BusClosedError('the message bus transport is closed');
  }
}
