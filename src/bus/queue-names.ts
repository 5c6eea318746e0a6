/**
 * The unique part of a reply or fanout queue's name: a random hex, or with oslo 18's queue
 * manager (`use_queue_manager`) `<hostname>:<processname>:<n>`, as `amqpdriver.QManager` forms
 * it, so that a restarted agent finds its queues under the same names instead of leaving the old
 * ones to expire and creating new ones (which costs the broker at scale).
 *
 * oslo keeps the counter in /dev/shm so that the forked workers of one service share it; the agent
 * is one process (one per host: the instance lock), so the counter lives here. Like oslo's, it
 * starts at 1 with each new process.
 */
import { uuidHex } from './context.js';
import type { QueueFlags } from './options.js';

const counters = new Map<string, number>();

export function uniqueQueuePart(flags: QueueFlags): string {
  const manager = flags.queueManager;
  if (manager === null) return uuidHex();
  const key = `${manager.hostname}:${manager.processName}`;
  const next = (counters.get(key) ?? 0) + 1;
  counters.set(key, next);
  return `${key}:${next}`;
}
