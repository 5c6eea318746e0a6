/**
 * The CLI's presentation pieces, in-process: progress lines when stderr is not a terminal (and on a
 * terminal without a size), and the renderers' handling of exact big integers and missing sections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createProgress } from '../../../src/cli/progress.js';
import { renderInstallation, renderInventory, renderTargets, toJsonText } from '../../../src/cli/output.js';
import type { TargetInventory } from '../../../src/spdk/inventory.js';

function sink(extra: Record<string, unknown> = {}): Writable & { text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return Object.assign(stream, extra, { text: () => text });
}

test('progress on a pipe: one plain line per phase, repeats folded, no escape codes', () => {
  const out = sink();
  const progress = createProgress(out, 'nvmf0: starting');
  progress.update('nvmf0: waiting for the RPC socket');
  progress.update('nvmf0: waiting for the RPC socket');
  progress.update('nvmf0: waiting for initialisation');
  progress.stop();
  assert.equal(out.text(), 'nvmf0: starting\nnvmf0: waiting for the RPC socket\nnvmf0: waiting for initialisation\n');
});

test('progress on a terminal without a size falls back to plain lines', () => {
  const out = sink({ isTTY: true, columns: 0 });
  const progress = createProgress(out, 'nvmf0: starting');
  progress.update('nvmf0: spawning');
  progress.stop();
  assert.equal(out.text(), 'nvmf0: starting\nnvmf0: spawning\n');
});

test('JSON output keeps integers beyond 2^53 exact', () => {
  assert.equal(toJsonText({ ticks: 18446744073709551615n, small: 1 }), '{\n  "ticks": 18446744073709551615,\n  "small": 1\n}\n');
});

test('an inventory renders sizes from uint64 block counts, PCI addresses, and unreadable sections as warnings', () => {
  const inventory = {
    version: null,
    app: 'nvmf_tgt',
    methods: null,
    bdevs: [
      {
        name: 'Nvme0n1',
        product_name: 'NVMe disk',
        block_size: 4096,
        num_blocks: 9007199254740993n,
        claimed: false,
        driver_specific: { nvme: [{ pci_address: '0000:5e:00.0' }] },
      },
    ],
    nvmeControllers: null,
    nvmf: { transports: null, subsystems: [] },
    errors: [{ section: 'nvmeControllers', error: { name: 'JsonRpcError', code: 'SPDK_RPC_ERROR', message: 'bdev_nvme_get_controllers failed' } }],
  } as unknown as TargetInventory;
  const text = renderInventory('nvmf0', inventory);
  assert.match(text, /^nvmf0: nvmf_tgt, version unknown\n/);
  // 9007199254740993 × 4096 bytes = 32 EiB-ish: past PiB the unit stays PiB.
  assert.match(text, /│ Nvme0n1 │ NVMe disk │ 32768 PiB │ 4096 {2}│ no {6}│ 0000:5e:00\.0 │/);
  assert.match(text, /NVMe-oF transports: unreadable/);
  assert.match(text, /NVMe-oF subsystems \(0\)/);
  assert.match(text, /warning: nvmeControllers unreadable: bdev_nvme_get_controllers failed/);
  assert.doesNotMatch(text, /NVMe controllers \(/);
});

test('targets table: disabled ones say why; failures show their error', () => {
  const text = renderTargets(
    [
      { name: 'a', app: 'nvmf_tgt', state: 'failed', address: '/a.sock', lastError: 'a: start failed: boom' },
      { name: 'b', app: 'vhost', state: 'stopped', address: '/b.sock' },
    ],
    new Map([['b', 'vhost is not in accelerator_servers']]),
  );
  assert.match(text, /│ a\s+│ nvmf_tgt │ failed: a: start failed: boom\s+│ -\s+│ \/a\.sock/);
  assert.match(text, /│ b\s+│ vhost\s+│ disabled \(vhost is not in accelerator_servers\)/);
});

test('installation: a prefix install with a broken target binary shows the problem', () => {
  const text = renderInstallation({
    installed: true,
    apps: { nvmf_tgt: { app: 'nvmf_tgt', path: '/usr/local/bin/nvmf_tgt', source: 'prefix' } },
    explicitBinaries: [{ target: 'x', app: 'vhost', configured: '/opt/vhost', path: '/opt/vhost', usable: false, problem: 'does not exist' }],
    prefix: '/usr/local',
    searched: [],
    problems: ['target x: binary /opt/vhost does not exist'],
  });
  assert.match(text, /installed: prefix \/usr\/local/);
  assert.match(text, /version: unknown until a target runs/);
  assert.match(text, /target x: binary \/opt\/vhost \(does not exist\)/);
  assert.match(text, /warning: target x: binary \/opt\/vhost does not exist/);
});
