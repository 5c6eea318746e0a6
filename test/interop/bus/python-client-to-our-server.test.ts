/**
 * A real Python oslo.messaging RPCClient (14.x) calls our RPC server: every outcome a Python caller
 * can see must be what a Python server would have produced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PythonException, type RpcEndpoint } from '../../../src/bus/index.js';
import { BrokerScope, brokerSkip } from '../../helpers/broker.js';
import { pythonSkip, runPythonCalls, type PythonCallOutcome } from '../../helpers/python.js';

const skip = (await brokerSkip()) || (await pythonSkip());

const RICH_VALUE = { a: [1, 2.5, 'é✓ unicode', null, true, false], nested: { n: -3, empty: {}, list: [] }, big: 12345678901 };

test('a Python RPCClient calling our server gets what a Python server would give', { skip, timeout: 180_000 }, async (t) => {
  const scope = new BrokerScope(t);
  const topic = scope.topic('agent');
  const bus = await scope.openTransport();

  const recorded: Array<{ via: unknown; kind: string; queue: string }> = [];
  const endpoint: RpcEndpoint = {
    className: 'AgentManager',
    methods: {
      ping: (_ctx, args) => ({ pong: 'cn1', kwargs: args }),
      echo: { required: ['value'], handler: (_ctx, args) => args.value },
      fail_value: {
        required: ['message'],
        handler: (_ctx, args) => {
          throw PythonException.valueError(String(args.message));
        },
      },
      fail_cyborg: {
        required: ['resource_provider'],
        handler: (_ctx, args) => {
          const rp = String(args.resource_provider);
          throw PythonException.cyborg('PlacementResourceProviderNotFound', `Placement resource provider not found: ${rp}.`, {
            resource_provider: rp,
            code: 404,
          });
        },
      },
      fail_unexpected: () => {
        throw new Error('disk on fire');
      },
      slow: {
        required: ['seconds'],
        handler: async (_ctx, args) => {
          await sleep(Number(args.seconds) * 1000);
          return `done after ${String(args.seconds)}s`;
        },
      },
      record: (ctx, args) => {
        recorded.push({ via: args.via, kind: ctx.kind, queue: ctx.queue });
        return null;
      },
      context_of: (ctx) => ctx.context,
      _private: () => 'must never run',
    },
  };
  const server = bus.createServer({ topic, servers: ['cn1', 'cn1.example.org'], endpoints: [endpoint] });
  await server.start();

  const ops = [
    { kind: 'call', method: 'ping', args: { x: 1 }, server: 'cn1' },
    { kind: 'call', method: 'echo', args: { value: RICH_VALUE }, server: 'cn1.example.org' },
    { kind: 'call', method: 'echo', args: { value: 42 } },
    { kind: 'call', method: 'echo', args: { value: null } },
    { kind: 'call', method: 'echo', args: { value: ['two', 2] } },
    { kind: 'call', method: 'fail_value', args: { message: 'bad input' }, server: 'cn1' },
    { kind: 'call', method: 'fail_cyborg', args: { resource_provider: 'cn1.example.org' }, server: 'cn1' },
    { kind: 'call', method: 'fail_unexpected', args: {}, server: 'cn1' },
    { kind: 'call', method: 'nosuch', args: {}, server: 'cn1' },
    { kind: 'call', method: 'ping', args: {}, server: 'cn1', version: '1.1' },
    { kind: 'call', method: 'ping', args: {}, server: 'cn1', version: '2.0' },
    { kind: 'call', method: 'ping', args: {}, server: 'cn1', namespace: 'spdk' },
    { kind: 'call', method: '_private', args: {}, server: 'cn1' },
    { kind: 'call', method: 'echo', args: { value: 1, nope: 2 }, server: 'cn1' },
    { kind: 'call', method: 'echo', args: {}, server: 'cn1' },
    { kind: 'cast', method: 'record', args: { via: 'cast' }, server: 'cn1' },
    { kind: 'fanout', method: 'record', args: { via: 'fanout' } },
    { kind: 'call', method: 'slow', args: { seconds: 3 }, server: 'cn1', timeout: 30, call_monitor_timeout: 2 },
    { kind: 'call', method: 'record', args: { via: 'twice' }, server: 'cn1', twice: true },
    { kind: 'call', method: 'ping', args: { sync: true }, server: 'cn1' },
    { kind: 'call', method: 'context_of', args: {}, server: 'cn1', context: { request_id: 'req-abc', user: 'alice', roles: ['admin'] } },
  ] as const;
  const r = await runPythonCalls('rpc_client.py', scope, topic, ops);

  await t.test('results of several JSON types come back intact', () => {
    assert.deepEqual(r[0], { ok: true, result: { pong: 'cn1', kwargs: { x: 1 } } });
    assert.deepEqual(r[1], { ok: true, result: RICH_VALUE });
    assert.deepEqual(r[2], { ok: true, result: 42 });
    assert.deepEqual(r[3], { ok: true, result: null });
    assert.deepEqual(r[4], { ok: true, result: ['two', 2] });
  });

  await t.test('a builtins ValueError is re-raised as a real ValueError', () => {
    assert.equal(r[5]!.raised, 'ValueError');
    assert.equal(r[5]!.module, 'builtins');
    assert.equal(r[5]!.is_RemoteError, false);
    assert.equal(r[5]!.str_first_line, 'bad input');
  });

  await t.test('a cyborg.common.exception class is rebuilt as that class, with its kwargs', () => {
    assert.equal(r[6]!.raised, 'PlacementResourceProviderNotFound_Remote');
    assert.equal(r[6]!.isinstance_PlacementResourceProviderNotFound, true);
    assert.deepEqual(r[6]!.kwargs, { resource_provider: 'cn1.example.org', code: 404 });
    assert.equal(r[6]!.str_first_line, 'Placement resource provider not found: cn1.example.org.');
  });

  await t.test('any other error becomes a readable RemoteError', () => {
    assert.equal(r[7]!.is_RemoteError, true);
    assert.equal(r[7]!.exc_type, 'Error');
    assert.equal(r[7]!.value, 'disk on fire');
  });

  await t.test("dispatcher failures: NoSuchMethod, UnsupportedVersion (minor, major, namespace), '_' refused", () => {
    const expectRemote = (o: PythonCallOutcome, type: string, value: string): void => {
      assert.equal(o.is_RemoteError, true, JSON.stringify(o));
      assert.equal(o.exc_type, type);
      assert.equal(o.value, value);
    };
    expectRemote(r[8]!, 'NoSuchMethod', 'Endpoint does not support RPC method nosuch');
    expectRemote(r[9]!, 'UnsupportedVersion', 'Endpoint does not support RPC version 1.1. Attempted method: ping');
    expectRemote(r[10]!, 'UnsupportedVersion', 'Endpoint does not support RPC version 2.0. Attempted method: ping');
    expectRemote(r[11]!, 'UnsupportedVersion', 'Endpoint does not support RPC version 1.0. Attempted method: ping');
    expectRemote(r[12]!, 'NoSuchMethod', 'Endpoint does not support RPC method _private');
  });

  await t.test("wrong kwargs give Python's own TypeError", () => {
    assert.equal(r[13]!.raised, 'TypeError');
    assert.equal(r[13]!.str_first_line, "AgentManager.echo() got an unexpected keyword argument 'nope'");
    assert.equal(r[14]!.raised, 'TypeError');
    assert.equal(r[14]!.str_first_line, "AgentManager.echo() missing 1 required positional argument: 'value'");
  });

  await t.test('a cast and a fanout cast run once each, from their queues', () => {
    assert.deepEqual(r[15], { ok: true, result: null });
    assert.deepEqual(r[16], { ok: true, result: null });
    const cast = recorded.filter((x) => x.via === 'cast');
    const fanout = recorded.filter((x) => x.via === 'fanout');
    assert.deepEqual(cast, [{ via: 'cast', kind: 'cast', queue: `${topic}.cn1` }]);
    assert.deepEqual(fanout, [{ via: 'fanout', kind: 'cast', queue: server.queues.fanout }]);
  });

  await t.test('call-monitor heartbeats keep a call longer than call_monitor_timeout alive', () => {
    assert.deepEqual(r[17], { ok: true, result: 'done after 3s' });
  });

  await t.test('the same message delivered twice runs once', () => {
    assert.deepEqual(r[18], { ok: true, result: null });
    assert.equal(r[19]!.ok, true);
    assert.equal(recorded.filter((x) => x.via === 'twice').length, 1);
  });

  await t.test("the handler sees the caller's context", () => {
    assert.deepEqual(r[20], { ok: true, result: { request_id: 'req-abc', user: 'alice', roles: ['admin'] } });
  });
});
