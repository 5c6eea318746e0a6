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
import { BusConnection, type ConnectedInfo, type ReconnectingInfo } from './connection.js';
import type { BusConnectionLostError } from './errors.js';
import { BusClosedError } from './errors.js';
import { type BusOptions, type ResolvedBusOptions, resolveBusOptions } from './options.js';
import { ReplyListener } from './reply-listener.js';
import { RpcClient, type RpcClientOptions } from './rpc-client.js';
import { RpcServer, type RpcServerOptions } from './rpc-server.js';
import { maskAddress } from './url.js';

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
