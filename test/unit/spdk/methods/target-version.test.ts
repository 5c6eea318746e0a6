import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as framework from '../../../../src/spdk/methods/framework.js';
import { MethodUnavailableError, SpdkResultError } from '../../../../src/spdk/methods/errors.js';
import { describeVersion, detectVersion, inferVersionRange, parseVersionResult, parseVersionText } from '../../../../src/spdk/methods/target-version.js';
import { compareReleases, previousRelease, releaseOf } from '../../../../src/spdk/methods/releases.js';
import { fixtureExchanges } from './fixture-exchanges.js';
import { FakeTarget } from './fake-target.js';

test('version strings of every form SPDK writes', () => {
  assert.deepEqual(parseVersionText('SPDK v24.01 git sha1 0786843e99'), {
    major: 24,
    minor: 1,
    patch: 0,
    suffix: '',
    commit: '0786843e99',
    text: 'SPDK v24.01 git sha1 0786843e99',
  });
  assert.deepEqual(parseVersionText('SPDK v26.09-pre git sha1 3230130e6'), {
    major: 26,
    minor: 9,
    patch: 0,
    suffix: '-pre',
    commit: '3230130e6',
    text: 'SPDK v26.09-pre git sha1 3230130e6',
  });
  assert.deepEqual(parseVersionText('SPDK v22.01.2'), { major: 22, minor: 1, patch: 2, suffix: '', text: 'SPDK v22.01.2' });
  assert.deepEqual(parseVersionText('SPDK v25.05.1-rc1'), { major: 25, minor: 5, patch: 1, suffix: '-rc1', text: 'SPDK v25.05.1-rc1' });
  // The stale doc example (contract §8.19): no "SPDK v" prefix.
  assert.deepEqual(parseVersionText('19.04-pre'), { major: 19, minor: 4, patch: 0, suffix: '-pre', text: '19.04-pre' });
  assert.equal(parseVersionText('not a version'), undefined);
  assert.equal(parseVersionText(''), undefined);
});

test('spdk_get_version results: fields preferred, text as fallback, garbage refused', () => {
  assert.deepEqual(parseVersionResult({ version: 'SPDK v26.05', fields: { major: 26, minor: 5, patch: 0, suffix: '', commit: 'd519b163c' } }), {
    major: 26,
    minor: 5,
    patch: 0,
    suffix: '',
    commit: 'd519b163c',
    text: 'SPDK v26.05',
  });
  assert.deepEqual(parseVersionResult({ version: 'SPDK v19.04' }), { major: 19, minor: 4, patch: 0, suffix: '', text: 'SPDK v19.04' });
  assert.deepEqual(parseVersionResult({ version: 'SPDK v19.07', fields: { major: 'x' } }), { major: 19, minor: 7, patch: 0, suffix: '', text: 'SPDK v19.07' });
  assert.equal(parseVersionResult('SPDK v24.01'), undefined);
  assert.equal(parseVersionResult(null), undefined);
  assert.equal(parseVersionResult({ fields: { major: 1, minor: 2, patch: 3 } }), undefined);
});

test('every spdk_get_version reply in the fixtures parses to v24.01', () => {
  let seen = 0;
  for (const { entry, method, reply } of fixtureExchanges()) {
    if (method !== 'spdk_get_version' || !('result' in reply)) continue;
    const version = parseVersionResult(reply.result);
    assert.ok(version, `${entry.file} #${entry.seq}`);
    assert.equal(releaseOf(version.major, version.minor), '24.01');
    assert.equal(version.commit, '0786843e99');
    seen++;
  }
  assert.ok(seen >= 5, `only ${seen} version replies found`);
});

test('getVersion on each version: the right name, the same shape', async () => {
  for (const [version, method] of [
    ['24.01', 'spdk_get_version'],
    ['22.01', 'spdk_get_version'],
    ['19.04', 'get_spdk_version'],
  ] as const) {
    const fake = new FakeTarget(version);
    const got = await framework.getVersion(fake);
    assert.equal(releaseOf(got.major, got.minor), version);
    assert.deepEqual(fake.sent().at(-1), [method, undefined]);
  }
  await assert.rejects(framework.getVersion(new FakeTarget('17.07')), MethodUnavailableError);
  const odd = new FakeTarget('24.01').on('spdk_get_version', () => ({ version: 42 }));
  await assert.rejects(framework.getVersion(odd), SpdkResultError);
});

test('detectVersion: reported where the target can, inferred (v17.07) where it cannot; once per generation', async () => {
  const current = new FakeTarget('25.09');
  const info = await detectVersion(current);
  assert.equal(info.source, 'reported');
  assert.equal(info.min, '25.09');
  assert.equal(info.max, '25.09');
  assert.equal(describeVersion(info), 'SPDK v25.09');
  await detectVersion(current);
  await Promise.all([detectVersion(current), detectVersion(current)]);
  assert.equal(current.callsOf('spdk_get_version').length, 1);
  current.reconnect();
  await detectVersion(current);
  assert.equal(current.callsOf('spdk_get_version').length, 2);

  const old = new FakeTarget('17.07');
  const inferred = await detectVersion(old);
  assert.deepEqual(inferred, { source: 'inferred', min: '17.07', max: '17.07' });
  assert.equal(describeVersion(inferred), 'SPDK v17.07 (inferred from its methods)');
});

test('the release range inferred from method lists of v17.10–v19.01 targets', () => {
  const list = (...names: string[]) => ({ source: 'get_rpc_methods' as const, names: new Set(names) });
  // v17.10: get_rpc_methods exists, get_subsystems (v18.04) does not, delete_bdev and get_luns do.
  assert.deepEqual(inferVersionRange(list('get_bdevs', 'delete_bdev', 'get_luns', 'construct_malloc_bdev')), { min: '17.10', max: '17.10' });
  // v18.04: get_subsystems, no start_subsystem_init (v18.07).
  assert.deepEqual(inferVersionRange(list('get_bdevs', 'delete_bdev', 'get_subsystems', 'get_subsystem_config')), { min: '18.04', max: '18.04' });
  // v18.10 nvmf_tgt: get_nvme_controllers, nvmf_create_transport, construct_nvmf_subsystem; no wait_subsystem_init.
  assert.deepEqual(
    inferVersionRange(
      list(
        'get_bdevs',
        'delete_bdev',
        'get_subsystems',
        'start_subsystem_init',
        'get_bdevs_iostat',
        'get_nvme_controllers',
        'nvmf_create_transport',
        'construct_nvmf_subsystem',
      ),
    ),
    { min: '18.10', max: '18.10' },
  );
  // v19.01: wait_subsystem_init; get_spdk_version (v19.04) absent.
  assert.deepEqual(inferVersionRange(list('get_bdevs', 'delete_bdev', 'get_subsystems', 'start_subsystem_init', 'get_bdevs_iostat', 'wait_subsystem_init')), {
    min: '19.01',
    max: '19.01',
  });
  assert.deepEqual(inferVersionRange({ source: 'none', names: null }), { min: '17.07', max: '17.07' });
});

test('release arithmetic', () => {
  assert.ok(compareReleases('19.10', '19.07') > 0);
  assert.ok(compareReleases('22.01', '21.10') > 0);
  assert.equal(compareReleases('24.01', '24.01'), 0);
  assert.equal(previousRelease('25.05'), '24.09', 'there was no v25.01');
  assert.equal(previousRelease('17.07'), undefined);
  assert.equal(releaseOf(26, 5), '26.05');
});
