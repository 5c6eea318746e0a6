/**
 * The malloc bdev module (module/bdev/malloc): RAM disks carved from hugepage memory. Unnamed
 * bdevs are named `Malloc<N>` from a counter only unnamed creates advance — even failed ones, so
 * the first unnamed create after an explicit `Malloc0` fails with -17 (nvmf_tgt.jsonl #8/#9).
 */
import { bool, opt, req, str, u32, u64, u8, uuid } from '../rpc/decode.js';
import type { Schema } from '../rpc/decode.js';
import { decodeFailed, Errno, errnoFailure } from '../rpc/rpc-failure.js';
import type { Bdev } from '../state/bdev.js';
import type { Target } from '../target.js';
import { SITES } from '../app/spdk-log.js';
import { MALLOC_IO_TYPES } from './bdev-io-types.js';
import { checkBlockGeometry, ensureNameFree, moduleDelete, registerBdev } from './bdev-module.js';
import { createResult, decodeOr, type MethodMap } from './common.js';

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
      const { mdSize, difType } = checkBlockGeometry(t, SITES.bdevMallocBlockSize, 'Disk num_blocks must be greater than 0.', p);
      const physical = p.physical_block_size ?? p.block_size;
      if (physical % p.block_size !== 0 && physical !== 0) throw errnoFailure(Errno.EINVAL);
      ensureNameFree(t, name, p.uuid);
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
      let bdev: Bdev;
      try {
        bdev = registerBdev(t, {
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
        });
      } catch (err) {
        t.memory.release(bytes);
        throw err;
      }
      sizes.set(bdev, bytes);
      return createResult(t, name);
    },

    bdev_malloc_delete: moduleDelete(t, 'malloc'),
  };
}
