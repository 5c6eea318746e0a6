/**
 * What `discover` and `status` print: readable tables (cli-table3, no colours, so the bytes are
 * the same on a terminal and in a file) or JSON (exact big integers: uint64 counters past 2^53 are
 * written as bare literals, never rounded).
 */
import Table from 'cli-table3';
import type { SpdkInstallation } from '../spdk/install/detect.js';
import type { TargetInventory } from '../spdk/inventory.js';
import type { TargetStatus } from '../spdk/lifecycle/types.js';
import { describeVersion } from '../spdk/methods/target-version.js';
import type { Bdev, NvmeController } from '../spdk/methods/types.js';
import { stringifyJson } from '../spdk/rpc/json.js';

export function toJsonText(value: unknown): string {
  return `${stringifyJson(value, 2)}\n`;
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map((cell) => String(cell)));
  return t.toString();
}

export function renderInstallation(installation: SpdkInstallation): string {
  const lines: string[] = ['SPDK installation'];
  if (!installation.installed) {
    lines.push('  not installed: no SPDK application found (this node reports no SPDK resources)');
    lines.push(`  looked in: ${summarisePlaces(installation.searched)}`);
  } else {
    const where = installation.sourceDir ? `source tree ${installation.sourceDir}` : installation.prefix ? `prefix ${installation.prefix}` : 'target binaries';
    lines.push(`  installed: ${where}`);
    lines.push(`  version: ${installation.version ? `${installation.version.text} (from ${installation.version.file})` : 'unknown until a target runs'}`);
    const apps = Object.values(installation.apps);
    if (apps.length > 0) {
      lines.push(
        table(
          ['app', 'path', 'found in'],
          apps.map((a) => [a.app, a.path, a.source]),
        ).replace(/^/gm, '  '),
      );
    }
    for (const b of installation.explicitBinaries) {
      lines.push(`  target ${b.target}: binary ${b.path}${b.usable ? '' : ` (${b.problem})`}`);
    }
    if (installation.setupScript) lines.push(`  setup.sh: ${installation.setupScript}`);
    if (installation.rpcScript) lines.push(`  rpc client: ${installation.rpcScript}`);
  }
  for (const problem of installation.problems) lines.push(`  warning: ${problem}`);
  return `${lines.join('\n')}\n`;
}

/** Directories searched, once each, so "looked in" stays one readable line. */
function summarisePlaces(files: readonly string[]): string {
  const dirs = [...new Set(files.map((f) => f.replace(/\/[^/]+$/, '')))];
  return dirs.length > 0 ? dirs.join(', ') : '(nowhere: no sourceDir, prefix or PATH to search)';
}

export function renderTargets(
  statuses: ReadonlyArray<Pick<TargetStatus, 'name' | 'app' | 'state' | 'pid' | 'address' | 'version' | 'lastError'> & { reason?: string }>,
  disabled: ReadonlyMap<string, string> = new Map(),
): string {
  if (statuses.length === 0) return 'Targets\n  none configured\n';
  const rows = statuses.map((s) => [
    s.name,
    s.app,
    disabled.has(s.name) ? `disabled (${disabled.get(s.name)})` : describeState(s),
    s.pid ?? '-',
    s.address,
    s.version ?? '-',
  ]);
  return `Targets\n${table(['name', 'app', 'state', 'pid', 'socket', 'version'], rows)}\n`;
}

function describeState(s: Pick<TargetStatus, 'state' | 'lastError'> & { reason?: string }): string {
  if (s.state === 'running') return s.state;
  const why = s.state === 'failed' && s.lastError ? s.lastError : s.reason;
  return why ? `${s.state}: ${why}` : s.state;
}

