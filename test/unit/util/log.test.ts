import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { fstatSync } from 'node:fs';
import { configureLogging, getLogger, redactText, stderrIsJournal } from '../../../src/util/log.js';
import { inRequestScope } from '../../../src/util/request-scope.js';

function capture(format: 'json' | 'text'): { lines: () => string[]; stream: PassThrough } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  configureLogging({ level: 'debug', format, stream });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

test('URL passwords are masked in any string', () => {
  assert.equal(redactText('connect amqp://guest:s3cr3t@h1:5672/ then amqps://u:p%40ss@h2/v'), 'connect amqp://guest:***@h1:5672/ then amqps://u:***@h2/v');
  assert.equal(redactText('amqp://guest@h1:5672/'), 'amqp://guest@h1:5672/');
  assert.equal(redactText('/var/tmp/spdk.sock'), '/var/tmp/spdk.sock');
});

for (const format of ['json', 'text'] as const) {
  test(`${format} lines never carry a password, however deep it sits`, () => {
    const { lines } = capture(format);
    const log = getLogger('test.log');
    log.info('connecting to amqp://agent:hunter2@broker:5672/', {
      password: 'hunter2',
      bus: { url: 'amqp://agent:hunter2@broker/', username: 'agent', tls: { passphrase: 'hunter2' } },
      params: [{ psk: 'hunter2', dhchap_key: 'hunter2', key2: 'hunter2', nqn: 'nqn.2016-06.io.spdk:cnode1' }],
      routing_key: 'cyborg-agent.cn1',
    });
    const text = lines().join('\n');
    assert.ok(text.length > 0);
    assert.doesNotMatch(text, /hunter2/);
    // What an operator needs stays readable.
    assert.match(text, /agent:\*\*\*@broker/);
    assert.match(text, /nqn\.2016-06\.io\.spdk:cnode1/);
    assert.match(text, /cyborg-agent\.cn1/);
    assert.match(text, /test\.log/);
  });
}

test('json lines are JSON with the level, the component and exact big integers', () => {
  const { lines } = capture('json');
  getLogger('test.json').warn('tick', { ticks: 18446744073709551615n });
  const line = JSON.parse(lines()[0]!) as Record<string, unknown>;
  assert.equal(line.level, 'warn');
  assert.equal(line.component, 'test.json');
  assert.equal(line.message, 'tick');
  assert.equal(line.ticks, '18446744073709551615');
});

test('the level is case-insensitive and filters lines', () => {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  configureLogging({ level: 'WARN', format: 'json', stream });
  const log = getLogger('test.level');
  log.info('hidden');
  log.warn('shown');
  const text = chunks.join('');
  assert.match(text, /shown/);
  assert.doesNotMatch(text, /hidden/);
});

test('journald: each line carries its syslog priority (<3> error … <7> debug) when stderr is the journal, in JSON and text; none otherwise', (t) => {
  t.after(() => configureLogging({ level: 'error' }));
  const lines = (options: { format: 'json' | 'text'; journal?: boolean }): string[] => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    configureLogging({ level: 'debug', ...options, stream });
    const log = getLogger('test.journal');
    log.error('e');
    log.warn('w');
    log.info('i');
    log.debug('d');
    return text.split('\n').filter(Boolean);
  };
  assert.deepEqual(
    lines({ format: 'json', journal: true }).map((l) => l.slice(0, 4)),
    ['<3>{', '<4>{', '<6>{', '<7>{'],
  );
  assert.deepEqual(JSON.parse(lines({ format: 'json', journal: true })[0]!.slice(3)).message, 'e', 'the rest of the line is the JSON as before');
  assert.deepEqual(
    lines({ format: 'text', journal: true }).map((l) => /^<(\d)>\d\d:\d\d/.exec(l)?.[1]),
    ['3', '4', '6', '7'],
  );
  assert.ok(
    lines({ format: 'json' }).every((l) => l.startsWith('{')),
    'not the journal: no prefix',
  );
  assert.ok(lines({ format: 'text', journal: false }).every((l) => !l.startsWith('<')));
});

test('stderrIsJournal: JOURNAL_STREAM must name the very stream on fd 2', () => {
  const stat = fstatSync(2);
  assert.equal(stderrIsJournal({ JOURNAL_STREAM: `${stat.dev}:${stat.ino}` }), true);
  assert.equal(stderrIsJournal({ JOURNAL_STREAM: `${stat.dev}:${stat.ino + 1}` }), false, 'a redirected stderr inherits the variable');
  assert.equal(stderrIsJournal({}), false);
});

test('request ids: every line logged while serving a request names it, through awaits; none outside', async (t) => {
  t.after(() => configureLogging({ level: 'error' }));
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  configureLogging({ level: 'info', format: 'json', stream });
  const log = getLogger('test.request');
  await inRequestScope({ request_id: 'req-1234', msg_id: 'm1' }, async () => {
    log.info('before an await');
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.info('after an await', { other: 1 });
  });
  log.info('outside');
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => [l.message, l.request_id, l.msg_id]),
    [
      ['before an await', 'req-1234', 'm1'],
      ['after an await', 'req-1234', 'm1'],
      ['outside', undefined, undefined],
    ],
  );
});
