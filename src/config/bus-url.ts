/**
 * The configuration's rules for broker URLs, over the one broker-address model of
 * src/util/broker-url.ts: the agent's `amqp://` / `amqps://` URLs (one host each) and
 * oslo.messaging's `transport_url` (`rabbit://u:p@h1:5672,u:p@h2:5672/vhost`), each with the
 * messages an operator reads in a config error, and the normalised, credential-free form the
 * rest of the agent uses (`formatBrokerUrl`).
 *
 * Both decode percent-escapes leniently, as oslo does (Python's `unquote`), and check host
 * names; host names are lower-cased (DNS names are case-insensitive, and the normalised form is
 * compared). A URL may hold a password, so no reason returned from here ever contains the text
 * that was parsed; where a host is named, its credentials are masked.
 */
import {
  CUT_PASSWORD_REASON,
  DEFAULT_PORTS,
  addressesOf,
  formatBrokerUrl,
  parseBrokerUrlText,
  schemeOf,
  unquote,
  type BrokerAddress,
  type BrokerUrlProblem,
} from '../util/broker-url.js';

export { formatBrokerUrl, unquote, type BrokerAddress };

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const NOT_VALID = 'is not a valid URL (expected amqp://host:port/vhost; percent-encode special characters)';

/** One `amqp://` or `amqps://` URL (the agent file, SPDK_AGENT_BUS_URL). */
export function parseAmqpUrl(text: string): Parsed<BrokerAddress> {
  const trimmed = text.trim();
  const scheme = schemeOf(trimmed);
  if (scheme === undefined) return { ok: false, reason: 'is not a URL (expected amqp://host:port/vhost)' };
  if (scheme !== 'amqp' && scheme !== 'amqps') {
    const hint = scheme === 'rabbit' ? "; rabbit:// is oslo's transport_url form, which belongs in cyborg.conf" : '';
    return { ok: false, reason: `must use amqp:// or amqps:// (got ${scheme}://)${hint}` };
  }
  const parsed = parseBrokerUrlText(trimmed, {
    schemes: { amqp: DEFAULT_PORTS.amqp, amqps: DEFAULT_PORTS.amqps },
    decoding: 'lenient',
    checkHostSyntax: true,
    atSignAfterHosts: 'path',
  });
  if (!parsed.ok) return { ok: false, reason: amqpUrlReason(parsed.problem) };
  if (parsed.value.fragment !== '') return { ok: false, reason: 'must not contain a #fragment (percent-encode "#" in a password)' };
  if (parsed.value.hosts.length !== 1) return { ok: false, reason: 'names several hosts: give each broker its own URL in the list' };
  const [address] = addressesOf(parsed.value, scheme);
  address!.host = address!.host.toLowerCase();
  return { ok: true, value: address! };
}

function amqpUrlReason(problem: BrokerUrlProblem): string {
  switch (problem.kind) {
    case 'no-host':
      return 'names no host';
    case 'at-sign-after-hosts':
      return CUT_PASSWORD_REASON;
    default:
      return NOT_VALID;
  }
}

export interface TransportUrl {
  hosts: BrokerAddress[];
  vhost?: string;
  /** Whether the URL had a query (oslo driver options), which spdk-agent does not use. */
  hasQuery: boolean;
}

/**
 * oslo.messaging's `transport_url`, parsed the way oslo does (`TransportURL.parse`): the host list
 * is split on ',', each host's credentials end at its last '@', credentials are percent-decoded
 * like Python's `unquote`, host names are checked.
 * `ssl` is `[oslo_messaging_rabbit] ssl`: it turns every host into `amqps` (default port 5671).
 */
export function parseTransportUrl(text: string, options: { ssl: boolean }): Parsed<TransportUrl> {
  const parsed = parseBrokerUrlText(text.trim(), {
    schemes: { rabbit: options.ssl ? DEFAULT_PORTS.amqps : DEFAULT_PORTS.amqp },
    decoding: 'lenient',
    checkHostSyntax: true,
    atSignAfterHosts: 'anywhere',
  });
  if (!parsed.ok) return { ok: false, reason: transportUrlReason(parsed.problem) };
  const hosts = addressesOf(parsed.value, options.ssl ? 'amqps' : 'amqp').map((address) => {
    // The query (oslo driver options) is not used, and the virtual host is the URL's, below.
    const { vhost: _vhost, username, ...rest } = address;
    return { ...rest, query: '', ...(username !== undefined && username !== '' ? { username } : {}) };
  });
  // A fragment counts with the query: either is text spdk-agent does not use.
  const result: TransportUrl = { hosts, hasQuery: `${parsed.value.query}${parsed.value.fragment}`.length > 1 };
  if (parsed.value.vhost !== undefined) result.vhost = parsed.value.vhost;
  return { ok: true, value: result };
}

const TRANSPORT_URL_FORM = 'rabbit://user:password@host:port/vhost';

function transportUrlReason(problem: BrokerUrlProblem): string {
  switch (problem.kind) {
    case 'no-scheme':
      return `is not a URL (expected ${TRANSPORT_URL_FORM})`;
    case 'unsupported-scheme':
      return problem.scheme === 'amqp'
        ? "amqp:// selects oslo's AMQP 1.0 driver; spdk-agent speaks the rabbit driver's protocol (rabbit://)"
        : `the ${problem.scheme}:// driver is not supported; spdk-agent speaks the rabbit driver's protocol (rabbit://)`;
    case 'no-host':
      return `names no host (expected ${TRANSPORT_URL_FORM})`;
    default:
      // The '@' after the hosts, or a host entry's problem ("host 2 of 3 (u:***@h2:x) has …");
      // lenient decoding never fails.
      return problem.reason;
  }
}

const NORMALISED = /^(amqps?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/;

/** Gives a normalised URL that names no vhost the default one. */
export function withDefaultVhost(url: string, vhost: string): string {
  const match = NORMALISED.exec(url);
  if (!match) return url;
  const [, authority, path, query] = match;
  if (path !== undefined && path !== '/' && path !== '') return url;
  return `${authority}/${encodeURIComponent(vhost)}${query ?? ''}`;
}
