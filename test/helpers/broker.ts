/**
 * The test broker: its URL, whether it answers, unique names, the broker's own view of what was
 * declared (`rabbitmqctl`), and cleanup.
 *
 * Without a broker, broker tests skip — unless CI=true, where a missing broker is a failure.
 * Every test works under its own prefix (`t<hex>-…`) so tests never collide with each other or
 * with a real Cyborg on the same broker; `BrokerScope` deletes what the prefix covers (and the
 * reply queues it was told about) when the test ends, even if it failed.
 *
 * The benchmark (bench/lib/broker.ts) builds its own scope on `PrefixedBrokerObjects` and probes
 * its broker with `brokerProblem`: one naming and deletion rule for both.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { TestContext } from 'node:test';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { execa } from 'execa';
import { maskUrlText, openTransport, type BusOptions, type BusTransport } from '../../src/bus/index.js';

export const testAmqpUrl = process.env.SPDK_AGENT_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** Null when the broker at `url` answers; otherwise why not (the password masked). */
export async function brokerProblem(url: string): Promise<string | null> {
  try {
    const conn = await amqp.connect(url, { timeout: 3000 });
    await conn.close();
    return null;
  } catch (err) {
    return `no AMQP broker at ${maskUrlText(url)}: ${(err as Error).message}`;
  }
}

let probe: Promise<string | null> | null = null;

/**
 * For `test(name, { skip: await brokerSkip() }, …)`: false when the broker answers, a reason to
 * skip otherwise — and under CI=true it throws, so that the test file fails loudly.
 */
