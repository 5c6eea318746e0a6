/**
 * What can stop an SPDK app before its RPC server exists (contract §5.7), as SPDK and DPDK print
 * it: a core mask DPDK rejects, --no-huge without -s, hugepage shortage, a core lock held by another
 * process, an unsupported DPDK, plus the refusals fault injection asks for. Returns the lines to
 * print (after the banner) or null when start-up may go on.
 */
import { cpus } from 'node:os';
import { parseCpumask, type SpdkCommandLine } from '../cli/spdk-options.js';
import type { StartRefusal } from '../cli/faults.js';
import type { VersionProfile } from '../versions/profile.js';
import { checkHugepages, readHugepageInfo } from './hugepages.js';
import { SITES, type SpdkLog } from './spdk-log.js';

export interface EnvCheckInput {
  cl: SpdkCommandLine;
  profile: VersionProfile;
  meminfoPath: string;
  refusal: StartRefusal | undefined;
}

export type EnvCheck = { ok: true; cores: number[] } | { ok: false; print(log: SpdkLog): void; reason: string };

function envFailure(reason: string, plain: string[]): EnvCheck {
  return {
    ok: false,
    reason,
    print(log) {
      for (const line of plain) log.plain(line);
      log.error(SITES.envInit, 'Failed to initialize DPDK');
      if (typeof process.getuid === 'function' && process.getuid() !== 0) log.error(SITES.envInitRoot, 'You may need to run as root');
      log.error(SITES.appStart, 'Unable to initialize SPDK env');
    },
  };
}

export function checkEnvironment(input: EnvCheckInput): EnvCheck {
  const { cl, profile, refusal } = input;
  const cores = parseCpumask(cl.cpumask);
  if (cores === null) return envFailure('bad cpumask', [`EAL: invalid coremask syntax`, "EAL: Invalid 'command line' arguments."]);
  const available = cpus().length;
  const missing = cores.find((c) => c >= available);
  if (missing !== undefined) {
    return envFailure('core not available', [`EAL: lcore ${missing} unavailable`, 'EAL: invalid coremask', "EAL: Invalid 'command line' arguments."]);
  }
  if (cl.iovaMode !== undefined && cl.iovaMode !== 'pa' && cl.iovaMode !== 'va') {
    return envFailure('bad iova mode', ['EAL: invalid parameters for --iova-mode', "EAL: Invalid 'command line' arguments."]);
  }
  if (cl.noHuge) {
    if (cl.memSizeMb === undefined) {
      return envFailure('no-huge without -s', ['Disabling hugepages requires specifying how much memory will be allocated using -s parameter']);
    }
    if (cl.hugeDir !== undefined || cl.singleFileSegments || cl.hugeUnlink)
      return envFailure('no-huge conflict', ['--no-huge invalid with other hugepage options']);
    if (cl.iovaMode === 'pa') return envFailure('no-huge with iova pa', ['iova-mode=pa is incompatible with specified no-huge parameter']);
  }
  if (refusal === 'dpdk-version') {
    return {
      ok: false,
      reason: 'unsupported DPDK',
      print(log) {
        log.error({ file: 'pci_dpdk.c', line: 63, func: 'dpdk_pci_init' }, 'DPDK version 21.08.0 is not supported.');
        log.error(SITES.envInit, 'Failed to initialize DPDK');
        log.error(SITES.appStart, 'Unable to initialize SPDK env');
      },
    };
  }
  if (!cl.noHuge || refusal === 'no-hugepages') {
    const verdict =
      refusal === 'no-hugepages'
        ? checkHugepages(null, cl.memSizeMb, profile.modernEal)
        : checkHugepages(readHugepageInfo(input.meminfoPath), cl.memSizeMb, profile.modernEal);
    if (!verdict.ok) return envFailure('hugepages', verdict.lines);
  }
  if (refusal === 'core-locked' && !cl.disableCpumaskLocks) {
    const owner = process.ppid;
    return {
      ok: false,
      reason: 'core lock taken',
      print(log) {
        log.error(SITES.claimCpuCores, `Cannot create lock on core ${cores[0]}, probably process ${owner} has claimed it.`);
        log.error(SITES.appClaimCores, 'Unable to acquire lock on assigned core mask - exiting.');
      },
    };
  }
  return { ok: true, cores };
}
