/** Assertions the tests share beyond node:assert. */
import assert from 'node:assert/strict';

/**
 * What `promise` rejects with, for assertions on the error's class and fields; fails the test with
 * `expectation` when it resolves instead.
 */
export function rejectionOf(promise: Promise<unknown>, expectation: string): Promise<unknown> {
  return promise.then(
    () => assert.fail(expectation),
    (err: unknown) => err,
  );
}
