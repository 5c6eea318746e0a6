/**
 * The SPDK version written in a tree or an installed prefix, before any target runs:
 * `include/spdk/version.h` (`SPDK_VERSION_MAJOR/MINOR/PATCH/SUFFIX`; older trees and installed
 * headers), else the `VERSION` file at the top of a source tree (`24.01.0`, `26.09.0-pre`; newer
 * trees generate version.h from it at build time).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface SpdkVersionInfo {
  major: number;
  minor: number;
  patch: number;
  /** `""`, `"-pre"`, `"-rc1"` … */
  suffix: string;
  /** As SPDK prints it: `SPDK v24.01`, `SPDK v22.01.2`, `SPDK v26.09-pre`. */
  text: string;
  /** The file it was read from. */
  file: string;
}

/** SPDK's `SPDK_VERSION_STRING` rule: two-digit minor, `.patch` only when non-zero, then the suffix. */
export function versionText(major: number, minor: number, patch: number, suffix: string): string {
  return `SPDK v${major}.${String(minor).padStart(2, '0')}${patch !== 0 ? `.${patch}` : ''}${suffix}`;
}

export function parseVersionHeader(text: string, file: string): SpdkVersionInfo | undefined {
  const define = (name: string): string | undefined => new RegExp(`^\\s*#\\s*define\\s+SPDK_VERSION_${name}\\s+(.+?)\\s*$`, 'm').exec(text)?.[1];
  const num = (name: string): number | undefined => {
    const v = define(name);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const major = num('MAJOR');
  const minor = num('MINOR');
  if (major === undefined || minor === undefined) return undefined;
  const patch = num('PATCH') ?? 0;
  const suffixRaw = define('SUFFIX');
  const suffix = suffixRaw !== undefined ? (/^"(.*)"$/.exec(suffixRaw)?.[1] ?? '') : '';
  return { major, minor, patch, suffix, text: versionText(major, minor, patch, suffix), file };
}

export function parseVersionFile(text: string, file: string): SpdkVersionInfo | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?(\S*)\s*$/.exec(text.split('\n')[0] ?? '');
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = m[3] !== undefined ? Number(m[3]) : 0;
  const suffix = m[4] ?? '';
  return { major, minor, patch, suffix, text: versionText(major, minor, patch, suffix), file };
}

/** The version of the tree or prefix at `root`, or undefined when it carries none. */
export async function readTreeVersion(root: string): Promise<SpdkVersionInfo | undefined> {
  const header = path.join(root, 'include', 'spdk', 'version.h');
  const fromHeader = await readText(header);
  const parsed = fromHeader !== undefined ? parseVersionHeader(fromHeader, header) : undefined;
  if (parsed) return parsed;
  const versionFile = path.join(root, 'VERSION');
  const fromFile = await readText(versionFile);
  return fromFile !== undefined ? parseVersionFile(fromFile, versionFile) : undefined;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
