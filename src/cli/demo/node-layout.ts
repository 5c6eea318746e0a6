/**
 * The demo's node, laid out in a fresh temporary directory: a fake SPDK source tree whose
 * `build/bin/nvmf_tgt` and `build/bin/vhost` are symlinks to the simulator (bin/spdk-sim plays the
 * app its name says), the SPDK JSON configs and the agent configuration of `deploy/demo/`, with
 * the placeholders filled in. `remove()` deletes all of it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot as findPackageRoot } from '../../util/package-info.js';

/** The package root (bin/, deploy/, dist/). */
export const packageRoot = findPackageRoot();
export const demoTemplateDir = path.join(packageRoot, 'deploy', 'demo');
export const simulatorBin = path.join(packageRoot, 'bin', 'spdk-sim');
export const agentBin = path.join(packageRoot, 'bin', 'spdk-agent');

export interface DemoNode {
  dir: string;
  configFile: string;
  /** The demo's control exchange (also the prefix of its topics). */
  exchange: string;
  host: string;
  remove(): Promise<void>;
}

const APPS = ['nvmf_tgt', 'vhost'] as const;
const COPIED = ['nvmf.json', 'vhost.json'] as const;

export async function layOutDemoNode(): Promise<DemoNode> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spdk-agent-demo-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const token = randomBytes(3).toString('hex');
    const exchange = `spdk-demo-${token}`;
    const host = 'demo-node';
    const binDir = path.join(dir, 'spdk', 'build', 'bin');
    await mkdir(binDir, { recursive: true });
    await mkdir(path.join(dir, 'vhost.d'));
    for (const app of APPS) await symlink(simulatorBin, path.join(binDir, app));
    for (const file of COPIED) await copyFile(path.join(demoTemplateDir, file), path.join(dir, file));
    const template = await readFile(path.join(demoTemplateDir, 'agent.yaml'), 'utf8');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the template's own placeholders, not JavaScript's.
    const config = template.replaceAll('${DEMO_DIR}', dir).replaceAll('${EXCHANGE}', exchange).replaceAll('${HOST}', host);
    const configFile = path.join(dir, 'agent.yaml');
    // The file holds the (demo) broker password: readable by its owner only.
    await writeFile(configFile, config, { mode: 0o600 });
    await chmod(configFile, 0o600);
    return { dir, configFile, exchange, host, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
