/**
 * Sends one `report_data(hostname, driver_device_list)` to the conductor topic — a call, never a
 * cast (contract §2.1) — and turns each way it can fail into a `RegistrationFailedError` whose message
 * says what to do about it. Logging is left to the caller (one line per failed report).
 */
import {
  BusClosedError,
  BusConnectionLostError,
  BusNotConnectedError,
  BusPublishError,
  BusTimeoutError,
  RemoteError,
  adminContext,
  newRequestId,
  type RpcClient,
} from '../bus/index.js';
import { errorMessage } from '../util/errors.js';
import type { DriverDevice } from './cyborg-objects.js';
import { reportDataArguments } from './registration-builder.js';
import { BusUnavailableError, RegistrationFailedError } from './errors.js';

export interface ConductorRegistrationOptions {
  hostname: string;
  topic: string;
  exchange: string;
  /** The client of the conductor topic; null while the bus is not there. */
  client: () => RpcClient | null;
  /** Call timeout (bus.rpcResponseTimeoutSec). */
  timeoutMs: number;
  /** The conductor's queue is a quorum queue (bus.quorumQueues): a timeout may be a cluster without a majority. */
  quorumQueues?: boolean;
}

export class ConductorRegistration {
  constructor(private readonly options: ConductorRegistrationOptions) {}

  /** Resolves when the conductor accepted the report; rejects with `RegistrationFailedError`. */
  /** Resolves with the call's request id when the conductor accepted the report; rejects with `RegistrationFailedError`. */
  async send(devices: readonly DriverDevice[]): Promise<{ requestId: string }> {
    const client = this.options.client();
    if (!client) {
      throw this.failure(
        'connection',
        'not connected to the message bus yet: the report goes out once it connects',
        new BusUnavailableError('no bus connection'),
      );
    }
    // A request id of oslo's form, chosen here so the agent's log line and the conductor's name the same call.
    const requestId = newRequestId();
    const context = { ...adminContext(), request_id: requestId };
    try {
      await client.call('report_data', reportDataArguments(this.options.hostname, devices), { timeoutMs: this.options.timeoutMs, context });
    } catch (err) {
      throw this.classify(err, { request_id: requestId });
    }
    return { requestId };
  }

  private classify(err: unknown, call: { request_id: string }): RegistrationFailedError {
    const failure = (kind: RegistrationFailedError['kind'], message: string, cause: unknown, context: Record<string, unknown> = {}): RegistrationFailedError =>
      this.failure(kind, message, cause, { ...context, ...call });
    const { hostname, topic, exchange, timeoutMs } = this.options;
    if (err instanceof RemoteError && err.is('PlacementResourceProviderNotFound')) {
      return failure(
        'no-resource-provider',
        `the conductor found no Placement resource provider named "${hostname}": create the compute node's provider, or set ` +
          `agent.reportedHostname (Cyborg's [agent] resource_provider_name) to its name; retrying next period`,
        err,
      );
    }
    const quorumHint = 'can the RabbitMQ cluster reach a quorum (its queues take no message while most of its nodes are down)?';
    if (err instanceof BusTimeoutError) {
      const quorum = this.options.quorumQueues ? `, or ${quorumHint}` : '?';
      return failure(
        'timeout',
        `no conductor answered report_data within ${timeoutMs / 1000} s: is a cyborg-conductor consuming topic "${topic}" on exchange ` +
          `"${exchange}" of this broker${quorum} Retrying with back-off until the next period`,
        err,
      );
    }
    if (err instanceof BusConnectionLostError || err instanceof BusNotConnectedError || err instanceof BusClosedError) {
      // Without a quorum a quorum queue cannot be declared again either (the reply queue, with
      // transient quorum queues): the connection is up but the call cannot start.
      const setUpHint = err instanceof BusNotConnectedError && this.options.quorumQueues ? ` (quorum queues: ${quorumHint})` : '';
      return failure('connection', `the message bus connection is down (${errorMessage(err)})${setUpHint}; reporting again once it is back`, err);
    }
    if (err instanceof RemoteError) {
      return failure(
        'refused',
        `the conductor refused the report: ${err.module}.${err.className}: ${err.remoteMessage} (an agent/Cyborg mismatch: please report it with this line); retrying next period`,
        err,
        { remoteClass: err.className, remoteModule: err.module },
      );
    }
    // Without a quorum the broker neither confirms nor refuses a publish to a quorum queue: the
    // publish times out before the call does, and the operator needs the same hint.
    const publishHint = err instanceof BusPublishError && this.options.quorumQueues ? ` (quorum queues: ${quorumHint})` : '';
    return failure('internal', `report_data could not be sent: ${errorMessage(err)}${publishHint}; retrying with back-off until the next period`, err);
  }

  private failure(kind: RegistrationFailedError['kind'], message: string, cause: unknown, context: Record<string, unknown> = {}): RegistrationFailedError {
    return new RegistrationFailedError({ kind, message, hostname: this.options.hostname, topic: this.options.topic, cause, context });
  }
}
