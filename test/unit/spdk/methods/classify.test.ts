import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonRpcError, RpcConnectionError } from '../../../../src/spdk/rpc/errors.js';
import { isAlreadyExists, isNotFound, isSubsystemBusy, isWellFormedNqn } from '../../../../src/spdk/methods/classify.js';
import { MethodUnavailableError } from '../../../../src/spdk/methods/errors.js';
import { fixtureExchanges } from './fixture-exchanges.js';

function rpcError(method: string, rpcCode: number, rpcMessage: string, params?: Record<string, unknown>): JsonRpcError {
  return new JsonRpcError({ address: '/tmp/t.sock', method, params, rpcCode, rpcMessage });
}

/** The error replies of the v24.01 captures, as the client would raise them. */
function capturedErrors(): Array<{ name: string; error: JsonRpcError }> {
  return fixtureExchanges().flatMap(({ entry, method, params, reply }) =>
    reply.error ? [{ name: `${entry.file} #${entry.seq} ${entry.name}`, error: rpcError(method, reply.error.code, reply.error.message, params) }] : [],
  );
}

function find(name: RegExp): JsonRpcError {
  const hit = capturedErrors().find((e) => name.test(e.name));
  assert.ok(hit, `no captured error matching ${name}`);
  return hit.error;
}

test('captured "not found" errors of v24.01 are isNotFound, and not isAlreadyExists', () => {
  for (const name of [
    /bdev_get_bdevs not found$/,
    /bdev_get_iostat not found/,
    /bdev_malloc_delete not found/,
    /bdev_null_delete not found/,
    /nvmf_get_subsystems unknown nqn/,
    /nvmf_delete_subsystem unknown/,
    /vhost_create_blk_controller unknown bdev/,
    /vhost_get_controllers unknown/,
    /vhost_delete_controller unknown/,
    /vhost_scsi_controller_add_target unknown ctrlr/,
    /rpc.py bdev_get_bdevs -b nope/,
  ]) {
    const error = find(name);
    assert.equal(isNotFound(error), true, `${name}: ${error.message}`);
    assert.equal(isAlreadyExists(error), false, `${name}`);
  }
});

test('captured "already exists" errors of v24.01 are isAlreadyExists, and not isNotFound', () => {
  for (const name of [
    /bdev_malloc_create duplicate name/,
    /nvmf_create_transport duplicate/,
    /vhost_create_blk_controller duplicate/,
    /nvmf_create_subsystem duplicate/,
  ]) {
    const error = find(name);
    assert.equal(isAlreadyExists(error), true, `${name}: ${error.message}`);
    assert.equal(isNotFound(error), false, `${name}`);
  }
});

test('captured errors that are neither', () => {
  for (const name of [
    /bdev_malloc_create bad block size/,
    /bdev_malloc_create missing required/,
    /nvmf_create_subsystem bad nqn/,
    /nvmf_create_transport unknown trtype/,
    /nvmf_subsystem_add_listener bad address/,
    /spdk_kill_instance bad signal/,
    /framework_start_init when running/,
    /unknown method$/,
    /bdev_get_bdevs not found with timeout/,
  ]) {
    const error = find(name);
    assert.equal(isNotFound(error), false, `${name}: ${error.message}`);
    assert.equal(isAlreadyExists(error), false, `${name}: ${error.message}`);
  }
});

test('the duplicate and the malformed NQN answer alike: only a well-formed NQN counts as existing', () => {
  const duplicate = find(/nvmf_create_subsystem duplicate/);
  const malformed = find(/nvmf_create_subsystem bad nqn/);
  assert.equal(duplicate.rpcMessage.startsWith('Unable to create subsystem'), true);
  assert.equal(malformed.rpcMessage.startsWith('Unable to create subsystem'), true);
  assert.equal(isAlreadyExists(duplicate), true);
  assert.equal(isAlreadyExists(malformed), false);
});

