export { SPDK_APPS, type SpdkApp } from './apps.js';
export {
  detectSpdk,
  binaryFor,
  executableProblem,
  type DetectOptions,
  type SpdkInstallation,
  type AppLocation,
  type ExplicitBinary,
  type InstallSource,
} from './detect.js';
export { readTreeVersion, parseVersionHeader, parseVersionFile, versionText, type SpdkVersionInfo } from './tree-version.js';
