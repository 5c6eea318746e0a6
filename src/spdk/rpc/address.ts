/**
 * Where an SPDK target's JSON-RPC server is reached: a Unix socket path or a TCP endpoint.
 *
 * The rule, in order:
 * 1. `unix:<path>` is a Unix socket path, whatever the path looks like.
 * 2. `tcp:<host>:<port>` is TCP (`host` an IPv4 literal, a bracketed IPv6 literal or a hostname).
 * 3. `<host>:<port>` is TCP when `host` is an IPv4 literal, a bracketed IPv6 literal (`[::1]:5260`)
 *    or a hostname without '/', and `port` is all digits.
 * 4. Anything else is a Unix socket path (absolute or relative to the working directory).
 *
 * Why TCP at all: SPDK has not listened on TCP since v20.07. `nvmf_tgt -r 127.0.0.1:5260` creates
 * a socket *file* of that name (contract §1.1); a target is reached over TCP only through a bridge
 * such as socat. To reach such a file, write `unix:127.0.0.1:5260` (or `./127.0.0.1:5260`).
 */
import { RpcConnectionError } from './errors.js';

export type RpcAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export const DEFAULT_RPC_SOCKET = '/var/tmp/spdk.sock';

const HOST_PORT = /^(\[[^\]/]+\]|[^/[\]:]+):(\d+)$/;

/** Parses an address by the rule above. Throws `RpcConnectionError` naming what is wrong. */
export function parseRpcAddress(text: string): RpcAddress {
  if (typeof text !== 'string' || text.trim() === '') throw invalid(String(text), 'the address is empty');
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (path === '') throw invalid(text, "nothing follows 'unix:'");
    return { kind: 'unix', path };
  }
  if (text.startsWith('tcp:')) {
    const m = HOST_PORT.exec(text.slice('tcp:'.length));
    if (m === null) throw invalid(text, "expected 'tcp:<host>:<port>' (an IPv6 host in brackets: 'tcp:[::1]:5260')");
    return tcpAddress(text, m[1]!, m[2]!);
  }
  const m = HOST_PORT.exec(text);
  if (m === null) return { kind: 'unix', path: text };
  return tcpAddress(text, m[1]!, m[2]!);
}

/** How an address is named in messages: the socket path, or `host:port` (`[v6]:port`). */
export function formatRpcAddress(address: RpcAddress): string {
  if (address.kind === 'unix') return address.path;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

function tcpAddress(text: string, rawHost: string, rawPort: string): RpcAddress {
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(text, `port ${rawPort} is not between 1 and 65535 (for a socket file of that name, write 'unix:${text}')`);
  }
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (host === '') throw invalid(text, 'the host is empty');
  return { kind: 'tcp', host, port };
}

function invalid(text: string, why: string): RpcConnectionError {
  return new RpcConnectionError({ address: text, reason: `invalid JSON-RPC address: ${why}`, phase: 'connect' });
}
