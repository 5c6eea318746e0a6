/**
 * The argument vector an SPDK app is started with, built from the target's config, and what that
 * vector means for memory (how many MB of hugepages it will want, or none with `--no-huge`).
 *
 * The config's own members come first, the operator's extra `args` last: SPDK's getopt lets the
 * last occurrence of an option win, so an `args: ["-s", "1024"]` overrides `memSizeMb` exactly as
 * it would on a command line, and the memory reading below follows the same rule.
 */
import { TargetNotStartableError } from './errors.js';
import type { TargetSpec } from './types.js';

const APPS_WITH_VHOST_DIR = new Set(['vhost', 'spdk_tgt']);

export function buildCommandLine(spec: TargetSpec): string[] {
  if (spec.socket === undefined) {
    throw new TargetNotStartableError({
      target: spec.name,
      detail: `it is reached through ${spec.tcp ?? 'a remote address'}; only a target with a Unix socket can be started`,
    });
  }
  const args = ['-r', spec.socket];
  if (spec.cpumask !== undefined) args.push('-m', spec.cpumask);
  if (spec.memSizeMb !== undefined) args.push('-s', String(spec.memSizeMb));
  if (spec.jsonConfig !== undefined) args.push('-c', spec.jsonConfig);
  if (spec.vhostSocketDir !== undefined) {
    if (!APPS_WITH_VHOST_DIR.has(spec.app)) {
      throw new TargetNotStartableError({
        target: spec.name,
        detail: `vhostSocketDir (-S) is an option of vhost and spdk_tgt only, not of ${spec.app}`,
      });
    }
    args.push('-S', spec.vhostSocketDir);
  }
  args.push(...(spec.args ?? []));
  return args;
}

export interface MemoryRequest {
  /** `--no-huge`: the app takes ordinary memory and needs no hugepages. */
  noHuge: boolean;
  /** The `-s`/`--mem-size` in MB, when given (the last one wins, as in SPDK). */
  memSizeMb: number | undefined;
  /** `--huge-dir`: the app uses this hugetlbfs mount. */
  hugeDir: string | undefined;
  /** `--wait-for-rpc`: the app stays in STARTUP until `framework_start_init`. */
  waitForRpc: boolean;
}

/** Reads the memory-related options from a full argument vector (as `buildCommandLine` returns). */
export function memoryRequest(args: readonly string[]): MemoryRequest {
  const request: MemoryRequest = { noHuge: false, memSizeMb: undefined, hugeDir: undefined, waitForRpc: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (long: string, short?: string): string | undefined => {
      if (arg === long || (short !== undefined && arg === short)) return args[++i];
      if (arg.startsWith(`${long}=`)) return arg.slice(long.length + 1);
      if (short !== undefined && arg.startsWith(short) && !arg.startsWith('--') && arg.length > short.length) {
        return arg.slice(short.length);
      }
      return undefined;
    };
    if (arg === '--no-huge') request.noHuge = true;
    else if (arg === '--wait-for-rpc') request.waitForRpc = true;
    else {
      const size = value('--mem-size', '-s');
      if (size !== undefined) {
        request.memSizeMb = parseMemSize(size);
        continue;
      }
      const dir = value('--huge-dir');
      if (dir !== undefined) request.hugeDir = dir;
    }
  }
  return request;
}

/**
 * SPDK's `-s` value: MB by default, or with a unit (`512M`, `1G`, `1024k`); rounded up to whole MB.
 * Undefined for what SPDK would refuse anyway (it then fails with its own message).
 */
export function parseMemSize(text: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)[bB]?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]!.toLowerCase()) {
    case 'k':
      return Math.ceil(n / 1024);
    case 'g':
      return n * 1024;
    default:
      return n;
  }
}
