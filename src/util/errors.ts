/**
 * The root of every error the agent raises on purpose.
 *
 * Each layer keeps its own errors module (`src/spdk/rpc/errors.ts`, `src/bus/errors.ts`, …) with
 * subclasses of this one. An operator reads `message`; code and logs read `code` (stable, never
 * reworded) and `context` (the facts needed to act: socket path, method, file, key …).
 */
export class AgentError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, options: { code: string; context?: Record<string, unknown>; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }

  /** What a log line or a JSON answer carries: never the stack, always the code and the context. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.context };
  }
}

/** Best-effort text of anything thrown, for log lines and CLI messages. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
