/**
 * TLS (amqps://): a Node TLS server started by the test terminates TLS and pipes to the plain
 * broker port. Its certificates are made with openssl at test time: a CA, a server certificate
 * valid for the name "localhost" only, a client certificate, and an unrelated CA.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { execa } from 'execa';
import { BusConnectionError, openTransport } from '../../../src/bus/index.js';
import { BrokerScope, brokerSkip, testAmqpUrl } from '../../helpers/broker.js';
import { rejectionOf } from '../../helpers/assertions.js';

const skip = await brokerSkip();
const broker = new URL(testAmqpUrl);
const credentials = `${broker.username || 'guest'}:${broker.password || 'guest'}`;

interface Pki {
  dir: string;
  ca: string;
  otherCa: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await execa('openssl', args, { cwd, timeout: 30_000 });
}

async function makePki(t: TestContext): Promise<Pki> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spdk-agent-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=spdk-agent test CA'], dir);
  await openssl(['req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=unrelated CA'], dir);
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const name of ['server', 'client']) {
    await openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : 'spdk-agent'}`], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    );
  }
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    ca: p('ca.pem'),
    otherCa: p('other-ca.pem'),
    serverKey: p('server.key'),
    serverCert: p('server.pem'),
    clientKey: p('client.key'),
    clientCert: p('client.pem'),
  };
}

/** A TLS front for the broker; `requireClientCert` makes it demand a certificate signed by the CA. */
async function tlsFront(t: TestContext, pki: Pki, requireClientCert: boolean): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: [readFileSync(pki.ca)],
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
    (front) => {
      const back = net.connect(Number(broker.port || 5672), broker.hostname);
      sockets.add(front);
      sockets.add(back);
      const drop = (): void => {
        front.destroy();
        back.destroy();
      };
      front.on('error', drop).on('close', drop);
      back.on('error', drop).on('close', drop);
      front.pipe(back).pipe(front);
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as net.AddressInfo).port;
}

test('amqps:// through a TLS front: CA, client certificate, servername, verification on and off', { skip, timeout: 120_000 }, async (t) => {
  const pki = await makePki(t);
  const mutualPort = await tlsFront(t, pki, true);
  const plainTlsPort = await tlsFront(t, pki, false);
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const url = (port: number) => `amqps://${credentials}@127.0.0.1:${port}/`;
  const fast = { openTimeoutSec: 3, retry: { initialSec: 0.2, stepSec: 0.2, maxSec: 0.5 } };

  await t.test('verified against the CA, with a client certificate and the certificate name', async () => {
    const bus = await scope.openTransport({ urls: url(mutualPort), tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, servername: 'localhost' } });
    const server = bus.createServer({ topic, servers: ['cn1'], endpoints: [{ className: 'A', methods: { ping: () => 'pong over TLS' } }] });
    await server.start();
    assert.match(bus.currentUrl ?? '', /^amqps:\/\//);
    assert.equal(await bus.createClient({ topic, server: 'cn1' }).call('ping'), 'pong over TLS');
    await bus.close();
  });

  await t.test('rabbit:// with tls.enabled also uses TLS', async () => {
    const bus = await openTransport(
      scope.busOptions({ urls: `rabbit://${credentials}@127.0.0.1:${plainTlsPort}/`, tls: { enabled: true, ca: pki.ca, servername: 'localhost' } }),
    );
    assert.match(bus.currentUrl ?? '', /^amqps:\/\//);
    await bus.close();
  });

  await t.test('verification off accepts the certificate without a CA', async () => {
    const bus = await openTransport(scope.busOptions({ urls: url(mutualPort), tls: { verify: false, cert: pki.clientCert, key: pki.clientKey } }));
    assert.equal(bus.isConnected, true);
    await bus.close();
  });

  await t.test('a wrong CA fails at once with a clear TLS error', async () => {
    const err = await rejectionOf(
      openTransport(scope.busOptions({ urls: url(plainTlsPort), tls: { ca: pki.otherCa, servername: 'localhost' }, ...fast })),
      'expected a TLS failure',
    );
    assert.ok(err instanceof BusConnectionError, String(err));
    assert.match(err.message, /TLS verification of amqps:\/\/.*127\.0\.0\.1.* failed: .*(certificate|self-signed)/i);
    assert.match(err.message, /bus\.tls\.ca/);
  });

  await t.test('a name the certificate does not carry fails verification', async () => {
    const err = await rejectionOf(openTransport(scope.busOptions({ urls: url(plainTlsPort), tls: { ca: pki.ca }, ...fast })), 'expected a TLS failure');
    assert.ok(err instanceof BusConnectionError, String(err));
    assert.match(err.message, /TLS verification/);
    assert.match(err.message, /servername/);
  });

  await t.test('without its client certificate, a broker that requires one refuses us', async () => {
    await assert.rejects(openTransport(scope.busOptions({ urls: url(mutualPort), tls: { ca: pki.ca, servername: 'localhost' }, ...fast })), BusConnectionError);
  });
});
