import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOsloIni } from '../../../src/config/cyborg/oslo-ini.js';
import { dedent } from './scratch.js';

function parse(text: string) {
  return parseOsloIni(text, '/etc/cyborg/cyborg.conf');
}

function valueIn(text: string, section: string, key: string): string | undefined {
  const { ini, problems } = parse(text);
  assert.deepEqual(problems, []);
  const entry = ini.get(section, key);
  if (entry === undefined) return undefined;
  const resolved = ini.resolve(entry);
  assert.ok(resolved.ok, resolved.ok ? '' : resolved.reason);
  return resolved.value;
}

test('";" and "#" inside a value are kept, as oslo.config keeps them (unlike the ini package)', () => {
  const text = '[DEFAULT]\ntransport_url = rabbit://u:pa;ss#word@h:5672/\n';
  assert.equal(valueIn(text, 'DEFAULT', 'transport_url'), 'rabbit://u:pa;ss#word@h:5672/');
});

test('comments start only at the beginning of a line', () => {
  const text = dedent(`
    # a comment
    ; another
    [DEFAULT]
    host = cn1 # not a comment
  `);
  assert.equal(valueIn(text, 'DEFAULT', 'host'), 'cn1 # not a comment');
});

test('"key: value" works, and the first of "=" and ":" separates', () => {
  const text = '[DEFAULT]\nhost: cn1\ntransport_url = rabbit://u:p@h:5672/\n';
  assert.equal(valueIn(text, 'DEFAULT', 'host'), 'cn1');
  assert.equal(valueIn(text, 'DEFAULT', 'transport_url'), 'rabbit://u:p@h:5672/');
});

test('one pair of matching quotes is removed, nothing else is unescaped', () => {
  const text = dedent(`
    [a]
    double = "x \\" y"
    single = 'it'
    mismatched = "x'
    inner = a "b" c
  `);
  assert.equal(valueIn(text, 'a', 'double'), 'x \\" y');
  assert.equal(valueIn(text, 'a', 'single'), 'it');
  assert.equal(valueIn(text, 'a', 'mismatched'), `"x'`);
  assert.equal(valueIn(text, 'a', 'inner'), 'a "b" c');
});

test('an indented line continues the value; a blank line ends it', () => {
  const text = '[a]\nservers = nvmf,\n   vhost\n\nother = 1\n';
  assert.equal(valueIn(text, 'a', 'servers'), 'nvmf,\nvhost');
  assert.equal(valueIn(text, 'a', 'other'), '1');
  const { ini } = parse(text);
  assert.equal(ini.get('a', 'servers')!.line, 2);
});

test('section names are case-insensitive, except DEFAULT', () => {
  const text = '[Oslo_Messaging_Rabbit]\nssl = true\n[default]\nhost = lower\n';
  assert.equal(valueIn(text, 'oslo_messaging_rabbit', 'ssl'), 'true');
  assert.equal(valueIn(text, 'DEFAULT', 'host'), undefined);
  assert.equal(valueIn(text, 'default', 'host'), 'lower');
});

test('a key set twice keeps the last value and its line', () => {
  const { ini } = parse('[DEFAULT]\nhost = a\nhost = b\n');
  assert.equal(ini.get('DEFAULT', 'host')!.raw, 'b');
  assert.equal(ini.get('DEFAULT', 'host')!.line, 3);
});

test('CRLF line endings are read like LF', () => {
  const { ini, problems } = parse('[DEFAULT]\r\nhost = cn1\r\n\r\n[agent]\r\nresource_provider_name = cn1.x\r\n');
  assert.deepEqual(problems, []);
  assert.equal(ini.get('DEFAULT', 'host')!.raw, 'cn1');
  assert.equal(ini.get('agent', 'resource_provider_name')!.line, 5);
});

test('syntax errors are reported with their line, as oslo.config would refuse them', () => {
  const text = dedent(`
    orphan = 1
    [DEFAULT]
    just some words
    = no key
      indented after a blank line

    [unclosed
    ignored = 1
    []
  `);
  const { problems } = parse(text);
  assert.deepEqual(
    problems.map((p) => [p.line, p.keyPath, p.message]),
    [
      [1, 'orphan', 'is not inside a [section]'],
      [3, '', 'expected "key = value", a [section] header or a comment'],
      [4, '', 'a value with no key'],
      [5, '', 'indented line continues no value (oslo.config rejects this)'],
      [7, '', 'section header must end with "]" (got "[unclosed")'],
      [9, '', 'section header has no name'],
    ],
  );
  assert.ok(problems.every((p) => p.file === '/etc/cyborg/cyborg.conf'));
});

test('an indented line with nothing to continue is an error', () => {
  const { problems } = parse('[DEFAULT]\n\n   stray = 1\n');
  assert.deepEqual(
    problems.map((p) => p.line),
    [3],
  );
  assert.match(problems[0]!.message, /continues no value/);
});

// biome-ignore lint/suspicious/noTemplateCurlyInString: oslo.config's own substitution syntax.
test('"$name" and "${section.name}" are substituted, "$$" is a dollar', () => {
  const text = dedent(`
    [DEFAULT]
    state_path = /var/lib/cyborg
    [spdk]
    base = /opt
    spdk_dir = $base/spdk
    spdk_conf_file = \${state_path}/spdk.json
    other = \${spdk.base}/x
    price = 5$$
  `);
  assert.equal(valueIn(text, 'spdk', 'spdk_dir'), '/opt/spdk');
  assert.equal(valueIn(text, 'spdk', 'spdk_conf_file'), '/var/lib/cyborg/spdk.json');
  assert.equal(valueIn(text, 'spdk', 'other'), '/opt/x');
  assert.equal(valueIn(text, 'spdk', 'price'), '5$');
});

test('a reference to a value the file does not set, or a reference loop, is a clear failure', () => {
  const { ini } = parse('[DEFAULT]\na = $missing\nb = $c\nc = $b\n');
  const missing = ini.resolve(ini.get('DEFAULT', 'a')!);
  assert.deepEqual(missing, { ok: false, reason: 'refers to $missing, which is not set in this file (write "$$" for a literal "$")' });
  const loop = ini.resolve(ini.get('DEFAULT', 'b')!);
  assert.equal(loop.ok, false);
  assert.match(loop.ok ? '' : loop.reason, /nested too deeply/);
});
