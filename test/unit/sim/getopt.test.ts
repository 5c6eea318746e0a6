import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getoptLong, type OptionSpec } from '../../../src/sim/cli/getopt.js';
import { SimUsageError } from '../../../src/sim/errors.js';

const SPECS: OptionSpec[] = [
  { key: 'cpumask', short: 'm', long: ['cpumask'], arg: true },
  { key: 'noPci', short: 'u', long: ['no-pci'], arg: false },
  { key: 'version', short: 'v', long: ['version'], arg: false },
  { key: 'rpcSocket', short: 'r', long: ['rpc-socket'], arg: true },
  { key: 'noHuge', long: ['no-huge'], arg: false },
  { key: 'hugeDir', long: ['huge-dir'], arg: true },
];

function parse(...args: string[]): Array<[string, string | undefined]> {
  return [...getoptLong('nvmf_tgt', args, SPECS)].map((o) => [o.key, o.value]);
}

function usageError(fn: () => unknown): SimUsageError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SimUsageError, `expected SimUsageError, got ${String(err)}`);
    return err;
  }
  assert.fail('no error');
}

test('getopt: every SPDK spelling of an option with an argument', () => {
  assert.deepEqual(parse('-m', '0x1'), [['cpumask', '0x1']]);
  assert.deepEqual(parse('-m0x3'), [['cpumask', '0x3']]);
  assert.deepEqual(parse('--cpumask', '0x7'), [['cpumask', '0x7']]);
  assert.deepEqual(parse('--cpumask=0xf'), [['cpumask', '0xf']]);
  assert.deepEqual(parse('--cpum=0x2'), [['cpumask', '0x2']], 'an unambiguous prefix is accepted, as glibc does');
});

test('getopt: clusters, flags, non-option words and --', () => {
  assert.deepEqual(parse('-uv'), [
    ['noPci', undefined],
    ['version', undefined],
  ]);
  assert.deepEqual(parse('-ur', '/s'), [
    ['noPci', undefined],
    ['rpcSocket', '/s'],
  ]);
  assert.deepEqual(parse('stray', '--no-huge'), [['noHuge', undefined]]);
  assert.deepEqual(parse('--', '-m', '1'), []);
});

test("getopt: glibc's error texts", () => {
  assert.equal(usageError(() => parse('--bogus')).message, "nvmf_tgt: unrecognized option '--bogus'");
  assert.equal(usageError(() => parse('-x')).message, "nvmf_tgt: invalid option -- 'x'");
  assert.equal(usageError(() => parse('-m')).message, "nvmf_tgt: option requires an argument -- 'm'");
  assert.equal(usageError(() => parse('--cpumask')).message, "nvmf_tgt: option '--cpumask' requires an argument");
  assert.equal(usageError(() => parse('--no-huge=1')).message, "nvmf_tgt: option '--no-huge' doesn't allow an argument");
  const ambiguous = usageError(() => parse('--no')).message;
  assert.match(ambiguous, /^nvmf_tgt: option '--no' is ambiguous; possibilities: /);
  assert.ok(ambiguous.includes("'--no-pci'") && ambiguous.includes("'--no-huge'"));
  assert.ok(usageError(() => parse('--bogus')).fromGetopt);
});
