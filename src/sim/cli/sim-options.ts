/**
 * The simulator's own options. They all start with `--sim-` (SPDK has no such option), so they can
 * sit among SPDK's options on one command line; `--app` and `--emulate-version` are accepted too
 * (the spelling of the original issue). They can also come from the environment, because a target
 * the agent starts gets its command line from the agent's config:
 *   SPDK_SIM_OPTS     more `--sim-…` options, shell-quoted (read first; the command line wins)
 *   SPDK_SIM_FAULTS   faults, comma/space separated (same as repeated --sim-fault)
 *   SPDK_SIM_MEMINFO  the meminfo file to read instead of /proc/meminfo
 */
import { SimOptionError } from '../errors.js';
import { isAppName, type AppName } from './apps.js';
import { parseFault, parseFaultList, type Fault } from './faults.js';
import { DEFAULT_NVME_DEVICES, parseNvmeDevice, type NvmeDeviceSpec } from './nvme-devices.js';
import { shellWords } from './shell-words.js';
import { DEFAULT_VERSION, EMULATED_VERSIONS, isEmulatedVersion, type EmulatedVersion } from '../versions/version-id.js';

export const CRASH_SIGNALS = ['SIGKILL', 'SIGSEGV', 'SIGABRT', 'SIGBUS'] as const;
export type CrashSignal = (typeof CRASH_SIGNALS)[number];

export interface SimOptions {
  /** Set by --sim-app/--app; otherwise the app comes from the program name. */
  app: AppName | undefined;
  emulateVersion: EmulatedVersion;
  /** SPDK's RPC poller period; 0 answers as soon as a request is complete. */
  pollPeriodUs: number;
  nvmeDevices: NvmeDeviceSpec[];
  /** TSC ticks per second reported as tick_rate. */
  tickRate: number;
  /** Tick counter at start; default: host uptime × tick_rate, as a real TSC. */
  ticksStart: bigint | undefined;
  /** Simulated I/O per second on each bdev that is exported (namespace, vhost, LUN). */
  ioOpsPerSec: number;
  faults: Fault[];
  meminfoPath: string;
  /** How long a graceful shutdown takes after the RPC server closed (SPDK: ~150 ms idle). */
  shutdownDelayMs: number;
  /** Seed for generated UUIDs and counters; random when absent. */
  seed: number | undefined;
  /** How a simulated crash dies. */
  crashSignal: CrashSignal;
  /**
   * Stop (as on SIGTERM) when the parent process goes away, so a test runner killed halfway leaves
   * no simulator behind. Off by default: a real target outlives whoever started it.
   */
  watchParent: boolean;
}

export function defaultSimOptions(): SimOptions {
  return {
    app: undefined,
    emulateVersion: DEFAULT_VERSION,
    pollPeriodUs: 4000,
    nvmeDevices: [...DEFAULT_NVME_DEVICES],
    tickRate: 2_450_000_000,
    ticksStart: undefined,
    ioOpsPerSec: 100,
    faults: [],
    meminfoPath: '/proc/meminfo',
    shutdownDelayMs: 150,
    seed: undefined,
    crashSignal: 'SIGKILL',
    watchParent: false,
  };
}

interface SimOptionSpec {
  names: readonly string[];
  /** A flag: takes no value. */
  flag?: boolean;
  apply(options: SimOptions, value: string, source: string, state: ParseState): void;
}

interface ParseState {
  /** --sim-nvme given at least once: the defaults are replaced, not extended. */
  nvmeGiven: boolean;
}

function wholeNumber(value: string, source: string, option: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new SimOptionError(`${source}: ${option} needs a whole number, not '${value}'`, { option, value, source });
  }
  return Number(value);
}

