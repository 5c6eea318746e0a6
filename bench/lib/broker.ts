/**
 * The broker the bus figures use, and the deletion of everything they declared on it.
 *
 * Every bus figure works under a prefix of its own (`bench<hex>`): its control exchange
 * (`bench<hex>-cyborg`, never `cyborg`, so a real Cyborg on the same broker is undisturbed), its
 * agent and conductor topics, and so every queue and exchange oslo or our bus derive from them.
 * The names and their deletion are the tests' (`PrefixedBrokerObjects`, test/helpers/broker.ts);
 * what is the benchmark's own is when they are deleted: `BrokerScope.cleanup()` is registered as a
 * run cleanup, so it also runs on a failure or Ctrl-C.
 */
import { brokerProblem as problemAt, PrefixedBrokerObjects, randomToken } from '../../test/helpers/broker.js';
import { onCleanup } from './cleanup.js';

export const benchAmqpUrl = process.env.SPDK_AGENT_BENCH_AMQP_URL ?? process.env.SPDK_AGENT_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** Null when the benchmark's broker answers; otherwise why not. */
export function brokerProblem(): Promise<string | null> {
  return problemAt(benchAmqpUrl);
}

export class BrokerScope extends PrefixedBrokerObjects {
  /** The topic the agents serve. */
  readonly agentTopic = this.topic('agent');
  /** The topic the conductor serves. */
  readonly conductorTopic = this.topic('conductor');
  private readonly dispose: () => Promise<void>;

  constructor() {
    super(`bench${randomToken(4)}`, benchAmqpUrl);
    this.dispose = onCleanup(() => this.deleteAll());
  }

  /** Deletes everything of this scope now (also runs by itself at the end of the run). */
  cleanup(): Promise<void> {
    return this.dispose();
  }
}
