/**
 * The null bdev module (module/bdev/null): sinks that store nothing. With metadata the block is
 * data + metadata, interleaved (v24.01: a 512-byte block with md_size 8 is reported as 520 bytes,
 * nvmf_tgt.jsonl #14), and `framework_get_config` writes that 520 back as the block size.
 */
import { bool, opt, req, str, u32, u64, u8, uuid } from '../rpc/decode.js';
import type { Schema } from '../rpc/decode.js';
import { decodeFailed, Errno, errnoFailure } from '../rpc/rpc-failure.js';
import { Bdev } from '../state/bdev.js';
import type { Target } from '../target.js';
import { SITES } from '../app/spdk-log.js';
import { NULL_IO_TYPES } from './bdev-io-types.js';
import { createResult, decodeOr, later, type MethodMap } from './common.js';

const MD_SIZES = [0, 8, 16, 32, 64, 128];

export function nullMethods(t: Target): MethodMap {
  return {
    bdev_null_create(params) {
      const schema: Schema =
        t.profile.number <= 1707
          ? { name: req(str), num_blocks: req(u64), block_size: req(u32) }
          : {
              name: req(str),
              uuid: opt(uuid),
              num_blocks: req(u64),
              block_size: req(u32),
              physical_block_size: opt(u32),
              md_size: opt(u32),
              dif_type: opt(u8),
              dif_is_head_of_md: opt(bool),
            };
      const p = decodeOr(params, schema, decodeFailed) as {
        name: string;
        uuid?: string;
        num_blocks: number;
        block_size: number;
        physical_block_size?: number;
        md_size?: number;
        dif_type?: number;
        dif_is_head_of_md?: boolean;
      };
      const mdSize = p.md_size ?? 0;
      const difType = p.dif_type ?? 0;
      if (p.block_size % 512 !== 0) {
        t.log.error(SITES.bdevNullBlockSize, `Data block size ${p.block_size} is not a multiple of 512.`);
        throw errnoFailure(Errno.EINVAL);
      }
      if (p.num_blocks === 0) {
        t.log.error(SITES.bdevNullBlockSize, 'Disk must be more than 0 blocks');
        throw errnoFailure(Errno.EINVAL);
      }
      if (!MD_SIZES.includes(mdSize) || difType > 3 || (difType !== 0 && mdSize === 0)) throw errnoFailure(Errno.EINVAL);
      if (t.bdevs.taken(p.name) || (p.uuid !== undefined && t.bdevs.taken(p.uuid))) {
        t.log.error(SITES.bdevNameExists, `Bdev name ${p.name} already exists`);
        throw errnoFailure(Errno.EEXIST);
      }
      const blockSize = p.block_size + mdSize;
      const physical = p.physical_block_size ?? p.block_size;
      const bdevUuid = p.uuid ?? t.random.uuid();
      const bdev = new Bdev(
        {
          name: p.name,
          module: 'null',
          productName: 'Null disk',
          blockSize,
          numBlocks: p.num_blocks,
          uuid: bdevUuid,
          mdSize,
          mdInterleave: mdSize > 0,
          difType,
          ioTypes: NULL_IO_TYPES,
          memoryDomains: false,
          driverSpecific: {},
          configEntry: {
            method: 'bdev_null_create',
            params: {
              name: p.name,
              num_blocks: p.num_blocks,
              block_size: blockSize,
              physical_block_size: physical,
              md_size: mdSize,
              dif_type: difType,
              dif_is_head_of_md: p.dif_is_head_of_md ?? false,
              uuid: bdevUuid,
            },
          },
        },
        t.random,
        t.tickRate,
      );
      t.bdevs.register(bdev);
      bdev.stats.examine(blockSize, mdSize > 0);
      return createResult(t, p.name);
    },

    bdev_null_delete(params) {
      const p = decodeOr(params, { name: req(str) }, decodeFailed);
      const bdev = t.bdevs.get(p.name);
      if (!bdev || bdev.module !== 'null') throw errnoFailure(Errno.ENODEV);
      t.bdevs.unregister(bdev);
      return later(() => true);
    },

    bdev_null_resize(params) {
      const p = decodeOr(params, { name: req(str), new_size: req(u64) }, decodeFailed);
      const bdev = t.bdevs.get(p.name);
      if (!bdev || bdev.module !== 'null') throw errnoFailure(Errno.ENODEV);
      const blocks = Math.floor((p.new_size * 1024 * 1024) / bdev.spec.blockSize);
      if (blocks < bdev.spec.numBlocks) throw errnoFailure(Errno.EINVAL);
      bdev.spec.numBlocks = blocks;
      if (bdev.spec.configEntry?.params) bdev.spec.configEntry.params.num_blocks = blocks;
      bdev.invalidate();
      return true;
    },
  };
}
