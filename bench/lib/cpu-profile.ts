/**
 * Where a process spent its CPU, from a V8 `.cpuprofile` (`node --cpu-prof`): self time summed by
 * source area (a file of the project, a dependency, Node's internals, the garbage collector), as a
 * share of the busy time (idle excluded). Used to say, measured, what limits a figure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  area: string;
  /** Share of the busy time, 0..1. */
  share: number;
}

/** The area a frame belongs to: `src/bus/python-values.ts`, `amqplib`, `node internals`, `(garbage collector)`. */
function areaOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (url === '') return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : 'native (V8 builtins, I/O)';
  const project = /\/dist\/(src\/.+)\.js$/.exec(url);
  if (project) return `${project[1]}.ts`;
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dep) return dep[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/** Busy-time shares by area, largest first, from the newest profile in `dir`. */
export function summariseProfile(dir: string): { busyMs: number; shares: ProfileShare[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(path.join(dir, files.sort().at(-1)!), 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byArea = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    busy += micros;
    const area = areaOf(node);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
  });
  const shares = [...byArea.entries()].map(([area, micros]) => ({ area, share: busy > 0 ? micros / busy : 0 })).sort((a, b) => b.share - a.share);
  return { busyMs: busy / 1000, shares };
}

/** "src/bus/python-values.ts 57%, (garbage collector) 9%, …" */
export function describeShares(shares: ProfileShare[], top = 5): string {
  return shares
    .slice(0, top)
    .map((s) => `${s.area} ${(s.share * 100).toFixed(0)}%`)
    .join(', ');
}
