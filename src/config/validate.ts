/**
 * Schema validation of the agent's YAML (ajv), with errors an operator can act on.
 *
 * One compiled validator (compiling the schema is most of what ajv costs at start-up), used two
 * ways: to check a file as written it runs on a copy (so every message is about what the operator
 * typed, and the defaults it fills in go nowhere), and once the layers are merged it fills in the
 * defaults in place (so a default never hides a value from the upper-layer file).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ConfigProblem } from './errors.js';
import { closestKey, describeValue, isSecretKey } from './describe.js';
import { formatKeyPath, keyPathFromPointer, type KeyPath } from './key-path.js';
import { agentConfigSchema, EXPECTED_KEYWORD } from './schema.js';
import { packageRoot } from '../util/package-info.js';

const requireHere = createRequire(import.meta.url);
type Ajv = InstanceType<typeof AjvModule.default>;

/** The ajv the schema is compiled with (also by scripts/compile-validators.ts, at build time). */
export function newConfigAjv(options: { source?: boolean } = {}): Ajv {
  // Loaded here, not at the top: with the build's compiled validator, reading a config needs no ajv.
  const { default: AjvClass } = requireHere('ajv') as typeof AjvModule;
  const ajv = new AjvClass({
    allErrors: true,
    verbose: true,
    useDefaults: true,
    strict: true,
    strictTypes: false,
    ...(options.source ? { code: { source: true, esm: false } } : {}),
  });
  ajv.addKeyword({ keyword: EXPECTED_KEYWORD, schemaType: 'string' });
  return ajv;
}

/** The validator compiled at build time (dist/src/config/agent-config-validator.cjs), else compiled now. */
function compile(): ValidateFunction {
  try {
    // From the package root: this module also runs from the CLI's bundle (dist/cli/).
    const compiled = requireHere(path.join(packageRoot(), 'dist', 'src', 'config', 'agent-config-validator.cjs')) as
      | ValidateFunction
      | { default: ValidateFunction };
    return typeof compiled === 'function' ? compiled : compiled.default;
  } catch {
    return newConfigAjv().compile(agentConfigSchema);
  }
}

let validator: ValidateFunction | undefined;

/** One way the data breaks the schema. */
export interface SchemaIssue {
  path: Array<string | number>;
  /** Where the line comes from when it is not `path` itself (a missing key: its parent). */
  linePath?: Array<string | number>;
  message: string;
}

/** Every way `data` breaks the schema, one issue per place and message. */
export function schemaIssues(data: unknown): SchemaIssue[] {
  validator ??= compile();
  if (validator(structuredClone(data))) return [];
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of validator.errors ?? []) {
    const issue = describeError(error, data);
    if (issue === undefined) continue;
    const id = `${formatKeyPath(issue.path)}\u0000${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

/** Every way the YAML's `data` breaks the schema, as problems with lines, sorted by line. */
export function schemaProblems(data: unknown, file: string, lineOf: (path: KeyPath) => number | undefined): ConfigProblem[] {
  return schemaIssues(data)
    .map((issue) => ({ file, keyPath: formatKeyPath(issue.path), line: lineOf(issue.linePath ?? issue.path), message: issue.message }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/**
 * Fills in every default, in place. Returns the remaining schema errors as ajv reports them: there
 * should be none, because each source was validated before the merge.
 */
export function applyDefaults(data: unknown): ErrorObject[] {
  validator ??= compile();
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

function describeError(error: ErrorObject, root: unknown): SchemaIssue | undefined {
  // A key name failing `propertyNames` is reported by the `propertyNames` error itself.
  if ((error as { propertyName?: string }).propertyName !== undefined) return undefined;
  const path = keyPathFromPointer(error.instancePath, root);
  const secret = isSecretKey(path[path.length - 1]);
  const got = `(got ${describeValue(error.data, { secret })})`;
  const expected = (error.parentSchema as Record<string, unknown> | undefined)?.[EXPECTED_KEYWORD];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const guess = closestKey(key, allowed);
      const message = guess ? `unknown key; did you mean "${guess}"?` : `unknown key (allowed here: ${allowed.join(', ')})`;
      return { path: [...path, key], message };
    }
    case 'required':
      return { path: [...path, String(params.missingProperty)], linePath: path, message: 'is required' };
    case 'propertyNames':
      return {
        path: [...path, String(params.propertyName)],
        message: 'is not a valid environment variable name (letters, digits and "_", not starting with a digit)',
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof error.data === 'string' ? closestKey(error.data, allowed) : undefined;
      const hint = guess ? `; did you mean "${guess}"?` : '';
      return { path, message: `must be one of ${allowed.join(', ')} ${got}${hint}` };
    }
    case 'type':
      return { path, message: `must be ${typeWords(String(params.type), expected)} ${got}` };
    case 'pattern':
      return { path, message: `must be ${typeof expected === 'string' ? expected : `a string matching ${String(params.pattern)}`} ${got}` };
    case 'minLength':
      return { path, message: `must not be empty` };
    case 'minItems':
      return { path, message: `must list at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `must be ${String(params.comparison)} ${String(params.limit)} ${got}` };
    default:
      return { path, message: `${error.message ?? 'is invalid'} ${got}` };
  }
}

function typeWords(type: string, expected: unknown): string {
  if (typeof expected === 'string') return expected;
  switch (type) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping of keys to values';
    default:
      return type;
  }
}
