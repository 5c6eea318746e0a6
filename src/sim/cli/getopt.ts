/**
 * glibc `getopt_long` as SPDK's apps use it: short options (`-m 0x1`, `-m0x1`, clusters `-uv`),
 * long options (`--cpumask 0x1`, `--cpumask=0x1`, unambiguous prefixes `--cpum`), `--` to stop,
 * non-option words permuted away (SPDK ignores them), and glibc's exact error texts.
 */
import { SimUsageError } from '../errors.js';

export interface OptionSpec {
  /** Canonical key the parsed value is stored under. */
  key: string;
  short?: string;
  long?: string[];
  /** Takes an argument. */
  arg: boolean;
}

export interface ParsedOption {
  key: string;
  /** How it was written, for messages (`-s`, `--mem-size`). */
  spelling: string;
  value?: string;
}

/**
 * Yields options one at a time, like the `getopt_long` loop SPDK runs: an error after `-h` is never
 * reached, because SPDK stops at `-h`.
 */
export function* getoptLong(program: string, args: readonly string[], specs: readonly OptionSpec[]): Generator<ParsedOption> {
  const byShort = new Map<string, OptionSpec>();
  const byLong = new Map<string, OptionSpec>();
  for (const spec of specs) {
    if (spec.short) byShort.set(spec.short, spec);
    for (const name of spec.long ?? []) byLong.set(name, spec);
  }
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') break;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
      const spec = findLong(program, name, byLong);
      if (spec.arg) {
        if (eq >= 0) {
          yield { key: spec.key, spelling: `--${name}`, value: word.slice(eq + 1) };
        } else if (i + 1 < args.length) {
          yield { key: spec.key, spelling: `--${name}`, value: args[++i]! };
        } else {
          throw usage(`${program}: option '--${longName(spec, name)}' requires an argument`, name);
        }
      } else {
        if (eq >= 0) throw usage(`${program}: option '--${longName(spec, name)}' doesn't allow an argument`, name);
        yield { key: spec.key, spelling: `--${name}` };
      }
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        const letter = word[j]!;
        const spec = byShort.get(letter);
        if (!spec) throw usage(`${program}: invalid option -- '${letter}'`, `-${letter}`);
        if (!spec.arg) {
          yield { key: spec.key, spelling: `-${letter}` };
          continue;
        }
        if (j + 1 < word.length) {
          yield { key: spec.key, spelling: `-${letter}`, value: word.slice(j + 1) };
        } else if (i + 1 < args.length) {
          yield { key: spec.key, spelling: `-${letter}`, value: args[++i]! };
        } else {
          throw usage(`${program}: option requires an argument -- '${letter}'`, `-${letter}`);
        }
        break;
      }
    }
    // A non-option word: glibc permutes it to the end and SPDK never looks at it.
  }
}

function longName(spec: OptionSpec, written: string): string {
  return spec.long?.find((n) => n === written) ?? spec.long?.find((n) => n.startsWith(written)) ?? written;
}

function findLong(program: string, name: string, byLong: Map<string, OptionSpec>): OptionSpec {
  const exact = byLong.get(name);
  if (exact) return exact;
  const candidates = [...byLong.entries()].filter(([long]) => long.startsWith(name));
  const distinct = new Set(candidates.map(([, spec]) => spec));
  if (name !== '' && distinct.size === 1) return candidates[0]![1];
  if (name !== '' && distinct.size > 1) {
    const possibilities = candidates.map(([long]) => `'--${long}'`).join(' ');
    throw usage(`${program}: option '--${name}' is ambiguous; possibilities: ${possibilities}`, `--${name}`);
  }
  throw usage(`${program}: unrecognized option '--${name}'`, `--${name}`);
}

function usage(line: string, option: string): SimUsageError {
  return new SimUsageError(line, { lines: [line], option, fromGetopt: true });
}
