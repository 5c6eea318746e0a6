/**
 * A target's stdout/stderr, line by line: each line goes to the agent's log (tagged with the target
 * name) and into a bounded ring of the most recent lines, which a failed start quotes ("socket in
 * use", "no hugepages" are SPDK's words, better than any paraphrase).
 *
 * Bounded twice: the ring keeps `capacity` lines, and a line longer than `maxLineLength` is cut, so
 * an app that prints a megabyte without a newline cannot grow the agent's memory.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '../../util/log.js';

export class LineRing {
  private readonly lines: string[] = [];

  constructor(readonly capacity = 200) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** The last `n` lines (all when omitted), oldest first. */
  tail(n?: number): string[] {
    return n === undefined ? [...this.lines] : this.lines.slice(-n);
  }

  clear(): void {
    this.lines.length = 0;
  }
}

/** Splits a byte stream into lines (`\n` or `\r\n`), whatever the chunk boundaries. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private truncated = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineLength = 4096,
  ) {}

  write(chunk: Buffer | string): void {
    let text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n')) {
      const line = text.slice(0, newline).replace(/\r$/, '');
      text = text.slice(newline + 1);
      if (this.truncated)
        this.truncated = false; // the rest of a line already emitted cut
      else this.emit(line);
    }
    if (text.length > this.maxLineLength && !this.truncated) {
      this.emit(text);
      this.truncated = true;
      text = '';
    } else if (this.truncated) {
      text = '';
    }
    this.partial = text;
  }

  /** Emits what is left after the stream ended without a final newline. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '' && !this.truncated) this.emit(rest);
    this.truncated = false;
  }

  private emit(line: string): void {
    this.onLine(line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line);
  }
}

/** SPDK's error lines (`*ERROR*`) and DPDK's fatal ones: what an operator must see in the agent's log. */
export function isImportantLine(line: string): boolean {
  return /\*ERROR\*|EAL: FATAL|Failed to|Unable to/.test(line);
}

/**
 * Reads `stream` line by line into `ring` and `log`. SPDK's error lines (`*ERROR*`, DPDK's fatal
 * `EAL:` messages) are logged as warnings, the rest at info.
 */
export function captureOutput(stream: Readable, streamName: 'stdout' | 'stderr', target: string, ring: LineRing, log: Logger): void {
  const splitter = new LineSplitter((line) => {
    ring.push(line);
    const level = isImportantLine(line) ? 'warn' : 'info';
    log.log(level, line, { target, stream: streamName });
  });
  stream.on('data', (chunk: Buffer) => splitter.write(chunk));
  stream.on('end', () => splitter.end());
  // A read error on a pipe means the app is gone; its exit is reported elsewhere.
  stream.on('error', () => splitter.end());
}
