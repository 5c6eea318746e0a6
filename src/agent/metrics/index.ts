/**
 * The metrics endpoint and health checks of a running agent (`metrics.listen`), put together:
 * the registry, the per-bdev sampler, the liveness ticker and the HTTP listener.
 */
import type { MetricsSection } from '../../config/types.js';
import { getLogger, type Logger } from '../../util/log.js';
import type { AgentDaemon } from '../daemon.js';
import { AgentMetrics } from './agent-metrics.js';
import { LivenessTicker, readiness } from './health.js';
import { HttpEndpoint } from './http-endpoint.js';
import { IostatSampler } from './iostat-sampler.js';
import { measuredAgentOf } from './measured-agent.js';

export interface Observability {
  readonly endpoint: HttpEndpoint;
  readonly metrics: AgentMetrics;
  close(): Promise<void>;
}

/** Starts the listener when `metrics.listen` is set; null otherwise. Never rejects (a bind failure is logged and retried). */
export async function startObservability(
  daemon: AgentDaemon,
  config: MetricsSection,
  logger: Logger = getLogger('agent.metrics'),
): Promise<Observability | null> {
  if (config.listen === undefined) return null;
  const agent = measuredAgentOf(daemon);
  const iostat = new IostatSampler({
    targets: agent.targets,
    intervalMs: config.iostatIntervalSec * 1000,
    perBdevSeriesLimit: config.perBdevSeriesLimit,
    logger,
  });
  const metrics = new AgentMetrics({ agent, iostat });
  const ticker = new LivenessTicker();
  const endpoint = new HttpEndpoint({
    listen: config.listen,
    ...(config.bearerToken !== undefined ? { bearerToken: config.bearerToken } : {}),
    metrics: () => metrics.exposition(),
    liveness: () => ticker.check(),
    readiness: () => readiness(agent.health()),
    logger,
  });
  await endpoint.start();
  // The first read once the targets were looked after; then every iostatIntervalSec.
  void daemon.started.then(
    () => iostat.start(),
    () => undefined,
  );
  return {
    endpoint,
    metrics,
    async close() {
      ticker.stop();
      metrics.close();
      await Promise.all([iostat.stop(), endpoint.close()]);
    },
  };
}
