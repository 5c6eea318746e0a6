/**
 * A `FakeTarget` whose method list (and version, if asked) the catalogue has already looked up, so
 * that `sent()` shows only the calls a test makes. Not a test file; kept apart from fake-target.ts,
 * whose oracle must not depend on the code under test.
 */
import { listMethods } from '../../../../src/spdk/methods/resolver.js';
import { detectVersion } from '../../../../src/spdk/methods/target-version.js';
import { FakeTarget, type FakeApp, type FakeVersion } from './fake-target.js';

export async function primed(version: FakeVersion, app: FakeApp = 'nvmf_tgt', withVersion = false): Promise<FakeTarget> {
  const fake = new FakeTarget(version, app);
  await listMethods(fake);
  if (withVersion) await detectVersion(fake);
  fake.calls.length = 0;
  return fake;
}
