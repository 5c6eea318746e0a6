/**
 * The bdev layer's own methods (lib/bdev/bdev_rpc.c): listing, I/O statistics, QoS, examine,
 * options. Bdev module methods (malloc, null, aio, nvme) are in their own files.
 */
import { RawJson } from '../json/json-writer.js';
import { bool, opt, req, str, u64 } from '../rpc/decode.js';
import { decodeFailed, Errno, errnoFailure, invalidParams, JsonRpcCode, RpcFailure } from '../rpc/rpc-failure.js';
import type { Bdev } from '../state/bdev.js';
import type { Target } from '../target.js';
import { existingBdev } from './bdev-module.js';
import { applyOptions, decodeOr, requireNoParams, type MethodMap } from './common.js';

export function bdevCoreMethods(t: Target): MethodMap {
  const notFound = (): RpcFailure => (t.profile.unknownBdevIsInvalidParams ? invalidParams() : errnoFailure(Errno.ENODEV));

  const advance = (bdev: Bdev): void => {
    bdev.stats.advance(t.clock.seconds(), t.sim.ioOpsPerSec, bdev.exported, Math.max(4096, bdev.spec.blockSize));
  };

  return {
    bdev_get_bdevs(params) {
      const p = decodeOr(params, { name: opt(str), timeout: opt(u64) }, decodeFailed, { optional: true });
      if (p.name === undefined) {
        const parts: string[] = [];
        for (const bdev of t.bdevs.all()) parts.push(bdev.info().text);
        return new RawJson(`[${parts.join(',')}]`);
      }
      const found = t.bdevs.get(p.name);
      if (found) return [found.info()];
      if (!p.timeout) throw notFound();
      return t.bdevs.waitFor(p.name, p.timeout).then((bdev) => {
        if (bdev === null) throw errnoFailure(Errno.ETIMEDOUT);
        return [bdev.info()];
      });
    },

    bdev_get_iostat(params) {
      const p = decodeOr(params, { name: opt(str), per_channel: opt(bool) }, decodeFailed, { optional: true });
      if (p.per_channel && p.name === undefined) throw errnoFailure(Errno.EINVAL);
      let bdevs: Bdev[];
      if (p.name !== undefined) {
        const bdev = t.bdevs.get(p.name);
        if (!bdev) throw notFound();
        bdevs = [bdev];
      } else {
        // Bdevs with open channels answer after a trip to the channels' threads: they come last.
        const idle: Bdev[] = [];
        const busy: Bdev[] = [];
        for (const bdev of t.bdevs.all()) (bdev.exported ? busy : idle).push(bdev);
        bdevs = idle.concat(busy);
      }
      for (const bdev of bdevs) advance(bdev);
      const ticks = t.clock.now();
      if (p.per_channel) {
        const bdev = bdevs[0]!;
        const channels = bdev.nvmfUsers > 0 ? t.threads.pollGroups().slice(0, 1) : [];
        return {
          tick_rate: t.tickRate,
          ticks,
          name: bdev.name,
          channels: channels.map((thread) => ({ thread_id: thread.id, ...bdev.stats.workload.fields() })),
        };
      }
      if (t.profile.iostatIsArray) {
        return [{ tick_rate: t.tickRate }, ...bdevs.map((b) => legacyStat(b))];
      }
      return new RawJson(`{"tick_rate":${t.tickRate},"ticks":${ticks.toString()},"bdevs":[${bdevs.map(bdevStatJson).join(',')}]}`);
    },

    bdev_reset_iostat(params) {
      const p = decodeOr(params, { name: opt(str), mode: opt(str) }, decodeFailed, { optional: true });
      const mode = p.mode ?? 'all';
      if (mode !== 'all' && mode !== 'maxmin') throw decodeFailed();
      if (p.name !== undefined) {
        existingBdev(t, p.name).stats.reset(mode);
      } else {
        for (const bdev of t.bdevs.all()) bdev.stats.reset(mode);
      }
      return true;
    },

    bdev_wait_for_examine(params) {
      requireNoParams(params, 'bdev_wait_for_examine requires no parameters');
      return true;
    },

    bdev_examine(params) {
      const p = decodeOr(params, { name: req(str) }, decodeFailed);
      existingBdev(t, p.name);
      return true;
    },

    bdev_set_options(params) {
      return applyOptions(() => t.settings.bdev.apply(params), decodeFailed);
    },

    bdev_set_qos_limit(params) {
      const p = decodeOr(
        params,
        { name: req(str), rw_ios_per_sec: opt(u64), rw_mbytes_per_sec: opt(u64), r_mbytes_per_sec: opt(u64), w_mbytes_per_sec: opt(u64) },
        decodeFailed,
      );
      const bdev = existingBdev(t, p.name);
      if (p.rw_ios_per_sec !== undefined && p.rw_ios_per_sec % 1000 !== 0) throw new RpcFailure(-Errno.EINVAL, 'Invalid argument');
      const { name: _name, ...limits } = p;
      const set: Record<string, number> = {};
      for (const [k, v] of Object.entries(limits)) if (v !== undefined) set[k] = v;
      if (Object.keys(set).length === 0) throw new RpcFailure(JsonRpcCode.InvalidParams, 'No rate limits specified');
      bdev.setRateLimits(set);
      return true;
    },

    bdev_set_qd_sampling_period(params) {
      const p = decodeOr(params, { name: req(str), period: req(u64) }, decodeFailed);
      existingBdev(t, p.name);
      t.settings.qdSamplingPeriods.set(p.name, p.period);
      return true;
    },

    bdev_enable_histogram(params) {
      const p = decodeOr(params, { name: req(str), enable: req(bool) }, decodeFailed);
      existingBdev(t, p.name);
      return true;
    },

    'legacy:delete_bdev'(params) {
      const p = decodeOr(params, { name: req(str) }, invalidParams);
      const bdev = t.bdevs.get(p.name);
      if (!bdev) throw invalidParams();
      t.bdevs.unregister(bdev);
      return true;
    },

    bdev_get_histogram(params) {
      const p = decodeOr(params, { name: req(str) }, decodeFailed);
      existingBdev(t, p.name);
      throw new RpcFailure(-Errno.EINVAL, 'Invalid argument');
    },
  };
}

/** One bdev's iostat entry, built by hand: a 10,000-bdev listing must not go through toJson. */
function bdevStatJson(bdev: Bdev): string {
  let out = `{"name":${JSON.stringify(bdev.name)}`;
  const fields = bdev.stats.total().fields();
  for (const key in fields) out += `,"${key}":${fields[key]}`;
  return `${out},"io_error":{}}`;
}

/** A bdev's entry in the v18.07–v19.04 array-shaped iostat. */
function legacyStat(bdev: Bdev): Record<string, unknown> {
  const c = bdev.stats.total();
  return {
    name: bdev.name,
    bytes_read: c.read.bytes,
    num_read_ops: c.read.ops,
    bytes_written: c.write.bytes,
    num_write_ops: c.write.ops,
    bytes_unmapped: c.unmap.bytes,
    num_unmap_ops: c.unmap.ops,
    read_latency_ticks: c.read.latency,
    write_latency_ticks: c.write.latency,
    unmap_latency_ticks: c.unmap.latency,
  };
}
