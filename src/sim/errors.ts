/**
 * Errors of the simulator process itself: a bad command line (SPDK's or the simulator's own
 * options). What SPDK would print is carried along so the simulator prints exactly that. A failed
 * start-up is not an exception: the app prints SPDK's lines and exits 1. Errors a *client* sees are
 * JSON-RPC error replies (`RpcFailure`).
 */
import { AgentError } from '../util/errors.js';

/**
 * The command line is wrong, as SPDK's argument parsing would judge it: the process prints the
 * lines and the usage text and exits with 2 (SPDK_APP_PARSE_ARGS_FAIL).
 */
export class SimUsageError extends AgentError {
  /** What SPDK (or getopt) prints on stderr before the usage text. */
  readonly lines: readonly string[];
  /** Whether the usage text follows (getopt errors and most value errors: yes). */
  readonly showUsage: boolean;
  /** getopt's own messages are plain lines; SPDK's are log lines (`app.c: …: *ERROR*: …`). */
  readonly fromGetopt: boolean;

  constructor(message: string, options: { lines?: string[]; showUsage?: boolean; option?: string; value?: string; fromGetopt?: boolean }) {
    super(message, { code: 'SIM_BAD_COMMAND_LINE', context: { option: options.option, value: options.value } });
    this.lines = options.lines ?? [message];
    this.showUsage = options.showUsage ?? true;
    this.fromGetopt = options.fromGetopt ?? false;
  }
}

/** A simulator option (`--sim-…`, SPDK_SIM_OPTS, SPDK_SIM_FAULTS) is wrong: exit 2 with this message. */
export class SimOptionError extends AgentError {
  constructor(message: string, context: { option: string; value?: string; source?: string }) {
    super(message, { code: 'SIM_BAD_OPTION', context });
  }
}
