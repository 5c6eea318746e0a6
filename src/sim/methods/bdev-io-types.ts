/** `supported_io_types` of each bdev module (captured for malloc and null; aio and NVMe from SPDK's modules). */
import type { IoTypes } from '../state/bdev.js';

const NONE: IoTypes = {
  read: false,
  write: false,
  unmap: false,
  write_zeroes: false,
  flush: false,
  reset: false,
  compare: false,
  compare_and_write: false,
  abort: false,
  nvme_admin: false,
  nvme_io: false,
};

export const MALLOC_IO_TYPES: IoTypes = { ...NONE, read: true, write: true, unmap: true, write_zeroes: true, flush: true, reset: true, abort: true };
export const NULL_IO_TYPES: IoTypes = { ...NONE, read: true, write: true, write_zeroes: true, reset: true, abort: true };
export function aioIoTypes(fallocate: boolean): IoTypes {
  return { ...NONE, read: true, write: true, flush: true, reset: true, unmap: fallocate, write_zeroes: fallocate };
}
export const NVME_IO_TYPES: IoTypes = {
  read: true,
  write: true,
  unmap: true,
  write_zeroes: true,
  flush: true,
  reset: true,
  compare: true,
  compare_and_write: true,
  abort: true,
  nvme_admin: true,
  nvme_io: true,
};
