/**
 * The server's side of replies (oslo's `AMQPIncomingMessage.reply`/`heartbeat`): to the default
 * exchange, routing key `_reply_q`, oslo's properties, `mandatory` (so a reply to a caller that
 * is gone is returned by the broker and logged, not silently lost).
 *
 * A final reply is `{result, failure, ending: true, _msg_id, _unique_id}` — `failure` always
 * present. A result that cannot be serialised becomes a TypeError failure rather than no reply.
 * The reply queue outlives a reconnection, so a reply that met a lost connection is sent again
 * until `rpc_response_timeout` (the caller has given up by then).
 */
import { errorMessage } from '../util/errors.js';
import { getLogger } from '../util/log.js';
import type { BusConnection } from './broker-connection.js';
import { uuidHex } from './context.js';
import { Deadline } from './deadline.js';
import { encodeEnvelope, osloPublishProperties } from './envelope.js';
import { BusConnectionLostError, BusPublishError, PythonException } from './errors.js';
import { serializeFailure } from './failure.js';
import { pythonStr } from './python-values.js';

export class ReplySender {
  private readonly log = getLogger('bus.server');

  constructor(private readonly connection: BusConnection) {}

  /** A call-monitor heartbeat; throws when it cannot be delivered (the caller is gone). */
  async heartbeat(replyQueue: string, msgId: unknown, withinMs: number): Promise<void> {
    const content = encodeEnvelope({ result: null, failure: null, ending: false, _msg_id: msgId, _unique_id: uuidHex() });
    const { returned } = await this.send(replyQueue, content, withinMs);
    if (returned) throw new BusPublishError(`heartbeat returned: the reply queue ${replyQueue} is gone`, { queue: replyQueue });
  }

  /** The final reply of a call: its result, or the failure it raised. Never throws. */
  async final(replyQueue: string, msgId: unknown, method: string, result: unknown, failure: unknown): Promise<void> {
    const where = { replyQueue, method, msgId: pythonStr(msgId) };
    let content: Buffer;
    try {
      content = encodeEnvelope(finalReply(msgId, result, failure));
    } catch (err) {
      const unserializable = PythonException.typeError(`the result of ${method} is not JSON serializable: ${errorMessage(err)}`);
      this.log.error('the result cannot be serialised; the caller gets a TypeError', { ...where, error: errorMessage(err) });
      content = encodeEnvelope(finalReply(msgId, null, unserializable));
    }
    const deadline = new Deadline(this.connection.options.rpcResponseTimeoutMs);
    for (;;) {
      try {
        const { returned } = await this.send(replyQueue, content, deadline.remainingMs());
        if (returned) this.log.warn('reply returned by the broker: the caller is gone (its reply queue no longer exists)', where);
        return;
      } catch (err) {
        if (err instanceof BusConnectionLostError && !deadline.expired()) continue;
        this.log.error('cannot send a reply', { ...where, error: errorMessage(err) });
        return;
      }
    }
  }

  private send(replyQueue: string, content: Buffer, withinMs: number): Promise<{ returned: boolean }> {
    return this.connection.publish(
      { exchange: '', routingKey: replyQueue, content, properties: { ...osloPublishProperties(), mandatory: true } },
      new Deadline(withinMs),
    );
  }
}

/** oslo's key order: result, failure, ending, _msg_id, _unique_id. */
function finalReply(msgId: unknown, result: unknown, failure: unknown): Record<string, unknown> {
  return {
    result,
    failure: failure === null ? null : serializeFailure(failure),
    ending: true,
    _msg_id: msgId,
    _unique_id: uuidHex(),
  };
}
