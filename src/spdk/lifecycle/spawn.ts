/**
 * Starting an SPDK app as a process: execa with an argument array (never a shell), `detached` so it
 * leads its own process group and outlives a crash of the agent (a storage target must not die
 * because its manager did; the agent adopts it again when it comes back).
 *
 * Output goes one of two ways:
 * - `file` (the agent daemon and the CLI): appended to a log file the target keeps writing after
 *   the agent or the CLI is gone. A pipe would break under it (SPDK ignores SIGPIPE, so it would
 *   survive, but every later line would be lost). The recent lines are read back from the file;
 *   the daemon follows the file (target-log.ts).
 * - `pipe` (tools and tests that outlive the target): every line into the caller's log, tagged
 *   with the target, and into a ring of recent lines.
 */
import { openSync, closeSync, fstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { open, type FileHandle } from 'node:fs/promises';
import type { ResultPromise } from 'execa';
import type { Logger } from '../../util/log.js';
import { SpawnError } from './errors.js';
import { captureOutput, LineRing, LineSplitter } from './output-lines.js';

export type OutputMode = { kind: 'pipe' } | { kind: 'file'; path: string };

export interface SpawnRequest {
  target: string;
  binary: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  output: OutputMode;
  logger: Logger;
  /** Lines kept for error messages (pipe mode). */
  ringCapacity?: number;
}

export interface ExitInfo {
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
  /** Set when the process never ran (ENOENT, EACCES on the binary). */
  spawnError?: Error;
}

/** `exit code 1`, `killed by SIGSEGV`, or the spawn error. */
export function describeExit(exit: ExitInfo): string {
  if (exit.spawnError) return `could not run: ${exit.spawnError.message}`;
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.exitCode}`;
}

export interface SpawnedTarget {
  pid: number | undefined;
  /** The arguments it was started with. */
  readonly args: readonly string[];
  /** Resolves once, when the process exits or fails to start. Never rejects. */
  exited: Promise<ExitInfo>;
  /** The exit, once known. */
  readonly exit: ExitInfo | undefined;
  /** Sends a signal through the child handle (a no-op once Node has reaped it: no pid reuse risk). */
  kill(signal: NodeJS.Signals): boolean;
  /** The most recent output lines, oldest first. */
  recentLines(n?: number): Promise<string[]>;
  /** Lets the agent exit without waiting for this process (it keeps running). */
  release(): void;
  /** In file mode: the file and its size when the process started (its output begins there). */
  readonly logFile?: { path: string; offset: number };
}

export async function spawnTarget(request: SpawnRequest): Promise<SpawnedTarget> {
  const { execa } = await import('execa');
  const ring = new LineRing(request.ringCapacity ?? 200);
  let fileFd: number | undefined;
  let fileOffset = 0;
  if (request.output.kind === 'file') {
    mkdirSync(path.dirname(request.output.path), { recursive: true, mode: 0o750 });
    fileFd = openSync(request.output.path, 'a', 0o640);
    fileOffset = fstatSync(fileFd).size;
  }
  const common = {
    env: request.env ? { ...request.env } : {},
    extendEnv: true,
    ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
    detached: true,
    cleanup: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // The lifecycle escalates signals itself, with its own deadlines.
    forceKillAfterDelay: false,
  } as const;
  let child: ResultPromise;
  try {
    // Output is never a tty: SPDK sleeps 10 s before starting when stderr is one (contract §5.2).
    child =
      fileFd === undefined
        ? execa(request.binary, [...request.args], { ...common, stdout: 'pipe', stderr: 'pipe' })
        : // A descriptor number is handed to the child as it is (no pipe through the agent). execa's
          // types accept only literal numbers; at run time any descriptor is one.
          execa(request.binary, [...request.args], { ...common, stdout: fileFd as 3, stderr: fileFd as 3 });
  } finally {
    // The child holds its own copy of the descriptor; the agent's is not needed any more.
    if (fileFd !== undefined) closeSync(fileFd);
  }

  if (request.output.kind === 'pipe') {
    if (child.stdout) captureOutput(child.stdout, 'stdout', request.target, ring, request.logger);
    if (child.stderr) captureOutput(child.stderr, 'stderr', request.target, ring, request.logger);
  }

  // The output pipes may still hold the app's last lines (its error message) when the exit event
  // comes: `exited` waits for them to drain, a bounded moment (a grandchild could keep them open).
  const drained = request.output.kind === 'pipe' ? [child.stdout, child.stderr].filter((s) => s !== null).map(streamClosed) : [];
  let exit: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    const settle = (info: ExitInfo): void => {
      if (exit) return;
      // Known at once (no signal is sent to it any more); announced once the output is in.
      exit = info;
      void drainWithin(drained, OUTPUT_DRAIN_MS).then(() => resolve(info));
    };
    child.on('exit', (code, signal) => settle({ exitCode: code ?? undefined, signal: signal ?? undefined }));
    child.on('error', (err) => {
      // 'error' also fires for a failed kill(); only a process that never ran has no pid.
      if (child.pid === undefined) settle({ exitCode: undefined, signal: undefined, spawnError: err });
    });
    // execa's own promise settles after the streams close; it carries the spawn error if any.
    child.then(
      (result) => {
        if (child.pid === undefined) {
          settle({
            exitCode: undefined,
            signal: undefined,
            spawnError: (result as { cause?: Error }).cause ?? new SpawnError(String(result.message), request.binary),
          });
        }
      },
      (err: unknown) => {
        if (child.pid === undefined) settle({ exitCode: undefined, signal: undefined, spawnError: err as Error });
      },
    );
  });

  const filePath = request.output.kind === 'file' ? request.output.path : undefined;
  return {
    pid: child.pid,
    args: request.args,
    exited,
    get exit() {
      return exit;
    },
    kill: (signal) => (exit === undefined ? child.kill(signal) : false),
    recentLines: async (n = 50) => (filePath !== undefined ? readLinesSince(filePath, fileOffset, n) : ring.tail(n)),
    ...(filePath !== undefined ? { logFile: { path: filePath, offset: fileOffset } } : {}),
    release: () => {
      child.unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}

const OUTPUT_DRAIN_MS = 1000;

function streamClosed(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.once('end', () => resolve());
    stream.once('error', () => resolve());
  });
}

async function drainWithin(streams: Array<Promise<void>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(streams), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The last `n` lines written to `file` after `offset` (bounded read: at most the last 64 KiB). */
async function readLinesSince(file: string, offset: number, n: number): Promise<string[]> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = (await handle.stat()).size;
    const start = Math.max(offset, size - 65536);
    const length = Math.max(0, size - start);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, start);
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.write(buffer);
    splitter.end();
    if (start > offset) lines.shift(); // the first line was cut by the 64 KiB window
    return lines.slice(-n);
  } finally {
    await handle.close();
  }
}
