/**
 * `spdk-agent demo`: the main job, end to end, on this machine, in well under a minute, leaving
 * nothing behind.
 *
 * It lays out a node in a temporary directory (a fake SPDK tree played by the simulator, the
 * configuration of deploy/demo/), acts as the Cyborg conductor on a control exchange of its own
 * (so a real Cyborg on the same broker is not touched), starts `spdk-agent run` as a child process,
 * prints every report_data it receives, calls the agent over the bus (ping, report, stop a target,
 * start it again), then stops the agent with SIGTERM and removes everything: the targets stop with
 * the agent (stopOnAgentExit), the demo's queues are auto-delete, the directory is removed.
 *
 * Exit codes: 0 done; 1 a step failed (the agent's last log lines are shown); 2 the broker is not
 * reachable (with how to start one); 130 interrupted (Ctrl-C), after the same clean-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { loadConfig } from '../../config/index.js';
import { BusConnectionError, BusTransport, resolveBusOptions } from '../../bus/index.js';
import { busOptionsFromConfig } from '../../agent/bus-link.js';
import { errorMessage } from '../../util/errors.js';
import { DemoConductor, type ReceivedRegistration } from '../demo/conductor.js';
import { agentBin, layOutDemoNode, type DemoNode } from '../demo/node-layout.js';
import { plural, renderChanges, renderRegistration, registrationHeadline } from '../demo/render.js';
import { DemoStepError } from '../errors.js';
import { ExitCode, type CliIo } from '../io.js';
import { configureLogging } from '../../util/log.js';

const FIRST_REPORT_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 15_000;
const CALL_TIMEOUT_MS = 20_000;
const AGENT_LOG_LINES = 40;
/** What a shell reports for a command ended by Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

export async function demo(io: CliIo): Promise<number> {
  // The demo speaks for itself; its own bus and lifecycle lines would bury that (the agent's log
  // is kept, and shown when a step fails).
  configureLogging({ level: process.env.SPDK_AGENT_LOG_LEVEL ?? 'error' });
  const out = (line = ''): void => void io.stdout.write(`${line}\n`);
  const started = Date.now();
  const seconds = (from: number): string => `${((Date.now() - from) / 1000).toFixed(1)} s`;

  let node: DemoNode | null = null;
  let transport: BusTransport | null = null;
  let agent: RunningAgent | null = null;
  let conductor: DemoConductor | null = null;
  const targetPids = new Set<number>();
  let succeeded = false;
  // Ctrl-C: every wait below gives up at once, and the clean-up runs as after a failure.
  let interrupt: (err: Error) => void = () => undefined;
  const interruption = new Promise<never>((_, reject) => (interrupt = reject));
  interruption.catch(() => undefined);
  let wasInterrupted = false;
  const interrupted = (): void => {
    wasInterrupted = true;
    out('\ninterrupted: cleaning up');
    interrupt(new DemoStepError('interrupted'));
  };
  process.once('SIGINT', interrupted);

  try {
    node = await layOutDemoNode();
    const { config } = await loadConfig({ file: node.configFile });
    const busOptions = { ...busOptionsFromConfig(config.bus, 'spdk-agent-demo'), openTimeoutSec: 3, connectTimeoutSec: 2 };
    const brokers = resolveBusOptions(busOptions).brokers.map((b) => `${b.scheme}://${b.host}:${b.port}`);

    transport = new BusTransport(resolveBusOptions(busOptions));
    try {
      await transport.open();
    } catch (err) {
      if (!(err instanceof BusConnectionError)) throw err;
      io.stderr.write(
        `spdk-agent demo: no RabbitMQ broker at ${brokers.join(', ')}: ${errorMessage(err)}\n` +
          `  start one with:  rabbitmq-server -detached   (then run the demo again)\n` +
          `  or point the demo at another broker:  SPDK_AGENT_BUS_URL=amqp://user:password@host:5672/ spdk-agent demo\n`,
      );
      return ExitCode.Usage;
    }

    out('spdk-agent demo: an SPDK node registering its storage with a Cyborg conductor');
    out(`  broker     ${transport.currentUrl ?? brokers.join(', ')}, exchange ${node.exchange} (the demo's own: a real Cyborg is not touched)`);
    out(`  node       ${node.dir}: a fake SPDK tree whose nvmf_tgt and vhost are the simulator`);
    out(`  targets    nvmf0 (2 PCIe NVMe drives, NVMe-oF over TCP) and vhost0 (1 drive, a vhost-blk controller)`);
    out();

    let previous: ReceivedRegistration | null = null;
    // A report can reach the conductor before the reply of the call that caused it reaches us:
    // while a call runs, reports wait, so the story prints in order (the call, then its reports).
    let holding = false;
    const waiting: Array<{ report: ReceivedRegistration; when: string }> = [];
    const printRegistrations = (): void => {
      for (const { report, when } of waiting.splice(0)) {
        out(`  conductor ◀ ${registrationHeadline(report)}${previous === null ? when : ''}`);
        out(previous === null ? renderRegistration(report) : renderChanges(previous, report));
        previous = report;
      }
    };
    conductor = new DemoConductor((report) => {
      waiting.push({ report, when: agent ? ` (${seconds(agent.startedAt)} after the agent started)` : '' });
      if (!holding) printRegistrations();
    });
    await conductor.start(transport, config.bus.conductorTopic);
    const client = transport.createClient({ topic: config.bus.agentTopic, server: config.agent.host, timeoutMs: CALL_TIMEOUT_MS });

    out(`▶ starting the agent: spdk-agent run --config ${node.configFile}`);
    agent = startAgent(node.configFile);
    const step = <T>(what: string, work: Promise<T>): Promise<T> => waitForStep(`waiting for ${what}`, Promise.race([work, interruption]));
    const call = async <T>(method: string, args: Record<string, unknown> = {}): Promise<T> => {
      holding = true;
      try {
        return await waitForStep(`${method} failed`, Promise.race([client.call<T>(method, args), interruption]));
      } finally {
        holding = false;
      }
    };
    /** A call's line, then the reports that came meanwhile. */
    const outcome = (line: string): void => {
      out(line);
      printRegistrations();
    };
    await step('the first report_data', Promise.race([conductor.waitForRegistration(0, FIRST_REPORT_TIMEOUT_MS), agent.exitedEarly()]));

    const pong = await call<{ pong: string; version: string }>('ping');
    outcome(`▶ ping → pong from ${pong.pong} (spdk-agent ${pong.version})`);

    const view = await call<{ targets: TargetLine[] }>('report');
    out('▶ report →');
    for (const target of view.targets) {
      if (target.pid !== null) targetPids.add(target.pid);
      out(`    ${describeTarget(target)}`);
    }
    printRegistrations();

    let count = conductor.registrations.length;
    const stopped = await call<{ target: TargetLine; sent: string[] }>('stop', { target: 'vhost0' });
    outcome(`▶ stop vhost0 → ${stopped.target.state} (${stopped.sent.join(', ') || 'not running'}); the agent reports the change:`);
    await step('the report after the stop', conductor.waitForRegistration(count, STEP_TIMEOUT_MS));
    await step('the reports to settle', settle(conductor));

    count = conductor.registrations.length;
    const restarted = await call<TargetLine>('start', { target: 'vhost0' });
    if (restarted.pid !== null) targetPids.add(restarted.pid);
    outcome(`▶ start vhost0 → ${restarted.state} (pid ${restarted.pid ?? '?'}); the agent reports the change:`);
    await step('the report after the start', conductor.waitForRegistration(count, STEP_TIMEOUT_MS));
    await step('the reports to settle', settle(conductor));

    const stoppingAt = Date.now();
    const code = await agent.terminate();
    out(
      `▶ SIGTERM to the agent → exited ${code === null ? 'by a signal' : `with ${code}`} after ${seconds(stoppingAt)} (its targets stopped with it: stopOnAgentExit)`,
    );
    if (code !== 0) throw new DemoStepError(`the agent did not shut down cleanly (exit ${String(code)})`);
    succeeded = true;
    return ExitCode.Ok;
  } catch (err) {
    if (wasInterrupted) {
      io.stderr.write('spdk-agent demo: interrupted\n');
      return EXIT_INTERRUPTED;
    }
    io.stderr.write(`spdk-agent demo: ${errorMessage(err)}\n`);
    const lines = agent?.lastLines(AGENT_LOG_LINES) ?? [];
    if (lines.length > 0) io.stderr.write(`the agent's last log lines:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
    return ExitCode.Failed;
  } finally {
    process.off('SIGINT', interrupted);
    const leftovers = await cleanUp({ agent, conductor, transport, node, targetPids });
    if (leftovers.length > 0) io.stderr.write(`spdk-agent demo: had to clean up after the agent: ${leftovers.join('; ')}\n`);
    else if (succeeded) out(`✔ done in ${seconds(started)}; nothing left behind (processes, sockets, temporary directory, broker queues)`);
  }
}

interface TargetLine {
  name: string;
  app: string;
  state: string;
  pid: number | null;
  version: string | null;
  inventory?: { bdevs?: unknown[]; nvmf?: { subsystems?: unknown[] | null }; vhost_controllers?: unknown[] | null } | null;
}

function describeTarget(t: TargetLine): string {
  const parts = [`${t.name.padEnd(7)} ${t.app.padEnd(9)} ${t.state}`];
  if (t.pid !== null) parts.push(`pid ${t.pid}`);
  if (t.version) parts.push(t.version);
  const inv = t.inventory;
  if (inv) {
    const counts = [plural(inv.bdevs?.length ?? 0, 'bdev')];
    const subsystems = inv.nvmf?.subsystems?.filter((s) => (s as { subtype?: unknown }).subtype !== 'Discovery');
    if (subsystems) counts.push(plural(subsystems.length, 'NVMe-oF subsystem'));
    if (inv.vhost_controllers) counts.push(plural(inv.vhost_controllers.length, 'vhost controller'));
    parts.push(counts.join(', '));
  }
  return parts.join('  ');
}

async function waitForStep<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof DemoStepError) throw err;
    throw new DemoStepError(`${what}: ${errorMessage(err)}`);
  }
}

/** Lets reports that belong to the same change (stopping, then stopped) arrive before the next step. */
async function settle(conductor: DemoConductor): Promise<void> {
  for (;;) {
    const count = conductor.registrations.length;
    try {
      await conductor.waitForRegistration(count, 700);
    } catch {
      return;
    }
  }
}

interface RunningAgent {
  process: ChildProcess;
  startedAt: number;
  /** Rejects if the agent exits before it is told to. */
  exitedEarly(): Promise<never>;
  /** SIGTERM, then SIGKILL if it lingers; resolves with the exit code (null: killed). */
  terminate(): Promise<number | null>;
  lastLines(n: number): string[];
}

function startAgent(configFile: string): RunningAgent {
  const child = spawn(process.execPath, [agentBin, 'run', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SPDK_AGENT_LOG_FORMAT: 'json' },
  });
  const lines: string[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  let asked = false;
  let termination: Promise<number | null> | null = null;
  return {
    process: child,
    startedAt: Date.now(),
    exitedEarly: () =>
      exited.then((code) => Promise.reject(new DemoStepError(asked ? 'stopped' : `the agent exited at start-up (exit ${String(code)})`, { exitCode: code }))),
    terminate: () => {
      termination ??= (async () => {
        asked = true;
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      })();
      return termination;
    },
    lastLines: (n) => lines.slice(-n).map(readableLogLine),
  };
}

/** A JSON log line as `level component message`. */
function readableLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: string; component?: string; message?: string; error?: string };
    return `${entry.level ?? ''} [${entry.component ?? ''}] ${entry.message ?? ''}${entry.error ? `: ${entry.error}` : ''}`;
  } catch {
    return line;
  }
}

async function cleanUp(parts: {
  agent: RunningAgent | null;
  conductor: DemoConductor | null;
  transport: BusTransport | null;
  node: DemoNode | null;
  targetPids: ReadonlySet<number>;
}): Promise<string[]> {
  const leftovers: string[] = [];
  if (parts.agent) await parts.agent.terminate();
  // The targets stop with the agent; one that outlived it (the agent was killed) is stopped here.
  for (const pid of parts.targetPids) {
    if (isAlive(pid)) {
      leftovers.push(`target process ${pid} was still running (killed)`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
  await parts.conductor?.stop().catch(() => undefined);
  await parts.transport?.close().catch(() => undefined);
  await parts.node?.remove();
  return leftovers;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `demo --json`: the same run, its story collected and printed as one JSON document at the end
 * (`ok`, `exitCode`, `lines`); failures still explain themselves on stderr.
 */
export async function demoAsJson(io: CliIo): Promise<number> {
  let text = '';
  const capture = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const code = await demo({ ...io, stdout: capture });
  io.stdout.write(`${JSON.stringify({ ok: code === ExitCode.Ok, exitCode: code, lines: text.split('\n').filter((l) => l !== '') }, null, 2)}\n`);
  return code;
}