test('older releases: -32602 not-found of get_bdevs (≤ v19.x), positive errno codes, legacy method names', () => {
  assert.equal(isNotFound(rpcError('get_bdevs', -32602, 'Invalid parameters', { name: 'x' })), true);
  assert.equal(isNotFound(rpcError('bdev_get_bdevs', -32602, 'Invalid parameters', { name: 'x' })), true);
  assert.equal(isNotFound(rpcError('delete_nvmf_subsystem', -32602, 'Invalid parameters')), true);
  assert.equal(isNotFound(rpcError('nvmf_delete_subsystem', -32602, "Subsystem with NQN 'nqn.x' not found")), true);
  assert.equal(isNotFound(rpcError('delete_bdev', 19, 'Unknown error -19')), true, 'spdk#1035: positive errno');
  assert.equal(isAlreadyExists(rpcError('construct_malloc_bdev', 17, 'Unknown error -17')), true);
  assert.equal(isNotFound(rpcError('bdev_nvme_get_controllers', -22, 'Controller Nvme9 does not exist')), true);
  assert.equal(isNotFound(rpcError('bdev_nvme_attach_controller', -22, 'Failed to parse trtype: FOO')), false);
  assert.equal(isNotFound(rpcError('nvmf_subsystem_add_ns', -32602, 'Invalid parameters')), false, 'ambiguous: not claimed');
});

test('bdev_nvme_attach_controller: -114 is "already attached"; -22 "exists, but uses a different subnqn" is a conflict', () => {
  assert.equal(isAlreadyExists(rpcError('bdev_nvme_attach_controller', -114, 'A controller named Nvme0 already exists and multipath is disabled')), true);
  assert.equal(isAlreadyExists(rpcError('construct_nvme_bdev', -114, 'Operation already in progress')), true);
  assert.equal(isAlreadyExists(rpcError('bdev_nvme_attach_controller', -22, 'A controller named Nvme0 already exists, but uses a different subnqn')), false);
  assert.equal(isAlreadyExists(rpcError('bdev_malloc_delete', -114, 'Operation already in progress')), false);
});

test('anything that is not a JSON-RPC error answer is neither', () => {
  for (const err of [
    new RpcConnectionError({ address: '/tmp/t.sock', reason: 'cannot connect: ENOENT', phase: 'connect', errno: 'ENOENT' }),
    new MethodUnavailableError({ address: '/tmp/t.sock', operation: 'bdev_get_bdevs', tried: ['bdev_get_bdevs'], history: [], checkedWith: 'rpc_get_methods' }),
    new Error('No such device'),
    'No such device',
    undefined,
  ]) {
    assert.equal(isNotFound(err), false);
    assert.equal(isAlreadyExists(err), false);
    assert.equal(isSubsystemBusy(err), false);
  }
  assert.equal(isNotFound(rpcError('no_such_method', -32601, 'Method not found')), false);
});

test('the captured "subsystem busy" answer is isSubsystemBusy', () => {
  const busy = capturedErrors().find((e) => /subsystem busy/.test(e.error.rpcMessage));
  assert.ok(busy);
  assert.equal(isSubsystemBusy(busy.error), true);
  assert.equal(isNotFound(busy.error), false);
});

test('NQN shape', () => {
  assert.equal(isWellFormedNqn('nqn.2016-06.io.spdk:cnode1'), true);
  assert.equal(isWellFormedNqn('nqn.2014-08.org.nvmexpress.discovery'), true);
  assert.equal(isWellFormedNqn('nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), true);
  assert.equal(isWellFormedNqn('not-an-nqn'), false);
  assert.equal(isWellFormedNqn('nqn.16-06.io.spdk:x'), false);
  assert.equal(isWellFormedNqn(`nqn.2016-06.io.spdk:${'x'.repeat(220)}`), false);
  assert.equal(isWellFormedNqn(undefined), false);
});
