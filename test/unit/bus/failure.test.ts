import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentError } from '../../../src/util/errors.js';
import { BusProtocolError, PythonException, RemoteError } from '../../../src/bus/errors.js';
import { failureFromError, parseFailure, serializeFailure } from '../../../src/bus/failure.js';
import { capturedFailures } from './captures.js';

test('every captured failure parses into a RemoteError with its class, module, message, args, kwargs and traceback', () => {
  const failures = capturedFailures();
  assert.ok(failures.length >= 7, 'the captures are loaded');
  for (const { name, failure, decoded } of failures) {
    const err = parseFailure(failure, { method: 'm' });
    assert.equal(err.className, decoded.class, name);
    assert.equal(err.module, decoded.module, name);
    assert.equal(err.remoteMessage, decoded.message, name);
    assert.deepEqual(err.remoteArgs, decoded.args, name);
    assert.deepEqual(err.remoteKwargs, decoded.kwargs, name);
    assert.deepEqual(err.remoteTraceback, decoded.tb, name);
    assert.equal(err.context.method, 'm');
  }
});

test('a received failure passed on by an endpoint is sent again byte for byte', () => {
  for (const { name, failure } of capturedFailures()) {
    assert.equal(serializeFailure(parseFailure(failure)), failure, name);
  }
});

test('the captured Cyborg failure is recognisable as PlacementResourceProviderNotFound', () => {
  const cyborg = capturedFailures().find(({ name }) => name === 'B.reply_cyborg_fail')!;
  const err = parseFailure(cyborg.failure);
  assert.ok(err instanceof RemoteError);
  assert.equal(err.is('PlacementResourceProviderNotFound'), true);
  assert.equal(err.is('PlacementResourceProviderNotFound', 'builtins'), false);
  assert.equal(err.is('ValueError'), false);
  assert.deepEqual(err.remoteKwargs, { resource_provider: 'cn1.example.org', code: 404 });
});

test('a builtin ValueError is serialised as oslo does: key order, args, empty kwargs, Python-shaped traceback', () => {
  const text = serializeFailure(PythonException.valueError('bad input'));
  assert.match(text, /^\{"class": "ValueError", "module": "builtins", "message": "bad input", "tb": \[/);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['class', 'module', 'message', 'tb', 'args', 'kwargs']);
  assert.deepEqual(parsed.args, ['bad input']);
  assert.deepEqual(parsed.kwargs, {});
  const tb = parsed.tb as string[];
  assert.equal(tb[0], 'Traceback (most recent call last):\n');
  assert.equal(tb[tb.length - 1], 'ValueError: bad input\n');
});

test('a Cyborg exception carries its kwargs and the qualified class in the traceback', () => {
  const failure = failureFromError(
    PythonException.cyborg('PlacementResourceProviderNotFound', 'Placement resource provider not found: cn1.', { resource_provider: 'cn1', code: 404 }),
  );
  assert.equal(failure.module, 'cyborg.common.exception');
  assert.deepEqual(failure.kwargs, { resource_provider: 'cn1', code: 404 });
  assert.equal(failure.tb[failure.tb.length - 1], 'cyborg.common.exception.PlacementResourceProviderNotFound: Placement resource provider not found: cn1.\n');
});

test('_Remote suffixes are stripped from class and module, as oslo does', () => {
  const failure = failureFromError(new PythonException({ className: 'Boom_Remote', module: 'cyborg.common.exception_Remote', message: 'x' }));
  assert.equal(failure.class, 'Boom');
  assert.equal(failure.module, 'cyborg.common.exception');
});

test('other thrown values still become readable failures', () => {
  const plain = failureFromError(new TypeError('undefined is not a function'));
  assert.deepEqual([plain.class, plain.module, plain.message, plain.kwargs], ['TypeError', 'spdk_agent.errors', 'undefined is not a function', {}]);
  const agent = failureFromError(new AgentError('target down', { code: 'SPDK_DOWN', context: { socket: '/var/tmp/spdk.sock' } }));
  assert.deepEqual([agent.class, agent.kwargs], ['AgentError', { code: 'SPDK_DOWN' }]);
  const text = failureFromError('just a string');
  assert.deepEqual([text.class, text.message], ['Error', 'just a string']);
  assert.equal(failureFromError(undefined).message, 'undefined');
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const odd = serializeFailure(new PythonException({ className: 'X', module: 'm', message: 'cyclic kwargs', kwargs: circular }));
  assert.deepEqual((JSON.parse(odd) as { kwargs: unknown }).kwargs, {}, 'unserialisable kwargs are dropped, the failure is still sent');
});

test('failures that are not oslo JSON are protocol errors, not crashes', () => {
  assert.throws(() => parseFailure('{"class": "Val'), BusProtocolError);
  assert.throws(() => parseFailure('[1, 2]'), BusProtocolError);
  assert.throws(() => parseFailure(42), BusProtocolError);
  const sparse = parseFailure('{"message": "only a message"}');
  assert.deepEqual([sparse.className, sparse.module, sparse.remoteMessage, sparse.remoteArgs], ['Exception', 'builtins', 'only a message', ['only a message']]);
  const asObject = parseFailure({ class: 'ValueError', module: 'builtins', message: 'm', args: ['m'], kwargs: {}, tb: [] });
  assert.equal(asObject.className, 'ValueError');
});
