/**
 * The errors of the bus layer.
 *
 * Two families:
 * - what goes wrong on our side of the wire (configuration, connection, channel, timeout, a bad
 *   message): `BusError` subclasses with a stable `code` and the context an operator needs (the
 *   broker URL is always masked);
 * - what crosses the wire as an oslo.messaging `failure`: `PythonException` (thrown by an endpoint
 *   method, it tells which Python class and module the caller must see) and `RemoteError` (a
 *   failure reply received by our client, with the remote class, module, args, kwargs and
 *   traceback).
 */
import { AgentError } from '../util/errors.js';

type Context = Record<string, unknown>;

/** The root of the bus layer's errors. */
export class BusError extends AgentError {
  constructor(message: string, options: { code: string; context?: Context; cause?: unknown }) {
    super(message, options);
  }
}

/** Bad transport options or a bad broker URL: fix the configuration. */
export class BusConfigError extends BusError {
  constructor(message: string, context: Context = {}, cause?: unknown) {
    super(message, { code: 'BUS_CONFIG', context, cause });
  }
}

/** No broker of the list could be reached (or the TLS/credentials were refused). */
export class BusConnectionError extends BusError {
  constructor(message: string, context: Context = {}, cause?: unknown) {
    super(message, { code: 'BUS_CONNECT_FAILED', context, cause });
  }
}

/** The connection went away while the operation (a pending call, a publish) was in flight. */
export class BusConnectionLostError extends BusError {
  constructor(message: string, context: Context = {}, cause?: unknown) {
    super(message, { code: 'BUS_CONNECTION_LOST', context, cause });
  }
}

/** The operation's deadline passed while the transport was (re)connecting. */
export class BusNotConnectedError extends BusError {
  constructor(message: string, context: Context = {}) {
    super(message, { code: 'BUS_NOT_CONNECTED', context });
  }
}

/** oslo.messaging's MessagingTimeout: no final reply within the call's timeout (or call monitor). */
export class BusTimeoutError extends BusError {
  constructor(message: string, context: Context = {}) {
    super(message, { code: 'BUS_TIMEOUT', context });
  }
}

/**
 * The broker closed a channel: 406 PRECONDITION_FAILED (a queue or exchange exists with other
 * flags), 404 NOT_FOUND (an exchange or queue that does not exist), 403 ACCESS_REFUSED, …
 * The process keeps running; the channel is recreated.
 */
export class BusChannelError extends BusError {
  readonly amqpCode: number | undefined;
  constructor(message: string, context: Context & { amqpCode?: number } = {}, cause?: unknown) {
    super(message, { code: 'BUS_CHANNEL_ERROR', context, cause });
    this.amqpCode = context.amqpCode;
  }
}

/** The broker refused (nack) a publish, or the channel closed before confirming it. */
export class BusPublishError extends BusError {
  constructor(message: string, context: Context = {}, cause?: unknown) {
    super(message, { code: 'BUS_PUBLISH_FAILED', context, cause });
  }
}

/** A message on the bus that cannot be understood (bad envelope, malformed reply, …). */
export class BusProtocolError extends BusError {
  constructor(message: string, context: Context = {}, cause?: unknown) {
    super(message, { code: 'BUS_PROTOCOL', context, cause });
  }
}

/** The transport, server or client was closed: the operation cannot happen any more. */
export class BusClosedError extends BusError {
  constructor(message: string, context: Context = {}) {
    super(message, { code: 'BUS_CLOSED', context });
  }
}

/** A bad argument given to the bus API itself (method name, args, version above the cap). */
export class BusUsageError extends BusError {
  constructor(message: string, context: Context = {}) {
    super(message, { code: 'BUS_USAGE', context });
  }
}

/** The Python module of Cyborg's exceptions (the only module Cyborg's callers rebuild). */
export const CYBORG_EXCEPTION_MODULE = 'cyborg.common.exception';
/** Python's module of builtin exceptions. */
export const BUILTINS_MODULE = 'builtins';
/** The module of oslo.messaging's dispatcher errors (NoSuchMethod, UnsupportedVersion). */
export const DISPATCHER_MODULE = 'oslo_messaging.rpc.dispatcher';

