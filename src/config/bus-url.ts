/**
 * Broker URLs: parsing the agent's `amqp://` / `amqps://` URLs and oslo.messaging's
 * `transport_url` (`rabbit://u:p@h1:5672,u:p@h2:5672/vhost`), and writing the normalised,
 * credential-free form the rest of the agent uses.
 *
 * `transport_url` is split by the broker-URL parser the bus uses too (src/util/broker-url.ts),
 * with oslo's lenient percent-decoding and a check of host names; an `amqp://` URL is a WHATWG
 * URL (one host, normalised by `URL`).
 *
 * A URL may hold a password, so no reason returned from here ever contains the text that was
 * parsed; where a host is named, its credentials are masked.
 */
import {
  CUT_PASSWORD_REASON,
  DEFAULT_PORTS,
  parseBrokerUrlText,
  schemeOf,
  unquote,
  type BrokerUrlProblem,
} from '../util/broker-url.js';

export { unquote };

export interface BrokerAddress {
  scheme: 'amqp' | 'amqps';
  /** As in a URL: IPv6 addresses keep their brackets. */
  host: string;
  port: number;
  /** Absent when the URL names none (then `bus.vhost` applies). */
  vhost?: string;
  /** `?…` or empty. */
  query: string;
  username?: string;
  password?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** One `amqp://` or `amqps://` URL (the agent file, SPDK_AGENT_BUS_URL). */
export function parseAmqpUrl(text: string): Parsed<BrokerAddress> {
  const trimmed = text.trim();
  const scheme = schemeOf(trimmed);
  if (scheme === undefined) return { ok: false, reason: 'is not a URL (expected amqp://host:port/vhost)' };
  if (scheme !== 'amqp' && scheme !== 'amqps') {
    const hint = scheme === 'rabbit' ? "; rabbit:// is oslo's transport_url form, which belongs in cyborg.conf" : '';
    return { ok: false, reason: `must use amqp:// or amqps:// (got ${scheme}://)${hint}` };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, reason: 'is not a valid URL (expected amqp://host:port/vhost; percent-encode special characters)' };
  }
  if (url.hash !== '') return { ok: false, reason: 'must not contain a #fragment (percent-encode "#" in a password)' };
  if (url.hostname === '') return { ok: false, reason: 'names no host' };
  if (`${url.pathname}${url.search}`.includes('@')) return { ok: false, reason: CUT_PASSWORD_REASON };
  const vhost = url.pathname === '' || url.pathname === '/' ? undefined : unquote(url.pathname.slice(1));
  const address: BrokerAddress = {
    scheme,
    host: url.hostname,
    port: url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port),
    query: url.search,
  };
  if (vhost !== undefined) address.vhost = vhost;
  if (url.username !== '') address.username = unquote(url.username);
  if (url.password !== '') address.password = unquote(url.password);
  return { ok: true, value: address };
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
  const scheme = options.ssl ? 'amqps' : 'amqp';
  const hosts = parsed.value.hosts.map((entry) => {
    const address: BrokerAddress = { scheme, host: entry.host, port: entry.port, query: '' };
    if (entry.username !== undefined && entry.username !== '') address.username = entry.username;
    if (entry.password !== undefined) address.password = entry.password;
    return address;
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

/** The normalised, credential-free URL: `amqp://host:port[/vhost][?query]`. */
export function formatBrokerUrl(address: BrokerAddress): string {
  const vhost = address.vhost === undefined || address.vhost === '' ? '' : `/${encodeURIComponent(address.vhost)}`;
  return `${address.scheme}://${address.host}:${address.port}${vhost}${address.query}`;
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
