/**
 * Where SPDK is on this machine: the apps (`nvmf_tgt`, `vhost`, `iscsi_tgt`, `spdk_tgt`), the
 * scripts (`setup.sh`, `rpc.py` / packaged `spdk-rpc`) and the version written in the tree.
 *
 * Places are looked at in the order an operator means them (contract §5.1):
 *   1. a target's explicit `binary`;
 *   2. the source tree `spdk.sourceDir` (Cyborg's `spdk_dir`): `build/bin/<app>` (v20.07+), then the
 *      old layout `app/<app>/<app>`;
 *   3. the installed prefix `spdk.prefix`: `<prefix>/bin/<app>`;
 *   4. `PATH`, when `spdk.searchPath` is on.
 * The first hit per app wins. "Not installed" is an answer like any other (`installed: false` and
 * every place looked at): a node without SPDK reports no SPDK resources; it does not crash.
 */
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { SPDK_APPS, type SpdkApp } from './apps.js';
import { readTreeVersion, type SpdkVersionInfo } from './tree-version.js';

export type InstallSource = 'binary' | 'source-tree' | 'source-tree-legacy' | 'prefix' | 'PATH';

export interface AppLocation {
  app: SpdkApp;
  path: string;
  source: InstallSource;
}

export interface DetectOptions {
  /** A source tree (Cyborg's `spdk_dir`). */
  sourceDir?: string;
  /** An installed prefix (`make install`'s `$(prefix)`, /usr/local by default there). */
  prefix?: string;
  /** Also look on PATH. Default true. */
  searchPath?: boolean;
  /** PATH to search; default `process.env.PATH`. */
  pathEnv?: string;
  /** Targets with an explicit `binary`. */
  targets?: ReadonlyArray<{ name: string; app: SpdkApp; binary?: string }>;
}

export interface ExplicitBinary {
  target: string;
  app: SpdkApp;
  /** As configured: a path, or a bare command name looked up on PATH. */
  configured: string;
  /** The file it names (the PATH hit for a bare name). */
  path: string;
  usable: boolean;
  /** Why it cannot be used (missing, not executable, a directory). */
  problem?: string;
}

export interface SpdkInstallation {
  /** At least one app was found (in a tree, a prefix, on PATH or as a target's explicit binary). */
  installed: boolean;
  /** The first location found per app. */
  apps: Partial<Record<SpdkApp, AppLocation>>;
  /** Per target with an explicit `binary`. */
  explicitBinaries: ExplicitBinary[];
  /** The source tree apps were found in, when one was. */
  sourceDir?: string;
  /** The prefix apps were found in (a PATH hit `<p>/bin/<app>` counts as prefix `<p>`). */
  prefix?: string;
  /** From the tree or the prefix's installed header; a running target says more (`spdk_get_version`). */
  version?: SpdkVersionInfo;
  /** `scripts/setup.sh` of the tree (or `<prefix>/share/spdk/scripts/setup.sh`). */
  setupScript?: string;
  /** `scripts/rpc.py` of the tree, or the packaged `spdk-rpc` (`spdk_rpc` before v25.05). */
  rpcScript?: string;
  /** Every place looked at, in order, for a "not installed" answer an operator can check. */
  searched: string[];
  /** Configured places that do not exist or are not what they claim. */
  problems: string[];
}

