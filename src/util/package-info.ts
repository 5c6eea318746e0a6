/**
 * Where the installed package is, and its version. Found by walking up from this module to the
 * directory whose package.json names the package, not by a fixed number of `..`: the code runs
 * both from dist/src/ (tests, `node dist/...`) and from the CLI's bundle in dist/cli/ (bin/), at
 * different depths.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'spdk-agent';

interface PackageInfo {
  root: string;
  version: string;
}

let cached: PackageInfo | undefined;

/** The package's root directory (package.json, bin/, deploy/, dist/). */
export function packageRoot(): string {
  return packageInfo().root;
}

/** package.json's version, or `unknown (why)` when it cannot be read. */
export function packageVersion(): string {
  return packageInfo().version;
}

function packageInfo(): PackageInfo {
  if (cached) return cached;
  const start = path.dirname(fileURLToPath(import.meta.url));
  let problem = `no package.json naming ${PACKAGE_NAME} above ${start}`;
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = readPackageJson(path.join(dir, 'package.json'));
    if (pkg instanceof Error) problem = pkg.message;
    else if (pkg && pkg.name === PACKAGE_NAME) {
      cached = { root: dir, version: typeof pkg.version === 'string' ? pkg.version : 'unknown' };
      return cached;
    }
    if (path.dirname(dir) === dir) break;
  }
  // Three levels up from dist/src/util/ is where it would be; say why the version is unknown.
  cached = { root: path.resolve(start, '..', '..', '..'), version: `unknown (${problem})` };
  return cached;
}

function readPackageJson(file: string): { name?: unknown; version?: unknown } | Error | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as { name?: unknown; version?: unknown };
  } catch (err) {
    return new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
