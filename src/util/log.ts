/**
 * Logging for every layer: winston, JSON lines in production, readable lines on a terminal.
 *
 * All output goes to stderr so that a CLI's stdout stays machine-readable. Components take a child
 * logger (`getLogger('spdk.rpc')`); `configureLogging` may be called later (once the config file is
 * read) and every child follows, because children share the root's transports.
 *
 * winston is loaded when the first line at an enabled level is written, not when a module asks
 * for a logger: a short CLI command (`spdk-agent rpc`, `--help`) that logs nothing does not pay
 * the 50 ms its loading costs. The level is checked here first, so a filtered line costs no more.
 *
 * Secrets never reach a line: the `redact` format scrubs the password out of URLs
 * (`amqp://user:secret@host` → `amqp://user:***@host`) and the value of any field whose name looks
 * like a secret, however deep it sits in the metadata.
 */
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import type winstonModule from 'winston';
import { colorAllowed } from './color.js';
import { currentRequestScope } from './request-scope.js';

type Winston = typeof winstonModule;

/** What every component logs through (a winston logger satisfies it). */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
  log(level: string, message: string, meta?: Record<string, unknown>): unknown;
  /** A logger adding `meta` to each of its lines. */
  child(meta: Record<string, unknown>): Logger;
  isDebugEnabled(): boolean;
}

export type LogFormat = 'json' | 'text' | 'auto';

export interface LogOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go; stderr by default. Tests pass a stream to read what was logged. */
  stream?: NodeJS.WritableStream;
  /**
   * Prefix each line with its syslog priority (`<3>` error … `<7>` debug), which journald reads
   * from a service's stderr. Default: when stderr is the journal (JOURNAL_STREAM names it).
   */
  journal?: boolean;
}

/** The syslog priority of each level, as journald reads it from a `<N>` line prefix. */
const PRIORITIES: Readonly<Record<string, number>> = { error: 3, warn: 4, info: 6, http: 6, verbose: 7, debug: 7, silly: 7 };

/**
 * Whether stderr is connected to the journal: systemd sets JOURNAL_STREAM to `<device>:<inode>`
 * of the stream it hands a service; a child whose stderr was redirected elsewhere inherits the
 * variable, so the descriptor itself is compared.
 */
export function stderrIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.JOURNAL_STREAM;
  if (value === undefined) return false;
  const [device, inode] = value.split(':');
  try {
    const stat = fstatSync(2);
    return String(stat.dev) === device && String(stat.ino) === inode;
  } catch {
    return false;
  }
}

const MESSAGE = Symbol.for('message');
const LEVEL = Symbol.for('level');

/** Puts the level's `<N>` priority in front of the finished line. */
function journalPrefix(info: winstonModule.Logform.TransformableInfo): winstonModule.Logform.TransformableInfo {
  const line = (info as unknown as Record<symbol, unknown>)[MESSAGE];
  // The level as logged, before any colouring (winston keeps it under Symbol.for('level')).
  const level = String((info as unknown as Record<symbol, unknown>)[LEVEL] ?? info.level);
  (info as unknown as Record<symbol, unknown>)[MESSAGE] = `<${PRIORITIES[level] ?? 6}>${String(line)}`;
  return info;
}

const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|credential|private_?key|^key\d*$|psk|dhchap/i;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]*)@/gi;

/** Removes passwords from a string: the userinfo password of every URL in it. */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@');
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redactText(value.message);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? '***' : redactValue(v, depth + 1);
  }
  return out;
}

/** The request being served, on every line written for it (request-scope.ts). */
function requestFields(info: winstonModule.Logform.TransformableInfo): winstonModule.Logform.TransformableInfo {
  const scope = currentRequestScope();
  if (scope?.request_id !== undefined && info.request_id === undefined) info.request_id = scope.request_id;
  if (scope?.msg_id !== undefined && info.msg_id === undefined) info.msg_id = scope.msg_id;
  return info;
}

function redact(info: winstonModule.Logform.TransformableInfo): winstonModule.Logform.TransformableInfo {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'timestamp') continue;
    const value = info[key];
    info[key] = SECRET_KEY.test(key) && value ? '***' : redactValue(value, 0);
  }
  return info;
}

function pickFormat(format: LogFormat, stream: NodeJS.WritableStream): 'json' | 'text' {
  if (format !== 'auto') return format;
  const fromEnv = process.env.SPDK_AGENT_LOG_FORMAT;
  if (fromEnv === 'json' || fromEnv === 'text') return fromEnv;
  return (stream as { isTTY?: boolean }).isTTY ? 'text' : 'json';
}

