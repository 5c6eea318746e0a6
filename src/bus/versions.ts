/**
 * oslo.messaging's version rule (`_utils.version_is_compatible`), used for RPC versions, for the
 * client's version cap and for the envelope version:
 * - the major versions must be equal;
 * - the requested minor must be ≤ the implemented minor;
 * - a third component is compared only when the minors are equal.
 *
 * Malformed versions fail the way Python fails on them (an `int()` ValueError, an IndexError for
 * a version without a minor, an AttributeError for a non-string), so a Python caller gets the same
 * failure from us as from a Python server.
 */
import { BUILTINS_MODULE, PythonException } from './errors.js';
import { pythonIntOfString, pythonRepr, pythonTypeName } from './python-values.js';

/**
 * True when an endpoint at version `implemented` serves `requested`. `null` requested is never
 * compatible (Python: `version is None`). Throws `PythonException` where Python raises.
 */
export function versionIsCompatible(implemented: string, requested: unknown): boolean {
  if (requested === null || requested === undefined) return false;
  if (typeof requested !== 'string') {
    throw pythonError('AttributeError', `'${pythonTypeName(requested)}' object has no attribute 'split'`);
  }
  const want = requested.split('.');
  const have = implemented.split('.');
  const wantRev = want[2] ?? '0';
  const haveRev = have[2] ?? '0';

  if (toInt(want[0]!) !== toInt(have[0]!)) return false;
  if (want[1] === undefined || have[1] === undefined) throw pythonError('IndexError', 'list index out of range');
  const wantMinor = toInt(want[1]);
  const haveMinor = toInt(have[1]);
  if (wantMinor > haveMinor) return false;
  if (wantMinor === haveMinor && toInt(wantRev) > toInt(haveRev)) return false;
  return true;
}

function toInt(part: string): number {
  const value = pythonIntOfString(part);
  if (value === undefined) throw pythonError('ValueError', `invalid literal for int() with base 10: ${pythonRepr(part)}`);
  return value;
}

function pythonError(className: string, message: string): PythonException {
  return new PythonException({ className, module: BUILTINS_MODULE, message });
}