export interface PythonExceptionSpec {
  /** Python class name, e.g. `ValueError`, `PlacementResourceProviderNotFound`. */
  className: string;
  /** Python module, e.g. `builtins`, `cyborg.common.exception`. */
  module: string;
  /** `str(exc)`: what a Python caller prints. */
  message: string;
  /** `exc.args`; defaults to `[message]`, as Python exceptions built from a message have. */
  args?: readonly unknown[];
  /** `exc.kwargs`; must be `{}` for a builtin to be re-raised as itself by a Python caller. */
  kwargs?: Readonly<Record<string, unknown>>;
  context?: Context;
  cause?: unknown;
}

/**
 * Thrown by an endpoint method to send a specific Python exception back to the caller.
 *
 * A Python caller re-raises `builtins` classes (with empty kwargs) as the real builtin, and the
 * classes of `cyborg.common.exception` as the Cyborg class; anything else becomes a RemoteError.
 */
export class PythonException extends BusError {
  readonly pythonClass: string;
  readonly pythonModule: string;
  readonly pythonArgs: readonly unknown[];
  readonly pythonKwargs: Readonly<Record<string, unknown>>;

  constructor(spec: PythonExceptionSpec) {
    super(spec.message, {
      code: 'BUS_ENDPOINT_FAILURE',
      context: { pythonClass: spec.className, pythonModule: spec.module, ...(spec.context ?? {}) },
      cause: spec.cause,
    });
    this.pythonClass = spec.className;
    this.pythonModule = spec.module;
    this.pythonArgs = Object.freeze([...(spec.args ?? [spec.message])]);
    this.pythonKwargs = Object.freeze({ ...(spec.kwargs ?? {}) });
  }

  /** `builtins.ValueError(message)`: bad argument values. A Python caller gets a real ValueError. */
  static valueError(message: string, context?: Context): PythonException {
    return new PythonException({ className: 'ValueError', module: BUILTINS_MODULE, message, context });
  }

  /** `builtins.TypeError(message)`: wrong argument types or names. */
  static typeError(message: string, context?: Context): PythonException {
    return new PythonException({ className: 'TypeError', module: BUILTINS_MODULE, message, context });
  }

  /**
   * A class of `cyborg.common.exception`, rebuilt by Cyborg callers as `Class(*args, **kwargs)`:
   * give the kwargs the Cyborg class formats its message with (and `code` when it has one).
   */
  static cyborg(className: string, message: string, kwargs: Record<string, unknown> = {}): PythonException {
    return new PythonException({ className, module: CYBORG_EXCEPTION_MODULE, message, kwargs });
  }
}

export interface RemoteFailure {
  className: string;
  module: string;
  message: string;
  args: readonly unknown[];
  kwargs: Readonly<Record<string, unknown>>;
  traceback: readonly string[];
}

/**
 * A failure reply received for one of our calls: the remote method raised `module.className`.
 * The agent recognises a Cyborg class with `err.is('PlacementResourceProviderNotFound')`.
 */
export class RemoteError extends BusError {
  readonly className: string;
  readonly module: string;
  readonly remoteMessage: string;
  readonly remoteArgs: readonly unknown[];
  readonly remoteKwargs: Readonly<Record<string, unknown>>;
  readonly remoteTraceback: readonly string[];

  constructor(failure: RemoteFailure, call: Context = {}) {
    const qualified = failure.module === BUILTINS_MODULE ? failure.className : `${failure.module}.${failure.className}`;
    super(`remote ${qualified}: ${failure.message}`, {
      code: 'BUS_REMOTE_ERROR',
      context: { ...call, remoteClass: failure.className, remoteModule: failure.module, remoteKwargs: failure.kwargs },
    });
    this.className = failure.className;
    this.module = failure.module;
    this.remoteMessage = failure.message;
    this.remoteArgs = Object.freeze([...failure.args]);
    this.remoteKwargs = Object.freeze({ ...failure.kwargs });
    this.remoteTraceback = Object.freeze([...failure.traceback]);
  }

  /** True when the remote exception is `className`, of `module` (Cyborg's module by default). */
  is(className: string, module: string = CYBORG_EXCEPTION_MODULE): boolean {
    return this.className === className && this.module === module;
  }
}
