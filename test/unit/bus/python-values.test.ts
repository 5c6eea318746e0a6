import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonInt, pythonJsonDumps, pythonRepr, pythonStr, pythonTruthy, pythonTypeName } from '../../../src/bus/python-values.js';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

test('json.dumps form: separators, escapes, key order, nesting', () => {
  // Expected strings are what Python 3.11 json.dumps prints for the same values.
  assert.equal(pythonJsonDumps({ b: 1, a: [true, null, 'x'], e: {}, l: [] }), '{"b": 1, "a": [true, null, "x"], "e": {}, "l": []}');
  assert.equal(pythonJsonDumps('é✓😀'), '"\\u00e9\\u2713\\ud83d\\ude00"');
  assert.equal(pythonJsonDumps('\u0000\u001f\u007f"\\/\b\f\n\r\t'), '"\\u0000\\u001f\\u007f\\"\\\\/\\b\\f\\n\\r\\t"');
  assert.equal(pythonJsonDumps(-1.5), '-1.5');
  assert.equal(pythonJsonDumps(12345678901234567890n), '12345678901234567890');
  assert.equal(pythonJsonDumps(Number.NaN), 'NaN');
  assert.equal(pythonJsonDumps(-Infinity), '-Infinity');
});

test('like JSON.stringify: undefined members are left out, toJSON is honoured, cycles are refused', () => {
  assert.equal(pythonJsonDumps({ a: undefined, b: () => 1, c: 2 }), '{"c": 2}');
  assert.equal(pythonJsonDumps([undefined, () => 1]), '[null, null]');
  assert.equal(pythonJsonDumps({ when: new Date('2026-01-01T00:00:00Z') }), '{"when": "2026-01-01T00:00:00.000Z"}');
  const cyclic: Record<string, unknown> = {};
  cyclic.me = cyclic;
  assert.throws(() => pythonJsonDumps(cyclic), TypeError);
  assert.throws(() => pythonJsonDumps(undefined), TypeError);
  const shared = { x: 1 };
  assert.equal(pythonJsonDumps([shared, shared]), '[{"x": 1}, {"x": 1}]', 'a repeated (not cyclic) object is fine');
});

test('Python type names, truthiness, str() and repr()', () => {
  assert.deepEqual([null, true, 1, 1.5, 's', [], {}].map(pythonTypeName), ['NoneType', 'bool', 'int', 'float', 'str', 'list', 'dict']);
  assert.deepEqual([null, false, 0, '', [], {}, 'x', [0], { a: 0 }, 1].map(pythonTruthy), [false, false, false, false, false, false, true, true, true, true]);
  assert.equal(pythonStr(null), 'None');
  assert.equal(pythonStr('ping'), 'ping');
  assert.equal(pythonRepr('a'), "'a'");
  assert.equal(pythonRepr("it's"), '"it\'s"');
  assert.equal(pythonRepr({ a: [true, null] }), "{'a': [True, None]}");
});

test('Python int() of decoded values', () => {
  assert.deepEqual([2, 2.9, -2.9, '4', ' 5 ', '1_000', true, '2.5', 'x', null, [], Infinity].map(pythonInt), [
    2,
    2,
    -2,
    4,
    5,
    1000,
    1,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});

test('strings are quoted byte for byte as Python json.dumps quotes them (every ASCII and Latin-1 unit, BMP, astral, lone surrogates)', (t) => {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) {
    if (process.env.CI === 'true') assert.fail(`${python} is missing`);
    t.skip(`${python} is missing`);
    return;
  }
  const samples: string[] = [];
  for (let code = 0; code < 0x300; code++) samples.push(String.fromCharCode(code));
  samples.push('plain ascii text', 'mixed "quotes" and \\slashes\\ é€ 😀', '\ud800', 'x\udfffy', '\u2028\u2029\ufeff\uffff');
  // Passed to Python as JSON (which JSON.stringify writes with lone surrogates escaped), dumped back.
  const run = spawnSync(python, ['-c', 'import json,sys; print(json.dumps(json.load(sys.stdin)))'], { input: JSON.stringify(samples), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(pythonJsonDumps(samples), run.stdout.trimEnd());
});
