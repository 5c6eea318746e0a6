import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DUPLICATE_WINDOW, RecentMessageIds } from '../../../src/bus/dedup.js';

test('an id seen among the last 16 is a duplicate; an older one is not', () => {
  assert.equal(DUPLICATE_WINDOW, 16);
  const recent = new RecentMessageIds();
  assert.equal(recent.checkAndRemember('a'), false);
  assert.equal(recent.checkAndRemember('a'), true);
  for (let i = 0; i < 15; i++) assert.equal(recent.checkAndRemember(`id${i}`), false);
  assert.equal(recent.checkAndRemember('a'), true, "'a' is the oldest of the last 16");
  assert.equal(recent.checkAndRemember('id15'), false, 'a 17th id pushes the oldest out');
  assert.equal(recent.size, 16);
  assert.equal(recent.checkAndRemember('a'), false, "'a' has been forgotten");
});

test('a message without an id is never a duplicate and is not remembered', () => {
  const recent = new RecentMessageIds();
  assert.equal(recent.checkAndRemember(null), false);
  assert.equal(recent.checkAndRemember(null), false);
  assert.equal(recent.checkAndRemember(undefined), false);
  assert.equal(recent.size, 0);
});

test('ids of other JSON types are compared by value', () => {
  const recent = new RecentMessageIds(4);
  assert.equal(recent.checkAndRemember(42), false);
  assert.equal(recent.checkAndRemember(42), true);
  assert.equal(recent.checkAndRemember('42'), false, 'the string "42" is not the number 42');
  assert.equal(recent.checkAndRemember({ a: 1 }), false);
  assert.equal(recent.checkAndRemember({ a: 1 }), true);
});
