/**
 * Argument checks of the agent's RPC methods: Python callers get the TypeError / ValueError a
 * Python method would raise, naming the argument.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PythonException } from '../../../src/bus/index.js';
import { checkArguments, reportArgs, startArgs, stopArgs } from '../../../src/agent/arg-schemas.js';

function failure(work: () => unknown): { className: string; module: string; message: string } {
  try {
    work();
  } catch (err) {
    assert.ok(err instanceof PythonException, `not a PythonException: ${String(err)}`);
    return { className: err.pythonClass, module: err.pythonModule, message: err.message };
  }
  assert.fail('no error');
}

test('good arguments pass, with the defaults of the optional ones', () => {
  assert.deepEqual(startArgs({ target: 'nvmf0' }), { target: 'nvmf0' });
  assert.deepEqual(stopArgs({ target: 'nvmf0' }), { target: 'nvmf0', force: false });
  assert.deepEqual(stopArgs({ target: 'nvmf0', force: true }), { target: 'nvmf0', force: true });
  assert.deepEqual(reportArgs({}), { target: null, stats: false });
  assert.deepEqual(reportArgs({ target: null, stats: true }), { target: null, stats: true });
  assert.deepEqual(reportArgs({ target: 'vhost0' }), { target: 'vhost0', stats: false });
  checkArguments('ping', {});
  checkArguments('discover', {});
});

test('a wrong type is a builtins TypeError with Python’s wording', () => {
  assert.deepEqual(
    failure(() => startArgs({ target: 5 })),
    {
      className: 'TypeError',
      module: 'builtins',
      message: "AgentManager.start() argument 'target' must be str, not int",
    },
  );
  assert.equal(failure(() => stopArgs({ target: 'nvmf0', force: 'false' })).message, "AgentManager.stop() argument 'force' must be bool, not str");
  assert.equal(failure(() => stopArgs({ target: null })).message, "AgentManager.stop() argument 'target' must be str, not NoneType");
  assert.equal(failure(() => reportArgs({ target: ['a'] })).message, "AgentManager.report() argument 'target' must be str or None, not list");
  assert.equal(failure(() => reportArgs({ stats: 1 })).message, "AgentManager.report() argument 'stats' must be bool, not int");
});

test('a wrong value is a builtins ValueError', () => {
  assert.deepEqual(
    failure(() => startArgs({ target: '' })),
    {
      className: 'ValueError',
      module: 'builtins',
      message: "AgentManager.start() argument 'target' must not be empty",
    },
  );
  assert.match(failure(() => stopArgs({ target: 'x'.repeat(256) })).message, /at most 255 characters/);
});

test('unknown and missing keyword arguments are TypeErrors too (should the dispatcher let them through)', () => {
  assert.equal(failure(() => checkArguments('ping', { x: 1 })).message, "AgentManager.ping() got an unexpected keyword argument 'x'");
  assert.equal(failure(() => startArgs({})).message, "AgentManager.start() missing 1 required positional argument: 'target'");
});
