/**
 * Errors of the command-line layer. A usage error means the operator typed something the command
 * cannot take (a bad option value, params that are not a JSON object); the CLI prints its message
 * and exits with 2.
 */
import { AgentError } from '../util/errors.js';

export class CliUsageError extends AgentError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { code: 'CLI_USAGE', context });
  }
}

/** A step of `spdk-agent demo` did not happen (in time): the demo stops, cleans up and exits 1. */
export class DemoStepError extends AgentError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { code: 'CLI_DEMO_STEP', context });
  }
}
