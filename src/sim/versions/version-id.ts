/** The SPDK releases the simulator can emulate. */

export const EMULATED_VERSIONS = ['17.07', '19.04', '24.01', '24.05', '24.09', '25.05', '25.09', '26.01', '26.05'] as const;
export type EmulatedVersion = (typeof EMULATED_VERSIONS)[number];
export const DEFAULT_VERSION: EmulatedVersion = '24.01';

export function isEmulatedVersion(text: string): text is EmulatedVersion {
  return (EMULATED_VERSIONS as readonly string[]).includes(text);
}

/** `24.01` → 2401, for "since release X" comparisons. */
export function versionNumber(version: EmulatedVersion): number {
  const [yy, mm] = version.split('.');
  return Number(yy) * 100 + Number(mm);
}
