import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TargetManager } from '../../../../src/spdk/lifecycle/manager.js';
import type { SpdkInstallation } from '../../../../src/spdk/install/detect.js';

/** A detection that answers a numbered installation per run (or fails when told to). */
function countingDetection(): { detect: () => Promise<SpdkInstallation>; runs: () => number; failNext: () => void } {
  let runs = 0;
  let fail = false;
  return {
    detect: async () => {
      runs++;
      if (fail) {
        fail = false;
        throw new Error('the tree is being rebuilt');
      }
      return { installed: true, apps: {}, explicitBinaries: [], searched: [`run ${runs}`], problems: [] };
    },
    runs: () => runs,
    failNext: () => {
      fail = true;
    },
  };
}

test('SPDK is detected once for every start, and again on redetect(), whose answer later starts use', async () => {
  const detection = countingDetection();
  const manager = new TargetManager({ targets: [] }, { installation: detection.detect });
  const [a, b] = await Promise.all([manager.installation(), manager.installation()]);
  assert.equal(detection.runs(), 1);
  assert.equal(a, b);
  const again = await manager.redetect();
  assert.equal(detection.runs(), 2);
  assert.deepEqual(again.searched, ['run 2']);
  assert.equal(await manager.installation(), again, 'the new answer is the one kept');
  assert.equal(detection.runs(), 2);
});

test('a failed detection is reported to its caller and not kept: the next start detects again', async () => {
  const detection = countingDetection();
  const manager = new TargetManager({ targets: [] }, { installation: detection.detect });
  detection.failNext();
  await assert.rejects(manager.redetect(), /being rebuilt/);
  const next = await manager.installation();
  assert.equal(detection.runs(), 2);
  assert.deepEqual(next.searched, ['run 2']);
});
