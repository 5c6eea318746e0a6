/** NO_COLOR and terminals (src/util/color.ts), and the text log format that follows them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { colorAllowed } from '../../../src/util/color.js';
import { configureLogging, getLogger } from '../../../src/util/log.js';

test('colours only on a terminal, and never with NO_COLOR set (empty counts as unset)', () => {
  assert.equal(colorAllowed({ isTTY: true }, {}), true);
  assert.equal(colorAllowed({ isTTY: false }, {}), false);
  assert.equal(colorAllowed({}, {}), false);
  assert.equal(colorAllowed({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colorAllowed({ isTTY: true }, { NO_COLOR: '' }), true);
});

/** ESC [: the start of every ANSI colour sequence. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

test('the text log format on a terminal: coloured levels, none under NO_COLOR', (t) => {
  const saved = process.env.NO_COLOR;
  t.after(() => {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
    configureLogging({ level: 'error' });
  });
  const written = (): string => {
    const stream = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    configureLogging({ level: 'info', format: 'text', stream });
    getLogger('test.color').warn('hello');
    return text;
  };
  delete process.env.NO_COLOR;
  assert.match(written(), ANSI);
  process.env.NO_COLOR = '1';
  assert.doesNotMatch(written(), ANSI);
  assert.match(written(), / warn \[test\.color\] hello/);
});
