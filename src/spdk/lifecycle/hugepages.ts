/**
 * Hugepages: what the machine has (`/proc/meminfo`, hugetlbfs mounts in `/proc/mounts`), what a
 * target needs (its `-s`, nothing with `--no-huge`), and what to do when it is short.
 *
 * Without hugepages DPDK fails deep inside start-up with EAL messages an operator has to decode
 * (contract §5.7). Checking before the spawn turns that into one error that says what is missing
 * and the two ways out. When the config allows it (`spdk.hugepages.allocate`), the agent reserves
 * the pages itself: through SPDK's `scripts/setup.sh` (`HUGEMEM`/`NRHUGE`, run directly, no shell),
 * or by writing `/proc/sys/vm/nr_hugepages`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { getLogger } from '../../util/log.js';
import { errorMessage } from '../../util/errors.js';
import { HugepageInfoError, HugepagesError } from './errors.js';
import type { MemoryRequest } from './command-line.js';

const log = getLogger('spdk.hugepages');

export interface HugepagePaths {
  meminfo: string;
  mounts: string;
  /** Written when allocating without setup.sh. */
  nrHugepages: string;
}

export const DEFAULT_HUGEPAGE_PATHS: HugepagePaths = {
  meminfo: '/proc/meminfo',
  mounts: '/proc/mounts',
  nrHugepages: '/proc/sys/vm/nr_hugepages',
};

export interface HugepageInfo {
  pageSizeKb: number;
  total: number;
  free: number;
  /** Reserved by a mapping but not yet faulted in: counted in `free`, not available. */
  reserved: number;
  surplus: number;
  /** Pages a new process can take: free − reserved. */
  available: number;
  /** hugetlbfs mount points; null when the mounts file could not be read. */
  mounts: string[] | null;
}

export function parseMeminfo(text: string): Omit<HugepageInfo, 'mounts'> | undefined {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_()]+):\s+(\d+)/.exec(line);
    if (m) fields.set(m[1]!, Number(m[2]));
  }
  const pageSizeKb = fields.get('Hugepagesize');
  const total = fields.get('HugePages_Total');
  const free = fields.get('HugePages_Free');
  if (pageSizeKb === undefined || total === undefined || free === undefined || pageSizeKb <= 0) return undefined;
  const reserved = fields.get('HugePages_Rsvd') ?? 0;
  const surplus = fields.get('HugePages_Surp') ?? 0;
  return { pageSizeKb, total, free, reserved, surplus, available: Math.max(0, free - reserved) };
}

