/**
 * The validator compiled at build time (scripts/compile-validators.ts) is the schema of
 * src/config/schema.ts: it is there, and it answers as a validator compiled from the schema now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { agentConfigSchema } from '../../../src/config/schema.js';
import { newConfigAjv } from '../../../src/config/validate.js';
import { repoRoot } from '../../helpers/paths.js';

const compiledFile = path.join(repoRoot, 'dist', 'src', 'config', 'agent-config-validator.cjs');

test('the build compiled the configuration schema; it answers as the schema compiled now', () => {
  assert.ok(existsSync(compiledFile), 'npm run build writes it');
  const compiled = createRequire(import.meta.url)(compiledFile) as ValidateFunction;
  const fresh = newConfigAjv().compile(agentConfigSchema);
  const samples: unknown[] = [
    {},
    { agent: { reportIntervalSec: -1 }, bus: { urls: [] }, nope: 1 },
    { spdk: { targets: [{ name: 'x', app: 'nvmf_tgt', restart: { policy: 'sometimes' } }] } },
    { metrics: { listen: 'no port here' }, log: { level: 'loud' } },
    { bus: { quorumQueues: 'yes', qosPrefetchCount: 1.5 } },
  ];
  for (const sample of samples) {
    const a = structuredClone(sample);
    const b = structuredClone(sample);
    assert.equal(compiled(a), fresh(b), JSON.stringify(sample));
    assert.deepEqual(
      (compiled.errors ?? []).map((e) => [e.instancePath, e.keyword, e.params]),
      (fresh.errors ?? []).map((e) => [e.instancePath, e.keyword, e.params]),
    );
    assert.deepEqual(a, b, 'the same defaults filled in');
  }
});
