/**
 * The arguments of the agent's RPC methods, checked with ajv before anything runs.
 *
 * A caller on the bus is usually Python, so a bad argument fails as Python code would: a wrong
 * type is a `TypeError` ("argument 'force' must be bool, not str"), a wrong value a `ValueError`;
 * both reach a Python caller as the real builtin exception. Unknown or missing keyword arguments
 * never get here: the bus dispatcher refuses them with Python's own TypeError text.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { PythonException } from '../bus/index.js';
import { pythonTypeName } from '../bus/index.js';

const Ajv = AjvModule.default;

/** The Python class name callers see in TypeError texts (Cyborg's agent manager). */
export const ENDPOINT_CLASS = 'AgentManager';

const MAX_TARGET_NAME = 255;
const targetName = { type: 'string', minLength: 1, maxLength: MAX_TARGET_NAME } as const;

export const ARGUMENT_SCHEMAS = {
  ping: { type: 'object', additionalProperties: false, properties: {} },
  discover: { type: 'object', additionalProperties: false, properties: {} },
  start: { type: 'object', additionalProperties: false, required: ['target'], properties: { target: targetName } },
  stop: { type: 'object', additionalProperties: false, required: ['target'], properties: { target: targetName, force: { type: 'boolean' } } },
  report: {
    type: 'object',
    additionalProperties: false,
    properties: { target: { type: ['string', 'null'], minLength: 1, maxLength: MAX_TARGET_NAME }, stats: { type: 'boolean' } },
  },
} as const;

export type AgentMethod = keyof typeof ARGUMENT_SCHEMAS;

export interface StartArgs {
  target: string;
}
export interface StopArgs {
  target: string;
  force: boolean;
}
export interface ReportArgs {
  target: string | null;
  stats: boolean;
}

const PYTHON_TYPES: Readonly<Record<string, string>> = {
  string: 'str',
  boolean: 'bool',
  null: 'None',
  integer: 'int',
  number: 'float',
  object: 'dict',
  array: 'list',
};

let validators: Map<AgentMethod, ValidateFunction> | null = null;

function validatorFor(method: AgentMethod): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: true, strictTypes: false });
    validators = new Map((Object.keys(ARGUMENT_SCHEMAS) as AgentMethod[]).map((m) => [m, ajv.compile(ARGUMENT_SCHEMAS[m])]));
  }
  return validators.get(method)!;
}

/** Throws a `PythonException` (TypeError / ValueError) naming the argument when `args` do not fit. */
export function checkArguments(method: AgentMethod, args: Record<string, unknown>): void {
  const validate = validatorFor(method);
  if (validate(args)) return;
  throw toPythonError(method, args, validate.errors?.[0]);
}

export function startArgs(args: Record<string, unknown>): StartArgs {
  checkArguments('start', args);
  return { target: args.target as string };
}

export function stopArgs(args: Record<string, unknown>): StopArgs {
  checkArguments('stop', args);
  return { target: args.target as string, force: args.force === true };
}

export function reportArgs(args: Record<string, unknown>): ReportArgs {
  checkArguments('report', args);
  return { target: typeof args.target === 'string' ? args.target : null, stats: args.stats === true };
}

function toPythonError(method: AgentMethod, args: Record<string, unknown>, error: ErrorObject | undefined): PythonException {
  const where = `${ENDPOINT_CLASS}.${method}()`;
  if (!error) return PythonException.valueError(`${where}: invalid arguments`);
  const argument = error.instancePath.split('/')[1];
  if (argument === undefined) {
    if (error.keyword === 'additionalProperties') {
      const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty);
      return PythonException.typeError(`${where} got an unexpected keyword argument '${extra}'`);
    }
    if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
      return PythonException.typeError(`${where} missing 1 required positional argument: '${missing}'`);
    }
    return PythonException.typeError(`${where}: the arguments must be keyword arguments`);
  }
  const value = args[argument];
  switch (error.keyword) {
    case 'type': {
      const expected = ([] as string[]).concat((error.params as { type: string | string[] }).type).map((t) => PYTHON_TYPES[t] ?? t);
      return PythonException.typeError(`${where} argument '${argument}' must be ${expected.join(' or ')}, not ${pythonTypeName(value)}`);
    }
    case 'minLength':
      return PythonException.valueError(`${where} argument '${argument}' must not be empty`);
    case 'maxLength':
      return PythonException.valueError(`${where} argument '${argument}' must be at most ${MAX_TARGET_NAME} characters`);
    default:
      return PythonException.valueError(`${where} argument '${argument}' ${error.message ?? 'is invalid'}`);
  }
}
