/**
 * The caller's side of replies: one reply queue per process, and this map from `_msg_id` to the
 * pending call (the nats.js "reply inbox with a token map").
 *
 * The rules are oslo's `ReplyWaiter.wait`: a reply with a truthy `failure` fails the call; a
 * non-null `result` is remembered; `ending: true` completes the call with the last non-null
 * result; `ending: false` with a null result is a call-monitor heartbeat, which restarts the
 * monitor timer. A reply whose `_msg_id` is unknown (a late reply, after a timeout) is dropped.
 */
import { BusProtocolError, BusTimeoutError } from './errors.js';
import { parseFailure } from './failure.js';
import { pythonTruthy } from './python-values.js';

export interface PendingCallInfo {
  msgId: string;
  method: string;
  topic: string;
  server?: string;
  /** Overall timeout (oslo `timeout` / `rpc_response_timeout`). */
  timeoutMs: number;
  /** oslo `call_monitor_timeout`: fail when neither a reply nor a heartbeat came for this long. */
  callMonitorTimeoutMs?: number;
}

export type DeliveryOutcome = 'unknown-msg-id' | 'heartbeat' | 'partial' | 'completed' | 'failed';

interface PendingCall {
  info: PendingCallInfo;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  monitorTimer: NodeJS.Timeout | null;
  lastResult: unknown;
}

export class ReplyInbox {
  private readonly pending = new Map<string, PendingCall>();

  /** Registers a call before its request is published; the promise settles with its outcome. */
  wait(info: PendingCallInfo): Promise<unknown> {
    if (this.pending.has(info.msgId)) return Promise.reject(new BusProtocolError('duplicate _msg_id registered', { msgId: info.msgId }));
    return new Promise<unknown>((resolve, reject) => {
      const call: PendingCall = {
        info,
        resolve,
        reject,
        timer: setTimeout(() => this.timeout(info.msgId, 'response'), info.timeoutMs),
        monitorTimer: null,
        lastResult: null,
      };
      this.pending.set(info.msgId, call);
      this.armMonitor(call);
    });
  }

  /** Hands a decoded reply (already without its envelope) to the call waiting for it. */
  deliver(reply: Record<string, unknown>): DeliveryOutcome {
    const msgId = reply._msg_id;
    const call = typeof msgId === 'string' ? this.pending.get(msgId) : undefined;
    if (!call) return 'unknown-msg-id';
    const where = describe(call.info);

    if (!('failure' in reply)) {
      // A Python caller raises KeyError('failure') here; name the problem instead.
      this.settle(call, new BusProtocolError(`reply to ${where.method} has no "failure" key`, where));
      return 'failed';
    }
    if (pythonTruthy(reply.failure)) {
      let err: Error;
      try {
        err = parseFailure(reply.failure, where);
      } catch (parseErr) {
        err = parseErr as Error;
      }
      this.settle(call, err);
      return 'failed';
    }
    const result = reply.result ?? null;
    if (result !== null) call.lastResult = result;
    if (pythonTruthy(reply.ending)) {
      this.settle(call, null, call.lastResult);
      return 'completed';
    }
    if (result === null) {
      this.armMonitor(call);
      return 'heartbeat';
    }
    return 'partial';
  }

  /** Fails one pending call (its request could not be published, …). */
  cancel(msgId: string, err: Error): void {
    const call = this.pending.get(msgId);
    if (call) this.settle(call, err);
  }

  /** Fails every pending call, e.g. when the connection is lost or the transport closes. */
  failAll(makeError: (info: PendingCallInfo) => Error): number {
    const calls = [...this.pending.values()];
    for (const call of calls) this.settle(call, makeError(call.info));
    return calls.length;
  }

  get size(): number {
    return this.pending.size;
  }

  has(msgId: string): boolean {
    return this.pending.has(msgId);
  }

  private armMonitor(call: PendingCall): void {
    if (call.monitorTimer) clearTimeout(call.monitorTimer);
    const monitorMs = call.info.callMonitorTimeoutMs;
    call.monitorTimer = monitorMs && monitorMs > 0 ? setTimeout(() => this.timeout(call.info.msgId, 'call-monitor'), monitorMs) : null;
  }

  private timeout(msgId: string, which: 'response' | 'call-monitor'): void {
    const call = this.pending.get(msgId);
    if (!call) return;
    const { info } = call;
    const waitedMs = which === 'response' ? info.timeoutMs : info.callMonitorTimeoutMs;
    const why = which === 'response' ? 'no reply' : 'no reply nor call-monitor heartbeat';
    this.settle(
      call,
      new BusTimeoutError(`timed out waiting for a reply to message ID ${msgId} (${info.method} on ${target(info)}: ${why} within ${waitedMs} ms)`, {
        ...describe(info),
        timeoutMs: waitedMs,
        kind: which,
      }),
    );
  }

  private settle(call: PendingCall, err: Error | null, value?: unknown): void {
    clearTimeout(call.timer);
    if (call.monitorTimer) clearTimeout(call.monitorTimer);
    this.pending.delete(call.info.msgId);
    if (err) call.reject(err);
    else call.resolve(value);
  }
}

function target(info: PendingCallInfo): string {
  return info.server ? `${info.topic}.${info.server}` : info.topic;
}

function describe(info: PendingCallInfo): Record<string, unknown> {
  return { method: info.method, topic: info.topic, server: info.server, msgId: info.msgId };
}
