import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonRpcError, RpcConnectionError } from '../../../../src/spdk/rpc/errors.js';
import * as framework from '../../../../src/spdk/methods/framework.js';
import { InvalidArgumentError, MethodUnavailableError, UnsupportedParameterError } from '../../../../src/spdk/methods/errors.js';
import { FakeTarget, fixtureResults } from './fake-target.js';
import { primed } from './primed-fake.js';

const captured = fixtureResults('nvmf_tgt.jsonl');

test('getMethods: the list as the target sends it; current / include_aliases gated by version', async () => {
  // include_aliases (v19.10) is newer than rpc_get_methods (v19.07): the version is needed, so known here.
  const current = await primed('24.01', 'nvmf_tgt', true);
  const all = await framework.getMethods(current);
  assert.deepEqual(all, current.listed);
  await framework.getMethods(current, { current: true });
  await framework.getMethods(current, { include_aliases: true });
  assert.deepEqual(current.sent(), [
    ['rpc_get_methods', undefined],
    ['rpc_get_methods', { current: true }],
    ['rpc_get_methods', { include_aliases: true }],
  ]);

  const old = await primed('19.04', 'nvmf_tgt', true);
  await framework.getMethods(old, { current: true });
  assert.deepEqual(old.sent(), [['get_rpc_methods', { current: true }]]);
  const err = await framework.getMethods(old, { include_aliases: true }).catch((e: unknown) => e);
  assert.ok(err instanceof UnsupportedParameterError);
  assert.match(err.message, /include_aliases needs SPDK v19\.10 or later, but the target is SPDK v19\.04/);
  await assert.rejects(framework.getMethods(new FakeTarget('17.07')), MethodUnavailableError);
});

test('waitInit and startInit: current names, v19.04 names, and nothing on v17.07', async () => {
  const current = await primed('24.01');
  assert.equal(await framework.waitInit(current), true);
  assert.equal(await framework.startInit(current), true);
  assert.deepEqual(current.sent(), [
    ['framework_wait_init', undefined],
    ['framework_start_init', undefined],
  ]);
  const old = await primed('19.04');
  await framework.waitInit(old);
  await framework.startInit(old);
  assert.deepEqual(old.sent(), [
    ['wait_subsystem_init', undefined],
    ['start_subsystem_init', undefined],
  ]);
  await assert.rejects(framework.waitInit(new FakeTarget('17.07')), MethodUnavailableError);
});

test('killInstance: by signal name, on current and legacy names', async () => {
  const current = await primed('24.01');
  assert.equal(await framework.killInstance(current, 'SIGTERM'), true);
  assert.deepEqual(current.sent(), [['spdk_kill_instance', { sig_name: 'SIGTERM' }]]);
  const v1707 = new FakeTarget('17.07');
  assert.equal(await framework.killInstance(v1707, 'SIGINT'), true);
  assert.deepEqual(v1707.sent().at(-1), ['kill_instance', { sig_name: 'SIGINT' }]);
  await assert.rejects(framework.killInstance(current, 'SIGFOO' as framework.KillSignal), InvalidArgumentError);
  await assert.rejects(framework.killInstance(current, '15' as framework.KillSignal), InvalidArgumentError);
  assert.equal(current.sent().length, 1, 'the bad signals were never sent');
});

test('killInstance: the connection closing before the reply counts as success; failing to reach the target does not', async () => {
  const fake = await primed('24.01');
  fake.on('spdk_kill_instance', () => {
    throw new RpcConnectionError({ address: fake.address, method: 'spdk_kill_instance', reason: 'the target closed the connection', phase: 'lost' });
  });
  assert.equal(await framework.killInstance(fake, 'SIGTERM'), true);
  fake.on('spdk_kill_instance', () => {
    throw new RpcConnectionError({
      address: fake.address,
      method: 'spdk_kill_instance',
      reason: 'connection lost: read ECONNRESET',
      phase: 'lost',
      errno: 'ECONNRESET',
    });
  });
  assert.equal(await framework.killInstance(fake, 'SIGTERM'), true);
  fake.on('spdk_kill_instance', () => {
    throw new RpcConnectionError({
      address: fake.address,
      method: 'spdk_kill_instance',
      reason: 'cannot connect: no such socket',
      phase: 'connect',
      errno: 'ENOENT',
    });
  });
  await assert.rejects(framework.killInstance(fake, 'SIGTERM'), RpcConnectionError);
  fake.on('spdk_kill_instance', () => {
    throw new RpcConnectionError({ address: fake.address, method: 'spdk_kill_instance', reason: 'client closed', phase: 'closed' });
  });
  await assert.rejects(framework.killInstance(fake, 'SIGTERM'), RpcConnectionError);
  fake.on('spdk_kill_instance', (params, method) => {
    throw fake.error(method, params, -1, 'Method may only be called after framework is initialized using framework_start_init RPC.');
  });
  await assert.rejects(framework.killInstance(fake, 'SIGTERM'), (err: unknown) => err instanceof JsonRpcError && err.isWrongState);
});

test('getSubsystems: v24.01 capture; get_subsystems on v19.04', async () => {
  const current = await primed('24.01');
  assert.deepEqual(await framework.getSubsystems(current), captured.get('framework_get_subsystems'));
  assert.deepEqual(current.sent(), [['framework_get_subsystems', undefined]]);
  const old = await primed('19.04');
  await framework.getSubsystems(old);
  assert.deepEqual(old.sent(), [['get_subsystems', undefined]]);
});

test('getConfig: entries as captured; get_subsystem_config on v19.04; with_batches only from v26.05; null passes', async () => {
  const current = await primed('24.01');
  assert.deepEqual(await framework.getConfig(current, { name: 'bdev' }), captured.get('framework_get_config'));
  assert.deepEqual(current.sent(), [['framework_get_config', { name: 'bdev' }]]);
  await assert.rejects(framework.getConfig(current, { name: 'bdev', with_batches: false }), UnsupportedParameterError);
  await assert.rejects(framework.getConfig(current, {} as { name: string }), InvalidArgumentError);

  const v26 = await primed('26.05', 'nvmf_tgt', true);
  await framework.getConfig(v26, { name: 'nvmf', with_batches: true });
  assert.deepEqual(v26.sent(), [['framework_get_config', { name: 'nvmf', with_batches: true }]]);

  const old = await primed('19.04');
  old.on('get_subsystem_config', () => null);
  assert.equal(await framework.getConfig(old, { name: 'vmd' }), null);
  assert.deepEqual(old.sent(), [['get_subsystem_config', { name: 'vmd' }]]);
});

test('getReactors and getThreadStats: captures on v24.01; not on v19.04 (added v20.01 / v19.07)', async () => {
  const current = await primed('24.01');
  assert.deepEqual(await framework.getReactors(current), captured.get('framework_get_reactors'));
  assert.deepEqual(await framework.getThreadStats(current), captured.get('thread_get_stats'));
  assert.deepEqual(current.sent(), [
    ['framework_get_reactors', undefined],
    ['thread_get_stats', undefined],
  ]);
  const old = await primed('19.04');
  await assert.rejects(framework.getReactors(old), MethodUnavailableError);
  await assert.rejects(framework.getThreadStats(old), MethodUnavailableError);
  assert.deepEqual(old.sent(), [], 'the list says they are absent: nothing sent');
});