/** hugetlbfs mount points from `/proc/mounts` (octal escapes such as `\040` decoded). */
export function parseHugetlbfsMounts(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length >= 3 && f[2] === 'hugetlbfs')
    .map((f) => f[1]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export async function readHugepageInfo(paths: HugepagePaths = DEFAULT_HUGEPAGE_PATHS): Promise<HugepageInfo> {
  let text: string;
  try {
    text = await readFile(paths.meminfo, 'utf8');
  } catch (err) {
    throw new HugepageInfoError(`cannot read ${paths.meminfo}: ${errorMessage(err)}`, paths.meminfo, err);
  }
  const parsed = parseMeminfo(text);
  if (!parsed) throw new HugepageInfoError(`${paths.meminfo} has no HugePages_Total/HugePages_Free/Hugepagesize lines`, paths.meminfo);
  let mounts: string[] | null;
  try {
    mounts = parseHugetlbfsMounts(await readFile(paths.mounts, 'utf8'));
  } catch {
    mounts = null;
  }
  return { ...parsed, mounts };
}

/** How many MB of hugepages a target will take: its `-s`, or one page when it reserves as it goes. */
export function hugepagesNeededMb(request: MemoryRequest, pageSizeKb: number): number {
  if (request.noHuge) return 0;
  return request.memSizeMb ?? Math.ceil(pageSizeKb / 1024);
}

export interface HugepagePlan {
  neededMb: number;
  neededPages: number;
  availableMb: number;
  shortPages: number;
  /** The `nr_hugepages` that would cover the need, keeping every page already in use. */
  targetTotal: number;
}

export function planHugepages(info: HugepageInfo, neededMb: number): HugepagePlan {
  const pageMb = info.pageSizeKb / 1024;
  const neededPages = Math.ceil((neededMb * 1024) / info.pageSizeKb);
  const shortPages = Math.max(0, neededPages - info.available);
  return {
    neededMb,
    neededPages,
    availableMb: Math.floor(info.available * pageMb),
    shortPages,
    targetTotal: info.total + shortPages,
  };
}

export interface AllocationMethod {
  /** setup.sh of the detected SPDK; used when present and `useSetupScript` is on. */
  setupScript?: string;
  useSetupScript: boolean;
  /** Deadline for setup.sh. */
  timeoutMs?: number;
}

export interface EnsureHugepagesOptions {
  target: string;
  request: MemoryRequest;
  allocate: boolean;
  method: AllocationMethod;
  paths?: HugepagePaths;
  /** The SPDK version of the installation, when known: `--no-huge` exists from v24.01 on. */
  spdkVersion?: { major: number; minor: number; text: string };
}

export interface HugepageCheck {
  neededMb: number;
  info: HugepageInfo | undefined;
  /** What the agent did to get them, if anything. */
  allocated?: { via: 'setup.sh' | 'nr_hugepages'; total: number };
}

/**
 * Makes sure the target's hugepages are there: returns at once for `--no-huge`; allocates when
 * short and allowed; otherwise throws a `HugepagesError` naming both fixes.
 */
export async function ensureHugepages(options: EnsureHugepagesOptions): Promise<HugepageCheck> {
  const paths = options.paths ?? DEFAULT_HUGEPAGE_PATHS;
  if (options.request.noHuge) return { neededMb: 0, info: undefined };

  let info: HugepageInfo;
  try {
    info = await readHugepageInfo(paths);
  } catch (err) {
    // No hugepage support visible at all (a kernel without hugetlbfs, a container's masked /proc).
    throw hugepagesError(options, `cannot tell whether hugepages are available (${errorMessage(err)})`, undefined, 0, err);
  }
  const neededMb = hugepagesNeededMb(options.request, info.pageSizeKb);
  let plan = planHugepages(info, neededMb);
  const hasMount = options.request.hugeDir !== undefined || info.mounts === null || info.mounts.length > 0;
  if (plan.shortPages === 0 && hasMount) return { neededMb, info };

  if (!options.allocate) {
    const problem =
      plan.shortPages > 0
        ? `needs ${neededMb} MB of hugepages but only ${plan.availableMb} MB are free ` + `(${info.available} of ${info.total} pages of ${info.pageSizeKb} kB)`
        : 'no hugetlbfs file system is mounted';
    throw hugepagesError(options, problem, info, neededMb);
  }

  const via = await allocate(options, paths, plan, info);
  const after = await readHugepageInfo(paths);
  plan = planHugepages(after, neededMb);
  const mounted = options.request.hugeDir !== undefined || after.mounts === null || after.mounts.length > 0;
  if (plan.shortPages > 0 || !mounted) {
    const problem =
      plan.shortPages > 0
        ? `needs ${neededMb} MB of hugepages; after asking ${via} for ${plan.targetTotal} pages, ` +
          `only ${plan.availableMb} MB are free (${after.available} of ${after.total} pages)`
        : `no hugetlbfs file system is mounted, even after ${via}`;
    throw hugepagesError(options, problem, after, neededMb);
  }
  log.info('hugepages allocated', { target: options.target, via, total: after.total, pageSizeKb: after.pageSizeKb });
  return { neededMb, info: after, allocated: { via, total: after.total } };
}

async function allocate(options: EnsureHugepagesOptions, paths: HugepagePaths, plan: HugepagePlan, info: HugepageInfo): Promise<'setup.sh' | 'nr_hugepages'> {
  const total = Math.max(plan.targetTotal, info.total);
  const script = options.method.useSetupScript ? options.method.setupScript : undefined;
  if (script !== undefined) {
    const hugemem = Math.ceil((total * info.pageSizeKb) / 1024);
    log.info('running setup.sh to reserve hugepages', { target: options.target, script, HUGEMEM: hugemem, NRHUGE: total });
    // No shell: the script path and the values go to execve as they are. PCI_ALLOWED=none keeps
    // setup.sh from rebinding NVMe devices to vfio-pci: the operator asked for memory, not for
    // drives to vanish from the kernel.
    // Loaded here, not with the agent: only a hugepage reservation runs a script.
    const { execa } = await import('execa');
    const result = await execa(script, ['config'], {
      env: { HUGEMEM: String(hugemem), NRHUGE: String(total), PCI_ALLOWED: 'none' },
      extendEnv: true,
      reject: false,
      timeout: options.method.timeoutMs ?? 120_000,
      stdin: 'ignore',
      all: true,
    });
    if (result.failed) {
      const output = String(result.all ?? '')
        .trim()
        .split('\n')
        .slice(-5)
        .join(' | ');
      throw hugepagesError(
        options,
        `${script} could not reserve ${total} hugepages (${result.timedOut ? 'timed out' : `exit code ${result.exitCode ?? result.signal}`}` +
          `${output ? `: ${output}` : ''})`,
        info,
        plan.neededMb,
      );
    }
    return 'setup.sh';
  }
  log.info('writing nr_hugepages to reserve hugepages', { target: options.target, file: paths.nrHugepages, total });
  try {
    await writeFile(paths.nrHugepages, `${total}\n`);
  } catch (err) {
    throw hugepagesError(options, `cannot write ${paths.nrHugepages} (${errorMessage(err)})`, info, plan.neededMb, err);
  }
  return 'nr_hugepages';
}

function hugepagesError(options: EnsureHugepagesOptions, problem: string, info: HugepageInfo | undefined, neededMb: number, cause?: unknown): HugepagesError {
  const pageSizeKb = info?.pageSizeKb ?? 2048;
  const plan = info ? planHugepages(info, neededMb) : undefined;
  const total = plan ? Math.max(plan.targetTotal, info!.total) : Math.ceil((Math.max(neededMb, 1) * 1024) / pageSizeKb);
  const hugemem = Math.ceil((total * pageSizeKb) / 1024);
  const script = options.method.setupScript;
  const reserve = script
    ? `reserve hugepages as root: sudo HUGEMEM=${hugemem} ${script}` +
      ` (or: echo ${total} | sudo tee /proc/sys/vm/nr_hugepages, and mount hugetlbfs),` +
      ' or let the agent do it with spdk.hugepages.allocate: true'
    : `reserve hugepages as root: echo ${total} | sudo tee /proc/sys/vm/nr_hugepages` +
      ' and mount hugetlbfs (sudo mount -t hugetlbfs nodev /mnt/huge),' +
      ' or let the agent do it with spdk.hugepages.allocate: true';
  const memMb = options.request.memSizeMb ?? 512;
  const version = options.spdkVersion;
  const tooOld = version !== undefined && version.major * 100 + version.minor < 2401;
  const noHuge =
    `run the target without hugepages: add "--no-huge", "-s", "${memMb}" to its args (it then takes ${memMb} MB of ordinary memory)` +
    (tooOld ? `; --no-huge needs SPDK v24.01 or later, this is ${version.text}` : '');
  return new HugepagesError({
    target: options.target,
    problem,
    fixes: [reserve, noHuge],
    neededMb,
    freeMb: plan?.availableMb,
    pageSizeKb: info?.pageSizeKb,
    cause,
  });
}
