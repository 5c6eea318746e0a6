/** config/agent.example.yaml and config/cyborg.conf.example ship with the package: they must be right. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, parseCyborgConf } from '../../../src/config/index.js';
import { agentConfigSchema } from '../../../src/config/schema.js';
import { schemaProblems } from '../../../src/config/validate.js';
import { parseYamlDocument } from '../../../src/config/yaml/document.js';
import { repoRoot } from '../../helpers/paths.js';
import { scratch } from './scratch.js';

const examplePath = path.join(repoRoot, 'config', 'agent.example.yaml');
const exampleText = readFileSync(examplePath, 'utf8');

test('the example loads and validates, and its active values are the defaults', async (t) => {
  const { config, files } = await loadConfig({ file: examplePath, env: {} });
  const { config: defaults } = await loadConfig({ file: scratch(t).write('empty.yaml', ''), env: {} });
  assert.equal(files.agent, examplePath);
  assert.deepEqual(withoutTargets(config), withoutTargets(defaults));
  assert.equal(config.spdk.targets.length, 1);
  const [target] = config.spdk.targets;
  assert.equal(target!.name, 'nvmf0');
  assert.equal(target!.socket, '/var/tmp/spdk.sock');
  assert.equal(target!.enabled, true);
});

test('the example with its optional keys uncommented is valid too', () => {
  // Optional keys are written "#key: value" (no space), prose comments "# text".
  const uncommented = exampleText.replace(/^(\s*)#(?=[A-Za-z]+:)/gm, '$1');
  const changed = uncommented.split('\n').filter((line, i) => line !== exampleText.split('\n')[i]).length;
  assert.ok(changed >= 15, `expected many optional keys, found ${changed}`);
  const doc = parseYamlDocument(uncommented, examplePath);
  assert.deepEqual(schemaProblems(doc.data, examplePath, doc.lineOf), []);
});

test('the example documents every key of the schema', () => {
  const missing: string[] = [];
  const visit = (node: unknown, where: string[]) => {
    const properties = (node as { properties?: Record<string, unknown> }).properties;
    const items = (node as { items?: unknown }).items;
    for (const [key, child] of Object.entries(properties ?? {})) {
      if (!new RegExp(`(^|[\\s{,#])${key}:`, 'm').test(exampleText)) missing.push([...where, key].join('.'));
      visit(child, [...where, key]);
    }
    if (items && typeof items === 'object') visit(items, [...where, '[]']);
  };
  visit(agentConfigSchema, []);
  assert.deepEqual(missing, []);
});

test('the cyborg.conf example parses, and says what it is meant to', () => {
  const file = path.join(repoRoot, 'config', 'cyborg.conf.example');
  const conf = parseCyborgConf(readFileSync(file, 'utf8'), file);
  assert.deepEqual(
    conf.servers.map((s) => s.app),
    ['nvmf_tgt', 'vhost'],
  );
  assert.deepEqual(conf.layer.values.bus, {
    urls: ['amqp://10.0.0.10:5672', 'amqp://10.0.0.11:5672'],
    username: 'cyborg',
    password: 'CHANGE_ME',
    controlExchange: 'cyborg',
    rpcResponseTimeoutSec: 60,
    durableQueues: false,
    autoDeleteQueues: false,
    quorumQueues: false,
    haQueues: false,
    transientQueuesTtlSec: 1800,
    heartbeatSec: 60,
    retry: { initialSec: 1, stepSec: 2, maxSec: 30 },
  });
  assert.equal((conf.layer.values.spdk as { sourceDir: string }).sourceDir, '/opt/spdk');
  assert.deepEqual(conf.warnings, []);
});

function withoutTargets(config: object): unknown {
  const copy = JSON.parse(JSON.stringify(config)) as { spdk: { targets?: unknown } };
  delete copy.spdk.targets;
  return copy;
}

test('an empty file gives the built-in defaults', async (t) => {
  const dir = scratch(t);
  const { config, warnings } = await loadConfig({ file: dir.write('empty.yaml', ''), env: {} });
  assert.equal(config.bus.urls[0], 'amqp://127.0.0.1:5672/%2F');
  assert.equal(config.log.level, 'info');
  assert.deepEqual(config.spdk.targets, []);
  assert.ok(warnings.some((w) => /no SPDK targets/.test(w)));
});
