import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PythonException } from '../../../src/bus/errors.js';
import { versionIsCompatible } from '../../../src/bus/versions.js';

test("oslo's version rule: same major, minor not above, revision only compared on equal minors", () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['1.0', '1.0', true],
    ['1.0', '1.1', false],
    ['1.5', '1.1', true],
    ['1.5', '1.5', true],
    ['1.0', '2.0', false],
    ['2.0', '1.0', false],
    ['1.0', '1.0.0', true],
    ['1.0', '1.0.1', false],
    ['1.0.2', '1.0.1', true],
    ['1.1', '1.0.7', true],
    ['1.0', ' 1 .0', true],
    ['1.0', '+1.0', true],
    ['1.0', null, false],
    ['1.0', undefined, false],
  ];
  for (const [implemented, requested, expected] of cases) {
    assert.equal(versionIsCompatible(implemented, requested), expected, `${implemented} serves ${String(requested)}`);
  }
});

test('malformed versions fail as Python fails on them', () => {
  const pythonError = (requested: unknown): { className: string; message: string } => {
    try {
      versionIsCompatible('1.0', requested);
    } catch (err) {
      assert.ok(err instanceof PythonException);
      assert.equal(err.pythonModule, 'builtins');
      return { className: err.pythonClass, message: err.message };
    }
    return assert.fail(`${String(requested)} was accepted`);
  };
  assert.deepEqual(pythonError('1'), { className: 'IndexError', message: 'list index out of range' });
  assert.deepEqual(pythonError('1.a'), { className: 'ValueError', message: "invalid literal for int() with base 10: 'a'" });
  assert.deepEqual(pythonError('1.0.x'), { className: 'ValueError', message: "invalid literal for int() with base 10: 'x'" });
  assert.deepEqual(pythonError(''), { className: 'ValueError', message: "invalid literal for int() with base 10: ''" });
  assert.deepEqual(pythonError(1), { className: 'AttributeError', message: "'int' object has no attribute 'split'" });
  assert.deepEqual(pythonError(1.5), { className: 'AttributeError', message: "'float' object has no attribute 'split'" });
  assert.deepEqual(pythonError(['1', '0']), { className: 'AttributeError', message: "'list' object has no attribute 'split'" });
});

test('a revision that does not parse is ignored unless the minors are equal', () => {
  assert.equal(versionIsCompatible('1.5', '1.0.x'), true);
});
