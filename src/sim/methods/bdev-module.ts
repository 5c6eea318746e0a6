/**
 * What the bdev modules (malloc, null, aio, nvme) do alike around their own part: the duplicate
 * name check made before the module allocates anything, malloc's and null's block geometry checks,
 * registering the new bdev (the examine pass then reads it), growing one, and the per-module
 * delete that only finds bdevs of its own module.
 */
import { req, str } from '../rpc/decode.js';
import type { Handler } from '../rpc/method-table.js';
import { decodeFailed, Errno, errnoFailure } from '../rpc/rpc-failure.js';
import { Bdev, type BdevModule, type BdevSpec } from '../state/bdev.js';
import type { Target } from '../target.js';
import { SITES, type LogSite } from '../app/spdk-log.js';
import { decodeOr, later } from './common.js';

/** Metadata sizes `spdk_bdev` accepts for malloc and null. */
const MD_SIZES = [0, 8, 16, 32, 64, 128];

/** The bdev called (or aliased) `name`, of `module` when one is given; otherwise -19. */
export function existingBdev(t: Target, name: string, module?: BdevModule): Bdev {
  const bdev = t.bdevs.get(name);
  if (!bdev || (module !== undefined && bdev.module !== module)) throw errnoFailure(Errno.ENODEV);
  return bdev;
}

/** `bdev_name_add`'s -17, as the modules meet it: the name, or a UUID the caller chose, is taken. */
export function ensureNameFree(t: Target, name: string, uuid?: string): void {
  if (t.bdevs.taken(name) || (uuid !== undefined && t.bdevs.taken(uuid))) {
    t.log.error(SITES.bdevNameExists, `Bdev name ${name} already exists`);
    throw errnoFailure(Errno.EEXIST);
  }
}

/**
 * The checks malloc and null make on a new disk's blocks (each logs from its own create function,
 * and words the empty-disk message its own way): data blocks a multiple of 512, at least one block,
 * a metadata size SPDK knows, a DIF type 0-3 that has metadata to live in. Returns the metadata
 * size and DIF type, 0 when not given.
 */
export function checkBlockGeometry(
  t: Target,
  site: LogSite,
  emptyDiskMessage: string,
  p: { block_size: number; num_blocks: number; md_size?: number; dif_type?: number },
): { mdSize: number; difType: number } {
  const mdSize = p.md_size ?? 0;
  const difType = p.dif_type ?? 0;
  if (p.block_size % 512 !== 0) {
    t.log.error(site, `Data block size ${p.block_size} is not a multiple of 512.`);
    throw errnoFailure(Errno.EINVAL);
  }
  if (p.num_blocks === 0) {
    t.log.error(site, emptyDiskMessage);
    throw errnoFailure(Errno.EINVAL);
  }
  if (!MD_SIZES.includes(mdSize) || difType > 3 || (difType !== 0 && mdSize === 0)) throw errnoFailure(Errno.EINVAL);
  return { mdSize, difType };
}

/** Creates and registers the module's new bdev; the examine pass then reads it (as on a real target). */
export function registerBdev(t: Target, spec: BdevSpec): Bdev {
  const bdev = new Bdev(spec, t.random, t.tickRate, t.profile.replies);
  t.bdevs.register(bdev);
  bdev.stats.examine(spec.blockSize, spec.mdInterleave && spec.mdSize > 0);
  return bdev;
}

/** A resize or rescan to `blocks`: a bdev only grows (smaller is -22). */
export function growBdev(bdev: Bdev, blocks: number): void {
  if (blocks < bdev.spec.numBlocks) throw errnoFailure(Errno.EINVAL);
  bdev.spec.numBlocks = blocks;
  bdev.invalidate();
}

/** `bdev_<module>_delete {"name"}`: -19 for a name that is not one of the module's bdevs; answered once it is gone. */
export function moduleDelete(t: Target, module: BdevModule): Handler {
  return (params) => {
    const p = decodeOr(params, { name: req(str) }, decodeFailed);
    t.bdevs.unregister(existingBdev(t, p.name, module));
    return later(() => true);
  };
}
