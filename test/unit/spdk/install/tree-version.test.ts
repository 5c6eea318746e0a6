import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVersionFile, parseVersionHeader, versionText } from '../../../../src/spdk/install/index.js';

test('versionText follows SPDK_VERSION_STRING: two-digit minor, patch only when non-zero, then the suffix', () => {
  assert.equal(versionText(24, 1, 0, ''), 'SPDK v24.01');
  assert.equal(versionText(22, 1, 2, ''), 'SPDK v22.01.2');
  assert.equal(versionText(26, 9, 0, '-pre'), 'SPDK v26.09-pre');
  assert.equal(versionText(17, 10, 0, ''), 'SPDK v17.10');
});

test('parseVersionHeader reads the SPDK_VERSION_* defines, with tabs or spaces', () => {
  const header = [
    '#define SPDK_VERSION_MAJOR\t21',
    '#define SPDK_VERSION_MINOR   07',
    '#  define SPDK_VERSION_PATCH 0',
    '#define SPDK_VERSION_SUFFIX\t"-rc1"',
  ].join('\n');
  assert.deepEqual(parseVersionHeader(header, '/x/version.h'), {
    major: 21,
    minor: 7,
    patch: 0,
    suffix: '-rc1',
    text: 'SPDK v21.07-rc1',
    file: '/x/version.h',
  });
});

test('parseVersionHeader refuses a template or a header without numbers', () => {
  assert.equal(parseVersionHeader('#define SPDK_VERSION_MAJOR @MAJOR@\n#define SPDK_VERSION_MINOR @MINOR@', 'f'), undefined);
  assert.equal(parseVersionHeader('int main(void) { return 0; }', 'f'), undefined);
});

test('parseVersionFile reads the VERSION file of a tree', () => {
  assert.equal(parseVersionFile('26.05.0\n', 'VERSION')?.text, 'SPDK v26.05');
  assert.equal(parseVersionFile('26.09.0-pre\n', 'VERSION')?.text, 'SPDK v26.09-pre');
  assert.equal(parseVersionFile('22.01.2', 'VERSION')?.patch, 2);
  assert.equal(parseVersionFile('not a version', 'VERSION'), undefined);
  assert.equal(parseVersionFile('', 'VERSION'), undefined);
});
