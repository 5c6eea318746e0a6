/**
 * What the kernel says about a process: CPU time (`/proc/<pid>/stat` utime + stime) and resident
 * memory (`/proc/<pid>/status` VmRSS). CPU time has the resolution of a clock tick (10 ms at the
 * usual 100 Hz), so per-call figures are taken over thousands of calls.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

let ticksPerSecond: number | null = null;

/** The kernel's clock ticks per second (USER_HZ), from `getconf CLK_TCK`; 100 if that fails. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of `pid` so far, in ms. Throws if the process is gone. */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicksPerSecond();
}

/** Resident set size of `pid`, in MB (VmRSS). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** Peak resident set size of `pid`, in MB (VmHWM). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** A CPU-time meter over a set of processes: `start()`, run the load, `stop()` → ms of CPU each. */
export class CpuMeter {
  private readonly before = new Map<number, number>();
  private wallStart = 0;

  constructor(private readonly pids: number[]) {}

  start(): void {
    this.wallStart = performance.now();
    for (const pid of this.pids) this.before.set(pid, cpuTimeMs(pid));
  }

  /** CPU ms used by each pid since `start()`, and the wall-clock ms elapsed. */
  stop(): { cpuMs: Map<number, number>; wallMs: number } {
    const wallMs = performance.now() - this.wallStart;
    const cpuMs = new Map<number, number>();
    for (const pid of this.pids) cpuMs.set(pid, cpuTimeMs(pid) - (this.before.get(pid) ?? 0));
    return { cpuMs, wallMs };
  }
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/** Pids whose command name (`/proc/<pid>/comm`) is `name`, e.g. the broker's `beam.smp`. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** CPU ms of several pids together (those that have gone count as 0). */
export function totalCpuTimeMs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuTimeMs(pid);
    } catch {
      // Exited.
    }
  }
  return total;
}