const SIM_OPTIONS: readonly SimOptionSpec[] = [
  {
    names: ['--sim-app', '--app'],
    apply(o, value, source) {
      if (!isAppName(value)) {
        throw new SimOptionError(`${source}: --sim-app must be nvmf_tgt, vhost, iscsi_tgt or spdk_tgt, not '${value}'`, { option: '--sim-app', value, source });
      }
      o.app = value;
    },
  },
  {
    names: ['--sim-emulate-version', '--emulate-version'],
    apply(o, value, source) {
      const v = value.replace(/^v/, '');
      if (!isEmulatedVersion(v)) {
        throw new SimOptionError(`${source}: --sim-emulate-version must be one of ${EMULATED_VERSIONS.join(', ')}, not '${value}'`, {
          option: '--sim-emulate-version',
          value,
          source,
        });
      }
      o.emulateVersion = v;
    },
  },
  {
    names: ['--sim-poll-period-us'],
    apply: (o, v, s) => {
      o.pollPeriodUs = wholeNumber(v, s, '--sim-poll-period-us', 10_000_000);
    },
  },
  {
    names: ['--sim-nvme'],
    apply(o, value, source, state) {
      if (!state.nvmeGiven) o.nvmeDevices = [];
      state.nvmeGiven = true;
      if (value === 'none') return;
      const device = parseNvmeDevice(value, o.nvmeDevices.length, `${source} --sim-nvme`);
      if (o.nvmeDevices.some((d) => d.bdf === device.bdf)) {
        throw new SimOptionError(`${source}: --sim-nvme ${device.bdf} is given twice`, { option: '--sim-nvme', value, source });
      }
      o.nvmeDevices.push(device);
    },
  },
  {
    names: ['--sim-tick-rate'],
    apply(o, value, source) {
      const n = wholeNumber(value, source, '--sim-tick-rate');
      if (n < 1000) throw new SimOptionError(`${source}: --sim-tick-rate must be at least 1000`, { option: '--sim-tick-rate', value, source });
      o.tickRate = n;
    },
  },
  {
    names: ['--sim-ticks-start'],
    apply(o, value, source) {
      if (!/^\d+$/.test(value) || BigInt(value) > 0xffffffffffffffffn) {
        throw new SimOptionError(`${source}: --sim-ticks-start needs a uint64, not '${value}'`, { option: '--sim-ticks-start', value, source });
      }
      o.ticksStart = BigInt(value);
    },
  },
  {
    names: ['--sim-io-ops-per-sec'],
    apply: (o, v, s) => {
      o.ioOpsPerSec = wholeNumber(v, s, '--sim-io-ops-per-sec', 10_000_000);
    },
  },
  { names: ['--sim-fault'], apply: (o, v, s) => void o.faults.push(parseFault(v, `${s} --sim-fault`)) },
  {
    names: ['--sim-meminfo'],
    apply: (o, v) => {
      o.meminfoPath = v;
    },
  },
  {
    names: ['--sim-shutdown-delay-ms'],
    apply: (o, v, s) => {
      o.shutdownDelayMs = wholeNumber(v, s, '--sim-shutdown-delay-ms', 600_000);
    },
  },
  {
    names: ['--sim-seed'],
    apply: (o, v, s) => {
      o.seed = wholeNumber(v, s, '--sim-seed', 0xffffffff);
    },
  },
  {
    names: ['--sim-crash-signal'],
    apply(o, value, source) {
      if (!(CRASH_SIGNALS as readonly string[]).includes(value)) {
        throw new SimOptionError(`${source}: --sim-crash-signal must be one of ${CRASH_SIGNALS.join(', ')}`, { option: '--sim-crash-signal', value, source });
      }
      o.crashSignal = value as CrashSignal;
    },
  },
  {
    names: ['--sim-watch-parent'],
    flag: true,
    apply: (o) => {
      o.watchParent = true;
    },
  },
];

export const SIM_OPTION_NAMES: readonly string[] = SIM_OPTIONS.flatMap((s) => s.names);

function isSimWord(word: string): boolean {
  const name = word.split('=')[0]!;
  return name.startsWith('--sim-') || name === '--app' || name === '--emulate-version';
}

/** Takes the simulator's options out of `words`; returns the rest (SPDK's options). */
function consume(options: SimOptions, words: readonly string[], source: string, state: ParseState, simOnly: boolean): string[] {
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--') {
      rest.push(...words.slice(i));
      break;
    }
    if (!isSimWord(word)) {
      if (simOnly) {
        throw new SimOptionError(`${source}: '${word}' is not a simulator option (SPDK_SIM_OPTS takes only --sim-… options)`, { option: word, source });
      }
      rest.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    const spec = SIM_OPTIONS.find((s) => s.names.includes(name));
    if (!spec) {
      throw new SimOptionError(`${source}: unknown simulator option '${name}' (known: ${SIM_OPTION_NAMES.join(', ')})`, { option: name, source });
    }
    let value: string;
    if (spec.flag) {
      if (eq >= 0) throw new SimOptionError(`${source}: option '${name}' takes no value`, { option: name, source });
      value = '';
    } else if (eq >= 0) {
      value = word.slice(eq + 1);
    } else if (i + 1 < words.length) {
      value = words[++i]!;
    } else {
      throw new SimOptionError(`${source}: option '${name}' requires an argument`, { option: name, source });
    }
    spec.apply(options, value, source, state);
  }
  return rest;
}

export interface SplitArguments {
  sim: SimOptions;
  /** The arguments SPDK's parser sees. */
  spdkArgs: string[];
}

export function splitArguments(args: readonly string[], env: NodeJS.ProcessEnv): SplitArguments {
  const sim = defaultSimOptions();
  const state: ParseState = { nvmeGiven: false };
  if (env.SPDK_SIM_MEMINFO) sim.meminfoPath = env.SPDK_SIM_MEMINFO;
  if (env.SPDK_SIM_OPTS) consume(sim, shellWords(env.SPDK_SIM_OPTS, 'SPDK_SIM_OPTS'), 'SPDK_SIM_OPTS', state, true);
  if (env.SPDK_SIM_FAULTS) sim.faults.push(...parseFaultList(env.SPDK_SIM_FAULTS, 'SPDK_SIM_FAULTS'));
  const spdkArgs = consume(sim, args, 'command line', state, false);
  return { sim, spdkArgs };
}
