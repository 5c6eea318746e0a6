/**
 * The one broker-address model: broker URLs split the way `oslo_messaging.TransportURL.parse`
 * splits them into {@link BrokerAddress}es, written back in the normalised credential-free form
 * the configuration keeps, and masked for messages. The one parser under the agent's `amqp://`
 * URLs and cyborg.conf's `transport_url` (src/config) and the URLs the bus connects to (src/bus);
 * those layers keep only their own rules, defaults and messages.
 *
 * `rabbit://u1:p1@h1:5672,u2:p2@[fd00::2]/vhost?query` is a list of brokers sharing a virtual host.
 * The host list ends at the first '/', '?' or '#'; it is split on ','; in each entry the last '@'
 * ends the credentials and the first ':' the user name; an IPv6 address is in brackets; the path
 * after its first '/' is the virtual host. Credentials and virtual host are percent-decoded.
 *
 * The two callers differ in a few rules (how strictly to percent-decode, whether to check host
 * names, what an empty host list means, where an '@' is refused); those are the
 * {@link BrokerUrlRules}. A URL may hold a password, so no reason from here contains the URL's
 * text beyond its scheme: where a host entry is named, its password is masked.
 */

/** One broker, as a URL names it: the type config and bus share. */
export interface BrokerAddress {
  scheme: 'amqp' | 'amqps';
  /** Host name or IP address; an IPv6 address without its brackets (what a socket connects to). */
  host: string;
  port: number;
  /** Decoded; absent when the URL names none (then a default applies). */
  vhost?: string;
  /** Decoded; absent when the URL has no credentials. */
  username?: string;
  password?: string;
  /** The URL's `?…` (oslo driver options; kept in the normalised form), or empty. */
  query: string;
}

/** An address the bus can connect to: its credentials and virtual host settled (defaults applied). */
export type ConnectableBroker = BrokerAddress & Required<Pick<BrokerAddress, 'username' | 'password' | 'vhost'>>;

/** What stands for a password in anything shown. */
export const PASSWORD_MASK = '***';

/** The port of a host that names none, for the schemes of the agent's URLs. */
export const DEFAULT_PORTS = { amqp: 5672, amqps: 5671, rabbit: 5672 } as const;

/**
 * Why an '@' after the host part is refused: a '/', '?' or '#' in a password ends the host part
 * early and leaves the rest of the password (and its '@') behind it, where it would be taken for
 * a virtual host and shown in messages.
 */
export const CUT_PASSWORD_REASON = 'has "@" after the host part: a password containing "/", "?" or "#" must be percent-encoded (%2F, %3F, %23)';

// RFC 3986's scheme, followed by '//' (every broker URL has an authority).
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

// What `checkHostSyntax` allows: a bracketed IPv6 (or IPv4-mapped) address, or a name of the
// characters a host name or an IPv4 address is written with (percent-escapes kept as written).
const HOST_SYNTAX = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)$/;

export interface BrokerUrlRules {
  /** The schemes accepted (lower case), each with the port of a host that names none. */
  schemes: Readonly<Record<string, number>>;
  /**
   * `lenient`: like Python's `unquote` (what oslo uses), a bad escape is kept as written;
   * `strict`: a bad escape or one that is not UTF-8 is a `bad-encoding` problem.
   */
  decoding: 'lenient' | 'strict';
  /** Host names only of letters, digits and `. _ ~ % -` (or a bracketed IPv6 address), ports of at most 5 digits. */
  checkHostSyntax: boolean;
  /** Where an '@' after the host list is refused: in the path only, or in the query and fragment too. */
  atSignAfterHosts: 'path' | 'anywhere';
  /** The host of a URL whose host list is empty (`amqp:///`); without it, such a URL is a `no-host` problem. */
  defaultHost?: string;
}

export interface BrokerHost {
  /** As in a URL: an IPv6 address keeps its brackets. */
  host: string;
  /** Without the brackets of an IPv6 address (what a socket connects to). */
  hostname: string;
  /** The entry's port, or the scheme's default. */
  port: number;
  /** Decoded; absent when the entry has no credentials (`''` for `:password@host`). */
  username?: string;
  /** Decoded; absent when the credentials have no ':' (`''` for `user:@host`). */
  password?: string;
}

export interface BrokerUrl {
  /** Lower case, one of the rules' schemes. */
  scheme: string;
  /** In the order of the URL; never empty. */
  hosts: BrokerHost[];
  /** Decoded; absent when the path is empty or `/` (so `//` names the virtual host `/`). */
  vhost?: string;
  /** `?…` up to any fragment, or empty. */
  query: string;
  /** `#…`, or empty. */
  fragment: string;
}

/** Which host entry a problem is about: `index` counts from 0, `masked` is the entry with its password masked. */
export interface HostEntryRef {
  index: number;
  count: number;
  masked: string;
}

export type HostProblemKind = 'unclosed-ipv6' | 'text-after-ipv6' | 'no-host-name' | 'bad-host-name' | 'bad-port';

