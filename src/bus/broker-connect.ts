/**
 * One connection attempt to one broker, the way kombu opens it: heartbeat, login method,
 * `connection_name` and capabilities in the client properties, TLS options — and a deadline for
 * the whole TCP + TLS + AMQP handshake, after which a late connection is closed, not leaked.
 * The connection's socket then writes once per event-loop turn (write-coalescing.ts).
 */
import amqp, { type ChannelModel, type Options, type SocketOptions } from 'amqplib';
import { getLogger } from '../util/log.js';
import { Deadline } from './deadline.js';
import type { ResolvedBusOptions } from './options.js';
import { BusConnectionError } from './errors.js';
import { maskAddress, type ConnectableBroker } from './url.js';
import { amqplibSocket, coalesceWrites } from './write-coalescing.js';

const CLOSE_TIMEOUT_MS = 5000;

export function connectToBroker(broker: ConnectableBroker, options: ResolvedBusOptions, connectionName: string, limitMs: number): Promise<ChannelModel> {
  const attempt = amqp.connect(connectOptions(broker, options), socketOptions(broker, options, connectionName, limitMs)).then((model) => {
    const socket = amqplibSocket(model);
    if (socket) coalesceWrites(socket);
    else getLogger('bus.connection').debug('amqplib does not expose its socket: each AMQP frame is written on its own');
    return model;
  });
  return new Deadline(limitMs).race(attempt, () => {
    attempt.then(
      (model) => closeQuietly(model),
      () => undefined,
    );
    return new BusConnectionError(`no AMQP handshake within ${limitMs} ms`, { url: maskAddress(broker) });
  });
}

function connectOptions(broker: ConnectableBroker, options: ResolvedBusOptions): Options.Connect {
  return {
    protocol: broker.scheme,
    hostname: broker.host,
    port: broker.port,
    username: broker.username,
    password: broker.password,
    // amqplib unescapes the vhost it is given.
    vhost: encodeURIComponent(broker.vhost),
    heartbeat: options.heartbeatSec,
  };
}

function socketOptions(broker: ConnectableBroker, options: ResolvedBusOptions, connectionName: string, timeoutMs: number): SocketOptions {
  const { loginMethod, tls } = options;
  const credentials =
    loginMethod === 'PLAIN' ? amqp.credentials.plain(broker.username, broker.password) : amqp.credentials.amqplain(broker.username, broker.password);
  const socket: SocketOptions = {
    timeout: timeoutMs,
    noDelay: true,
    credentials,
    clientProperties: {
      connection_name: connectionName,
      // kombu's capabilities, plus what amqplib announces for itself (replacing the table drops its own).
      capabilities: {
        authentication_failure_close: true,
        'connection.blocked': true,
        consumer_cancel_notify: true,
        publisher_confirms: true,
        exchange_exchange_bindings: true,
        'basic.nack': true,
      },
    },
  };
  if (broker.scheme === 'amqps') {
    if (tls.ca) socket.ca = [tls.ca];
    if (tls.cert) socket.cert = tls.cert;
    if (tls.key) socket.key = tls.key;
    if (tls.servername) socket.servername = tls.servername;
    socket.rejectUnauthorized = tls.verify;
    if (!tls.verify) socket.checkServerIdentity = () => undefined;
  }
  return socket;
}

/** Closes a connection nobody uses, ignoring its errors, within a bounded time. */
export async function closeQuietly(model: ChannelModel | undefined): Promise<void> {
  if (!model) return;
  model.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([model.close().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
  clearTimeout(timer);
}
