/**
 * One caller's deadline and abort signal, spread over the several steps a wrapper may take (wait
 * for the shared method-list lookup, try a legacy name, call again): the caller's `timeoutMs` bounds
 * the whole wrapper call, not each step.
 */
import { performance } from 'node:perf_hooks';
import { RpcAbortedError, RpcTimeoutError } from '../rpc/errors.js';
import type { RpcCallOptions } from '../rpc/types.js';

export class CallBudget {
  private readonly deadline: number | undefined;

  constructor(
    private readonly address: string,
    private readonly options: RpcCallOptions = {},
  ) {
    this.deadline = options.timeoutMs === undefined ? undefined : performance.now() + options.timeoutMs;
  }

  /** The options of the next call: what is left of the deadline, and the caller's signal. */
  callOptions(method: string): RpcCallOptions {
    this.throwIfAborted();
    const out: RpcCallOptions = {};
    if (this.options.signal) out.signal = this.options.signal;
    if (this.deadline !== undefined) {
      const left = Math.ceil(this.deadline - performance.now());
      if (left <= 0) throw this.timeout(method);
      out.timeoutMs = left;
    }
    return out;
  }

  /**
   * Waits for work shared with other callers (it keeps running for them), giving up at this
   * caller's deadline or when its signal aborts.
   */
  async wait<T>(shared: Promise<T>, method: string): Promise<T> {
    this.throwIfAborted();
    if (this.deadline === undefined && !this.options.signal) return shared;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const signal = this.options.signal;
      const onAbort = (): void => finish(() => reject(abortReason(signal!, this.address, method)));
      const finish = (settle: () => void): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      if (this.deadline !== undefined) {
        const left = Math.max(0, this.deadline - performance.now());
        timer = setTimeout(() => finish(() => reject(this.timeout(method))), left);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      shared.then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => finish(() => reject(error)),
      );
    });
  }

  private throwIfAborted(): void {
    if (this.options.signal?.aborted) throw abortReason(this.options.signal, this.address, 'the call');
  }

  private timeout(method: string): RpcTimeoutError {
    return new RpcTimeoutError({ address: this.address, method, timeoutMs: this.options.timeoutMs ?? 0 });
  }
}

function abortReason(signal: AbortSignal, address: string, method: string): unknown {
  return signal.reason ?? new RpcAbortedError({ address, method });
}
