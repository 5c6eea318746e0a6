/**
 * The layers of src/ import only downwards:
 *
 *   cli → agent → spdk | bus → config → util      (spdk and bus never import each other)
 *   sim (the SPDK simulator, a program of its own) → spdk/rpc framing, util
 *
 * the libraries that belong to one layer stay there (amqplib in bus, winston in util/log), and no
 * module imports itself through others: no import cycle, type-only imports included (a cycle of
 * types is a cycle of concepts, and the next value import makes it a load-order bug).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const srcDir = path.join(repoRoot, 'src');

const RANK: Record<string, number> = { util: 0, config: 1, spdk: 2, bus: 2, agent: 3, cli: 4 };

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

function layerOf(file: string): string {
  return path.relative(srcDir, file).split(path.sep)[0]!;
}

const PACKAGE_HOME: Record<string, (relative: string) => boolean> = {
  amqplib: (rel) => rel.startsWith('bus/'),
  winston: (rel) => rel === 'util/log.ts',
};

test('src/ layers import only downwards, and layer-specific libraries stay in their layer', () => {
  const files = tsFiles(srcDir);
  assert.ok(files.length > 0);
  const violations: string[] = [];
  for (const file of files) {
    const rel = path.relative(srcDir, file).split(path.sep).join('/');
    const from = layerOf(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        const to = layerOf(target);
        if (to === from) continue;
        if (from === 'sim') {
          const targetRel = path.relative(srcDir, target).split(path.sep).join('/');
          if (to === 'util' || targetRel.startsWith('spdk/rpc/')) continue;
          violations.push(`${rel} imports ${spec}: the simulator may use only util/ and spdk/rpc/`);
          continue;
        }
        if (to === 'sim') {
          violations.push(`${rel} imports ${spec}: nothing in src/ imports the simulator`);
          continue;
        }
        const fromRank = RANK[from];
        const toRank = RANK[to];
        if (fromRank === undefined || toRank === undefined) {
          violations.push(`${rel} imports ${spec}: unknown layer ${fromRank === undefined ? from : to}`);
        } else if (toRank >= fromRank) {
          violations.push(`${rel} (${from}) imports ${spec} (${to}): a layer imports only downwards`);
        }
      } else {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        const home = PACKAGE_HOME[pkg];
        if (home && !home(rel)) violations.push(`${rel} imports ${pkg}, which belongs to another layer`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('the layer check itself catches an upward import', () => {
  // Guards the regexes above: a file of the bus layer importing spdk must be reported.
  const fake = "import { x } from '../spdk/rpc/client.js';\nexport const y = 1;";
  const specs = [...fake.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  assert.deepEqual(specs, ['../spdk/rpc/client.js']);
});

/** Every import cycle among `files` (relative imports), each as the list of files around it. */
function importCycles(files: readonly string[], importsOfFile: (file: string) => string[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    graph.set(
      file,
      importsOfFile(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts')),
    );
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return cycles;
}

test('no import cycles in src/ (type-only imports included)', () => {
  const cycles = importCycles(tsFiles(srcDir), importsOf).map((cycle) => cycle.map((f) => path.relative(srcDir, f)).join(' → '));
  assert.deepEqual(cycles, []);
});

test('the cycle check itself finds a cycle, through type-only imports too', () => {
  const sources: Record<string, string> = {
    '/x/a.ts': "import type { B } from './b.js';\n",
    '/x/b.ts': "import { c } from './c.js';\n",
    '/x/c.ts': "export { a } from './a.js';\n",
    '/x/d.ts': "import { a } from './a.js';\n",
  };
  const imports = (file: string): string[] => [...sources[file]!.matchAll(/from\s*'([^']+)'/g)].map((m) => m[1]!);
  assert.deepEqual(importCycles(Object.keys(sources), imports), [['/x/a.ts', '/x/b.ts', '/x/c.ts', '/x/a.ts']]);
});
