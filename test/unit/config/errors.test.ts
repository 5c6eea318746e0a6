import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, formatProblem } from '../../../src/config/index.js';
import { AgentError } from '../../../src/util/errors.js';

test('ConfigError lists every problem, one per line, and carries them for code', () => {
  const err = new ConfigError([
    { file: '/etc/spdk-agent/agent.yaml', keyPath: 'spdk.targets[0].app', line: 14, message: 'must be one of nvmf_tgt, vhost (got "nvmf")' },
    { file: '/etc/cyborg/cyborg.conf', keyPath: '[DEFAULT] host', line: 2, message: 'must not be empty' },
    { file: 'environment', keyPath: 'SPDK_AGENT_LOG_LEVEL', message: 'must be one of error, warn, info, debug (got "x")' },
    { file: '/etc/spdk-agent/agent.yaml', keyPath: '', line: 3, message: 'YAML syntax error (column 4): bad indentation' },
  ]);
  assert.ok(err instanceof AgentError);
  assert.equal(err.name, 'ConfigError');
  assert.equal(err.code, 'CONFIG_INVALID');
  assert.equal(err.file, '/etc/spdk-agent/agent.yaml');
  assert.equal(err.problems.length, 4);
  assert.equal(
    err.message,
    [
      '/etc/spdk-agent/agent.yaml:14: spdk.targets[0].app: must be one of nvmf_tgt, vhost (got "nvmf")',
      '/etc/cyborg/cyborg.conf:2: [DEFAULT] host: must not be empty',
      'environment: SPDK_AGENT_LOG_LEVEL: must be one of error, warn, info, debug (got "x")',
      '/etc/spdk-agent/agent.yaml:3: YAML syntax error (column 4): bad indentation',
    ].join('\n'),
  );
  const json = err.toJSON();
  assert.equal(json.code, 'CONFIG_INVALID');
  assert.equal(json.file, '/etc/spdk-agent/agent.yaml');
  assert.equal((json.problems as unknown[]).length, 4);
  assert.ok(Object.isFrozen(err.problems) && Object.isFrozen(err.problems[0]));
});

test('a problem without a line prints the file alone', () => {
  assert.equal(formatProblem({ file: '/x.yaml', keyPath: '', message: 'cannot read' }), '/x.yaml: cannot read');
});

test('a ConfigError without problems is a programming error', () => {
  assert.throws(() => new ConfigError([]), TypeError);
});
