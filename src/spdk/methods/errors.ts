/**
 * Errors of the method catalogue, beside the RPC client's (`../rpc/errors.ts`), all subclasses of
 * `SpdkRpcError` so one `catch` handles every failure of a call to a target:
 *
 *   MethodUnavailableError     the target knows none of the operation's names
 *   UnsupportedParameterError  the caller gave a parameter the target's version does not know
 *   SpdkResultError            the target answered, but not with the shape the method returns
 *   InvalidArgumentError       the caller's argument is wrong before anything is sent
 */
import { SpdkRpcError } from '../rpc/errors.js';
import { describeSpan, type MethodNameSpan } from './names.js';

export class MethodUnavailableError extends SpdkRpcError {
  /** The operation asked for, by its current name. */
  readonly operation: string;
  /** The names sent or looked for, newest first. */
  readonly tried: readonly string[];

  constructor(options: {
    address: string;
    operation: string;
    tried: readonly string[];
    /** Every name the operation ever had, for the message. */
    history: readonly MethodNameSpan[];
    /** What the target looks like (`nvmf_tgt`, …), when known: the likely reason. */
    app?: string;
    /** How the names were checked: the listing method, or `trial` on SPDK 17.07. */
    checkedWith: string;
    /** Extra words for the operator (a v17.07-era replacement that is not wrapped, …). */
    hint?: string;
    cause?: unknown;
  }) {
    const appHint = options.app && options.app !== 'unknown' ? ` (an ${options.app}?)` : '';
    const names = options.history.map(describeSpan).join(', ');
    const hint = options.hint ? `; ${options.hint}` : '';
    super(
      `${options.operation} is not available on this target ${options.address}${appHint}: ` +
        `tried ${options.tried.join(', ')} (checked with ${options.checkedWith}); SPDK has it as ${names}${hint}`,
      {
        code: 'SPDK_METHOD_UNAVAILABLE',
        address: options.address,
        method: options.operation,
        context: { operation: options.operation, tried: [...options.tried], app: options.app, checkedWith: options.checkedWith },
        cause: options.cause,
      },
    );
    this.operation = options.operation;
    this.tried = [...options.tried];
  }
}

export class UnsupportedParameterError extends SpdkRpcError {
  readonly parameter: string;

  constructor(options: { address: string; method: string; parameter: string; requirement: string; targetVersion: string }) {
    super(
      `${options.method} on ${options.address}: parameter ${options.parameter} ${options.requirement}, ` +
        `but the target is ${options.targetVersion}; leave it out (SPDK rejects parameters it does not know)`,
      {
        code: 'SPDK_PARAM_UNSUPPORTED',
        address: options.address,
        method: options.method,
        context: { parameter: options.parameter, requirement: options.requirement, targetVersion: options.targetVersion },
      },
    );
    this.parameter = options.parameter;
  }
}

export class SpdkResultError extends SpdkRpcError {
  constructor(options: { address: string; method: string; reason: string; excerpt?: string }) {
    super(`${options.method} on ${options.address}: unexpected result: ${options.reason}`, {
      code: 'SPDK_RPC_RESULT',
      address: options.address,
      method: options.method,
      context: { reason: options.reason, excerpt: options.excerpt },
    });
  }
}

export class InvalidArgumentError extends SpdkRpcError {
  readonly argument: string;

  constructor(options: { address: string; method: string; argument: string; reason: string }) {
    super(`${options.method} on ${options.address}: invalid argument ${options.argument}: ${options.reason}`, {
      code: 'SPDK_INVALID_ARGUMENT',
      address: options.address,
      method: options.method,
      context: { argument: options.argument, reason: options.reason },
    });
    this.argument = options.argument;
  }
}
