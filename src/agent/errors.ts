/**
 * Errors of the agent layer: what can go wrong between the SPDK targets and the conductor, each
 * carrying what an operator needs to act (the conductor topic, the hostname reported, the phase
 * of a shutdown that overran its deadline).
 *
 *   AgentLayerError (base)
 *   ├─ ReportFailedError      one report_data did not get through (the reason is `kind`)
 *   ├─ BusUnavailableError    no connection to the broker yet: nothing can be reported
 *   └─ ShutdownTimeoutError   a clean shutdown did not finish within agent.shutdownTimeoutSec
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
export type ReportFailureKind = 'no-resource-provider' | 'timeout' | 'connection' | 'refused' | 'internal';

export class ReportFailedError extends AgentLayerError {
  readonly kind: ReportFailureKind;

  constructor(options: { kind: ReportFailureKind; message: string; hostname: string; topic: string; cause?: unknown; context?: Record<string, unknown> }) {
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
