import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitArguments } from '../../../src/sim/cli/sim-options.js';
import { parseFault, parseFaultList } from '../../../src/sim/cli/faults.js';
import { DEFAULT_NVME_DEVICES, normaliseBdf, parseNvmeDevice } from '../../../src/sim/cli/nvme-devices.js';
import { shellWords } from '../../../src/sim/cli/shell-words.js';
import { SimOptionError } from '../../../src/sim/errors.js';

test('simulator options are taken out of the command line; SPDK options stay, in order', () => {
  const { sim, spdkArgs } = splitArguments(
    ['-m', '0x1', '--sim-poll-period-us', '0', '--app=vhost', '-r', '/s', '--emulate-version', '25.09', '--sim-fault', 'slow=5'],
    {},
  );
  assert.deepEqual(spdkArgs, ['-m', '0x1', '-r', '/s']);
  assert.equal(sim.pollPeriodUs, 0);
  assert.equal(sim.app, 'vhost');
  assert.equal(sim.emulateVersion, '25.09');
  assert.deepEqual(sim.faults, [{ kind: 'slow', ms: 5 }]);
});

test('defaults: v24.01, 4 ms poll period, two emulated NVMe drives, no faults', () => {
  const { sim } = splitArguments([], {});
  assert.equal(sim.emulateVersion, '24.01');
  assert.equal(sim.pollPeriodUs, 4000);
  assert.equal(sim.nvmeDevices.length, DEFAULT_NVME_DEVICES.length);
  assert.deepEqual(sim.faults, []);
  assert.equal(sim.app, undefined);
});

test('SPDK_SIM_OPTS (shell-quoted), SPDK_SIM_FAULTS and SPDK_SIM_MEMINFO; the command line is applied last', () => {
  const { sim } = splitArguments(['--sim-poll-period-us', '100'], {
    SPDK_SIM_OPTS: `--sim-poll-period-us 0 --sim-nvme '0000:3b:00.0,model=Fancy SSD 9000,size=960G' --sim-fault crash-after=7`,
    SPDK_SIM_FAULTS: 'slow=10, garbage-after=2;ignore-sigterm',
    SPDK_SIM_MEMINFO: '/tmp/fake-meminfo',
  });
  assert.equal(sim.pollPeriodUs, 100);
  assert.equal(sim.nvmeDevices.length, 1);
  assert.equal(sim.nvmeDevices[0]!.model, 'Fancy SSD 9000');
  assert.equal(sim.nvmeDevices[0]!.sizeBytes, 960_000_000_000);
  assert.deepEqual(sim.faults, [
    { kind: 'crash-after', requests: 7 },
    { kind: 'slow', ms: 10 },
    { kind: 'garbage-after', requests: 2 },
    { kind: 'ignore-sigterm' },
  ]);
  assert.equal(sim.meminfoPath, '/tmp/fake-meminfo');
});

test('bad simulator options fail with a message naming the option', () => {
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof SimOptionError);
      return err.message;
    }
    return assert.fail('no error');
  };
  assert.match(
    message(() => splitArguments(['--sim-nope', '1'], {})),
    /unknown simulator option '--sim-nope'/,
  );
  assert.match(
    message(() => splitArguments(['--sim-app', 'nvmf'], {})),
    /--sim-app must be nvmf_tgt, vhost, iscsi_tgt or spdk_tgt/,
  );
  assert.match(
    message(() => splitArguments(['--sim-emulate-version', '20.01'], {})),
    /must be one of 17.07, 19.04, 24.01, 24.05, 24.09, 25.05, 25.09, 26.01, 26.05, not '20.01'/,
  );
  assert.match(
    message(() => splitArguments(['--sim-poll-period-us'], {})),
    /requires an argument/,
  );
  assert.match(
    message(() => splitArguments(['--sim-ticks-start', '-1'], {})),
    /needs a uint64/,
  );
  assert.match(
    message(() => splitArguments([], { SPDK_SIM_OPTS: '-m 0x1' })),
    /not a simulator option/,
  );
  assert.match(
    message(() => splitArguments([], { SPDK_SIM_OPTS: "--sim-app 'vhost" })),
    /unterminated single quote/,
  );
  assert.match(
    message(() => splitArguments(['--sim-watch-parent=1'], {})),
    /takes no value/,
  );
});

test('--sim-nvme: none, repeated drives, attributes and their validation', () => {
  assert.deepEqual(splitArguments(['--sim-nvme', 'none'], {}).sim.nvmeDevices, []);
  const two = splitArguments(
    ['--sim-nvme', '3b:00.0', '--sim-nvme', '0000:3c:00.0,vendor=0x8086,serial=ABC123,fw=1.2,block=4096,namespaces=2,security=1,nsuuid=0'],
    {},
  ).sim.nvmeDevices;
  assert.equal(two.length, 2);
  assert.equal(two[0]!.bdf, '0000:3b:00.0');
  assert.deepEqual(
    [two[1]!.vendorId, two[1]!.serial, two[1]!.firmware, two[1]!.blockSize, two[1]!.namespaces, two[1]!.security, two[1]!.namespaceUuid],
    [0x8086, 'ABC123', '1.2', 4096, 2, true, false],
  );
  assert.throws(() => parseNvmeDevice('nonsense', 0, 'x'), /PCI address/);
  assert.throws(() => parseNvmeDevice('0000:01:00.0,block=520', 0, 'x'), /block must be 512 or 4096/);
  assert.throws(() => parseNvmeDevice('0000:01:00.0,colour=blue', 0, 'x'), /unknown key 'colour'/);
  assert.throws(() => parseNvmeDevice(`0000:01:00.0,serial=${'x'.repeat(21)}`, 0, 'x'), /serial/);
  assert.throws(() => splitArguments(['--sim-nvme', '01:00.0', '--sim-nvme', '0000:01:00.0'], {}), /given twice/);
  assert.equal(normaliseBdf('0A:00.1'), '0000:0a:00.1');
  assert.equal(normaliseBdf('0000:0a:00.8'), null);
});

test('faults: every kind parses; wrong values are named', () => {
  assert.deepEqual(parseFault('hang-after=3', 's'), { kind: 'hang-after', requests: 3 });
  assert.deepEqual(parseFault('truncate-after=0', 's'), { kind: 'truncate-after', requests: 0 });
  assert.deepEqual(parseFault('slow-start=250', 's'), { kind: 'slow-start', ms: 250 });
  assert.deepEqual(parseFault('exit-after=1000', 's'), { kind: 'exit-after', ms: 1000 });
  assert.deepEqual(parseFault('refuse-start=core-locked', 's'), { kind: 'refuse-start', reason: 'core-locked' });
  assert.throws(() => parseFault('crash-after', 's'), /needs a whole number/);
  assert.throws(() => parseFault('refuse-start=because', 's'), /needs one of socket-in-use/);
  assert.throws(() => parseFault('explode', 's'), /unknown fault 'explode'/);
  assert.deepEqual(parseFaultList('  ', 's'), []);
});

test('shell words: quotes and escapes, no expansion', () => {
  assert.deepEqual(shellWords(`a 'b c' "d \\"e\\"" f\\ g $HOME`, 'x'), ['a', 'b c', 'd "e"', 'f g', '$HOME']);
  assert.deepEqual(shellWords('', 'x'), []);
});
