/**
 * What can go wrong while starting, stopping, adopting or supervising an SPDK target, as typed
 * errors that name the target and carry what an operator needs to act: SPDK's own last lines and
 * the exit code for a failed start, the pid and the signals already sent for a stop that did not
 * finish, both fixes for missing hugepages.
 *
 *   TargetLifecycleError (abstract base, `target` = the configured name)
 *   ├─ TargetStartError         the app did not reach RUNTIME (exited, timed out, could not spawn)
 *   ├─ TargetStopError          the process outlived every step of the stop
 *   ├─ TargetNotStartableError  the agent cannot start this target at all (tcp address, no binary)
 *   ├─ TargetBusyError          another start/stop of the same target is in progress
 *   └─ HugepagesError           not enough free hugepages (or no hugetlbfs) for the target
 *   UnknownTargetError          a name that is not in the configuration (lists the known ones)
 */
import { AgentError } from '../../util/errors.js';

export abstract class TargetLifecycleError extends AgentError {
  /** The configured target name. */
  readonly target: string;

  protected constructor(message: string, options: { code: string; target: string; context?: Record<string, unknown>; cause?: unknown }) {
    super(message, {
      code: options.code,
      context: { target: options.target, ...options.context },
      cause: options.cause,
    });
    this.target = options.target;
  }
}

/** Why a start failed, for code that reacts differently (a CLI exit code, a restart decision). */
export type StartFailureReason =
  | 'exited' // the app exited (or was killed) before it was ready
  | 'timeout' // not ready within startTimeoutSec
  | 'spawn-failed' // the binary could not be executed at all
  | 'socket-in-use' // another process answers on the socket and adoption is off
  | 'aborted'; // the start was cancelled (stop requested, agent shutting down)

export class TargetStartError extends TargetLifecycleError {
  readonly reason: StartFailureReason;
  /** The app's last output lines (stdout and stderr interleaved), oldest first. */
  readonly lastLines: readonly string[];
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;

  constructor(options: {
    target: string;
    reason: StartFailureReason;
    detail: string;
    lastLines?: readonly string[];
    exitCode?: number;
    signal?: string;
    binary?: string;
    args?: readonly string[];
    socket?: string;
    pid?: number;
    cause?: unknown;
  }) {
    const spdkSays = mostTellingLine(options.lastLines ?? []);
    super(`${options.target}: start failed: ${options.detail}${spdkSays ? `: ${spdkSays}` : ''}`, {
      code: 'SPDK_TARGET_START_FAILED',
      target: options.target,
      context: {
        reason: options.reason,
        exitCode: options.exitCode,
        signal: options.signal,
        binary: options.binary,
        args: options.args,
        socket: options.socket,
        pid: options.pid,
        lastLines: options.lastLines,
      },
      cause: options.cause,
    });
    this.reason = options.reason;
    this.lastLines = Object.freeze([...(options.lastLines ?? [])]);
    this.exitCode = options.exitCode;
    this.signal = options.signal;
  }
}

/**
 * The line of SPDK's output that explains a failure best: the last `*ERROR*` line (SPDK's log
 * format), else the last EAL/“Failed”/“Unable” line, else the last non-empty line.
 */
export function mostTellingLine(lines: readonly string[]): string | undefined {
  const nonEmpty = lines.map((l) => l.trim()).filter((l) => l !== '');
  const pick = (re: RegExp): string | undefined => [...nonEmpty].reverse().find((l) => re.test(l));
  const line = pick(/\*ERROR\*/) ?? pick(/^EAL:|Failed|Unable|Cannot|[Ee]rror/) ?? nonEmpty.at(-1);
  if (line === undefined) return undefined;
  // SPDK prefixes "[timestamp] file.c: LINE:function: *ERROR*: "; the operator needs the text after it.
  const errorText = line.match(/\*ERROR\*:\s*(.*)$/);
  return errorText ? errorText[1] : line;
}

