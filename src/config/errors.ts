/**
 * The config layer's errors: one class, `ConfigError`, carrying every problem found at once so an
 * operator fixes a file in one pass instead of one restart per typo.
 */
import { AgentError } from '../util/errors.js';

/** Pseudo file name of problems found in environment variables. */
export const ENVIRONMENT = 'environment';

export interface ConfigProblem {
  /** The file the problem is in (or `environment`). */
  file: string;
  /**
   * Where in it: `spdk.targets[0].app` for the YAML, `[backend_defaults] accelerator_servers` for
   * the INI file, the variable name for the environment; empty for a whole-file problem.
   */
  keyPath: string;
  /** 1-based line, when the problem sits on one. */
  line?: number;
  /** What is wrong and what was expected. Never contains a secret. */
  message: string;
}

/** One line of an operator-facing report: `file:line: key: message`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  const key = problem.keyPath === '' ? '' : `${problem.keyPath}: `;
  return `${where}: ${key}${problem.message}`;
}

export class ConfigError extends AgentError {
  /** The file of the first problem (the one to open first). */
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: ConfigProblem[], options: { cause?: unknown } = {}) {
    if (problems.length === 0) throw new TypeError('ConfigError needs at least one problem');
    super(problems.map(formatProblem).join('\n'), {
      code: 'CONFIG_INVALID',
      context: { file: problems[0]!.file, problems: problems.map((p) => ({ ...p })) },
      cause: options.cause,
    });
    this.file = problems[0]!.file;
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}
