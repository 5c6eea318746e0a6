/**
 * Reference memory figures for a Node process: the RSS of a bare Node process, and of one that has
 * only loaded the agent daemon's modules (nothing started), each a second after start. They say how
 * much of an agent's RSS is Node itself and its code, measured on this machine in the same run.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../test/helpers/paths.js';
import { startChild } from './processes.js';
import { rssMb } from './proc.js';

async function rssOf(label: string, code: string, settleMs: number): Promise<number> {
  const child = startChild(process.execPath, ['--input-type=module', '-e', code], { label });
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    if (!child.running) throw new Error(`${label} exited: ${child.stderr.slice(-500)}`);
    return rssMb(child.pid);
  } finally {
    await child.stop('SIGKILL', 1000);
  }
}

export async function nodeFootprints(settleMs = 1000): Promise<{ bareNode: number; agentModules: number }> {
  const daemon = pathToFileURL(path.join(repoRoot, 'dist', 'src', 'agent', 'daemon.js')).href;
  const run = pathToFileURL(path.join(repoRoot, 'dist', 'src', 'cli', 'commands', 'run.js')).href;
  const bareNode = await rssOf('bare node', 'setInterval(() => {}, 1000);', settleMs);
  const agentModules = await rssOf(
    'node with the agent modules',
    `await import(${JSON.stringify(run)}); await import(${JSON.stringify(daemon)}); setInterval(() => {}, 1000);`,
    settleMs,
  );
  return { bareNode, agentModules };
}
