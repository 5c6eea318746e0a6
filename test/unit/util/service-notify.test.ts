/** ServiceNotifier's decisions without systemd: when it is on, the watchdog period, a missing systemd-notify. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceNotifier } from '../../../src/util/service-notify.js';
import { memoryLogger } from '../../helpers/logs.js';

test('off without NOTIFY_SOCKET; the watchdog period from WATCHDOG_USEC, only for this process', () => {
  const { logger } = memoryLogger();
  assert.equal(ServiceNotifier.fromEnvironment({ env: {}, logger }), null);
  const on = ServiceNotifier.fromEnvironment({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' }, logger });
  assert.equal(on?.watchdogMs, 30_000);
  const mine = ServiceNotifier.fromEnvironment({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '2000000', WATCHDOG_PID: String(process.pid) }, logger });
  assert.equal(mine?.watchdogMs, 2000);
  const other = ServiceNotifier.fromEnvironment({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '2000000', WATCHDOG_PID: '1' }, logger });
  assert.equal(other?.watchdogMs, null, 'the watchdog is for another process');
  assert.equal(ServiceNotifier.fromEnvironment({ env: { NOTIFY_SOCKET: '/run/x' }, logger })?.watchdogMs, null);
});

test('a systemd-notify that cannot run is logged once, and nothing throws', async () => {
  const { logger, lines } = memoryLogger();
  const notifier = ServiceNotifier.fromEnvironment({ env: { NOTIFY_SOCKET: '/run/x' }, program: '/nonexistent/systemd-notify', logger })!;
  await notifier.ready('serving');
  await notifier.status('still');
  await notifier.stopping('bye');
  const errors = lines().filter((l) => l.level === 'error');
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]!.message), /cannot notify systemd \(\/nonexistent\/systemd-notify --ready --status=serving\)/);
});
