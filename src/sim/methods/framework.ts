/**
 * Framework methods (lib/rpc, lib/init, lib/event/app_rpc.c): version, method lists, init and
 * state, kill, subsystems and their config, reactors and threads.
 */
import { cpus } from 'node:os';
import { RawJson, toJson } from '../json/json-writer.js';
import { bool, opt, req, str, u32, type Schema } from '../rpc/decode.js';
import { NO_REPLY, STARTUP, type MethodTable } from '../rpc/method-table.js';
import { invalidParams, JsonRpcCode, RpcFailure } from '../rpc/rpc-failure.js';
import type { ConfigEntry } from '../state/bdev.js';
import { Threads } from '../state/threads.js';
import type { Target } from '../target.js';
import { applyOptions, decodeOr, requireNoParams, type MethodMap } from './common.js';

/**
 * v24.05+: the core's `irq`, `sys` and `usr` times from /proc/stat in clock ticks (USER_HZ, 100 per
 * second), as SPDK's `app_get_proc_stat` reads them; Node's `os.cpus()` gives the same in ms.
 */
function procStatTicks(core: number): { irq: bigint; sys: bigint; usr: bigint } {
  const times = cpus()[core]?.times;
  const ticks = (ms: number | undefined): bigint => BigInt(Math.floor((ms ?? 0) / 10));
  return { irq: ticks(times?.irq), sys: ticks(times?.sys), usr: ticks(times?.user) };
}

export interface SubsystemInfo {
  name: string;
  dependsOn: string[];
  /** Its `framework_get_config` entries; null when the subsystem cannot dump a config. */
  config(): ConfigEntry[] | null;
}

/** Signals `spdk_kill_instance` accepts, by name and by number (numbers until v26.05). */
const SIGNALS: Readonly<Record<string, string>> = {
  SIGINT: 'SIGINT',
  SIGTERM: 'SIGTERM',
  SIGQUIT: 'SIGQUIT',
  SIGHUP: 'SIGHUP',
  SIGKILL: 'SIGKILL',
  SIGUSR1: 'SIGUSR1',
  '2': 'SIGINT',
  '15': 'SIGTERM',
  '3': 'SIGQUIT',
  '1': 'SIGHUP',
  '9': 'SIGKILL',
  '10': 'SIGUSR1',
};

