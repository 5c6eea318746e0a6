/**
 * Broker URLs: oslo's `transport_url` form and plain AMQP URLs, turned into one address per
 * broker, and their masked form for log lines and errors.
 *
 * `rabbit://u:p@h1:5672,u:p@h2:5672/vhost` is a cluster of two brokers sharing a virtual host (the
 * comma list is split exactly as `oslo_messaging.TransportURL.parse` does: per host, the last `@`
 * ends the credentials, the first `:` ends the user name, both percent-decoded). `amqp://` and
 * `amqps://` URLs are accepted too; `amqps` (or the `tls.enabled` option) means TLS.
 *
 * The splitting is src/util/broker-url.ts's (shared with cyborg.conf's `transport_url`); the bus
 * decodes strictly (a bad escape is an error, not kept as text), does not check host names, reads
 * an empty host list (`amqp://`) as `localhost`, and applies its defaults: guest/guest, the virtual
 * host `/`, TLS for every broker when asked.
 */
import {
  DEFAULT_PORTS,
  addressesOf,
  maskAddress,
  maskUrlText,
  parseBrokerUrlText,
  PART_NAMES,
  type BrokerUrlProblem,
  type BrokerUrlRules,
  type ConnectableBroker,
} from '../util/broker-url.js';
import { BusConfigError } from './errors.js';

export { maskAddress, maskUrlText, type ConnectableBroker };

export interface UrlDefaults {
  /** Used when a URL has no user name. */
  username?: string;
  /** Used when a URL has no password (so the password can live outside the URL). */
  password?: string;
  /** Used when a URL has no virtual host; `/` otherwise. */
  vhost?: string;
  /** Every broker uses TLS (oslo's `[oslo_messaging_rabbit] ssl`), even with `rabbit://`/`amqp://`. */
  tls?: boolean;
}

const RULES: BrokerUrlRules = {
  schemes: DEFAULT_PORTS,
  decoding: 'strict',
  checkHostSyntax: false,
  // An '@' in a query is allowed; one in the path is not (see the message below).
  atSignAfterHosts: 'path',
  defaultHost: 'localhost',
};

/** Parses one URL (possibly a comma list of brokers) into addresses to connect to, in order. */
export function parseBrokerUrl(url: string, defaults: UrlDefaults = {}): ConnectableBroker[] {
  const parsed = parseBrokerUrlText(url, RULES);
  if (!parsed.ok) {
    const masked = maskUrlText(url);
    throw new BusConfigError(`broker URL ${masked} ${problemText(parsed.problem)}`, { url: masked });
  }
  const tls = parsed.value.scheme === 'amqps' || defaults.tls === true;
  // An empty default stands for the default virtual host too.
  const vhost = parsed.value.vhost ?? (defaults.vhost || '/');
  return addressesOf(parsed.value, tls ? 'amqps' : 'amqp').map((address) => {
    const explicitUser = address.username || defaults.username;
    return {
      ...address,
      username: explicitUser || 'guest',
      // amqplib's and oslo's default account is guest/guest; a named user without a password gets none.
      password: address.password || defaults.password || (explicitUser ? '' : 'guest'),
      vhost,
    };
  });
}

function problemText(problem: BrokerUrlProblem): string {
  switch (problem.kind) {
    case 'no-scheme':
      return 'has no scheme (expected rabbit://, amqp:// or amqps://)';
    case 'unsupported-scheme':
      return `has the unsupported scheme "${problem.scheme}" (expected rabbit, amqp or amqps)`;
    case 'at-sign-after-hosts':
      // Either a password holding '/' or a virtual host holding '@': ambiguous, and guessing wrong
      // would put part of a password where log lines show the virtual host.
      return "is ambiguous: percent-encode '/' in credentials (%2F) and '@' in the virtual host (%40)";
    case 'bad-encoding':
      return `has a badly percent-encoded ${PART_NAMES[problem.part]}`;
    case 'unclosed-ipv6':
      return 'has an unterminated IPv6 address';
    case 'text-after-ipv6':
      return 'has garbage after an IPv6 address';
    case 'no-host-name':
      return 'has a credential without a host';
    case 'bad-port':
      // With a '?' or '#' in an unencoded password, the "port" is a part of it.
      return "has an invalid port (or an unencoded '?', '#' or '/' in its password)";
    default:
      // 'bad-host-name' and 'no-host' are for rules the bus does not use.
      return problem.reason;
  }
}
