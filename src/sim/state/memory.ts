/**
 * Hugepage memory malloc bdevs are carved from. With `-s <MB>` DPDK pre-reserves that much and a
 * malloc bdev that does not fit fails with -12 ENOMEM; without -s memory grows on demand (the
 * simulator then sets no limit).
 */
export class MemoryBudget {
  private used = 0;

  constructor(private readonly limitBytes: number | null) {}

  reserve(bytes: number): boolean {
    if (this.limitBytes !== null && this.used + bytes > this.limitBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
