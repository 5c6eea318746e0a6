/**
 * Every process a benchmark starts (Python baselines, load generators, agents, conductors) goes
 * through here, so that none outlives the run: `stopAll()` runs after each figure, and on exit,
 * Ctrl-C or a crash whatever is left is killed. Simulators are started with the test helper
 * (`test/helpers/sim.ts`), which has the same guarantee of its own (SIGKILL at exit, and
 * `--sim-watch-parent`).
 *
 * Children talk to the harness in JSON lines on stdout; stderr is kept (its tail) for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface StartOptions {
  /** Shown in errors: "python oslo agent", "agent 7", … */
  label: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Keep stdin open (for children told to stop through it). Default false. */
  stdin?: boolean;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type LineEvent = Record<string, unknown> & { event?: string };

/** A started child: its pid, the JSON lines it printed, and a bounded stop. */
export class Child {
  readonly events: LineEvent[] = [];
  readonly startedAt = performance.now();
  private readonly waiters = new Set<() => void>();
  private stderrTail = '';
  private stdoutText = '';
  readonly exited: Promise<ChildExit>;
  private exitInfo: ChildExit | null = null;

  constructor(
    readonly label: string,
    readonly process: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      process.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
        this.wake();
      });
      process.once('error', (err) => {
        this.stderrTail += `\n(spawn failed: ${err.message})`;
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
        this.wake();
      });
    });
    if (process.stdout) {
      createInterface({ input: process.stdout }).on('line', (line) => {
        this.stdoutText = `${this.stdoutText + line}\n`.slice(-200_000);
        const trimmed = line.trim();
        if (trimmed.startsWith('{')) {
          try {
            this.events.push(JSON.parse(trimmed) as LineEvent);
          } catch {
            // Not one of ours (a library printing to stdout): kept in stdoutText only.
          }
        }
        this.wake();
      });
    }
    process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-6000);
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  /** Writes one line to the child's stdin (if it was opened). */
  send(line: string): void {
    if (this.process.stdin && !this.process.stdin.destroyed) this.process.stdin.write(`${line}\n`);
  }

  /** The first event named `name` matching `match`, waiting for it until `timeoutMs`. */
  waitForEvent(name: string, timeoutMs: number, match: (e: LineEvent) => boolean = () => true, from = 0): Promise<LineEvent> {
    const find = (): LineEvent | undefined => this.events.slice(from).find((e) => e.event === name && match(e));
    return this.waitUntil(`"${name}" from ${this.label}`, timeoutMs, find);
  }

  /** Waits until `check` returns something (re-checked on every line and at exit). */
  waitUntil<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(test);
        reject(new Error(`no ${what} within ${timeoutMs} ms; stderr tail:\n${this.stderrTail.slice(-1500)}`));
      }, timeoutMs);
      const test = (): void => {
        const found = check();
        if (found !== undefined) {
          clearTimeout(timer);
          this.waiters.delete(test);
          resolve(found);
        } else if (this.exitInfo !== null) {
          clearTimeout(timer);
          this.waiters.delete(test);
          reject(
            new Error(
              `${this.label} exited (code ${String(this.exitInfo.code)}, signal ${String(this.exitInfo.signal)}) before ${what}; stderr tail:\n${this.stderrTail.slice(-1500)}`,
            ),
          );
        }
      };
      this.waiters.add(test);
    });
  }

  /** Signals the child, then SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<ChildExit> {
    if (this.exitInfo !== null) return this.exitInfo;
    try {
      this.process.kill(signal);
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  kill(): void {
    if (this.exitInfo !== null) return;
    try {
      this.process.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

const children = new Set<Child>();

/** Starts `command` with `args` (never through a shell); tracked until it exits. */
export function startChild(command: string, args: string[], options: StartOptions): Child {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...(options.env ?? {}) })) if (value !== undefined) env[key] = value;
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env,
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const child = new Child(options.label, proc);
  children.add(child);
  void child.exited.then(() => children.delete(child));
  return child;
}

/** Runs a one-shot child to completion; resolves with the JSON of its last `{…}` stdout line. */
export async function runToCompletion<T>(command: string, args: string[], options: StartOptions & { timeoutMs: number }): Promise<T> {
  const child = startChild(command, args, options);
  const timer = setTimeout(() => child.kill(), options.timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  const last = child.events[child.events.length - 1];
  if (exit.code !== 0 || last === undefined) {
    const why = exit.signal === 'SIGKILL' ? `killed after its ${options.timeoutMs} ms limit` : `exit code ${String(exit.code)}, signal ${String(exit.signal)}`;
    throw new Error(`${options.label} failed (${why}); stderr tail:\n${child.stderr.slice(-2000)}`);
  }
  return last as T;
}

/** Stops every tracked child still running (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...children].map((child) => child.stop('SIGTERM', graceMs)));
}

/** Synchronous last resort, for process 'exit': SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const child of children) child.kill();
}

/** How many tracked children are still running (the runner checks it is 0 after each figure). */
export function runningChildren(): string[] {
  return [...children].filter((c) => c.running).map((c) => `${c.label} (pid ${c.pid})`);
}
