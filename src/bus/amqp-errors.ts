/**
 * What amqplib's and Node's errors mean for an operator: the broker's reply code and text, and a
 * hint at the option to check. Never a password: callers pass masked URLs only.
 */
import { errorMessage } from '../util/errors.js';
import { BusChannelError } from './errors.js';

/** The AMQP reply code of a broker-closed channel or connection (406, 404, 403, 320, …). */
export function amqpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const TLS_ERROR_CODES = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/i;

export function isTlsVerificationError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && TLS_ERROR_CODES.test(code)) || /certificate/i.test(errorMessage(err));
}

function isAuthError(err: unknown): boolean {
  return /ACCESS[_-]REFUSED|403/.test(errorMessage(err));
}

function isVhostError(err: unknown): boolean {
  // amqplib reports a refused connection.open (unknown vhost, no permission) only as this.
  return /NOT[_-]ALLOWED|530|vhost|Expected ConnectionOpenOk/i.test(errorMessage(err));
}

/**
 * Failures that retrying will not fix (refused credentials, an unknown virtual host, a
 * certificate that does not verify): the first connection fails fast on them instead of retrying
 * until its deadline.
 */
export function isPermanentConnectError(err: unknown): boolean {
  return isTlsVerificationError(err) || isAuthError(err) || isVhostError(err);
}

/** One line saying why connecting to `maskedUrl` failed, and what to check. */
export function describeConnectError(err: unknown, maskedUrl: string): string {
  const text = errorMessage(err);
  if (isTlsVerificationError(err)) {
    return `TLS verification of ${maskedUrl} failed: ${text} (check bus.tls.ca, bus.tls.servername, bus.tls.cert/key, or the broker certificate)`;
  }
  if (isAuthError(err)) return `${maskedUrl} refused the credentials: ${text} (check the user name and password)`;
  if (isVhostError(err)) return `${maskedUrl} refused to open the virtual host: ${text} (check that the vhost exists and the user has permissions on it)`;
  return `${maskedUrl}: ${text}`;
}

/**
 * A `BusChannelError` for a broker-closed channel, naming the operation and what it concerned.
 * 406 gets the hint that matters in practice: another service declared the object with other
 * flags, so the oslo options must match.
 */
export function channelError(err: unknown, operation: string, context: Record<string, unknown> = {}): BusChannelError {
  if (err instanceof BusChannelError) return err;
  const code = amqpCode(err);
  let hint = '';
  if (code === 406) {
    hint =
      ' (it already exists with other flags: make durableQueues/autoDeleteQueues/quorumQueues/transientQueuesTtlSec match ' +
      'amqp_durable_queues/amqp_auto_delete/rabbit_quorum_queue/rabbit_transient_queues_ttl of the services sharing the broker)';
  } else if (code === 404) {
    hint = ' (it does not exist on the broker)';
  } else if (code === 403) {
    hint = ' (the user has no permission for it)';
  }
  return new BusChannelError(`${operation} failed: ${errorMessage(err)}${hint}`, { ...context, operation, amqpCode: code }, err);
}
