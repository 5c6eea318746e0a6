import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlDocument } from '../../../src/config/yaml/document.js';
import { ConfigError } from '../../../src/config/errors.js';
import { dedent } from './scratch.js';

/** The 1-based line of the first line containing `marker`. */
function lineOfText(text: string, marker: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(marker));
  assert.ok(index >= 0, `marker ${marker} not in text`);
  return index + 1;
}

test('lines of keys in nested mappings and in lists of targets', () => {
  const text = dedent(`
    # a comment
    agent:
      host: cn1

    spdk:
      sourceDir: /opt/spdk
      targets:
        - name: first
          app: nvmf_tgt
          restart:
            policy: always
        -
          name: second   # the item starts on the line after its dash
          app: vhost
          args:
            - "-s"
            - "512"
  `);
  const doc = parseYamlDocument(text, 'a.yaml');
  assert.equal(doc.lineOf(['agent']), lineOfText(text, 'agent:'));
  assert.equal(doc.lineOf(['agent', 'host']), lineOfText(text, 'host: cn1'));
  assert.equal(doc.lineOf(['spdk', 'sourceDir']), lineOfText(text, 'sourceDir'));
  assert.equal(doc.lineOf(['spdk', 'targets']), lineOfText(text, 'targets:'));
  assert.equal(doc.lineOf(['spdk', 'targets', 0]), lineOfText(text, 'name: first'));
  assert.equal(doc.lineOf(['spdk', 'targets', 0, 'app']), lineOfText(text, 'app: nvmf_tgt'));
  assert.equal(doc.lineOf(['spdk', 'targets', 0, 'restart', 'policy']), lineOfText(text, 'policy: always'));
  assert.equal(doc.lineOf(['spdk', 'targets', 1, 'name']), lineOfText(text, 'name: second'));
  assert.equal(doc.lineOf(['spdk', 'targets', 1, 'app']), lineOfText(text, 'app: vhost'));
  assert.equal(doc.lineOf(['spdk', 'targets', 1, 'args', 1]), lineOfText(text, '"512"'));
});

test('a path that is not in the document falls back to its nearest ancestor', () => {
  const text = dedent(`
    spdk:
      targets:
        - name: only
  `);
  const doc = parseYamlDocument(text, 'a.yaml');
  assert.equal(doc.lineOf(['spdk', 'targets', 0, 'restart', 'maxDelaySec']), lineOfText(text, 'name: only'));
  assert.equal(doc.lineOf(['bus']), undefined);
});

test('flow mappings and flow lists spread over lines, including keys without values', () => {
  const text = dedent(`
    log: {level: info, format: json}
    bus:
      urls: [
        "amqp://a:5672",
        "amqp://b:5672"
      ]
      tls: {
        ca: /x,
        verify
      }
  `);
  const doc = parseYamlDocument(text, 'a.yaml');
  assert.equal(doc.lineOf(['log', 'format']), 1);
  assert.equal(doc.lineOf(['bus', 'urls', 1]), lineOfText(text, 'amqp://b'));
  assert.equal(doc.lineOf(['bus', 'tls', 'ca']), lineOfText(text, 'ca: /x'));
  assert.equal(doc.lineOf(['bus', 'tls', 'verify']), lineOfText(text, 'verify'));
});

test('empty list items keep their own line and do not shift the items after them', () => {
  const text = dedent(`
    spdk:
      targets:
        -
        - name: b
        -
        - name: d
  `);
  const doc = parseYamlDocument(text, 'a.yaml');
  assert.deepEqual((doc.data as { spdk: { targets: unknown[] } }).spdk.targets, [null, { name: 'b' }, null, { name: 'd' }]);
  assert.equal(doc.lineOf(['spdk', 'targets', 0]), 3);
  assert.equal(doc.lineOf(['spdk', 'targets', 1, 'name']), 4);
  assert.equal(doc.lineOf(['spdk', 'targets', 2]), 5);
  assert.equal(doc.lineOf(['spdk', 'targets', 3, 'name']), 6);
});

test('quoted keys, explicit keys and keys merged from an anchor', () => {
  const text = dedent(`
    defaults: &base
      app: vhost
      autostart: true
    "quoted key": 1
    ? explicit
    : 2
    spdk:
      targets:
        - name: merged
          <<: *base
          autostart: false
  `);
  const doc = parseYamlDocument(text, 'a.yaml');
  assert.equal(doc.lineOf(['quoted key']), lineOfText(text, 'quoted key'));
  assert.equal(doc.lineOf(['explicit']), lineOfText(text, '? explicit'));
  // A merged key is reported on the `<<` line; a key overriding the merge on its own line.
  assert.equal(doc.lineOf(['spdk', 'targets', 0, 'app']), lineOfText(text, '<<: *base'));
  assert.equal(doc.lineOf(['spdk', 'targets', 0, 'autostart']), lineOfText(text, 'autostart: false'));
});

test('a YAML syntax error names the file and the line', () => {
  const text = 'agent:\n  host: cn1\n   bad: indentation\n';
  assert.throws(
    () => parseYamlDocument(text, '/etc/spdk-agent/agent.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.file, '/etc/spdk-agent/agent.yaml');
      assert.equal(err.problems.length, 1);
      assert.equal(err.problems[0]!.line, 3);
      assert.match(err.message, /^\/etc\/spdk-agent\/agent\.yaml:3: YAML syntax error \(column \d+\): bad indentation/);
      return true;
    },
  );
});

test('a duplicated key is a syntax error on the line of the second one', () => {
  const text = 'log:\n  level: info\n  level: debug\n';
  assert.throws(
    () => parseYamlDocument(text, 'a.yaml'),
    (err: unknown) => err instanceof ConfigError && err.problems[0]!.line === 3 && /duplicated mapping key/.test(err.message),
  );
});

test('an empty document parses to nothing', () => {
  const doc = parseYamlDocument('# only a comment\n', 'a.yaml');
  assert.equal(doc.data ?? null, null);
  assert.equal(doc.lineOf(['agent']), undefined);
});
