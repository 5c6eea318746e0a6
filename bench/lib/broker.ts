/**
 * The broker the bus figures use, and the deletion of everything they declared on it.
 *
 * Every bus figure works under a prefix of its own (`bench<hex>`): its control exchange
 * (`bench<hex>-cyborg`, never `cyborg`, so a real Cyborg on the same broker is undisturbed), its
 * topics, and so every queue and exchange oslo or our bus derive from them. `BrokerScope.cleanup()`
 * deletes them all, plus the reply queues it was told about; it is registered as a run cleanup, so
 * it also runs on a failure or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { onCleanup } from './cleanup.js';

const run = promisify(execFile);

export const benchAmqpUrl = process.env.SPDK_AGENT_BENCH_AMQP_URL ?? process.env.SPDK_AGENT_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** The URL with its password masked, for messages. */
export function maskedUrl(url = benchAmqpUrl): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

/** Null when the broker answers; otherwise why not. */
export async function brokerProblem(): Promise<string | null> {
  try {
    const conn = await amqp.connect(benchAmqpUrl, { timeout: 3000 });
    await conn.close();
    return null;
  } catch (err) {
    return `broker unreachable at ${maskedUrl()}: ${(err as Error).message}`;
  }
}

async function rabbitmqctlNames(kind: 'list_queues' | 'list_exchanges'): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', ['-q', kind, '--no-table-headers', 'name'], { timeout: 60_000 });
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export class BrokerScope {
  readonly prefix = `bench${randomBytes(4).toString('hex')}`;
  /** The control exchange of this scope (never `cyborg`). */
  readonly exchange = `${this.prefix}-cyborg`;
  private readonly extraQueues = new Set<string>();
  private readonly dispose: () => Promise<void>;

  constructor() {
    this.dispose = onCleanup(() => this.deleteEverything());
  }

  /** A topic under the prefix. */
  topic(name: string): string {
    return `${this.prefix}-${name}`;
  }

  /** A queue outside the prefix to delete at the end (reply queues `reply_<hex>`). */
  trackQueue(name: unknown): void {
    if (typeof name === 'string' && name !== '') this.extraQueues.add(name);
  }

  /** Deletes everything of this scope now (also runs by itself at the end of the run). */
  cleanup(): Promise<void> {
    return this.dispose();
  }

  private async deleteEverything(): Promise<void> {
    let conn: ChannelModel;
    try {
      conn = await amqp.connect(benchAmqpUrl, { timeout: 5000 });
    } catch {
      return; // No broker: nothing of ours can be left on it that we could delete.
    }
    conn.on('error', () => undefined);
    try {
      const queues = [...this.extraQueues];
      const exchanges: string[] = [this.exchange];
      try {
        queues.push(...(await rabbitmqctlNames('list_queues')).filter((n) => n.startsWith(this.prefix)));
        exchanges.push(...(await rabbitmqctlNames('list_exchanges')).filter((n) => n.startsWith(this.prefix)));
      } catch {
        // rabbitmqctl unavailable (a remote broker): the topics' fanout exchanges are still predictable,
        // but their queues are not; they expire by their x-expires (oslo's transient TTL).
      }
      for (const queue of new Set(queues)) await onFreshChannel(conn, (ch) => ch.deleteQueue(queue));
      for (const exchange of new Set(exchanges)) await onFreshChannel(conn, (ch) => ch.deleteExchange(exchange));
    } finally {
      await conn.close().catch(() => undefined);
    }
  }
}

async function onFreshChannel(conn: ChannelModel, action: (ch: Channel) => Promise<unknown>): Promise<void> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  try {
    await action(ch);
  } catch {
    // Already gone.
  } finally {
    await ch.close().catch(() => undefined);
  }
}
