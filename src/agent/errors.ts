/**
 * Errors of the agent layer: what can go wrong between the SPDK targets and the conductor, each
 * carrying what an operator needs to act (the conductor topic, the hostname reported, the phase
 * of a shutdown that overran its deadline).
 *
 *   AgentLayerError (base)
 *   ├─ RegistrationFailedError      one report_data did not get through (the reason is `kind`)
 *   ├─ BusUnavailableError    no connection to the broker yet: nothing can be reported
 *   ├─ ShutdownTimeoutError   a clean shutdown did not finish within agent.shutdownTimeoutSec
 *   ├─ AgentStateError        asked of the daemon in a state that cannot give it (not started, shutting down)
 *   ├─ AgentAlreadyRunningError  another spdk-agent serves this host (lock file or bus queue)
 *   └─ ForeignConsumerError   another program (Python cyborg-agent) consumes this host's queue
 *
 * Failures of the agent's RPC methods are not here: a caller on the bus must read them as Python
 * exceptions, so they are thrown as the bus layer's `PythonException` (see endpoint.ts).
 */
import { AgentError } from '../util/errors.js';

export abstract class AgentLayerError extends AgentError {}

/**
 * Why a report did not get through, as the operator has to act on it:
 * - `no-resource-provider`: the conductor's Placement has no provider named after the hostname;
 * - `timeout`: no conductor answered in time (none running, or overloaded);
 * - `connection`: the broker connection was lost or is not there;
 * - `refused`: the conductor answered with another failure (hydration, database…);
 * - `internal`: the agent could not build or send the report.
 */
export type RegistrationFailureKind = 'no-resource-provider' | 'timeout' | 'connection' | 'refused' | 'internal';

export class RegistrationFailedError extends AgentLayerError {
  readonly kind: RegistrationFailureKind;

  constructor(options: {
    kind: RegistrationFailureKind;
    message: string;
    hostname: string;
    topic: string;
    cause?: unknown;
    context?: Record<string, unknown>;
  }) {
    super(options.message, {
      code: 'AGENT_REPORT_FAILED',
      context: { kind: options.kind, hostname: options.hostname, topic: options.topic, ...options.context },
      cause: options.cause,
    });
    this.kind = options.kind;
  }
}

export class BusUnavailableError extends AgentLayerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { code: 'AGENT_BUS_UNAVAILABLE', context });
  }
}

export class ShutdownTimeoutError extends AgentLayerError {
  constructor(options: { phase: string; timeoutMs: number }) {
    super(`shutdown did not finish within ${options.timeoutMs} ms (still ${options.phase})`, {
      code: 'AGENT_SHUTDOWN_TIMEOUT',
      context: { phase: options.phase, timeoutMs: options.timeoutMs },
    });
  }
}

/** Another spdk-agent for the same host: found by the lock file, or answering on the host's queue. */
export class AgentAlreadyRunningError extends AgentLayerError {
  constructor(message: string, context: Record<string, unknown>) {
    super(message, { code: 'AGENT_ALREADY_RUNNING', context });
  }
}

/**
 * A consumer of `<agentTopic>.<host>` that is not a spdk-agent (OpenStack's Python cyborg-agent,
 * most likely). Both would answer the conductor's calls in turn, and both would send report_data
 * for one hostname: the conductor replaces a host's device list with each report, so each would
 * erase the other's devices every period.
 */
export class ForeignConsumerError extends AgentLayerError {
  constructor(options: { queue: string; consumers: number; answer: string }) {
    super(
      `another program consumes ${options.queue} (${options.consumers} consumer${options.consumers === 1 ? '' : 's'}; asked to ping, it ${options.answer}): ` +
        "most likely OpenStack's Python cyborg-agent. Two agents for one host answer the conductor's calls in turn and, since the conductor " +
        "replaces a host's whole device list with each report_data, erase each other's devices every period. Run spdk-agent instead of " +
        'cyborg-agent on this node, or set agent.onForeignConsumer: own-topic to serve under the topic spdk-agent without reporting (see the README, "Supported deployments")',
      { code: 'AGENT_FOREIGN_CONSUMER', context: options },
    );
  }
}

/** Asked of the daemon in a state that cannot give it: not started yet, or shutting down. */
export class AgentStateError extends AgentLayerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { code: 'AGENT_STATE', context });
  }
}
