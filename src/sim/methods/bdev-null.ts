/**
 * The null bdev module (module/bdev/null): sinks that store nothing. With metadata the block is
 * data + metadata, interleaved (v24.01: a 512-byte block with md_size 8 is reported as 520 bytes,
 * nvmf_tgt.jsonl #14), and `framework_get_config` writes that 520 back as the block size.
 */
import { bool, opt, req, str, u32, u64, u8, uuid } from '../rpc/decode.js';
import type { Schema } from '../rpc/decode.js';
import { decodeFailed } from '../rpc/rpc-failure.js';
import type { Target } from '../target.js';
import { SITES } from '../app/spdk-log.js';
import { NULL_IO_TYPES } from './bdev-io-types.js';
import { checkBlockGeometry, ensureNameFree, existingBdev, growBdev, moduleDelete, registerBdev } from './bdev-module.js';
import { createResult, decodeOr, type MethodMap } from './common.js';

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
      const { mdSize, difType } = checkBlockGeometry(t, SITES.bdevNullBlockSize, 'Disk must be more than 0 blocks', p);
      ensureNameFree(t, p.name, p.uuid);
      const blockSize = p.block_size + mdSize;
      const physical = p.physical_block_size ?? p.block_size;
      const bdevUuid = p.uuid ?? t.random.uuid();
      registerBdev(t, {
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
      });
      return createResult(t, p.name);
    },

    bdev_null_delete: moduleDelete(t, 'null'),

    bdev_null_resize(params) {
      const p = decodeOr(params, { name: req(str), new_size: req(u64) }, decodeFailed);
      const bdev = existingBdev(t, p.name, 'null');
      const blocks = Math.floor((p.new_size * 1024 * 1024) / bdev.spec.blockSize);
      growBdev(bdev, blocks);
      // The config entry replays the new size.
      if (bdev.spec.configEntry?.params) bdev.spec.configEntry.params.num_blocks = blocks;
      return true;
    },
  };
}
