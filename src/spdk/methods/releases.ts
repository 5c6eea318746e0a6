/**
 * SPDK release numbers ("YY.MM") and how to compare them.
 *
 * Method names, parameters and result shapes changed at releases, so everything that depends on
 * the target's version speaks in these tags. Patch releases and suffixes (`24.01.1`, `26.09-pre`)
 * never changed an RPC, so only the YY.MM part matters here.
 */

/** A release as SPDK tags it, without the `v`: `"24.01"`. */
export type Release = `${number}.${string}`;

/** Every SPDK release tag (contract §7): there was no v25.01. */
export const RELEASES: readonly Release[] = [
  '17.07',
  '17.10',
  '18.01',
  '18.04',
  '18.07',
  '18.10',
  '19.01',
  '19.04',
  '19.07',
  '19.10',
  '20.01',
  '20.04',
  '20.07',
  '20.10',
  '21.01',
  '21.04',
  '21.07',
  '21.10',
  '22.01',
  '22.05',
  '22.09',
  '23.01',
  '23.05',
  '23.09',
  '24.01',
  '24.05',
  '24.09',
  '25.05',
  '25.09',
  '26.01',
  '26.05',
];

/** The first release this code knows of; nothing older speaks JSON-RPC. */
export const OLDEST_RELEASE: Release = '17.07';

function key(release: Release): number {
  const [major, minor] = release.split('.');
  return Number(major) * 100 + Number(minor);
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareReleases(a: Release, b: Release): number {
  return key(a) - key(b);
}

/** The tag of a version's YY.MM part: `releaseOf(24, 1)` is `"24.01"`. */
export function releaseOf(major: number, minor: number): Release {
  return `${major}.${String(minor).padStart(2, '0')}`;
}

/**
 * The release tagged just before `release` (for "a method added in X is absent, so the target is
 * older than X"). For a release this table does not know, the newest known one before it.
 */
export function previousRelease(release: Release): Release | undefined {
  let previous: Release | undefined;
  for (const candidate of RELEASES) {
    if (compareReleases(candidate, release) >= 0) break;
    previous = candidate;
  }
  return previous;
}

/** The newest release this table knows of. */
export function newestRelease(): Release {
  return RELEASES[RELEASES.length - 1]!;
}

// The version types live here, below version.ts and knowledge.ts, which both use them.

/** What `spdk_get_version` reports (`fields`), plus the full text. */
export interface SpdkVersion {
  major: number;
  minor: number;
  patch: number;
  /** `""`, `"-pre"`, `"-rc1"` … */
  suffix: string;
  /** The git commit, in builds from git. */
  commit?: string;
  /** The `version` string as sent: `"SPDK v24.01 git sha1 0786843e99"`. */
  text: string;
}

export interface VersionInfo {
  /** Reported by the target, or inferred from its method list (before v19.04). */
  source: 'reported' | 'inferred';
  /** What the target reported; absent when inferred. */
  reported?: SpdkVersion;
  /** The oldest and newest release the target can be; equal when reported. */
  min: Release;
  max: Release;
}
