/**
 * Failures as oslo.messaging puts them on the wire (`serialize_remote_exception`): the reply's
 * `failure` is a JSON *string* of `{class, module, message, tb, args, kwargs}`, in that key order.
 *
 * Serialising: a `PythonException` says which class and module to report; a `RemoteError` we got
 * from elsewhere is passed on as its original class (as oslo strips `_Remote`); any other thrown
 * value still becomes a readable failure (`spdk_agent.errors.<name>`), which a Python caller shows
 * as `RemoteError: <name> <message>`.
 */
import { AgentError } from '../util/errors.js';
import { BUILTINS_MODULE, BusProtocolError, PythonException, RemoteError } from './errors.js';
import { isPlainObject } from './envelope.js';
import { pythonJsonDumps } from './python-values.js';

/** The module reported for errors that are not Python exceptions. */
export const AGENT_ERROR_MODULE = 'spdk_agent.errors';

const REMOTE_SUFFIX = '_Remote';
const MAX_TRACEBACK_FRAMES = 12;

export interface FailurePayload {
  class: string;
  module: string;
  message: string;
  tb: string[];
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** What a thrown value becomes on the wire. */
export function failureFromError(err: unknown): FailurePayload {
  if (err instanceof PythonException) {
    return withTraceback(err, stripRemote(err.pythonClass, err.pythonModule), err.message, [...err.pythonArgs], { ...err.pythonKwargs });
  }
  if (err instanceof RemoteError) {
    return {
      class: err.className,
      module: err.module,
      message: err.remoteMessage,
      tb: [...err.remoteTraceback],
      args: [...err.remoteArgs],
      kwargs: { ...err.remoteKwargs },
    };
  }
  if (err instanceof Error) {
    const kwargs = err instanceof AgentError ? { code: err.code } : {};
    return withTraceback(err, { className: err.name || 'Error', module: AGENT_ERROR_MODULE }, err.message, [err.message], kwargs);
  }
  const message = typeof err === 'string' ? err : safeString(err);
  return { class: 'Error', module: AGENT_ERROR_MODULE, message, tb: [`Error: ${message}\n`], args: [message], kwargs: {} };
}

/** The `failure` string of a reply. Never throws: unserialisable args/kwargs are dropped. */
export function serializeFailure(err: unknown): string {
  const failure = failureFromError(err);
  const ordered = { class: failure.class, module: failure.module, message: failure.message, tb: failure.tb, args: failure.args, kwargs: failure.kwargs };
  try {
    return pythonJsonDumps(ordered);
  } catch {
    return pythonJsonDumps({ ...ordered, args: [failure.message], kwargs: {} });
  }
}

/**
 * Parses a reply's `failure` into a `RemoteError` (with `call` as its context: method, topic…).
 * Throws `BusProtocolError` when the failure is not oslo's JSON object.
 */
export function parseFailure(raw: unknown, call: Record<string, unknown> = {}): RemoteError {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch (err) {
      throw new BusProtocolError(`the failure in a reply is not valid JSON: ${(err as Error).message}`, { ...call, failure: raw.slice(0, 200) });
    }
  }
  if (!isPlainObject(data)) {
    throw new BusProtocolError('the failure in a reply is not a JSON object', { ...call, failure: String(raw).slice(0, 200) });
  }
  const tb = Array.isArray(data.tb) ? data.tb.map(String) : [];
  const message = typeof data.message === 'string' ? data.message : '';
  return new RemoteError(
    {
      className: typeof data.class === 'string' ? data.class : 'Exception',
      module: typeof data.module === 'string' ? data.module : BUILTINS_MODULE,
      message,
      args: Array.isArray(data.args) ? data.args : [message],
      kwargs: isPlainObject(data.kwargs) ? data.kwargs : {},
      traceback: tb,
    },
    call,
  );
}

function stripRemote(className: string, module: string): { className: string; module: string } {
  if (className.endsWith(REMOTE_SUFFIX) && module.endsWith(REMOTE_SUFFIX)) {
    return { className: className.slice(0, -REMOTE_SUFFIX.length), module: module.slice(0, -REMOTE_SUFFIX.length) };
  }
  return { className, module };
}

/** A traceback shaped like Python's (header, frames, `Class: message`), from the JS stack. */
function withTraceback(
  err: Error,
  where: { className: string; module: string },
  message: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
): FailurePayload {
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, MAX_TRACEBACK_FRAMES)
    .map((line) => `  ${line.trim()}\n`);
  const qualified = where.module === BUILTINS_MODULE ? where.className : `${where.module}.${where.className}`;
  const tb = ['Traceback (most recent call last):\n', ...frames, `${qualified}: ${message}\n`];
  return { class: where.className, module: where.module, message, tb, args, kwargs };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
