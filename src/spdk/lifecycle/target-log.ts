/**
 * A target's own log file: where a target the agent starts writes its stdout and stderr, and how
 * the agent follows it.
 *
 * Targets outlive the agent (the unit's `KillMode=process`, an upgrade, a crash of the agent), so
 * their output must not go through a pipe to the agent: nobody would read it after a restart and
 * every later line would be lost. The target gets the file itself (`O_APPEND`); the agent only
 * reads it, from wherever it is, and a new agent follows the file of a target it adopts.
 *
 * The follower polls the file's size (every 500 ms: a stat is cheap, and `fs.watch` misses
 * writes on some file systems), carries the lines that matter (SPDK's `*ERROR*`, DPDK's fatal
 * lines) into the agent's log as warnings and the rest at debug, keeps the most recent lines for
 * error messages, and caps the file: past `maxBytes` it is copied to `<file>.1` and truncated in
 * place (copy-and-truncate, as logrotate's `copytruncate`: the target's descriptor stays valid,
 * and with O_APPEND its next write lands at the new end). Lines written between the copy and the
 * truncation can be lost; that window is a few milliseconds once per `maxBytes`.
 */
import { copyFile, open, readlink, stat, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/log.js';
import { LineRing, LineSplitter, isImportantLine } from './output-lines.js';

/** The file a target's output goes to: `<dir>/<name>.log`, else `<socket>.log`; none for a tcp target. */
export function targetLogFile(spec: { name: string; socket?: string }, dir: string | undefined): string | undefined {
  if (dir !== undefined) return path.join(dir, `${spec.name}.log`);
  return spec.socket !== undefined ? `${spec.socket}.log` : undefined;
}

/**
 * Where a running process's stderr goes, when that is a regular file (`/proc/<pid>/fd/2`); undefined
 * for a pipe, a socket, a terminal, /dev/null or a process we may not look at.
 */
export async function processLogFile(pid: number, procRoot = '/proc'): Promise<string | undefined> {
  try {
    const link = await readlink(path.join(procRoot, String(pid), 'fd', '2'));
    if (!link.startsWith('/') || link.startsWith('/dev/') || link.endsWith(' (deleted)')) return undefined;
    return (await stat(link)).isFile() ? link : undefined;
  } catch {
    return undefined;
  }
}

export interface TargetLogFollowerOptions {
  file: string;
  /** Read from this offset on; default: the file's current end (only what is written from now on). */
  fromOffset?: number;
  maxBytes: number;
  logger: Logger;
  target: string;
  intervalMs?: number;
  ringCapacity?: number;
}

/** The most one poll reads: a target that writes faster is followed over several polls. */
const MAX_READ_PER_POLL = 1024 * 1024;

export class TargetLogFollower {
  readonly file: string;
  private readonly ring: LineRing;
  private readonly splitter: LineSplitter;
  private offset: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private rotations = 0;
  private lastProblem: string | undefined;

  constructor(private readonly options: TargetLogFollowerOptions) {
    this.file = options.file;
    this.offset = options.fromOffset;
    this.ring = new LineRing(options.ringCapacity ?? 200);
    this.splitter = new LineSplitter((line) => {
      this.ring.push(line);
      if (isImportantLine(line)) options.logger.warn(line, { target: options.target, stream: 'target-log' });
      else options.logger.debug(line, { target: options.target, stream: 'target-log' });
    });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? 500);
    this.timer.unref();
    void this.poll();
  }

  /** Reads what is left, then stops. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.poll();
    this.splitter.end();
  }

  /** The most recent lines read, oldest first. */
  recentLines(n = 50): string[] {
    return this.ring.tail(n);
  }

  /** How often the file was rotated by this follower. */
  get rotated(): number {
    return this.rotations;
  }

  /** One look at the file: read what is new, rotate when too large. Never rejects. */
  poll(): Promise<void> {
    this.polling ??= this.readNew().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async readNew(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.file, 'r');
    } catch (err) {
      this.problem(`cannot read the target's log file: ${errorMessage(err)}`);
      return;
    }
    try {
      let size = (await handle.stat()).size;
      if (this.offset === undefined) this.offset = size;
      if (size < this.offset) this.offset = 0; // truncated by someone else (logrotate copytruncate)
      while (size > this.offset) {
        const length = Math.min(size - this.offset, MAX_READ_PER_POLL);
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.splitter.write(buffer.subarray(0, bytesRead));
        if (bytesRead < length) break;
        if (this.offset >= size) size = (await handle.stat()).size;
      }
      this.lastProblem = undefined;
      if (size > this.options.maxBytes) await this.rotate();
    } catch (err) {
      this.problem(`cannot follow the target's log file: ${errorMessage(err)}`);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async rotate(): Promise<void> {
    await copyFile(this.file, `${this.file}.1`);
    await truncate(this.file, 0);
    this.offset = 0;
    this.rotations++;
    this.options.logger.info('target log rotated', {
      target: this.options.target,
      file: this.file,
      rotatedTo: `${this.file}.1`,
      maxBytes: this.options.maxBytes,
    });
  }

  /** Logged once per kind of problem, not every 500 ms. */
  private problem(text: string): void {
    if (text === this.lastProblem) return;
    this.lastProblem = text;
    this.options.logger.warn(text, { target: this.options.target, file: this.file });
  }
}
