/**
 * Waiting until an agent daemon answers on the bus: `ping` on its server queue, retried with short
 * timeouts until it answers, the process exits, or the deadline passes.
 */
import { openTransport } from '../../src/bus/index.js';
import type { BrokerScope } from './broker.js';
import type { Child } from './processes.js';

/** Waits until the agent `server` answers `ping` on the scope's agent topic. */
export async function waitForAgent(
  scope: BrokerScope,
  server: string,
  child: Child,
  timeoutMs: number,
  queueOptions: Record<string, unknown> = {},
): Promise<unknown> {
  const bus = await openTransport({ ...scope.busOptions(), ...queueOptions });
  try {
    const client = bus.createClient({ topic: scope.agentTopic, server, timeoutMs: 2000 });
    const deadline = Date.now() + timeoutMs;
    let last: unknown = null;
    while (Date.now() < deadline) {
      if (!child.running) throw new Error(`${child.label} exited before answering ping; stderr tail:\n${child.stderr.slice(-2000)}`);
      try {
        return await client.call('ping', {}, { timeoutMs: 2000 });
      } catch (err) {
        last = err;
      }
    }
    throw new Error(
      `${child.label} did not answer ping within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : String(last)}); stderr tail:\n${child.stderr.slice(-2000)}`,
    );
  } finally {
    await bus.close();
  }
}
