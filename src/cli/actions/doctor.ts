/**
 * `spdk-agent doctor [--config FILE] [--config-file FILE] [--json]`: is this node ready for the
 * agent, and if not, what to do. Each check is one line, pass / warn / fail / not checkable, with
 * the fix (src/cli/doctor/checks.ts has the checks). It changes nothing and runs without root where
 * the files it reads allow.
 *
 * Exit codes: 0 every check passed (or could not be checked); 1 at least one warning; 2 at least
 * one failure (an invalid configuration is a failure too).
 */
import { ConfigError, type LoadedConfig } from '../../config/index.js';
import type { CliIo } from '../io.js';
import type { ConfigSourceOptions } from '../config-sources.js';
import { toJsonText } from '../output.js';
import { CliFailure, cliManager, loadCliConfig, quietLogging } from '../targets.js';
import {
  busChecks,
  configCheck,
  heartbeatCheck,
  hugepagesCheck,
  installationCheck,
  serviceCheck,
  targetChecks,
  type CheckLine,
  type CheckStatus,
} from '../doctor/checks.js';

export interface DoctorOptions extends ConfigSourceOptions {
  json?: boolean;
}

const WORD: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', 'not-checkable': 'N/A ' };

export async function doctor(options: DoctorOptions, io: CliIo): Promise<number> {
  quietLogging();
  const lines: CheckLine[] = [];
  let loaded: LoadedConfig;
  try {
    loaded = await loadCliConfig(options, io, false);
  } catch (err) {
    const text = err instanceof CliFailure || err instanceof ConfigError ? err.message : String(err);
    lines.push({
      check: 'configuration',
      status: 'fail',
      detail: text.replace(/^invalid configuration:\n/, ''),
      fix: 'fix the lines named; `spdk-agent config show` prints the effective values once it loads',
    });
    return finish(lines, options, io);
  }
  const { config } = loaded;
  lines.push(configCheck(loaded));
  lines.push((await installationCheck(config)).line);
  const manager = cliManager(config);
  const [targets, bus, service] = await Promise.all([targetChecks(manager, config), busChecks(config), serviceCheck(config)]);
  lines.push(await hugepagesCheck(config, manager));
  lines.push(...targets, ...bus, heartbeatCheck(config), service);
  return finish(lines, options, io);
}

function finish(lines: CheckLine[], options: DoctorOptions, io: CliIo): number {
  const count = (status: CheckStatus): number => lines.filter((l) => l.status === status).length;
  const code = count('fail') > 0 ? 2 : count('warn') > 0 ? 1 : 0;
  if (options.json) {
    io.stdout.write(
      toJsonText({
        checks: lines,
        summary: { pass: count('pass'), warn: count('warn'), fail: count('fail'), notCheckable: count('not-checkable') },
        exitCode: code,
      }),
    );
    return code;
  }
  const width = Math.max(...lines.map((l) => l.check.length));
  for (const l of lines) {
    io.stdout.write(`${WORD[l.status]}  ${l.check.padEnd(width)}  ${l.detail}\n`);
    if (l.fix !== undefined && l.status !== 'pass') io.stdout.write(`      ${' '.repeat(width)}  fix: ${l.fix}\n`);
  }
  io.stdout.write(
    `${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed${count('not-checkable') > 0 ? `, ${count('not-checkable')} not checkable` : ''}\n`,
  );
  return code;
}
