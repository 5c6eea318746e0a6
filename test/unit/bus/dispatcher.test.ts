import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCall, type RpcEndpoint, validateEndpoint } from '../../../src/bus/dispatcher.js';
import { BusUsageError, PythonException } from '../../../src/bus/errors.js';

const agent: RpcEndpoint = {
  className: 'AgentManager',
  methods: {
    ping: () => 'pong',
    report: { required: ['hostname', 'devices'], optional: ['stub'], handler: () => null },
    three: { required: ['a', 'b', 'c'], handler: () => null },
    _hidden: () => 'never',
  },
};

/** The failure oslo would send for this request body, or the resolved method name. */
function outcome(endpoints: RpcEndpoint[], body: Record<string, unknown>): string {
  try {
    return `call ${resolveCall(endpoints, body).name}`;
  } catch (err) {
    assert.ok(err instanceof PythonException, String(err));
    return `${err.pythonModule}.${err.pythonClass}: ${err.message}`;
  }
}

test('methods, unknown names, private names and names of the JS object machinery', () => {
  assert.equal(outcome([agent], { method: 'ping', args: {} }), 'call ping');
  assert.equal(outcome([agent], { method: 'ping' }), 'call ping', 'missing args are {}');
  assert.equal(outcome([agent], { method: 'nosuch', args: {} }), 'oslo_messaging.rpc.dispatcher.NoSuchMethod: Endpoint does not support RPC method nosuch');
  assert.equal(outcome([agent], { method: '_hidden', args: {} }), 'oslo_messaging.rpc.dispatcher.NoSuchMethod: Endpoint does not support RPC method _hidden');
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.match(outcome([agent], { method: name, args: {} }), /NoSuchMethod/, name);
  }
});

test('versions and namespaces: UnsupportedVersion when no endpoint matches', () => {
  assert.equal(outcome([agent], { method: 'ping', version: '1.0' }), 'call ping');
  assert.equal(
    outcome([agent], { method: 'ping', version: '1.1' }),
    'oslo_messaging.rpc.dispatcher.UnsupportedVersion: Endpoint does not support RPC version 1.1. Attempted method: ping',
  );
  assert.equal(
    outcome([agent], { method: 'nosuch', version: '2.0' }),
    'oslo_messaging.rpc.dispatcher.UnsupportedVersion: Endpoint does not support RPC version 2.0. Attempted method: nosuch',
  );
  assert.equal(
    outcome([agent], { method: 'ping', version: null }),
    'oslo_messaging.rpc.dispatcher.UnsupportedVersion: Endpoint does not support RPC version None. Attempted method: ping',
  );
  assert.equal(
    outcome([agent], { method: 'ping', namespace: 'spdk' }),
    'oslo_messaging.rpc.dispatcher.UnsupportedVersion: Endpoint does not support RPC version 1.0. Attempted method: ping',
  );
  assert.equal(outcome([agent], { method: 'ping', namespace: null }), 'call ping');
});

test('endpoints are tried in order; the first compatible one that has the method serves it', () => {
  const old: RpcEndpoint = { className: 'Old', version: '1.0', methods: { both: () => 'old', onlyOld: () => 'old' } };
  const newer: RpcEndpoint = { className: 'New', version: '1.3', methods: { both: () => 'new' } };
  const spdk: RpcEndpoint = { className: 'Spdk', namespace: 'spdk', version: '2.1', methods: { both: () => 'spdk' } };
  const endpoints = [old, newer, spdk];
  const served = (body: Record<string, unknown>) => resolveCall(endpoints, body).endpoint.className;
  assert.equal(served({ method: 'both', version: '1.0' }), 'Old');
  assert.equal(served({ method: 'both', version: '1.2' }), 'New');
  assert.equal(served({ method: 'both', version: '2.0', namespace: 'spdk' }), 'Spdk');
  assert.equal(
    outcome(endpoints, { method: 'onlyOld', version: '1.2' }),
    'oslo_messaging.rpc.dispatcher.NoSuchMethod: Endpoint does not support RPC method onlyOld',
  );
});

test('request bodies Python would choke on give the same Python errors', () => {
  assert.equal(outcome([agent], { args: {} }), "builtins.TypeError: attribute name must be string, not 'NoneType'");
  assert.equal(outcome([agent], { method: 7 }), "builtins.TypeError: attribute name must be string, not 'int'");
  assert.equal(outcome([agent], { method: 'ping', args: [1] }), "builtins.AttributeError: 'list' object has no attribute 'items'");
  assert.equal(outcome([agent], { method: 'ping', args: null }), "builtins.AttributeError: 'NoneType' object has no attribute 'items'");
  assert.equal(outcome([agent], { method: 'ping', args: 'x' }), "builtins.AttributeError: 'str' object has no attribute 'items'");
  assert.equal(outcome([agent], { method: 'nosuch', args: [1] }), 'oslo_messaging.rpc.dispatcher.NoSuchMethod: Endpoint does not support RPC method nosuch');
});

test("kwargs that do not fit the declared parameters give Python's TypeError text", () => {
  const report = (args: Record<string, unknown>) => outcome([agent], { method: 'report', args });
  assert.equal(report({ hostname: 'h', devices: [] }), 'call report');
  assert.equal(report({ hostname: 'h', devices: [], stub: true }), 'call report');
  assert.equal(
    report({ hostname: 'h', devices: [], nope: 1, other: 2 }),
    "builtins.TypeError: AgentManager.report() got an unexpected keyword argument 'nope'",
  );
  assert.equal(report({ devices: [] }), "builtins.TypeError: AgentManager.report() missing 1 required positional argument: 'hostname'");
  assert.equal(report({}), "builtins.TypeError: AgentManager.report() missing 2 required positional arguments: 'hostname' and 'devices'");
  assert.equal(
    outcome([agent], { method: 'three', args: {} }),
    "builtins.TypeError: AgentManager.three() missing 3 required positional arguments: 'a', 'b', and 'c'",
  );
  assert.equal(outcome([agent], { method: 'ping', args: { anything: 1 } }), 'call ping', 'undeclared parameters accept any kwargs');
});

test('endpoints that cannot be served are refused when the server is built', () => {
  assert.throws(() => validateEndpoint({ className: '', methods: {} }, 0), BusUsageError);
  assert.throws(() => validateEndpoint({ className: 'A', version: 'one', methods: {} }, 0), /not a version/);
  assert.throws(() => validateEndpoint({ className: 'A', methods: { m: { handler: 'x' as never } } }, 2), /endpoints\[2\]\.methods\.m/);
  assert.doesNotThrow(() => validateEndpoint(agent, 0));
});
