/**
 * report_data as sent (a call on the conductor topic with the hostname and the primitives), and
 * each failure turned into a `RegistrationFailedError` saying what to do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusConnectionLostError, BusNotConnectedError, BusPublishError, BusTimeoutError, RemoteError, type RpcClient } from '../../../src/bus/index.js';
import { ConductorRegistration } from '../../../src/agent/conductor-registration.js';
import { RegistrationFailedError } from '../../../src/agent/errors.js';
import { mapTargets } from '../../../src/agent/inventory-mapping.js';
import { inventory, nvmeBdev, pcieController } from './inventories.js';

const devices = mapTargets(
  [
    {
      name: 'nvmf0',
      app: 'nvmf_tgt',
      inventory: inventory({ bdevs: [nvmeBdev('Nvme0n1', { bdf: '0000:5e:00.0' })], nvmeControllers: [pcieController('Nvme0', '0000:5e:00.0')] }),
    },
  ],
  { reportedHostname: 'cn1.example.org', deviceType: 'NVMe', remoteable: false },
).devices.map((d) => d.device);

function reporterWith(
  call: (method: string, args: Record<string, unknown>, options: unknown) => Promise<unknown>,
  quorumQueues = false,
): ConductorRegistration {
  const client = { call } as unknown as RpcClient;
  return new ConductorRegistration({
    hostname: 'cn1.example.org',
    topic: 'cyborg-conductor',
    exchange: 'cyborg',
    client: () => client,
    timeoutMs: 60_000,
    quorumQueues,
  });
}

async function kindOf(error: unknown, quorumQueues = false): Promise<{ kind: string; message: string }> {
  const reporter = reporterWith(() => Promise.reject(error), quorumQueues);
  try {
    await reporter.send(devices);
  } catch (err) {
    assert.ok(err instanceof RegistrationFailedError);
    assert.equal(err.code, 'AGENT_REPORT_FAILED');
    assert.equal(err.context.hostname, 'cn1.example.org');
    return { kind: err.kind, message: err.message };
  }
  assert.fail('send resolved');
}

test('a call of report_data with the reported hostname and every device as a primitive', async () => {
  const calls: Array<{ method: string; args: Record<string, unknown>; options: unknown }> = [];
  await reporterWith(async (method, args, options) => {
    calls.push({ method, args, options });
    return null;
  }).send(devices);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.method, 'report_data');
  assert.equal(calls[0]!.args.hostname, 'cn1.example.org');
  const list = calls[0]!.args.driver_device_list as Array<Record<string, unknown>>;
  assert.equal(list.length, 1);
  assert.equal(list[0]!['cyborg_object.name'], 'DriverDevice');
  const options = calls[0]!.options as { timeoutMs: number; context: Record<string, unknown> };
  assert.equal(options.timeoutMs, 60_000);
  // A request id of oslo's form, the one the send resolves with (the agent logs it).
  assert.match(String(options.context.request_id), /^req-[0-9a-f-]{36}$/);
  assert.equal(options.context.is_admin, true, "Cyborg's admin context otherwise");
});

test('the request id of the call is what the send resolves with, and what a failure names', async () => {
  let sent: string | undefined;
  const accepted = await reporterWith(async (_method, _args, options) => {
    sent = String((options as { context: Record<string, unknown> }).context.request_id);
    return null;
  }).send(devices);
  assert.equal(accepted.requestId, sent);
  const error = await reporterWith(async (_method, _args, options) => {
    sent = String((options as { context: Record<string, unknown> }).context.request_id);
    throw new BusTimeoutError('no reply');
  })
    .send(devices)
    .then(
      () => undefined,
      (err: unknown) => err as RegistrationFailedError,
    );
  assert.equal(error?.context.request_id, sent);
});

test('PlacementResourceProviderNotFound: name the provider and the setting to fix', async () => {
  const err = new RemoteError({
    className: 'PlacementResourceProviderNotFound',
    module: 'cyborg.common.exception',
    message: 'Placement resource provider not found: cn1.example.org.',
    args: ['Placement resource provider not found: cn1.example.org.'],
    kwargs: { resource_provider: 'cn1.example.org', code: 404 },
    traceback: [],
  });
  const { kind, message } = await kindOf(err);
  assert.equal(kind, 'no-resource-provider');
  assert.match(message, /"cn1\.example\.org"/);
  assert.match(message, /agent\.reportedHostname/);
  assert.match(message, /retrying next period/);
});

test('a timeout names the topic and exchange a conductor must consume', async () => {
  const { kind, message } = await kindOf(new BusTimeoutError('no reply within 60000 ms'));
  assert.equal(kind, 'timeout');
  assert.match(message, /topic "cyborg-conductor" on exchange "cyborg"/);
});

test('with quorum queues, a timeout, an unconfirmed publish or a queue not set up again asks whether the cluster has a quorum', async () => {
  const timeout = await kindOf(new BusTimeoutError('no reply within 60000 ms'), true);
  assert.match(timeout.message, /can the RabbitMQ cluster reach a quorum/);
  // A cluster without a quorum neither confirms nor refuses the publish: it times out first.
  const publish = await kindOf(new BusPublishError('the broker did not confirm a publish to exchange "cyborg" within 5000 ms'), true);
  assert.equal(publish.kind, 'internal', 'retried with back-off, as before');
  assert.match(publish.message, /did not confirm a publish .* \(quorum queues: can the RabbitMQ cluster reach a quorum/);
  // Nor can the reply queue (a quorum queue too) be declared again: the call cannot start.
  const setUp = await kindOf(new BusNotConnectedError('reply queue reply_x was not set up again within 5000 ms'), true);
  assert.equal(setUp.kind, 'connection');
  assert.match(setUp.message, /was not set up again .* \(quorum queues: can the RabbitMQ cluster reach a quorum/);
  // Classic queues: no such hint.
  assert.doesNotMatch((await kindOf(new BusPublishError('the broker did not confirm a publish'))).message, /quorum/);
});

test('a lost connection, another refusal, anything else', async () => {
  assert.equal((await kindOf(new BusConnectionLostError('gone'))).kind, 'connection');
  const refused = await kindOf(
    new RemoteError({ className: 'ValueError', module: 'builtins', message: 'Field value SPDK is invalid', args: [], kwargs: {}, traceback: [] }),
  );
  assert.equal(refused.kind, 'refused');
  assert.match(refused.message, /builtins\.ValueError: Field value SPDK is invalid/);
  assert.equal((await kindOf(new Error('boom'))).kind, 'internal');
});

test('without a bus connection nothing is sent and the failure says it will go out later', async () => {
  const reporter = new ConductorRegistration({ hostname: 'cn1', topic: 't', exchange: 'x', client: () => null, timeoutMs: 1000 });
  await assert.rejects(reporter.send(devices), (err: unknown) => err instanceof RegistrationFailedError && err.kind === 'connection');
});