export async function brokerSkip(): Promise<string | false> {
  probe ??= brokerProblem(testAmqpUrl);
  const reason = await probe;
  if (reason === null) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and the test broker is unavailable: ${reason}`);
  return reason;
}

/** For `{ skip }`: false when `rabbitmqctl` can inspect the test broker (it must be the local one). */
export async function rabbitmqctlSkip(): Promise<string | false> {
  const brokerReason = await brokerSkip();
  if (brokerReason) return brokerReason;
  // rabbitmqctl inspects the local node: its view says nothing about a remote test broker.
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(testAmqpUrl).hostname)) return 'the test broker is not local: rabbitmqctl cannot inspect it';
  const result = await execa('rabbitmqctl', ['-q', 'status'], { reject: false, timeout: 30_000 });
  if (result.exitCode === 0) return false;
  const reason = `rabbitmqctl cannot inspect the broker (exit ${String(result.exitCode)})`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}

/** A short random hex token. */
export function randomToken(bytes = 5): string {
  return randomBytes(bytes).toString('hex');
}

export async function rabbitmqctl(args: string[]): Promise<string> {
  const result = await execa('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
  return result.stdout;
}

export interface QueueRow {
  name: string;
  durable: string;
  autoDelete: string;
  exclusive: string;
  arguments: string;
  consumers: number;
  /** The row as rabbitmqctl prints it (the format of test/fixtures/amqp/E_broker_objects.json). */
  raw: string;
}

export interface ExchangeRow {
  name: string;
  type: string;
  durable: string;
  autoDelete: string;
  internal: string;
  arguments: string;
  raw: string;
}

/** The rows of a `rabbitmqctl list_<what> -p <vhost>` listing of `columns`, one line each. */
async function rabbitmqctlRows(what: string, vhost: string, columns: string[]): Promise<string[]> {
  const out = await rabbitmqctl([`list_${what}`, '-p', vhost, '--no-table-headers', ...columns]);
  return out.split('\n').filter((line) => line.trim() !== '');
}

export async function listQueues(vhost = '/'): Promise<QueueRow[]> {
  const rows = await rabbitmqctlRows('queues', vhost, ['name', 'durable', 'auto_delete', 'exclusive', 'arguments', 'consumers']);
  return rows.map((raw) => {
    const [name = '', durable = '', autoDelete = '', exclusive = '', args = '', consumers = '0'] = raw.split('\t');
    return { name, durable, autoDelete, exclusive, arguments: args, consumers: Number(consumers), raw };
  });
}

/** Each queue's type (classic, quorum, stream), by name. */
export async function queueTypes(vhost = '/'): Promise<Map<string, string>> {
  const rows = await rabbitmqctlRows('queues', vhost, ['name', 'type']);
  return new Map(rows.map((raw) => raw.split('\t') as [string, string]));
}

export async function listExchanges(vhost = '/'): Promise<ExchangeRow[]> {
  const rows = await rabbitmqctlRows('exchanges', vhost, ['name', 'type', 'durable', 'auto_delete', 'internal', 'arguments']);
  return rows.map((raw) => {
    const [name = '', type = '', durable = '', autoDelete = '', internal = '', args = ''] = raw.split('\t');
    return { name, type, durable, autoDelete, internal, arguments: args, raw };
  });
}

/** Consumers of a queue, from `list_consumers` (`list_queues` reports 0 for quorum queues). */
export async function countConsumers(queue: string, vhost = '/'): Promise<number> {
  return (await rabbitmqctlRows('consumers', vhost, ['queue_name'])).filter((line) => line.trim() === queue).length;
}

/** Bindings as `source\tdestination\trouting_key` lines (the fixture's format). */
export function listBindings(vhost = '/'): Promise<string[]> {
  return rabbitmqctlRows('bindings', vhost, ['source_name', 'destination_name', 'routing_key']);
}

/** Closes, from the broker side, the connection whose client property connection_name is `name`. */
export async function closeConnectionByName(name: string, reason = 'closed by a test'): Promise<void> {
  const out = await rabbitmqctl(['list_connections', '--no-table-headers', 'pid', 'client_properties']);
  const line = out.split('\n').find((l) => l.includes(`{"connection_name","${name}"}`));
  if (!line) throw new Error(`no broker connection named ${name}`);
  await rabbitmqctl(['close_connection', line.split('\t')[0]!, reason]);
}

/** Whether a connection with this connection_name is open on the broker. */
export async function connectionExists(name: string): Promise<boolean> {
  const out = await rabbitmqctl(['list_connections', '--no-table-headers', 'client_properties']);
  return out.includes(`{"connection_name","${name}"}`);
}

/**
 * Broker objects under one name prefix: the control exchange `<prefix>-cyborg` (never `cyborg`, so
 * a real Cyborg on the same broker is undisturbed), topics `<prefix>-<name>`, and so every queue
 * and exchange oslo or our bus derive from them. `deleteAll()` deletes them, plus the queues given
 * to `trackQueue` (reply queues, which are named `reply_<hex>`).
 */
export class PrefixedBrokerObjects {
  readonly exchange: string;
  private readonly extraQueues = new Set<string>();

  constructor(
    readonly prefix: string,
    /** The broker, with the virtual host `vhost`. */
    readonly url: string,
    readonly vhost = '/',
  ) {
    this.exchange = `${prefix}-cyborg`;
  }

  /** A topic name under the prefix. */
  topic(name = 'agent'): string {
    return `${this.prefix}-${name}`;
  }

  /** Transport options for this broker and the prefix's exchange. */
  busOptions(overrides: Partial<BusOptions> = {}): BusOptions {
    return { urls: [this.url], controlExchange: this.exchange, openTimeoutSec: 15, ...overrides };
  }

  /** A queue outside the prefix to delete too; anything but a non-empty string is ignored. */
  trackQueue(name: unknown): void {
    if (typeof name === 'string' && name !== '') this.extraQueues.add(name);
  }

  /** Deletes every queue and exchange under the prefix, and the tracked queues. */
  async deleteAll(): Promise<void> {
    let conn: ChannelModel;
    try {
      conn = await amqp.connect(this.url, { timeout: 5000 });
    } catch {
      return; // The vhost (and all it held) was deleted already, or the broker is gone.
    }
    conn.on('error', () => undefined);
    try {
      const queues = new Set(this.extraQueues);
      const exchanges = new Set<string>();
      try {
        for (const queue of await listQueues(this.vhost)) if (queue.name.startsWith(this.prefix)) queues.add(queue.name);
        for (const exchange of await listExchanges(this.vhost)) if (exchange.name.startsWith(this.prefix)) exchanges.add(exchange.name);
      } catch {
        // rabbitmqctl unavailable (a remote broker): delete what the names predict.
        exchanges.add(this.exchange);
      }
      for (const queue of queues) await onFreshChannel(conn, (ch) => ch.deleteQueue(queue));
      for (const exchange of exchanges) await onFreshChannel(conn, (ch) => ch.deleteExchange(exchange));
    } finally {
      await conn.close().catch(() => undefined);
    }
  }
}

/** Unique names for one test, on the test broker, deleted after the test (even if it failed). */
export class BrokerScope extends PrefixedBrokerObjects {
  private readonly teardowns: Array<() => unknown> = [];

  constructor(t: TestContext, vhost = '/') {
    super(`t${randomToken()}`, withVhost(testAmqpUrl, vhost), vhost);
    t.after(async () => {
      for (const teardown of this.teardowns.reverse()) {
        try {
          await teardown();
        } catch {
          // Best effort: the broker objects are deleted below anyway.
        }
      }
      await this.deleteAll();
    });
  }

  /** Runs `teardown` after the test, before the broker objects are deleted (last registered, first run). */
  defer(teardown: () => unknown): void {
    this.teardowns.push(teardown);
  }

  /** A transport with `busOptions(overrides)`, closed after the test; its reply queue is deleted with the scope. */
  async openTransport(overrides: Partial<BusOptions> = {}): Promise<BusTransport> {
    const bus = await openTransport(this.busOptions(overrides));
    this.defer(() => bus.close());
    this.trackQueue(bus.replyQueueName);
    return bus;
  }
}

async function onFreshChannel(conn: ChannelModel, action: (ch: Channel) => Promise<unknown>): Promise<void> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  try {
    await action(ch);
  } catch {
    // Already gone: fine.
  } finally {
    await ch.close().catch(() => undefined);
  }
}

/** The test URL with another virtual host. */
export function withVhost(url: string, vhost: string): string {
  if (vhost === '/') return url;
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(vhost)}`;
  return u.toString();
}

