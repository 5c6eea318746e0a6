/**
 * Run by `npm run build` after tsc: bundles the command line into dist/cli/, which bin/spdk-agent
 * loads. Two entries:
 * - dist/cli/main.js: dist/src/cli/main.js and every module it reaches (the daemon's included),
 *   split so that each command's actions are their own chunk, loaded only when that command runs,
 *   as in the unbundled tree;
 * - dist/cli/rpc.js: the ordinary `spdk-agent rpc` call (src/cli/rpc-main.ts), one file with
 *   nothing else in it; any other `rpc` line goes on to main.js.
 *
 * Why a bundle: a CLI command is a whole process, and Node's ESM loader pays for every module it
 * resolves, reads and links (Node 20 has no compile cache). Unbundled, `spdk-agent rpc` loaded ~30
 * of our modules and started ~30 ms later than as one file (bench figure 9, where the bound is 50 ms
 * above a bare `node -e 0`). Commander, which every command but the ordinary `rpc` loads, is bundled
 * too: from node_modules it is seven CommonJS files through the ESM loader's CommonJS translation
 * (~12 ms of `--help`). The other packages stay outside (loaded only by the commands that need
 * them; some read files next to themselves).
 *
 * tsc stays the compiler and type checker; esbuild only joins its output (target node20, the
 * oldest Node we support). Tests import dist/src/ directly and run bin/spdk-agent, so both trees
 * are exercised.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = path.join(root, 'dist', 'cli');
const BUNDLED_PACKAGES = new Set(['commander']);
const { dependencies = {} } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
// A package and its deep imports (`ajv/dist/...`) stay external.
const external = Object.keys(dependencies)
  .filter((name) => !BUNDLED_PACKAGES.has(name))
  .flatMap((name) => [name, `${name}/*`]);

const common: BuildOptions = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // Commander is CommonJS and require()s Node's built-ins; an ESM file has no `require` of its own.
  // (No module of ours may declare a top-level `require`: it would clash with this one.)
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // tsc's maps are followed through, so a stack trace mapped with --enable-source-maps names src/.
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
};

rmSync(outdir, { recursive: true, force: true });
const results = await Promise.all([
  build({ ...common, entryPoints: { main: 'dist/src/cli/main.js' }, splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
  build({ ...common, entryPoints: { rpc: 'dist/src/cli/rpc-main.js' } }),
]);
const files = results.flatMap((result) => Object.keys(result.metafile?.outputs ?? {})).filter((file) => file.endsWith('.js'));
process.stderr.write(`bundled the command line into ${path.relative(process.cwd(), outdir)}/ (${files.length} files)\n`);