export class TargetStopError extends TargetLifecycleError {
  readonly pid: number | undefined;
  readonly signalsSent: readonly string[];

  constructor(options: {
    target: string;
    detail: string;
    pid?: number;
    signalsSent?: readonly string[];
    timeoutSec?: number;
    cause?: unknown;
  }) {
    super(`${options.target}: stop failed: ${options.detail}`, {
      code: 'SPDK_TARGET_STOP_FAILED',
      target: options.target,
      context: { pid: options.pid, signalsSent: options.signalsSent, timeoutSec: options.timeoutSec },
      cause: options.cause,
    });
    this.pid = options.pid;
    this.signalsSent = Object.freeze([...(options.signalsSent ?? [])]);
  }
}

export class TargetNotStartableError extends TargetLifecycleError {
  constructor(options: { target: string; detail: string; searched?: readonly string[] }) {
    super(`${options.target}: cannot be started by the agent: ${options.detail}`, {
      code: 'SPDK_TARGET_NOT_STARTABLE',
      target: options.target,
      context: { searched: options.searched },
    });
  }
}

export class TargetBusyError extends TargetLifecycleError {
  constructor(options: { target: string; state: string; requested: string }) {
    super(`${options.target}: cannot ${options.requested} while the target is ${options.state}`, {
      code: 'SPDK_TARGET_BUSY',
      target: options.target,
      context: { state: options.state, requested: options.requested },
    });
  }
}

export class HugepagesError extends TargetLifecycleError {
  /** Each way out, as an operator would type it. */
  readonly fixes: readonly string[];

  constructor(options: {
    target: string;
    problem: string;
    fixes: readonly string[];
    neededMb?: number;
    freeMb?: number;
    pageSizeKb?: number;
    cause?: unknown;
  }) {
    const fixText = options.fixes.map((f, i) => `  (${i + 1}) ${f}`).join('\n');
    super(`${options.target}: ${options.problem}. Fix it in one of these ways:\n${fixText}`, {
      code: 'SPDK_HUGEPAGES',
      target: options.target,
      context: {
        neededMb: options.neededMb,
        freeMb: options.freeMb,
        pageSizeKb: options.pageSizeKb,
        fixes: options.fixes,
      },
      cause: options.cause,
    });
    this.fixes = Object.freeze([...options.fixes]);
  }
}

/** What serves a target's socket is not trusted (spdk.socketOwners): not adopted, not signalled. */
export class TargetUntrustedError extends TargetLifecycleError {
  constructor(options: { target: string; reason: string; socket?: string; pid?: number }) {
    super(
      `${options.target}: not adopted: ${options.reason}. Remove that socket (and stop what serves it), move the target's socket to a directory only root or the SPDK user can write, or add its owner to spdk.socketOwners`,
      { code: 'SPDK_TARGET_UNTRUSTED', target: options.target, context: { socket: options.socket, pid: options.pid, reason: options.reason } },
    );
  }
}

/** A target's binary could not be run at all (execa gave no error object of its own). */
export class SpawnError extends AgentError {
  constructor(message: string, binary: string) {
    super(message, { code: 'SPDK_SPAWN', context: { binary } });
  }
}

/** The machine's hugepage facts could not be read (/proc/meminfo missing or without its HugePages lines). */
export class HugepageInfoError extends AgentError {
  constructor(message: string, file: string, cause?: unknown) {
    super(message, { code: 'SPDK_HUGEPAGE_INFO', context: { file }, cause });
  }
}

export class UnknownTargetError extends AgentError {
  /** The name asked for. */
  readonly requested: string;
  readonly known: readonly string[];

  constructor(options: { name: string; known: readonly string[] }) {
    const list = options.known.length > 0 ? options.known.join(', ') : '(none configured)';
    super(`unknown target "${options.name}"; configured targets: ${list}`, {
      code: 'SPDK_UNKNOWN_TARGET',
      context: { requested: options.name, known: options.known },
    });
    this.requested = options.name;
    this.known = Object.freeze([...options.known]);
  }
}
