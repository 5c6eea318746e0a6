/** The streams a command talks through: the process's own, or a test's. */
import { CliUsageError } from './errors.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Exit codes shared by every command. */
export const ExitCode = {
  Ok: 0,
  /** The operation ran and failed (e.g. the target answered with a JSON-RPC error). */
  Failed: 1,
  /** Bad usage, or the operation could not run (no connection, timeout, invalid reply). */
  Usage: 2,
} as const;

/**
 * Thrown by a command's action to end with a non-zero exit code once it has written its own
 * message: control flow, not an error anyone sees.
 */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/**
 * The exit code a command's failure ends with, once said on stderr where it is not said already;
 * anything else is rethrown (bin/spdk-agent prints its stack: a defect, not a usage error).
 */
export function exitCodeOfFailure(err: unknown, io: CliIo): number {
  if (err instanceof CommandExit) return err.exitCode;
  if (err instanceof CliUsageError) {
    io.stderr.write(`spdk-agent: ${err.message}\n`);
    return ExitCode.Usage;
  }
  throw err;
}

/** Reads a stream to its end as UTF-8, within a deadline: stdin may be a pipe nobody ever closes. */
export function readAll(stream: NodeJS.ReadableStream, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer | string): void => void chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.pause();
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new CliUsageError(`cannot read ${what}: ${err.message}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new CliUsageError(`${what} did not end within ${timeoutMs / 1000} s (close it, e.g. with Ctrl-D)`));
    }, timeoutMs);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}

/** Ends a commander action with the command's exit code (main.ts turns `CommandExit` into it). */
export function exitWith(code: number): void {
  if (code !== ExitCode.Ok) throw new CommandExit(code);
}