function textLine(info: winstonModule.Logform.TransformableInfo): string {
  const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
  const meta = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest, bigintSafe)}` : '';
  const where = component ? ` [${String(component)}]` : '';
  return `${String(timestamp)} ${String(level)}${where} ${String(message)}${meta}`;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function buildTransport(winston: Winston, options: Required<Pick<LogOptions, 'format'>> & LogOptions): winstonModule.transport {
  const stream = options.stream ?? process.stderr;
  const kind = pickFormat(options.format, stream);
  const journal = options.journal ?? (options.stream === undefined && stderrIsJournal());
  const own = (transform: (info: winstonModule.Logform.TransformableInfo) => winstonModule.Logform.TransformableInfo) => winston.format(transform)();
  const format =
    kind === 'json'
      ? winston.format.combine(
          winston.format.timestamp(),
          own(requestFields),
          own(redact),
          winston.format.json({ replacer: bigintSafe }),
          ...(journal ? [own(journalPrefix)] : []),
        )
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          own(requestFields),
          own(redact),
          // Left out, not configured off: logform's colorize colours the level whenever `message` is unset.
          ...(colorAllowed(stream as { isTTY?: boolean }) ? [winston.format.colorize({ level: true })] : []),
          winston.format.printf(textLine),
          ...(journal ? [own(journalPrefix)] : []),
        );
  return new winston.transports.Stream({ stream, format });
}

/** npm's levels, as winston numbers them: a line is written when its level is at most the logger's. */
const LEVELS: Readonly<Record<string, number>> = { error: 0, warn: 1, info: 2, http: 3, verbose: 4, debug: 5, silly: 6 };

/** The level named by SPDK_AGENT_LOG_LEVEL (any case), or undefined. */
function levelFromEnv(): string | undefined {
  const level = process.env.SPDK_AGENT_LOG_LEVEL?.trim().toLowerCase();
  return level && level in LEVELS ? level : undefined;
}

let level = levelFromEnv() ?? 'info';
let transportOptions: LogOptions = {};
let root: winstonModule.Logger | null = null;

/** The winston root logger, made (and winston loaded) on first use. */
function rootLogger(): winstonModule.Logger {
  if (root === null) {
    const winston = createRequire(import.meta.url)('winston') as Winston;
    root = winston.createLogger({
      level,
      transports: [buildTransport(winston, { ...transportOptions, format: transportOptions.format ?? 'auto' })],
      exitOnError: false,
    });
  }
  return root;
}

/** (Re)configures the root logger; every child logger follows. */
export function configureLogging(options: LogOptions = {}): void {
  level = options.level?.toLowerCase() ?? levelFromEnv() ?? level;
  transportOptions = options;
  if (root === null) return; // applied when the first line is written
  root.level = level;
  root.clear();
  root.add(buildTransport(createRequire(import.meta.url)('winston') as Winston, { ...options, format: options.format ?? 'auto' }));
}

function enabled(lineLevel: string): boolean {
  return (LEVELS[lineLevel] ?? LEVELS.info!) <= (LEVELS[level] ?? LEVELS.info!);
}

/**
 * A component's logger: its metadata, and the winston child made from it once a line is
 * written. Lines below the level are dropped before winston is involved.
 */
class LazyLogger implements Logger {
  private target: winstonModule.Logger | null = null;

  constructor(private readonly meta: Record<string, unknown>) {}

  error(message: string, meta?: Record<string, unknown>): void {
    this.log('error', message, meta);
  }

  warn(message: string, meta?: Record<string, unknown>): void {
    this.log('warn', message, meta);
  }

  info(message: string, meta?: Record<string, unknown>): void {
    this.log('info', message, meta);
  }

  debug(message: string, meta?: Record<string, unknown>): void {
    this.log('debug', message, meta);
  }

  log(lineLevel: string, message: string, meta?: Record<string, unknown>): void {
    if (!enabled(lineLevel)) return;
    this.target ??= rootLogger().child(this.meta);
    if (meta === undefined) this.target.log(lineLevel, message);
    else this.target.log(lineLevel, message, meta);
  }

  child(meta: Record<string, unknown>): Logger {
    return new LazyLogger({ ...this.meta, ...meta });
  }

  isDebugEnabled(): boolean {
    return enabled('debug');
  }
}

/** A logger that tags every line with the component name (`spdk.rpc`, `bus.server`, …). */
export function getLogger(component: string): Logger {
  return new LazyLogger({ component });
}
