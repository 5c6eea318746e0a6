/**
 * The request a piece of work is done for, carried through every await (Node's
 * AsyncLocalStorage): a bus request's oslo `request_id` and message id, so each log line written
 * while serving it — the lifecycle's, the SPDK RPC client's — names the request without any
 * function passing it along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  /** oslo.context's `request_id` (`req-<uuid>`) of the caller. */
  request_id?: string;
  /** The oslo message id of the call (`_msg_id`); absent for a cast. */
  msg_id?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `work` (and everything it starts) as part of `scope`. */
export function inRequestScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The request the current code runs for, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
