/**
 * Broker URLs: oslo's `transport_url` form and plain AMQP URLs, turned into one address per
 * broker, and their masked form for log lines and errors.
 *
 * `rabbit://u:p@h1:5672,u:p@h2:5672/vhost` is a cluster of two brokers sharing a virtual host (the
 * comma list is split exactly as `oslo_messaging.TransportURL.parse` does: per host, the last `@`
 * ends the credentials, the first `:` ends the user name, both percent-decoded). `amqp://` and
 * `amqps://` URLs are accepted too; `amqps` (or the `tls.enabled` option) means TLS.
 */
import { BusConfigError } from './errors.js';

export interface BrokerAddress {
  protocol: 'amqp' | 'amqps';
  /** Host name or IP address (an IPv6 address without brackets). */
  hostname: string;
  port: number;
  username: string;
  password: string;
  /** The virtual host, decoded (`/` is the default one). */
  vhost: string;
}

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

const SCHEMES = new Set(['amqp', 'amqps', 'rabbit']);
const DEFAULT_HOST = 'localhost';

/** Parses one URL (possibly a comma list of brokers) into addresses, in order. */
export function parseBrokerUrl(url: string, defaults: UrlDefaults = {}): BrokerAddress[] {
  const masked = maskUrlText(url);
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) throw new BusConfigError(`broker URL ${masked} has no scheme (expected rabbit://, amqp:// or amqps://)`, { url: masked });
  const scheme = url.slice(0, schemeEnd).toLowerCase();
  if (!SCHEMES.has(scheme)) {
    throw new BusConfigError(`broker URL ${masked} has the unsupported scheme "${scheme}" (expected rabbit, amqp or amqps)`, { url: masked });
  }
  const rest = url.slice(schemeEnd + 3);
  const netlocEnd = firstIndexOf(rest, ['/', '?', '#']);
  const netloc = rest.slice(0, netlocEnd);
  const afterNetloc = rest.slice(netlocEnd);
  const pathEnd = firstIndexOf(afterNetloc, ['?', '#']);
  const path = afterNetloc.slice(0, pathEnd);
  if (path.includes('@')) {
    // Either a password holding '/' or a virtual host holding '@': ambiguous, and guessing wrong
    // would put part of a password where log lines show the virtual host.
    throw new BusConfigError(
      `broker URL ${masked} is ambiguous: percent-encode '/' in credentials (%2F) and '@' in the virtual host (%40)`,
      { url: masked },
    );
  }

  let vhost = defaults.vhost ?? '/';
  if (path.startsWith('/') && path.length > 1) vhost = decode(path.slice(1), 'virtual host', masked);
  if (vhost === '') vhost = '/';

  const tls = scheme === 'amqps' || defaults.tls === true;
  const defaultPort = scheme === 'amqps' ? 5671 : 5672;
  const segments = netloc.split(',').filter((segment) => segment !== '');
  if (segments.length === 0) segments.push(DEFAULT_HOST);

  return segments.map((segment) => {
    let hostPort = segment;
    let username: string | undefined;
    let password: string | undefined;
    const at = segment.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = segment.slice(0, at);
      hostPort = segment.slice(at + 1);
      const colon = userinfo.indexOf(':');
      username = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'user name', masked);
      if (colon >= 0) password = decode(userinfo.slice(colon + 1), 'password', masked);
    }
    const { hostname, port } = splitHostPort(hostPort, defaultPort, masked);
    const explicitUser = username || defaults.username;
    return {
      protocol: tls ? 'amqps' : 'amqp',
      hostname,
      port,
      username: explicitUser || 'guest',
      // amqplib's and oslo's default account is guest/guest; a named user without a password gets none.
      password: password || defaults.password || (explicitUser ? '' : 'guest'),
      vhost,
    } satisfies BrokerAddress;
  });
}

function splitHostPort(hostPort: string, defaultPort: number, masked: string): { hostname: string; port: number } {
  let hostname = hostPort;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw new BusConfigError(`broker URL ${masked} has an unterminated IPv6 address`, { url: masked });
    hostname = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
    else if (after !== '') throw new BusConfigError(`broker URL ${masked} has garbage after an IPv6 address`, { url: masked });
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0) {
      hostname = hostPort.slice(0, colon);
      portText = hostPort.slice(colon + 1);
    }
  }
  if (hostname === '') throw new BusConfigError(`broker URL ${masked} has a credential without a host`, { url: masked });
  if (portText === undefined || portText === '') return { hostname, port: defaultPort };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    // The text is not echoed: with a '?' or '#' in an unencoded password it would be a part of it.
    throw new BusConfigError(`broker URL ${masked} has an invalid port (or an unencoded '?', '#' or '/' in its password)`, { url: masked });
  }
  return { hostname, port };
}

function decode(text: string, what: string, masked: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new BusConfigError(`broker URL ${masked} has a badly percent-encoded ${what}`, { url: masked });
  }
}

function firstIndexOf(text: string, chars: string[]): number {
  let best = text.length;
  for (const ch of chars) {
    const i = text.indexOf(ch);
    if (i >= 0 && i < best) best = i;
  }
  return best;
}

/** `amqp://user:***@host:5672/vhost`: what log lines and errors show of a broker. */
export function maskAddress(address: BrokerAddress): string {
  const host = address.hostname.includes(':') ? `[${address.hostname}]` : address.hostname;
  const vhost = address.vhost === '/' ? '' : encodeURIComponent(address.vhost);
  return `${address.protocol}://${encodeURIComponent(address.username)}:***@${host}:${address.port}/${vhost}`;
}

/** A URL as typed (possibly a comma list, possibly invalid) with every password replaced by ***. */
export function maskUrlText(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return url.includes('@') ? '***' : url;
  const head = url.slice(0, schemeEnd + 3);
  const rest = url.slice(schemeEnd + 3);
  // The netloc ends at the first '/', '?' or '#' after the last '@' (a password may hold '/').
  const lastAt = rest.lastIndexOf('@');
  const searchFrom = lastAt >= 0 ? lastAt : 0;
  const tailStart = firstIndexOf(rest.slice(searchFrom), ['/', '?', '#']) + searchFrom;
  const netloc = rest.slice(0, tailStart);
  const masked = netloc
    .split(',')
    .map((segment) => {
      const at = segment.lastIndexOf('@');
      if (at < 0) return segment;
      const userinfo = segment.slice(0, at);
      const colon = userinfo.indexOf(':');
      return colon < 0 ? segment : `${userinfo.slice(0, colon)}:***${segment.slice(at)}`;
    })
    .join(',');
  return head + masked + rest.slice(tailStart);
}