/** Polls `check` until it is true (or throws after `timeoutMs`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 100): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A TCP relay to the test broker that a test can break: `freeze()` stops relaying without closing
 * anything (a silent network partition: only heartbeats can notice it), `kill()` drops every
 * connection and stops listening (a dead broker), `revive()` listens again on the same port.
 * Everything is closed after the test.
 */
export class TcpRelay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private frozen = false;
  port = 0;

  static async start(t: TestContext): Promise<TcpRelay> {
    const relay = new TcpRelay();
    await relay.listen(0);
    t.after(() => relay.kill());
    return relay;
  }

  get url(): string {
    const target = new URL(testAmqpUrl);
    target.hostname = '127.0.0.1';
    target.port = String(this.port);
    return target.toString();
  }

  /** From now on, bytes are dropped both ways (existing and new connections). */
  freeze(): void {
    this.frozen = true;
  }

  async kill(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  async revive(): Promise<void> {
    this.frozen = false;
    await this.listen(this.port);
  }

  private listen(port: number): Promise<void> {
    const target = new URL(testAmqpUrl);
    const server = net.createServer((front) => {
      const back = net.connect(Number(target.port || 5672), target.hostname);
      for (const socket of [front, back]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          front.destroy();
          back.destroy();
        });
      }
      // Forwarded by hand, so that a frozen relay drops bytes like a partitioned network.
      front.on('data', (chunk: Buffer) => void (this.frozen || back.write(chunk)));
      back.on('data', (chunk: Buffer) => void (this.frozen || front.write(chunk)));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }
}
