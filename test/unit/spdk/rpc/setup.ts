/** Shared set-up for the client tests (not a test file): a fake server and a client on it, cleaned up after the test. */
import type { TestContext } from 'node:test';
import { SpdkRpcClient, type SpdkRpcClientOptions } from '../../../../src/spdk/rpc/client.js';
import { FakeSpdkServer, type FakeServerOptions, type Transport } from '../../../helpers/fake-spdk-server.js';
import { configureLogging } from '../../../../src/util/log.js';

// The tests provoke every failure on purpose; their log lines would bury the test report.
configureLogging({ level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'error' });

export const TRANSPORTS: readonly Transport[] = ['unix', 'tcp'];

/** Generous: only catches hangs. */
export const HANG_GUARD = { timeout: 30_000 };

export async function serverAndClient(
  t: TestContext,
  transport: Transport,
  clientOptions: Omit<SpdkRpcClientOptions, 'address'> = {},
  serverOptions: FakeServerOptions = {},
): Promise<{ server: FakeSpdkServer; client: SpdkRpcClient }> {
  const server = await FakeSpdkServer.start({ transport, ...serverOptions });
  const client = new SpdkRpcClient({ address: server.address, ...clientOptions });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return { server, client };
}

/** Settles a promise into a value or an error, so a test can look at rejections without try/catch. */
export async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Waits until `predicate` holds, polling; throws after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