export async function detectSpdk(options: DetectOptions = {}): Promise<SpdkInstallation> {
  const searched: string[] = [];
  const problems: string[] = [];
  const apps: Partial<Record<SpdkApp, AppLocation>> = {};
  const found = (app: SpdkApp, location: AppLocation): void => {
    if (apps[app] === undefined) apps[app] = location;
  };

  const pathDirs =
    options.searchPath === false ? [] : (options.pathEnv ?? process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '' && path.isAbsolute(d));

  const explicitBinaries: ExplicitBinary[] = [];
  for (const target of options.targets ?? []) {
    if (target.binary === undefined) continue;
    const resolved = await resolveExplicitBinary(target.binary, options.pathEnv ?? process.env.PATH ?? '');
    searched.push(...resolved.searched);
    const problem = resolved.path === undefined ? 'was not found' : await executableProblem(resolved.path);
    explicitBinaries.push({
      target: target.name,
      app: target.app,
      configured: target.binary,
      path: resolved.path ?? target.binary,
      usable: problem === undefined,
      ...(problem ? { problem } : {}),
    });
    if (problem) problems.push(`target ${target.name}: binary ${target.binary} ${problem}`);
  }

  let sourceDir: string | undefined;
  if (options.sourceDir !== undefined) {
    if (!(await isDirectory(options.sourceDir))) problems.push(`spdk.sourceDir ${options.sourceDir} is not a directory`);
    for (const app of SPDK_APPS) {
      const modern = path.join(options.sourceDir, 'build', 'bin', app);
      const legacy = path.join(options.sourceDir, 'app', app, app);
      searched.push(modern, legacy);
      if ((await executableProblem(modern)) === undefined) found(app, { app, path: modern, source: 'source-tree' });
      else if ((await executableProblem(legacy)) === undefined) found(app, { app, path: legacy, source: 'source-tree-legacy' });
      if (apps[app]?.source.startsWith('source-tree')) sourceDir = options.sourceDir;
    }
  }

  let prefix: string | undefined;
  if (options.prefix !== undefined) {
    if (!(await isDirectory(options.prefix))) problems.push(`spdk.prefix ${options.prefix} is not a directory`);
    for (const app of SPDK_APPS) {
      const candidate = path.join(options.prefix, 'bin', app);
      searched.push(candidate);
      if ((await executableProblem(candidate)) === undefined) {
        found(app, { app, path: candidate, source: 'prefix' });
        prefix ??= options.prefix;
      }
    }
  }

  for (const app of SPDK_APPS) {
    if (apps[app] !== undefined) continue;
    for (const dir of pathDirs) {
      const candidate = path.join(dir, app);
      searched.push(candidate);
      if ((await executableProblem(candidate)) === undefined) {
        apps[app] = { app, path: candidate, source: 'PATH' };
        if (sourceDir === undefined && path.basename(dir) === 'bin') prefix ??= path.dirname(dir);
        break;
      }
    }
  }

  // A configured tree tells its version and holds its scripts even when no app is built yet.
  let version: SpdkVersionInfo | undefined;
  for (const root of [options.sourceDir, prefix]) {
    if (root !== undefined && version === undefined) version = await readTreeVersion(root);
  }

  const scriptRoots = options.sourceDir !== undefined ? [options.sourceDir] : [];
  const setupScript =
    (await firstExecutable(scriptRoots.map((d) => path.join(d, 'scripts', 'setup.sh')))) ??
    (prefix !== undefined ? await firstExecutable([path.join(prefix, 'share', 'spdk', 'scripts', 'setup.sh')]) : undefined);
  const rpcScript =
    (await firstExecutable(scriptRoots.map((d) => path.join(d, 'scripts', 'rpc.py')))) ??
    (await firstExecutable(
      [prefix !== undefined ? path.join(prefix, 'bin') : undefined, ...pathDirs]
        .filter((d): d is string => d !== undefined)
        .flatMap((d) => [path.join(d, 'spdk-rpc'), path.join(d, 'spdk_rpc')]),
    ));

  const installed = Object.keys(apps).length > 0 || explicitBinaries.some((b) => b.usable);
  return {
    installed,
    apps,
    explicitBinaries,
    ...(sourceDir !== undefined ? { sourceDir } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(setupScript !== undefined ? { setupScript } : {}),
    ...(rpcScript !== undefined ? { rpcScript } : {}),
    searched,
    problems,
  };
}

/**
 * The binary a target runs: its explicit `binary` when usable, else the detected app. Undefined
 * when neither exists; `searched` then says where the agent looked.
 */
export function binaryFor(installation: SpdkInstallation, target: { name: string; app: SpdkApp; binary?: string }): string | undefined {
  if (target.binary !== undefined) {
    const explicit = installation.explicitBinaries.find((b) => b.target === target.name && b.configured === target.binary);
    // Detection may have run without this target: the binary is then used as configured and a
    // problem with it shows as the spawn's own error.
    if (explicit === undefined) return target.binary;
    return explicit.usable ? explicit.path : undefined;
  }
  return installation.apps[target.app]?.path;
}

/** Why `file` cannot be executed, or undefined when it can (symlinks followed). */
export async function executableProblem(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return 'is not a regular file';
    await access(file, constants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    if (code === 'EACCES') return 'is not executable';
    return `cannot be checked (${code ?? String(err)})`;
  }
}

/** A configured binary: a path (relative ones against the cwd), or a bare name looked up on PATH. */
async function resolveExplicitBinary(binary: string, pathEnv: string): Promise<{ path: string | undefined; searched: string[] }> {
  if (binary.includes('/')) return { path: path.resolve(binary), searched: [binary] };
  const candidates = pathEnv
    .split(path.delimiter)
    .filter((d) => d !== '' && path.isAbsolute(d))
    .map((d) => path.join(d, binary));
  return { path: await firstExecutable(candidates), searched: candidates };
}

async function firstExecutable(candidates: readonly string[]): Promise<string | undefined> {
  for (const c of candidates) if ((await executableProblem(c)) === undefined) return c;
  return undefined;
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