export function frameworkMethods(t: Target, table: () => MethodTable, subsystems: () => SubsystemInfo[]): MethodMap {
  // Rendered once: spdk_get_version is the readiness probe and the benchmarks' hot path.
  const cachedVersion = new RawJson(toJson({ version: t.profile.versionString, fields: { ...t.profile.fields } }));

  const pollers = (name: string): { active: number; timed: number } =>
    name === 'app_thread' ? { active: 0, timed: 2 } : name.startsWith('nvmf_tgt_poll_group') ? { active: 4, timed: 0 } : { active: 1, timed: 1 };

  return {
    spdk_get_version(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} method requires no parameters`);
      return cachedVersion;
    },

    rpc_get_methods(params, ctx) {
      if (t.profile.methodListParams === 'none') {
        requireNoParams(params, `${ctx.calledAs} requires no parameters`);
        return table().list({ includeAliases: false });
      }
      const schema: Schema = t.profile.methodListParams === 'current' ? { current: opt(bool) } : { current: opt(bool), include_aliases: opt(bool) };
      const p = decodeOr(params, schema, invalidParams, { optional: true }) as { current?: boolean; include_aliases?: boolean };
      const state = t.lifecycle.rpcState();
      return table().list({ includeAliases: p.include_aliases ?? false, currentState: p.current && state !== null ? state : undefined });
    },

    framework_wait_init() {
      // Ignores any params it is given (contract §1.8).
      return t.lifecycle.rpcState() === STARTUP ? t.lifecycle.whenInitialized().then(() => true) : true;
    },

    framework_start_init(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return t.lifecycle.startInit().then(() => true);
    },

    spdk_kill_instance(params) {
      const p = decodeOr(params, { sig_name: req(str) }, invalidParams);
      const signal = SIGNALS[p.sig_name];
      if (signal === undefined) throw invalidParams();
      // SPDK calls kill() before queueing the reply: SIGKILL never answers.
      t.lifecycle.signal(signal);
      return signal === 'SIGKILL' || signal === 'SIGQUIT' || signal === 'SIGHUP' || signal === 'SIGUSR1' ? NO_REPLY : true;
    },

    framework_get_subsystems(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return subsystems().map((s) => ({ subsystem: s.name, depends_on: [...s.dependsOn] }));
    },

    framework_get_config(params) {
      const p = decodeOr(params, { name: req(str) }, () => new RpcFailure(JsonRpcCode.InvalidParams, 'Invalid arguments'));
      const subsystem = subsystems().find((s) => s.name === p.name);
      if (!subsystem) throw new RpcFailure(JsonRpcCode.InvalidParams, `Subsystem '${p.name}' not found`);
      return subsystem.config();
    },

    framework_get_reactors(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      const threads = t.threads;
      return {
        tick_rate: t.tickRate,
        reactors: threads.cores.map((core) => {
          const elapsed = t.clock.elapsed();
          const onCore = threads.all().filter((th) => th.core === core);
          const busy = onCore.reduce((sum, th) => sum + threads.busy(th), 0n);
          const shape = t.profile.replies;
          const reactor: Record<string, unknown> = { lcore: core };
          if (shape.reactorNumaId) reactor.numa_id = 0;
          // The reactor's Linux thread id; the simulator runs every reactor on its one thread.
          if (shape.reactorTid) reactor.tid = process.pid;
          reactor.busy = busy;
          reactor.idle = elapsed > busy ? elapsed - busy : 0n;
          reactor.in_interrupt = t.cl.interruptMode;
          if (shape.reactorProcStat) Object.assign(reactor, procStatTicks(core));
          reactor.lw_threads = onCore.map((th) => ({ name: th.name, id: th.id, cpumask: Threads.cpumask(th.core), elapsed: threads.elapsed(th) }));
          return reactor;
        }),
      };
    },

    thread_get_stats(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      const threads = t.threads;
      return {
        tick_rate: t.tickRate,
        threads: threads.all().map((th) => {
          const elapsed = threads.elapsed(th);
          const busy = threads.busy(th);
          const counts = pollers(th.name);
          return {
            name: th.name,
            id: th.id,
            cpumask: Threads.cpumask(th.core),
            busy,
            idle: elapsed - busy,
            active_pollers_count: counts.active,
            timed_pollers_count: counts.timed,
            paused_pollers_count: 0,
          };
        }),
      };
    },

    thread_get_pollers(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      const periodTicks = Math.round((t.sim.pollPeriodUs * t.tickRate) / 1e6);
      return {
        tick_rate: t.tickRate,
        threads: t.threads.all().map((th) => ({
          name: th.name,
          id: th.id,
          active_pollers: [],
          timed_pollers:
            th.name === 'app_thread'
              ? [
                  {
                    name: 'rpc_subsystem_poll_servers',
                    id: 1,
                    state: 'waiting',
                    run_count: Math.floor(t.clock.seconds() * 250),
                    busy_count: 0,
                    period_ticks: periodTicks,
                  },
                ]
              : [],
          paused_pollers: [],
        })),
      };
    },

    thread_get_io_channels(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return { tick_rate: t.tickRate, threads: t.threads.all().map((th) => ({ name: th.name, io_channels: [] })) };
    },

    thread_set_cpumask(params) {
      const p = decodeOr(params, { id: req(u32), cpumask: req(str) }, invalidParams);
      if (!t.threads.all().some((th) => th.id === p.id)) throw invalidParams();
      return true;
    },

    framework_set_scheduler(params) {
      return applyOptions(() => {
        const p = t.settings.scheduler.apply(params) as { name?: string };
        if (p.name !== undefined && !['static', 'dynamic', 'gscheduler'].includes(p.name)) throw new Error('unknown scheduler');
      }, invalidParams);
    },

    framework_get_scheduler(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      return { scheduler_name: t.settings.scheduler.get('name'), scheduler_period: t.settings.scheduler.get('period') };
    },

    framework_monitor_context_switch(params) {
      const p = decodeOr(params, { enabled: opt(bool) }, invalidParams, { optional: true });
      if (p.enabled !== undefined) t.settings.contextSwitchMonitor = p.enabled;
      return { enabled: t.settings.contextSwitchMonitor };
    },

    framework_enable_cpumask_locks(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      t.settings.cpumaskLocks = true;
      return true;
    },

    framework_disable_cpumask_locks(params, ctx) {
      requireNoParams(params, `${ctx.calledAs} requires no parameters`);
      t.settings.cpumaskLocks = false;
      return true;
    },
  };
}

/** The subsystems of each app in initialisation order (nvmf_tgt captured; the others by their libraries). */
export function subsystemNames(t: Target): Array<{ name: string; dependsOn: string[] }> {
  const out = [
    { name: 'iobuf', dependsOn: [] as string[] },
    { name: 'sock', dependsOn: [] },
    { name: 'vmd', dependsOn: [] },
    { name: 'accel', dependsOn: ['iobuf'] },
    { name: 'bdev', dependsOn: ['accel', 'vmd', 'sock', 'iobuf'] },
    { name: 'nbd', dependsOn: ['bdev'] },
    { name: 'scheduler', dependsOn: [] },
  ];
  if (t.features.scsi) out.push({ name: 'scsi', dependsOn: ['bdev'] });
  if (t.features.nvmf) out.push({ name: 'nvmf', dependsOn: ['bdev', 'sock'] });
  if (t.features.iscsi) out.push({ name: 'iscsi', dependsOn: ['scsi', 'sock'] });
  if (t.features.vhost) {
    out.push({ name: 'vhost_blk', dependsOn: ['bdev'] });
    out.push({ name: 'vhost_scsi', dependsOn: ['scsi'] });
  }
  return out;
}
