/** The demo's words: what a report, a change between reports and a target look like on screen. */
import type { ReceivedRegistration, RegisteredDevice } from './conductor.js';

const INDENT = '    ';

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function registrationHeadline(report: ReceivedRegistration): string {
  const deployables = report.devices.reduce((n, d) => n + d.deployables.length, 0);
  return `report_data from ${report.hostname}: ${plural(report.devices.length, 'device')}, ${plural(deployables, 'deployable')}`;
}

function deviceLine(device: RegisteredDevice): string {
  const where = device.target ? ` on ${device.target}` : '';
  const stub = device.stub ? ' [kept as is: its target is briefly away]' : '';
  const empty = device.deployables.length === 0 ? ' (nothing exported from it)' : '';
  return `${device.bdf}  ${device.model} (vendor ${device.vendor})${where}${stub}${empty}`;
}

export function renderRegistration(report: ReceivedRegistration): string {
  const lines: string[] = [];
  for (const device of report.devices) {
    lines.push(`${INDENT}${deviceLine(device)}`);
    for (const d of device.deployables) {
      lines.push(`${INDENT}  deployable ${d.name}`);
      lines.push(`${INDENT}    ${d.resourceClass} ×${d.count}   traits ${d.traits.join(', ')}`);
      for (const handle of d.attachInfo) lines.push(`${INDENT}    attach handle ${handle}`);
    }
  }
  return lines.join('\n');
}

/** What changed between two reports, device by device (by PCI address) and deployable by name. */
export function renderChanges(before: ReceivedRegistration, after: ReceivedRegistration): string {
  const lines: string[] = [];
  const old = new Map(before.devices.map((d) => [d.bdf, d]));
  const now = new Map(after.devices.map((d) => [d.bdf, d]));
  for (const [bdf, device] of now) {
    const previous = old.get(bdf);
    if (!previous) {
      lines.push(`${INDENT}+ ${deviceLine(device)}`);
      for (const d of device.deployables) lines.push(`${INDENT}    + deployable ${d.name} (${d.resourceClass})`);
      continue;
    }
    if (previous.stub !== device.stub) lines.push(`${INDENT}~ ${deviceLine(device)}`);
    const names = new Set(previous.deployables.map((d) => d.name));
    for (const d of device.deployables) if (!names.has(d.name)) lines.push(`${INDENT}  + deployable ${d.name} (${d.resourceClass}) on ${bdf}`);
    const kept = new Set(device.deployables.map((d) => d.name));
    for (const d of previous.deployables) if (!kept.has(d.name)) lines.push(`${INDENT}  - deployable ${d.name} on ${bdf}`);
  }
  for (const [bdf, device] of old) if (!now.has(bdf)) lines.push(`${INDENT}- ${deviceLine(device)}`);
  return lines.length > 0 ? lines.join('\n') : `${INDENT}(unchanged)`;
}
