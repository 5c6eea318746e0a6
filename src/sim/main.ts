/**
 * The simulator's entry point (bin/spdk-sim): `main(process.argv)`.
 *
 * The app is chosen by the name the program runs under — `path.basename(argv[1])` is nvmf_tgt,
 * vhost, iscsi_tgt or spdk_tgt when a fake SPDK tree links those names to bin/spdk-sim — or by
 * --sim-app/--app; as `spdk-sim` it plays nvmf_tgt. Exit codes are SPDK's: 0 after -h/-v or a clean
 * stop, 2 for a bad command line, 1 when start-up fails.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { isAppName } from './cli/apps.js';
import { splitArguments } from './cli/sim-options.js';
import { parseSpdkCommandLine } from './cli/spdk-options.js';
import { usageText } from './cli/usage.js';
import { SimOptionError, SimUsageError } from './errors.js';
import { SimApp } from './app/sim-app.js';
import { SITES, SpdkLog } from './app/spdk-log.js';
import { profileFor } from './versions/profile.js';
import { errorMessage } from '../util/errors.js';

export const PARSE_ARGS_FAIL = 2;

function canRead(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * SPDK ignores SIGPIPE (the DPDK EAL does), so a target whose log pipe lost its reader (the agent
 * that started it was restarted) keeps running and its lines go nowhere. Node ignores SIGPIPE too,
 * but a write to such a pipe then fails with EPIPE on the stream, which would end the process: the
 * simulator drops those errors as SPDK does.
 */
function ignoreBrokenOutput(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

export async function main(argv: string[]): Promise<number> {
  ignoreBrokenOutput();
  const program = argv[1] ?? 'spdk-sim';
  const args = argv.slice(2);
  let split: ReturnType<typeof splitArguments>;
  try {
    split = splitArguments(args, process.env);
  } catch (err) {
    if (err instanceof SimOptionError) {
      process.stderr.write(`spdk-sim: ${err.message}\n`);
      return PARSE_ARGS_FAIL;
    }
    throw err;
  }
  const invokedAs = path.basename(program);
  const app = split.sim.app ?? (isAppName(invokedAs) ? invokedAs : 'nvmf_tgt');
  const profile = profileFor(split.sim.emulateVersion);

  let cl: ReturnType<typeof parseSpdkCommandLine>;
  try {
    cl = parseSpdkCommandLine(program, split.spdkArgs, app, split.sim.emulateVersion, canRead);
  } catch (err) {
    if (err instanceof SimUsageError) {
      const log = new SpdkLog(process.stderr, false);
      for (const line of err.lines) {
        if (err.fromGetopt) log.plain(line);
        else log.error(SITES.appParseArgs, line);
      }
      if (err.showUsage) process.stderr.write(usageText(program, app));
      return PARSE_ARGS_FAIL;
    }
    throw err;
  }
  if (cl.action === 'help') {
    process.stdout.write(usageText(program, app));
    return 0;
  }
  if (cl.action === 'version') {
    process.stdout.write(`${profile.versionString}\n`);
    return 0;
  }
  if (cl.background) return daemonize(argv);
  try {
    const code = await new SimApp(app, profile, cl, split.sim, { stdout: process.stdout, stderr: process.stderr }).run();
    // Everything is closed by now; should anything still hold the event loop, exit anyway.
    setTimeout(() => process.exit(code), 2000).unref();
    return code;
  } catch (err) {
    process.stderr.write(`spdk-sim: internal error: ${errorMessage(err)}\n`);
    return 1;
  }
}

/** iscsi_tgt -b: the target goes on in the background, the command returns at once. */
function daemonize(argv: string[]): number {
  const args = argv.slice(2).filter((a) => a !== '-b');
  const child = spawn(process.execPath, [argv[1]!, ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  return 0;
}
