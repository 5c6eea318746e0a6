/**
 * The exports of a target that sit on physical NVMe controllers: NVMe-oF subsystems with a
 * namespace on such a bdev, vhost controllers whose bdev (blk) or LUN (scsi) is one, iSCSI target
 * nodes with such a LUN.
 *
 * Each export is given to exactly one controller, so Placement never counts it twice: the
 * controller of its first backed bdev in SPDK's own order of use (lowest namespace id, lowest SCSI
 * target then LUN id, lowest LUN id). An export none of whose bdevs is on a physical controller
 * (a malloc or null bdev, a remote NVMe-oF namespace) is not a Cyborg resource.
 */
import type { TargetInventory } from '../spdk/inventory.js';

export type ExportKind = 'nvmf' | 'vhost_blk' | 'vhost_scsi' | 'iscsi';

export interface ExportFacts {
  kind: ExportKind;
  /** The export's own name: the NQN, the vhost controller name, the iSCSI target IQN. */
  id: string;
  /** The controller it is given to. */
  bdf: string;
  /** Its bdevs on that controller, in order of use. */
  bdevs: string[];
  /** NVMe-oF listener transports (`TCP`, `RDMA`), upper case, sorted; vhost: the vhost transport. */
  transports: string[];
}

interface Candidate {
  kind: ExportKind;
  id: string;
  /** Bdev names in the export's order of use. */
  bdevs: string[];
  transports: string[];
}

function byNumber<T>(key: (item: T) => number): (a: T, b: T) => number {
  return (a, b) => key(a) - key(b);
}

/** A list from a target's answer, or an empty one when the member is missing or not a list. */
function list<T>(value: readonly T[] | null | undefined): T[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'object' && item !== null) : [];
}

function candidates(inventory: TargetInventory): Candidate[] {
  const out: Candidate[] = [];
  for (const subsystem of list(inventory.nvmf?.subsystems)) {
    if (subsystem.subtype === 'Discovery' || typeof subsystem.nqn !== 'string') continue;
    const namespaces = list(subsystem.namespaces).sort(byNumber((ns) => Number(ns.nsid)));
    const transports = [
      ...new Set(
        list(subsystem.listen_addresses)
          .map((l) => String(l.trtype ?? '').toUpperCase())
          .filter((t) => t !== ''),
      ),
    ].sort();
    out.push({ kind: 'nvmf', id: subsystem.nqn, bdevs: namespaces.map((ns) => ns.bdev_name ?? ns.name ?? '').filter((n) => n !== ''), transports });
  }
  for (const controller of list(inventory.vhost?.controllers)) {
    if (typeof controller.ctrlr !== 'string') continue;
    const backend = typeof controller.backend_specific === 'object' && controller.backend_specific !== null ? controller.backend_specific : {};
    if (typeof backend.block === 'object' && backend.block !== null) {
      const bdev = backend.block.bdev;
      const transport = typeof backend.block.transport === 'string' && backend.block.transport.includes('vfio_user') ? 'VFIO_USER' : 'VHOST_USER';
      out.push({ kind: 'vhost_blk', id: controller.ctrlr, bdevs: typeof bdev === 'string' ? [bdev] : [], transports: [transport] });
    } else if (Array.isArray(backend.scsi)) {
      const targets = list(backend.scsi).sort(byNumber((t) => Number(t.scsi_dev_num)));
      const bdevs = targets.flatMap((t) =>
        list(t.luns)
          .sort(byNumber((l) => Number(l.id)))
          .map((l) => l.bdev_name),
      );
      out.push({ kind: 'vhost_scsi', id: controller.ctrlr, bdevs: bdevs.filter((b): b is string => typeof b === 'string'), transports: ['VHOST_USER'] });
    }
  }
  for (const node of list(inventory.iscsi?.targetNodes)) {
    if (typeof node.name !== 'string') continue;
    const luns = list(node.luns).sort(byNumber((l) => Number(l.lun_id)));
    out.push({ kind: 'iscsi', id: node.name, bdevs: luns.map((l) => l.bdev_name).filter((b): b is string => typeof b === 'string'), transports: [] });
  }
  return out;
}

/**
 * The exports of `inventory` on the controllers of `backing` (bdev name → BDF). An export over
 * several drives is given to one: the drive `previousDrive` names for it if that drive still backs
 * one of its bdevs, else the drive of its first backed bdev in order of use. Keeping the previous
 * drive keeps the export's deployable name (which holds the BDF): a namespace added on a lower
 * nsid from another drive would otherwise rename it, and Cyborg's conductor turns a rename into a
 * deleted resource provider (refused while an instance holds it) and a new one.
 */
export function findExports(
  inventory: TargetInventory,
  backing: ReadonlyMap<string, string>,
  previousDrive: (kind: ExportKind, id: string) => string | undefined = () => undefined,
): ExportFacts[] {
  const found: ExportFacts[] = [];
  for (const candidate of candidates(inventory)) {
    const first = candidate.bdevs.find((bdev) => backing.has(bdev));
    if (first === undefined) continue;
    const kept = previousDrive(candidate.kind, candidate.id);
    const bdf = kept !== undefined && candidate.bdevs.some((bdev) => backing.get(bdev) === kept) ? kept : backing.get(first)!;
    found.push({
      kind: candidate.kind,
      id: candidate.id,
      bdf,
      bdevs: candidate.bdevs.filter((bdev) => backing.get(bdev) === bdf),
      transports: candidate.transports,
    });
  }
  return found;
}
