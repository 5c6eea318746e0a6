/**
 * The agent's one HTTP listener (`metrics.listen`): `GET /metrics` (Prometheus text format,
 * behind the bearer token when one is configured), `GET /healthz` and `GET /readyz` (200 or 503
 * with a one-line JSON reason; open, as probes carry no token). Anything else: 404 or 405.
 *
 * A port that cannot be bound does not stop the agent (its targets matter more than its
 * metrics): the error is logged and the bind retried every 30 s.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Secret } from '../../config/secret.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/log.js';
import type { HealthAnswer } from './health.js';

export interface HttpEndpointOptions {
  /** `host:port`, `[v6]:port`. */
  listen: string;
  bearerToken?: Secret;
  metrics: () => Promise<{ contentType: string; body: string }>;
  liveness: () => HealthAnswer;
  readiness: () => HealthAnswer;
  logger: Logger;
}

const RETRY_BIND_MS = 30_000;

export class HttpEndpoint {
  private readonly server: http.Server;
  private readonly host: string;
  private readonly port: number;
  private readonly tokenDigest: Buffer | null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private bindErrorLogged = false;

  constructor(private readonly options: HttpEndpointOptions) {
    const { host, port } = splitListen(options.listen);
    this.host = host;
    this.port = port;
    this.tokenDigest = options.bearerToken ? digest(options.bearerToken.reveal()) : null;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // Scrapers and probes are short: idle connections are not kept for long.
    this.server.keepAliveTimeout = 5000;
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
  }

  /** The bound address (port 0 in the config: the one the kernel chose). */
  get address(): { host: string; port: number } | null {
    const bound = this.server.address();
    return bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : null;
  }

  /** Resolves once listening, or after the first failure (logged; retried in the background). */
  start(): Promise<void> {
    return new Promise((resolve) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server.off('listening', onListening);
        const message = `cannot listen on ${this.options.listen} for the metrics and health checks: ${describeBindError(err)}; retrying every ${RETRY_BIND_MS / 1000} s`;
        if (!this.bindErrorLogged) this.options.logger.error(message, { listen: this.options.listen, errno: err.code });
        this.bindErrorLogged = true;
        if (!this.closed) {
          this.retry = setTimeout(() => void this.start(), RETRY_BIND_MS);
          this.retry.unref();
        }
        resolve();
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        const bound = this.address;
        const where = bound === null ? this.options.listen : `${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`;
        this.options.logger.info('metrics and health checks listening', {
          url: `http://${where}/metrics`,
          port: bound?.port,
          bearerToken: this.tokenDigest !== null,
        });
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen({ host: this.host, port: this.port });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (!this.server.listening) return;
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const known = path === '/metrics' || path === '/healthz' || path === '/readyz';
    if (!known) return send(res, 404, 'application/json', reason(`no such path: use /metrics, /healthz or /readyz`));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'application/json', reason(`method ${req.method ?? ''} not allowed`));
    }
    if (path === '/healthz') return answer(res, this.options.liveness());
    if (path === '/readyz') return answer(res, this.options.readiness());
    if (!this.authorized(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="spdk-agent"');
      return send(res, 401, 'application/json', reason('a bearer token is needed (Authorization: Bearer <metrics.bearerToken>)'));
    }
    try {
      const { contentType, body } = await this.options.metrics();
      send(res, 200, contentType, body, req.method === 'HEAD');
    } catch (err) {
      this.options.logger.error('collecting the metrics failed (a bug: please report it)', { error: errorMessage(err) });
      send(res, 500, 'application/json', reason('collecting the metrics failed; see the agent log'));
    }
  }

  private authorized(header: string | undefined): boolean {
    if (this.tokenDigest === null) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    // Compared as digests of equal length, in constant time: the token's length does not leak either.
    return match !== null && timingSafeEqual(digest(match[1]!), this.tokenDigest);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function reason(text: string): string {
  return `${JSON.stringify({ reason: text })}\n`;
}

function answer(res: http.ServerResponse, health: HealthAnswer): void {
  const { ok, ...rest } = health;
  send(res, ok ? 200 : 503, 'application/json', `${JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...rest })}\n`);
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string, headOnly = false): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(headOnly ? undefined : body);
}

/** `127.0.0.1:9466` → host and port; `[::1]:9466` → `::1`. The schema checked the shape. */
export function splitListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(colon + 1));
  return { host, port };
}

function describeBindError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'the port is in use (another agent or exporter?)';
    case 'EACCES':
      return 'permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)';
    case 'EADDRNOTAVAIL':
      return 'no such local address';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'cannot resolve the host';
    default:
      return err.message;
  }
}