/**
 * Why a URL was refused. `reason` is a phrase to follow "the URL …" (`has no scheme`, `host 2 of
 * 3 (u:***@h2:x) has a port that …`); a caller with messages of its own chooses by `kind`.
 */
export type BrokerUrlProblem =
  | { kind: 'no-scheme'; reason: string }
  | { kind: 'unsupported-scheme'; scheme: string; reason: string }
  | { kind: 'at-sign-after-hosts'; reason: string }
  | { kind: 'bad-encoding'; part: 'username' | 'password' | 'vhost'; host?: HostEntryRef; reason: string }
  | { kind: 'no-host'; reason: string }
  | { kind: HostProblemKind; host: HostEntryRef; reason: string };

export type BrokerUrlResult = { ok: true; value: BrokerUrl } | { ok: false; problem: BrokerUrlProblem };

const HOST_PROBLEM_REASONS: Record<HostProblemKind, string> = {
  'unclosed-ipv6': 'has an IPv6 address without its closing "]"',
  'text-after-ipv6': 'has text after its IPv6 address',
  'no-host-name': 'has no host name',
  'bad-host-name': 'has an invalid host name',
  'bad-port': 'has a port that is not a number from 1 to 65535',
};

/** The words for the parts of a URL a `bad-encoding` problem names. */
export const PART_NAMES = { username: 'user name', password: 'password', vhost: 'virtual host' } as const;

/** Splits a broker URL (the text as given: callers trim) into its scheme, hosts, virtual host and query. */
export function parseBrokerUrlText(text: string, rules: BrokerUrlRules): BrokerUrlResult {
  const schemeMatch = SCHEME.exec(text);
  if (!schemeMatch) return refuse({ kind: 'no-scheme', reason: 'has no scheme (expected scheme://host)' });
  const scheme = schemeMatch[1]!.toLowerCase();
  // hasOwn: a scheme such as `constructor://` must not find Object.prototype's members.
  if (!Object.hasOwn(rules.schemes, scheme)) {
    return refuse({ kind: 'unsupported-scheme', scheme, reason: `has the unsupported scheme ${scheme}://` });
  }
  const defaultPort = rules.schemes[scheme]!;

  const rest = text.slice(schemeMatch[0].length);
  const hostsEnd = firstIndexOf(rest, '/?#');
  const hostList = rest.slice(0, hostsEnd);
  const tail = rest.slice(hostsEnd);
  const pathEnd = firstIndexOf(tail, '?#');
  const path = tail.slice(0, pathEnd);
  const afterPath = tail.slice(pathEnd);
  const queryEnd = firstIndexOf(afterPath, '#');
  const query = afterPath.slice(0, queryEnd);
  const fragment = afterPath.slice(queryEnd);

  if ((rules.atSignAfterHosts === 'path' ? path : tail).includes('@')) {
    return refuse({ kind: 'at-sign-after-hosts', reason: CUT_PASSWORD_REASON });
  }

  const decode = rules.decoding === 'strict' ? decodeStrictly : unquote;
  let vhost: string | undefined;
  if (path.length > 1) {
    vhost = decode(path.slice(1));
    if (vhost === undefined) return refuse(badEncoding('vhost'));
  }

  const entries = hostList.split(',').filter((entry) => entry !== '');
  if (entries.length === 0 && rules.defaultHost !== undefined) entries.push(rules.defaultHost);
  if (entries.length === 0) return refuse({ kind: 'no-host', reason: 'names no host' });
  // With an '@' still to come (allowed in a query), an entry may be the first part of a password
  // cut short by '?' or '#': it is then not shown at all.
  const showEntries = !tail.includes('@');
  const hosts: BrokerHost[] = [];
  for (const [index, entry] of entries.entries()) {
    const parsed = parseHostEntry(entry, defaultPort, rules, decode);
    if ('host' in parsed) {
      hosts.push(parsed.host);
      continue;
    }
    const host = { index, count: entries.length, masked: showEntries ? maskHostEntry(entry) : PASSWORD_MASK };
    const where = `host ${index + 1} of ${entries.length} (${host.masked})`;
    if ('problem' in parsed) {
      return refuse({ kind: parsed.problem, host, reason: `${where} ${HOST_PROBLEM_REASONS[parsed.problem]}` });
    }
    const encoding = badEncoding(parsed.badlyEncoded);
    return refuse({ ...encoding, host, reason: `${where} ${encoding.reason}` });
  }
  const url: BrokerUrl = { scheme, hosts, query, fragment };
  if (vhost !== undefined) url.vhost = vhost;
  return { ok: true, value: url };
}