export function renderInventory(name: string, inventory: TargetInventory): string {
  const out: string[] = [];
  const version = inventory.version ? describeVersion(inventory.version) : 'version unknown';
  out.push(`${name}: ${inventory.app}, ${version}`);

  out.push(`  bdevs (${inventory.bdevs.length})`);
  if (inventory.bdevs.length > 0) {
    out.push(indent(table(['name', 'product', 'size', 'block', 'claimed', 'PCI address'], inventory.bdevs.map(bdevRow))));
  }

  if (inventory.nvmeControllers !== null) {
    out.push(`  NVMe controllers (${inventory.nvmeControllers.length})`);
    if (inventory.nvmeControllers.length > 0) {
      out.push(indent(table(['name', 'transport', 'address', 'state'], inventory.nvmeControllers.flatMap(controllerRows))));
    }
  }

  if (inventory.nvmf) {
    const subsystems = inventory.nvmf.subsystems;
    const transports = inventory.nvmf.transports;
    out.push(`  NVMe-oF transports: ${transports === null ? 'unreadable' : transports.map((t) => t.trtype).join(', ') || 'none'}`);
    if (subsystems !== null) {
      out.push(`  NVMe-oF subsystems (${subsystems.length})`);
      if (subsystems.length > 0) {
        out.push(
          indent(
            table(
              ['nqn', 'type', 'namespaces', 'listeners', 'hosts'],
              subsystems.map((s) => [
                s.nqn,
                s.subtype,
                (s.namespaces ?? []).map((n) => `${n.nsid}:${n.bdev_name}`).join(', ') || '-',
                s.listen_addresses.map((l) => `${l.trtype} ${l.traddr}${l.trsvcid ? `:${l.trsvcid}` : ''}`).join(', ') || '-',
                s.allow_any_host ? 'any' : s.hosts.map((h) => h.nqn).join(', ') || '-',
              ]),
            ),
          ),
        );
      }
    }
  }

  if (inventory.vhost && inventory.vhost.controllers !== null) {
    const controllers = inventory.vhost.controllers;
    out.push(`  vhost controllers (${controllers.length})`);
    if (controllers.length > 0) {
      out.push(
        indent(
          table(
            ['name', 'kind', 'backend', 'socket'],
            controllers.map((c) => {
              const block = c.backend_specific.block;
              const scsi = c.backend_specific.scsi;
              const kind = block ? 'blk' : scsi ? 'scsi' : (Object.keys(c.backend_specific)[0] ?? '-');
              const backend = block
                ? (block.bdev ?? '(hot-removed)')
                : scsi
                  ? scsi.map((t) => `${t.scsi_dev_num}:${t.luns.map((l) => l.bdev_name).join('+')}`).join(', ') || '-'
                  : '-';
              return [c.ctrlr, kind, backend, c.socket ?? '-'];
            }),
          ),
        ),
      );
    }
  }

  if (inventory.iscsi && inventory.iscsi.targetNodes !== null) {
    const nodes = inventory.iscsi.targetNodes;
    out.push(`  iSCSI target nodes (${nodes.length})`);
    if (nodes.length > 0) {
      out.push(
        indent(
          table(
            ['name', 'luns', 'portal/initiator groups'],
            nodes.map((n) => [
              n.name,
              n.luns.map((l) => `${l.lun_id}:${l.bdev_name}`).join(', ') || '-',
              n.pg_ig_maps.map((m) => `${m.pg_tag}/${m.ig_tag}`).join(', ') || '-',
            ]),
          ),
        ),
      );
    }
  }

  for (const problem of inventory.errors) out.push(`  warning: ${problem.section} unreadable: ${problem.error.message}`);
  return `${out.join('\n')}\n`;
}

function bdevRow(b: Bdev): Array<string | number> {
  const bytes = BigInt(b.num_blocks) * BigInt(b.block_size);
  return [b.name, b.product_name, formatBytes(bytes), b.block_size, b.claimed === undefined ? '-' : b.claimed ? 'yes' : 'no', pciAddressOf(b) ?? '-'];
}

/** The PCI address of a bdev backed by a local NVMe drive (`driver_specific.nvme[].pci_address`). */
function pciAddressOf(b: Bdev): string | undefined {
  const nvme = b.driver_specific?.nvme;
  const paths = Array.isArray(nvme) ? nvme : nvme ? [nvme] : [];
  for (const p of paths) {
    const address = (p as { pci_address?: unknown }).pci_address;
    if (typeof address === 'string') return address;
  }
  return undefined;
}

function controllerRows(c: NvmeController): Array<Array<string | number>> {
  return c.ctrlrs.map((path) => [
    c.name,
    path.trid.trtype,
    `${path.trid.traddr}${path.trid.trsvcid ? `:${path.trid.trsvcid}` : ''}${path.trid.subnqn ? ` ${path.trid.subnqn}` : ''}`,
    path.state ?? '-',
  ]);
}

function formatBytes(bytes: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let unit = 0;
  let whole = bytes;
  let rest = 0n;
  while (whole >= 1024n && unit < units.length - 1) {
    rest = whole % 1024n;
    whole /= 1024n;
    unit++;
  }
  const fraction = rest === 0n ? '' : `.${String((rest * 10n) / 1024n)}`;
  return `${whole}${fraction === '.0' ? '' : fraction} ${units[unit]}`;
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
