import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { agentConfigSchema } from '../../../src/config/schema.js';
import { schemaProblems } from '../../../src/config/validate.js';
import { formatProblem } from '../../../src/config/errors.js';
import { parseYamlDocument } from '../../../src/config/yaml/document.js';
import { repoRoot } from '../../helpers/paths.js';
import { dedent } from './scratch.js';

const FILE = '/etc/spdk-agent/agent.yaml';

function problemsOf(text: string): string[] {
  const doc = parseYamlDocument(text, FILE);
  return schemaProblems(doc.data ?? {}, FILE, doc.lineOf).map(formatProblem);
}

test('the example from the issue: file, line, key path, the allowed values and what was found', () => {
  const text = dedent(`
    agent:
      host: cn1
    spdk:
      targets:
        - name: nvmf0
          app: nvmf
  `);
  assert.deepEqual(problemsOf(text), ['/etc/spdk-agent/agent.yaml:6: spdk.targets[0].app: must be one of nvmf_tgt, vhost, iscsi_tgt, spdk_tgt (got "nvmf")']);
});

test('several problems are all reported, one per line, in file order', () => {
  const text = dedent(`
    agent:
      hots: cn1
    log:
      level: verbose
    bus:
      heartbeatSec: 1.5
      retry: { maxSec: 0 }
    spdk:
      targets:
        - name: a
          app: vhost
          sockt: /var/tmp/a.sock
        - name: b
          args: [-s, 512]
          cpumask: 0x3
  `);
  assert.deepEqual(problemsOf(text), [
    `${FILE}:2: agent.hots: unknown key; did you mean "host"?`,
    `${FILE}:4: log.level: must be one of error, warn, info, debug (got "verbose")`,
    `${FILE}:6: bus.heartbeatSec: must be a whole number (got 1.5)`,
    `${FILE}:7: bus.retry.maxSec: must be > 0 (got 0)`,
    `${FILE}:12: spdk.targets[0].sockt: unknown key; did you mean "socket"?`,
    `${FILE}:13: spdk.targets[1].app: is required`,
    `${FILE}:14: spdk.targets[1].args[1]: must be a quoted string such as "512" (got 512)`,
    `${FILE}:15: spdk.targets[1].cpumask: must be a core mask like "0x3" or a core list like "[0,1,8-12]", in quotes (unquoted, YAML reads 0x3 as the number 3) (got 3)`,
  ]);
});

test('an unknown key with no close match lists the keys allowed there', () => {
  const [message] = problemsOf('spdk:\n  hugepages:\n    size: 2M\n');
  assert.equal(message, `${FILE}:3: spdk.hugepages.size: unknown key (allowed here: allocate, useSetupScript)`);
});

test('an unknown section at the top level is reported with its line', () => {
  assert.deepEqual(problemsOf('agent: {}\n\nrpc:\n  timeout: 3\n'), [`${FILE}:3: rpc: unknown key (allowed here: agent, log, bus, spdk, metrics)`]);
});

test('wrong types say what was expected in YAML words', () => {
  const text = dedent(`
    bus:
      enabled: "yes"
      urls: amqp://h
    spdk:
      targets:
        name: x
  `);
  assert.deepEqual(problemsOf(text), [
    `${FILE}:2: bus.enabled: must be true or false (got "yes")`,
    `${FILE}:3: bus.urls: must be a list (got "amqp://h")`,
    `${FILE}:5: spdk.targets: must be a list (got a mapping)`,
  ]);
});

test('an empty value and an empty list entry are named as such', () => {
  const text = dedent(`
    log:
      level:
    spdk:
      targets:
        -
  `);
  assert.deepEqual(problemsOf(text), [
    `${FILE}:2: log.level: must be one of error, warn, info, debug (got an empty value)`,
    `${FILE}:5: spdk.targets[0]: must be a mapping of keys to values (got an empty value)`,
  ]);
});

test('patterns are explained in words, not regexes', () => {
  const text = dedent(`
    agent:
      host: "cn 1"
    spdk:
      targets:
        - name: "-bad"
          app: vhost
          tcp: "10.0.0.5"
          env: { "1BAD": x }
  `);
  assert.deepEqual(problemsOf(text), [
    `${FILE}:2: agent.host: must be a host name without spaces or slashes (got "cn 1")`,
    `${FILE}:5: spdk.targets[0].name: must be a name of letters, digits, "_", "." or "-" (at most 64, not starting with a symbol) (got "-bad")`,
    `${FILE}:7: spdk.targets[0].tcp: must be host:port, e.g. "10.0.0.5:5260" or "[fd00::5]:5260" (got "10.0.0.5")`,
    `${FILE}:8: spdk.targets[0].env["1BAD"]: is not a valid environment variable name (letters, digits and "_", not starting with a digit)`,
  ]);
});

test('a secret value is never echoed in a schema error', () => {
  const [message] = problemsOf('bus:\n  password: 987654321\n');
  assert.equal(message, `${FILE}:2: bus.password: must be a string (got a number, not shown)`);
  assert.doesNotMatch(message!, /987654321/);
});

test('an enum typo gets a suggestion', () => {
  const [message] = problemsOf('spdk:\n  targets:\n    - { name: a, app: vhots }\n');
  assert.match(message!, /spdk\.targets\[0\]\.app: must be one of .* \(got "vhots"\); did you mean "vhost"\?$/);
});

test('config/agent.schema.json is the schema the loader uses', () => {
  // Regenerate with: node -e "import('./dist/src/config/schema.js').then(m=>console.log(JSON.stringify(m.agentConfigSchema,null,2)))" > config/agent.schema.json
  const shipped = JSON.parse(readFileSync(path.join(repoRoot, 'config', 'agent.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(agentConfigSchema)));
});

test('every object of the schema rejects unknown keys', () => {
  const open: string[] = [];
  const visit = (node: unknown, where: string) => {
    if (node === null || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    // `env` is a free map of variable names; its names and values are still checked.
    if (schema.properties !== undefined && schema.additionalProperties !== false) open.push(where);
    for (const [key, child] of Object.entries(schema)) visit(child, `${where}/${key}`);
  };
  visit(agentConfigSchema, '#');
  assert.deepEqual(open, []);
});