function parseHostEntry(
  entry: string,
  defaultPort: number,
  rules: BrokerUrlRules,
  decode: (text: string) => string | undefined,
): { host: BrokerHost } | { problem: HostProblemKind } | { badlyEncoded: 'username' | 'password' } {
  const at = entry.lastIndexOf('@');
  const hostPort = at < 0 ? entry : entry.slice(at + 1);
  let username: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const userinfo = entry.slice(0, at);
    const colon = userinfo.indexOf(':');
    username = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
    if (username === undefined) return { badlyEncoded: 'username' };
    if (colon >= 0) {
      password = decode(userinfo.slice(colon + 1));
      if (password === undefined) return { badlyEncoded: 'password' };
    }
  }

  let host: string;
  let hostname: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return { problem: 'unclosed-ipv6' };
    host = hostPort.slice(0, close + 1);
    hostname = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { problem: 'text-after-ipv6' };
    if (after !== '') portText = after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    hostname = host;
    if (colon >= 0) portText = hostPort.slice(colon + 1);
  }
  if (hostname === '') return { problem: 'no-host-name' };
  if (rules.checkHostSyntax && !HOST_SYNTAX.test(host)) return { problem: 'bad-host-name' };

  let port = defaultPort;
  if (portText !== undefined && portText !== '') {
    const digits = rules.checkHostSyntax ? /^\d{1,5}$/ : /^\d+$/;
    port = Number(portText);
    if (!digits.test(portText) || port < 1 || port > 65535) return { problem: 'bad-port' };
  }
  const parsed: BrokerHost = { host, hostname, port };
  if (username !== undefined) parsed.username = username;
  if (password !== undefined) parsed.password = password;
  return { host: parsed };
}

function badEncoding(part: 'username' | 'password' | 'vhost'): Extract<BrokerUrlProblem, { kind: 'bad-encoding' }> {
  return { kind: 'bad-encoding', part, reason: `has a badly percent-encoded ${PART_NAMES[part]}` };
}

function refuse(problem: BrokerUrlProblem): BrokerUrlResult {
  return { ok: false, problem };
}

/** The scheme of a URL (lower case), or undefined when the text does not start with `scheme://`. */
export function schemeOf(text: string): string | undefined {
  return SCHEME.exec(text)?.[1]?.toLowerCase();
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

/** Percent-decoding that refuses a bad escape (undefined). */
function decodeStrictly(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * A URL as typed (possibly a comma list, possibly invalid) with every password replaced by
 * {@link PASSWORD_MASK}; text that does not start with a scheme and holds an '@' is masked whole.
 */
export function maskUrlText(url: string): string {
  const schemeMatch = SCHEME.exec(url);
  if (!schemeMatch) return url.includes('@') ? PASSWORD_MASK : url;
  const head = schemeMatch[0];
  const rest = url.slice(head.length);
  // Here the host list ends at the first '/', '?' or '#' after the last '@': a password may hold
  // them, and a mask that covers too much is better than one that shows part of a password.
  const lastAt = rest.lastIndexOf('@');
  const searchFrom = Math.max(lastAt, 0);
  const tailStart = firstIndexOf(rest.slice(searchFrom), '/?#') + searchFrom;
  const masked = rest.slice(0, tailStart).split(',').map(maskHostEntry).join(',');
  return head + masked + rest.slice(tailStart);
}

/** `user:***@host:port`: one host entry with its password (if any) masked. */
function maskHostEntry(entry: string): string {
  const at = entry.lastIndexOf('@');
  if (at < 0) return entry;
  const userinfo = entry.slice(0, at);
  const colon = userinfo.indexOf(':');
  return colon < 0 ? entry : `${userinfo.slice(0, colon)}:${PASSWORD_MASK}${entry.slice(at)}`;
}

/** Index of the first of `characters` in `text`, or its length. */
function firstIndexOf(text: string, characters: string): number {
  let first = text.length;
  for (const ch of characters) {
    const index = text.indexOf(ch);
    if (index >= 0 && index < first) first = index;
  }
  return first;
}

/** The brokers of a parsed URL, every one with `scheme` (the URL's, or what TLS makes it). */
export function addressesOf(url: BrokerUrl, scheme: BrokerAddress['scheme']): BrokerAddress[] {
  return url.hosts.map((entry) => {
    const address: BrokerAddress = { scheme, host: entry.hostname, port: entry.port, query: url.query };
    if (url.vhost !== undefined) address.vhost = url.vhost;
    if (entry.username !== undefined) address.username = entry.username;
    if (entry.password !== undefined) address.password = entry.password;
    return address;
  });
}

/** The host as a URL writes it: an IPv6 address in brackets. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The normalised, credential-free URL the configuration keeps: `amqp://host:port[/vhost][?query]`. */
export function formatBrokerUrl(address: BrokerAddress): string {
  const vhost = address.vhost === undefined || address.vhost === '' ? '' : `/${encodeURIComponent(address.vhost)}`;
  return `${address.scheme}://${urlHost(address.host)}:${address.port}${vhost}${address.query}`;
}

/** `amqp://user:***@host:5672/vhost`: what log lines and errors show of a broker being used. */
export function maskAddress(address: ConnectableBroker): string {
  const vhost = address.vhost === '/' ? '' : encodeURIComponent(address.vhost);
  return `${address.scheme}://${encodeURIComponent(address.username)}:${PASSWORD_MASK}@${urlHost(address.host)}:${address.port}/${vhost}`;
}
