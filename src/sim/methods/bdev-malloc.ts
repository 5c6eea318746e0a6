/**
 * The malloc bdev module (module/bdev/malloc): RAM disks carved from hugepage memory. Unnamed
 * bdevs are named `Malloc<N>` from a counter only unnamed creates advance — even failed ones, so
 * the first unnamed create after an explicit `Malloc0` fails with -17 (nvmf_tgt.jsonl #8/#9).
 */
import { bool, opt, req, str, u32, u64, u8, uuid } from '../rpc/decode.js';
import type { Schema } from '../rpc/decode.js';
import { decodeFailed, Errno, errnoFailure } from '../rpc/rpc-failure.js';
import { Bdev } from '../state/bdev.js';
import type { Target } from '../target.js';
import { SITES } from '../app/spdk-log.js';
import { MALLOC_IO_TYPES } from './bdev-io-types.js';
import { createResult, decodeOr, later, type MethodMap } from './common.js';

const MD_SIZES = [0, 8, 16, 32, 64, 128];

export function mallocMethods(t: Target): MethodMap {
  let unnamedCounter = 0;
  const sizes = new Map<Bdev, number>();

  t.bdevs.onRemove((bdev) => {
    const bytes = sizes.get(bdev);
    if (bytes !== undefined) {
      t.memory.release(bytes);
      sizes.delete(bdev);
    }
  });

  return {
    bdev_malloc_create(params) {
      const schema: Schema =
        t.profile.number <= 1707
          ? { num_blocks: req(u64), block_size: req(u32) }
          : {
              name: opt(str),
              uuid: opt(uuid),
              num_blocks: req(u64),
              block_size: req(u32),
              physical_block_size: opt(u32),
              optimal_io_boundary: opt(u32),
              md_size: opt(u32),
              md_interleave: opt(bool),
              dif_type: opt(u8),
              dif_is_head_of_md: opt(bool),
            };
      const p = decodeOr(params, schema, decodeFailed) as {
        name?: string;
        uuid?: string;
        num_blocks: number;
        block_size: number;
        physical_block_size?: number;
        optimal_io_boundary?: number;
        md_size?: number;
        md_interleave?: boolean;
        dif_type?: number;
      };
      const name = p.name ?? `Malloc${unnamedCounter++}`;
      const mdSize = p.md_size ?? 0;
      const difType = p.dif_type ?? 0;
      if (p.block_size % 512 !== 0) {
        t.log.error(SITES.bdevMallocBlockSize, `Data block size ${p.block_size} is not a multiple of 512.`);
        throw errnoFailure(Errno.EINVAL);
      }
      if (p.num_blocks === 0) {
        t.log.error(SITES.bdevMallocBlockSize, 'Disk num_blocks must be greater than 0.');
        throw errnoFailure(Errno.EINVAL);
      }
      if (!MD_SIZES.includes(mdSize) || difType > 3 || (difType !== 0 && mdSize === 0)) throw errnoFailure(Errno.EINVAL);
      const physical = p.physical_block_size ?? p.block_size;
      if (physical % p.block_size !== 0 && physical !== 0) throw errnoFailure(Errno.EINVAL);
      if (t.bdevs.taken(name) || (p.uuid !== undefined && t.bdevs.taken(p.uuid))) {
        t.log.error(SITES.bdevNameExists, `Bdev name ${name} already exists`);
        throw errnoFailure(Errno.EEXIST);
      }
      const interleave = p.md_interleave ?? false;
      const blockSize = interleave ? p.block_size + mdSize : p.block_size;
      const bytes = p.num_blocks * (p.block_size + mdSize);
      if (!t.memory.reserve(bytes)) throw errnoFailure(Errno.ENOMEM);
      const bdevUuid = p.uuid ?? t.random.uuid();
      const config: Record<string, unknown> = {
        name,
        num_blocks: p.num_blocks,
        block_size: blockSize,
        physical_block_size: physical,
        uuid: bdevUuid,
        optimal_io_boundary: p.optimal_io_boundary ?? 0,
      };
      if (mdSize > 0) Object.assign(config, { md_size: mdSize, md_interleave: interleave, dif_type: difType, dif_is_head_of_md: false });
      const bdev = new Bdev(
        {
          name,
          module: 'malloc',
          productName: 'Malloc disk',
          blockSize,
          numBlocks: p.num_blocks,
          uuid: bdevUuid,
          mdSize,
          mdInterleave: interleave,
          difType,
          ioTypes: MALLOC_IO_TYPES,
          memoryDomains: true,
          driverSpecific: {},
          configEntry: { method: 'bdev_malloc_create', params: config },
        },
        t.random,
        t.tickRate,
      );
      try {
        t.bdevs.register(bdev);
      } catch (err) {
        t.memory.release(bytes);
        throw err;
      }
      sizes.set(bdev, bytes);
      bdev.stats.examine(blockSize, interleave && mdSize > 0);
      return createResult(t, name);
    },

    bdev_malloc_delete(params) {
      const p = decodeOr(params, { name: req(str) }, decodeFailed);
      const bdev = t.bdevs.get(p.name);
      if (!bdev || bdev.module !== 'malloc') throw errnoFailure(Errno.ENODEV);
      t.bdevs.unregister(bdev);
      return later(() => true);
    },
  };
}
