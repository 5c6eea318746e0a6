/**
 * Broker URLs: parsing the agent's `amqp://` / `amqps://` URLs and oslo.messaging's
 * `transport_url` (`rabbit://u:p@h1:5672,u:p@h2:5672/vhost`), and writing the normalised,
 * credential-free form the rest of the agent uses.
 *
 * A URL may hold a password, so no reason returned from here ever contains the text that was
 * parsed; where a host is named, its credentials are masked.
 */
import { MASK } from './secret.js';

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

// A '/', '?' or '#' in a password ends the host part early, leaving the rest of the password
// (and the '@') in the path, where it would be taken for a vhost and shown in every message.
const CUT_CREDENTIALS =
  'has "@" after the host part: a password containing "/", "?" or "#" must be percent-encoded (%2F, %3F, %23)';

const DEFAULT_PORT = { amqp: 5672, amqps: 5671 } as const;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** One `amqp://` or `amqps://` URL (the agent file, SPDK_AGENT_BUS_URL). */
export function parseAmqpUrl(text: string): Parsed<BrokerAddress> {
  const trimmed = text.trim();
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
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
  if (`${url.pathname}${url.search}`.includes('@')) return { ok: false, reason: CUT_CREDENTIALS };
  const vhost = url.pathname === '' || url.pathname === '/' ? undefined : unquote(url.pathname.slice(1));
  const address: BrokerAddress = {
    scheme,
    host: url.hostname,
    port: url.port === '' ? DEFAULT_PORT[scheme] : Number(url.port),
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
 * is split on ',', each host's credentials end at its last '@', credentials are percent-decoded.
 * `ssl` is `[oslo_messaging_rabbit] ssl`: it turns every host into `amqps` (default port 5671).
 */
export function parseTransportUrl(text: string, options: { ssl: boolean }): Parsed<TransportUrl> {
  const trimmed = text.trim();
  const schemeMatch = SCHEME.exec(trimmed);
  if (!schemeMatch) return { ok: false, reason: 'is not a URL (expected rabbit://user:password@host:port/vhost)' };
  const driver = schemeMatch[1]!.toLowerCase();
  if (driver !== 'rabbit') {
    const why =
      driver === 'amqp'
        ? "amqp:// selects oslo's AMQP 1.0 driver; spdk-agent speaks the rabbit driver's protocol (rabbit://)"
        : `the ${driver}:// driver is not supported; spdk-agent speaks the rabbit driver's protocol (rabbit://)`;
    return { ok: false, reason: why };
  }
  const rest = trimmed.slice(schemeMatch[0].length);
  const netlocEnd = firstIndexOf(rest, ['/', '?', '#']);
  const netloc = rest.slice(0, netlocEnd);
  const tail = rest.slice(netlocEnd);
  if (tail.includes('@')) return { ok: false, reason: CUT_CREDENTIALS };
  const pathEnd = firstIndexOf(tail, ['?', '#']);
  const path = tail.slice(0, pathEnd);
  const hasQuery = tail.slice(pathEnd).length > 1;

  const scheme = options.ssl ? 'amqps' : 'amqp';
  const hosts: BrokerAddress[] = [];
  const entries = netloc.split(',').filter((entry) => entry !== '');
  for (const [index, entry] of entries.entries()) {
    const parsed = parseOsloHost(entry, scheme);
    if (!parsed.ok) return { ok: false, reason: `host ${index + 1} of ${entries.length} (${maskHost(entry)}) ${parsed.reason}` };
    hosts.push(parsed.value);
  }
  if (hosts.length === 0) return { ok: false, reason: 'names no host (expected rabbit://user:password@host:port/vhost)' };
  const vhost = path.startsWith('/') && path.length > 1 ? unquote(path.slice(1)) : undefined;
  const result: TransportUrl = { hosts, hasQuery };
  if (vhost !== undefined) result.vhost = vhost;
  return { ok: true, value: result };
}

function parseOsloHost(entry: string, scheme: 'amqp' | 'amqps'): Parsed<BrokerAddress> {
  const at = entry.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : entry.slice(0, at);
  const hostPort = at < 0 ? entry : entry.slice(at + 1);
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return { ok: false, reason: 'has an IPv6 address without its closing "]"' };
    host = hostPort.slice(0, close + 1);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { ok: false, reason: 'has text after its IPv6 address' };
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    portText = colon < 0 ? undefined : hostPort.slice(colon + 1);
  }
  if (host === '' || host === '[]') return { ok: false, reason: 'has no host name' };
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)$/.test(host)) return { ok: false, reason: 'has an invalid host name' };
  let port: number = DEFAULT_PORT[scheme];
  if (portText !== undefined && portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return { ok: false, reason: 'has a port that is not a number from 1 to 65535' };
    }
    port = Number(portText);
  }
  const address: BrokerAddress = { scheme, host, port, query: '' };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const username = unquote(colon < 0 ? userinfo : userinfo.slice(0, colon));
    if (username !== '') address.username = username;
    if (colon >= 0) address.password = unquote(userinfo.slice(colon + 1));
  }
  return { ok: true, value: address };
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

/** `user:***@host:port` — a host entry safe to show. */
function maskHost(entry: string): string {
  const at = entry.lastIndexOf('@');
  if (at < 0) return entry;
  const userinfo = entry.slice(0, at);
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  return `${user}${colon < 0 ? '' : `:${MASK}`}@${entry.slice(at + 1)}`;
}

function firstIndexOf(text: string, characters: string[]): number {
  let first = text.length;
  for (const ch of characters) {
    const index = text.indexOf(ch);
    if (index >= 0 && index < first) first = index;
  }
  return first;
}

/** Percent-decoding as Python's `unquote`: valid escapes are decoded, anything else is kept. */
export function unquote(text: string): string {
  return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
