/** Reading what this process logs, for tests that assert on log lines. */
import { PassThrough } from 'node:stream';
import winston from 'winston';
import type { TestContext } from 'node:test';
import { configureLogging, type LogOptions } from '../../src/util/log.js';

export interface LogCapture {
  /** Everything logged since the capture began, as written (JSON lines). */
  text(): string;
  /** The same, parsed: one object per line. */
  lines(): Array<Record<string, unknown>>;
}

/**
 * Sends this process's log lines, JSON, from `level` up, to a buffer; after the test, logging is
 * configured with `restore` (what the rest of the test file expects).
 */
export function captureLogs(t: TestContext, level: string, restore: LogOptions): LogCapture {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  configureLogging({ level, format: 'json', stream });
  t.after(() => configureLogging(restore));
  return {
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A logger of its own (not the process's) whose JSON lines a test reads back: for components given a logger. */
export function memoryLogger(): { logger: winston.Logger; lines: () => Array<Record<string, unknown>> } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream, format: winston.format.json() })] });
  return {
    logger,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
