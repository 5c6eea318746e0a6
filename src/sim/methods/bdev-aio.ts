/**
 * The AIO bdev module (module/bdev/aio): a file or block device on the target host. The file must
 * exist and open; a regular file has no detectable block size, so `block_size` is then required
 * ("Block size could not be auto-detected", -22); the size must be a multiple of the block size.
 * Block devices report their size and logical block size through sysfs.
 */
import { closeSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import { bool, opt, req, str, u32 } from '../rpc/decode.js';
import { decodeFailed, Errno, errnoFailure } from '../rpc/rpc-failure.js';
import type { Bdev } from '../state/bdev.js';
import type { Target } from '../target.js';
import { SITES } from '../app/spdk-log.js';
import { aioIoTypes } from './bdev-io-types.js';
import { ensureNameFree, growBdev, moduleDelete, registerBdev } from './bdev-module.js';
import { createResult, decodeOr, later, type MethodMap } from './common.js';

interface AioDisk {
  filename: string;
  blockSizeOverride: boolean;
  readonly: boolean;
  fallocate: boolean;
}

const ERRNO_BY_CODE: Record<string, number> = { ENOENT: 2, EACCES: 13, EPERM: 1, EISDIR: 21, ENOTDIR: 20, EROFS: 30, ELOOP: 40, ENAMETOOLONG: 36 };

function deviceInfo(stats: Stats): { size: number; blockSize: number } {
  const major = Math.floor(stats.rdev / 256) & 0xfff;
  const minor = (stats.rdev & 0xff) | ((Math.floor(stats.rdev / 4096) & 0xfff00) >>> 0);
  const base = `/sys/dev/block/${major}:${minor}`;
  try {
    const sectors = Number(readFileSync(`${base}/size`, 'utf8').trim());
    const logical = Number(readFileSync(`${base}/queue/logical_block_size`, 'utf8').trim());
    return { size: sectors * 512, blockSize: logical };
  } catch {
    return { size: 0, blockSize: 0 };
  }
}

export function aioMethods(t: Target): MethodMap {
  const disks = new Map<Bdev, AioDisk>();
  t.bdevs.onRemove((bdev) => void disks.delete(bdev));

  const probe = (filename: string, readonly: boolean): { size: number; detected: number } => {
    let stats: Stats;
    try {
      stats = statSync(filename);
      const fd = openSync(filename, readonly ? 'r' : 'r+');
      closeSync(fd);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      t.log.error(SITES.bdevAioOpen, `open() failed (file:${filename}), errno ${ERRNO_BY_CODE[code] ?? Errno.EIO}: ${code}`);
      t.log.error(SITES.bdevAioCreate, `Unable to open file ${filename}. fd: -1 errno: ${ERRNO_BY_CODE[code] ?? Errno.EIO}`);
      throw errnoFailure(ERRNO_BY_CODE[code] ?? Errno.EIO);
    }
    if (stats.isBlockDevice()) {
      const info = deviceInfo(stats);
      return { size: info.size, detected: info.blockSize };
    }
    if (stats.isFile()) return { size: stats.size, detected: 0 };
    return { size: 0, detected: 0 };
  };

  return {
    bdev_aio_create(params) {
      const p = decodeOr(params, { name: req(str), filename: req(str), block_size: opt(u32), readonly: opt(bool), fallocate: opt(bool) }, decodeFailed);
      const readonly = p.readonly ?? false;
      const fallocate = p.fallocate ?? false;
      ensureNameFree(t, p.name);
      const { size, detected } = probe(p.filename, readonly);
      let blockSize = p.block_size ?? 0;
      if (blockSize === 0) {
        if (detected === 0) {
          t.log.error(SITES.bdevAioCreate, 'Block size could not be auto-detected');
          throw errnoFailure(Errno.EINVAL);
        }
        blockSize = detected;
      } else if (blockSize < detected) {
        t.log.error(SITES.bdevAioCreate, `Specified block size ${blockSize} is smaller than auto-detected block size ${detected}`);
        throw errnoFailure(Errno.EINVAL);
      }
      if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0) {
        t.log.error(SITES.bdevAioCreate, `Invalid block size ${blockSize} (must be at least 512 and a power of 2).`);
        throw errnoFailure(Errno.EINVAL);
      }
      if (size % blockSize !== 0) {
        t.log.error(SITES.bdevAioCreate, `Disk size ${size} is not a multiple of block size ${blockSize}`);
        throw errnoFailure(Errno.EINVAL);
      }
      const override = p.block_size !== undefined && p.block_size !== 0;
      const disk: AioDisk = { filename: p.filename, blockSizeOverride: override, readonly, fallocate };
      const config: Record<string, unknown> = { name: p.name };
      if (override) config.block_size = blockSize;
      Object.assign(config, { filename: p.filename, readonly, fallocate });
      const bdev = registerBdev(t, {
        name: p.name,
        module: 'aio',
        productName: 'AIO disk',
        blockSize,
        numBlocks: size / blockSize,
        uuid: t.random.uuid(),
        mdSize: 0,
        mdInterleave: false,
        difType: 0,
        ioTypes: aioIoTypes(fallocate),
        memoryDomains: false,
        driverSpecific: { aio: { filename: p.filename, block_size_override: override, readonly, fallocate } },
        configEntry: { method: 'bdev_aio_create', params: config },
      });
      disks.set(bdev, disk);
      // Answered once examine finished.
      return later(() => createResult(t, p.name));
    },

    bdev_aio_delete: moduleDelete(t, 'aio'),

    bdev_aio_rescan(params) {
      const p = decodeOr(params, { name: req(str) }, decodeFailed);
      const bdev = t.bdevs.get(p.name);
      const disk = bdev ? disks.get(bdev) : undefined;
      if (!bdev || !disk) throw errnoFailure(Errno.ENODEV);
      const { size } = probe(disk.filename, disk.readonly);
      growBdev(bdev, Math.floor(size / bdev.spec.blockSize));
      return true;
    },
  };
}
