/** Where things are, from a compiled test file in dist/test/… or a bench file in dist/bench/…. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (the directory holding package.json). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
export const spdkFixturesDir = path.join(fixturesDir, 'spdk', 'v24.01');
export const amqpFixturesDir = path.join(fixturesDir, 'amqp');
export const binDir = path.join(repoRoot, 'bin');
export const simBin = path.join(binDir, 'spdk-sim');
export const agentBin = path.join(binDir, 'spdk-agent');
