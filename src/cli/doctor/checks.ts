/**
 * What `spdk-agent doctor` checks, one function per concern, each giving lines of
 * pass / warn / fail / not checkable with the fix an operator applies. Nothing here changes
 * anything: targets are looked at (not adopted), broker objects are declared only where they
 * already exist and with the flags the agent would use (a no-op when they match).
 */
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AgentConfig, LoadedConfig } from '../../config/index.js';
import { busOptionsFromConfig } from '../../agent/bus-link.js';
import { lockHolder } from '../../agent/instance-lock.js';
import { BusTransport, BusTimeoutError, RemoteError, resolveBusOptions } from '../../bus/index.js';
import { fanoutExchange, topicExchange, topicQueue } from '../../bus/declarations.js';
import { detectSpdk, type SpdkInstallation } from '../../spdk/install/detect.js';
import { hugepagesNeededMb, planHugepages, readHugepageInfo, type HugepageInfo } from '../../spdk/lifecycle/hugepages.js';
import { buildCommandLine, memoryRequest } from '../../spdk/lifecycle/command-line.js';
import { findSocketOwner } from '../../spdk/lifecycle/socket-owner.js';
import { processUid } from '../../spdk/lifecycle/socket-trust.js';
import type { TargetManager } from '../../spdk/lifecycle/manager.js';
import type { TargetStatus } from '../../spdk/lifecycle/types.js';
import { errorMessage } from '../../util/errors.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'not-checkable';

export interface CheckLine {
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const line = (check: string, status: CheckStatus, detail: string, fix?: string): CheckLine => ({
  check,
  status,
  detail,
  ...(fix !== undefined ? { fix } : {}),
});

/** How long the broker and the conductor get to answer. */
const BUS_TIMEOUT_SEC = 5;

export function configCheck(loaded: LoadedConfig): CheckLine {
  const files = [loaded.files.agent, loaded.files.upper].filter((f): f is string => f !== undefined);
  const from = files.length > 0 ? `from ${files.join(' and ')}` : 'built-in defaults only (no file)';
  return line(
    'configuration',
    loaded.warnings.length > 0 ? 'warn' : 'pass',
    `valid, ${from}${loaded.warnings.length > 0 ? `; ${loaded.warnings.join('; ')}` : ''}`,
    loaded.warnings.length > 0 ? 'see the warnings; `spdk-agent config show` prints every value with its source' : undefined,
  );
}

export async function installationCheck(config: AgentConfig): Promise<{ line: CheckLine; installation?: SpdkInstallation }> {
  const enabled = config.spdk.targets.filter((t) => t.enabled);
  let installation: SpdkInstallation;
  try {
    installation = await detectSpdk({
      ...(config.spdk.sourceDir !== undefined ? { sourceDir: config.spdk.sourceDir } : {}),
      ...(config.spdk.prefix !== undefined ? { prefix: config.spdk.prefix } : {}),
      searchPath: config.spdk.searchPath,
      targets: enabled,
    });
  } catch (err) {
    return { line: line('SPDK installed', 'fail', `detection failed: ${errorMessage(err)}`, 'check spdk.sourceDir / spdk.prefix') };
  }
  if (!installation.installed) {
    const mustStart = enabled.some((t) => t.autostart);
    return {
      installation,
      line: line(
        'SPDK installed',
        mustStart ? 'fail' : 'warn',
        'no SPDK application found',
        'set spdk.sourceDir (a source tree) or spdk.prefix (an installed prefix), or put the apps on PATH',
      ),
    };
  }
  const where = installation.sourceDir ?? installation.prefix ?? 'PATH';
  const version = installation.version ? installation.version.text : 'version unknown until a target runs';
  const problems = installation.problems;
  return {
    installation,
    line: line('SPDK installed', problems.length > 0 ? 'warn' : 'pass', `${where}, ${version}${problems.length > 0 ? `; ${problems.join('; ')}` : ''}`),
  };
}

export async function hugepagesCheck(config: AgentConfig, manager: TargetManager): Promise<CheckLine> {
  const toStart = manager.all().filter((s) => s.spec.enabled !== false && s.spec.autostart && s.state !== 'running' && s.state !== 'unresponsive');
  let info: HugepageInfo;
  try {
    info = await readHugepageInfo();
  } catch (err) {
    return line('hugepages', 'not-checkable', errorMessage(err));
  }
  const neededMb = toStart.reduce(
    (sum, s) => (s.spec.socket === undefined ? sum : sum + hugepagesNeededMb(memoryRequest(buildCommandLine(s.spec)), info.pageSizeKb)),
    0,
  );
  const plan = planHugepages(info, neededMb);
  const detail = `${plan.availableMb} MB free in ${info.pageSizeKb} kB pages; the targets the agent would start need ${neededMb} MB`;
  if (plan.shortPages === 0) return line('hugepages', 'pass', detail);
  if (config.spdk.hugepages.allocate)
    return line('hugepages', 'warn', `${detail}: ${plan.shortPages} pages short; the agent allocates them at start (spdk.hugepages.allocate)`);
  return line(
    'hugepages',
    'fail',
    `${detail}: ${plan.shortPages} pages short`,
    `reserve them (echo ${plan.targetTotal} > /proc/sys/vm/nr_hugepages, or SPDK's scripts/setup.sh), or set spdk.hugepages.allocate: true`,
  );
}

/** Each enabled target: its socket there, owned by whom, answering; the socket's directory safe. */
export async function targetChecks(manager: TargetManager, config: AgentConfig): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const trustedUids = new Set([uid, ...config.spdk.socketOwnerUids]);
  await Promise.all(
    manager.all().map(async (supervisor) => {
      const spec = supervisor.spec;
      const name = `target ${spec.name}`;
      if (spec.enabled === false) {
        lines.push(line(name, 'pass', `disabled${spec.disabledReason ? `: ${spec.disabledReason}` : ''}`));
        return;
      }
      let status: TargetStatus;
      try {
        status = await supervisor.attach();
      } catch (err) {
        lines.push(line(name, 'fail', `cannot take it on: ${errorMessage(err)}`));
        if (spec.socket !== undefined) lines.push(...(await socketChecks(spec.name, spec.socket, trustedUids)));
        return;
      } finally {
        await supervisor.detach();
      }
      const where = status.address;
      if (status.state === 'running') {
        lines.push(line(name, 'pass', `running, answering on ${where} (pid ${status.pid ?? 'not visible'}, ${status.version ?? spec.app})`));
      } else if (status.state === 'unresponsive') {
        lines.push(
          line(
            name,
            'fail',
            `${where} is held by pid ${status.pid ?? '?'} that does not answer RPC`,
            `look at the target's log; \`spdk-agent stop ${spec.name}\` then start it again`,
          ),
        );
      } else if (spec.autostart) {
        lines.push(line(name, 'warn', `not running; the agent starts it (autostart)`));
      } else {
        lines.push(
          line(name, 'warn', `not running on ${where}; the agent adopts it once it runs (autostart is off)`, `start it: spdk-agent start ${spec.name}`),
        );
      }
      if (spec.socket !== undefined) lines.push(...(await socketChecks(spec.name, spec.socket, trustedUids)));
    }),
  );
  return lines.sort((a, b) => a.check.localeCompare(b.check));
}

async function socketChecks(target: string, socket: string, trustedUids: ReadonlySet<number>): Promise<CheckLine[]> {
  const name = `target ${target} socket`;
  const out: CheckLine[] = [];
  const dir = path.dirname(socket);
  try {
    const d = await stat(dir);
    if ((d.mode & 0o002) !== 0 && (d.mode & 0o1000) === 0) {
      out.push(
        line(
          name,
          'fail',
          `${dir} is writable by anyone and not sticky: anyone can replace the socket`,
          `chmod o-w ${dir}, or place sockets in a root-owned directory such as /var/tmp/spdk (0750)`,
        ),
      );
    } else if ((d.mode & 0o002) !== 0) {
      out.push(
        line(
          name,
          'warn',
          `${dir} is writable by anyone (sticky): another user can create the socket before the target does`,
          'place sockets in a directory only root (or the SPDK user) can write, e.g. /var/tmp/spdk with mode 0750',
        ),
      );
    }
  } catch (err) {
    out.push(line(name, 'warn', `cannot look at ${dir}: ${errorMessage(err)}`));
  }
  try {
    const s = await lstat(socket);
    if (!s.isSocket()) {
      out.push(line(name, 'fail', `${socket} exists but is not a socket`, `remove it: rm ${socket}`));
    } else {
      const owner = await findSocketOwner(socket).catch(() => undefined);
      const processUidOf = owner ? await processUid(owner.pid) : undefined;
      const trusted = trustedUids.has(s.uid) && (processUidOf === undefined || trustedUids.has(processUidOf));
      out.push(
        trusted
          ? line(
              name,
              (s.mode & 0o002) !== 0 ? 'warn' : 'pass',
              `${socket}: owner uid ${s.uid}, mode ${(s.mode & 0o777).toString(8)}${owner ? `, served by pid ${owner.pid}` : ''}`,
              (s.mode & 0o002) !== 0 ? 'anyone can drive this target: start it with a umask of 007 or fix the mode' : undefined,
            )
          : line(
              name,
              'fail',
              `${socket} (uid ${s.uid}${owner ? `, served by pid ${owner.pid} as uid ${processUidOf ?? '?'}` : ''}) is not owned by a trusted user (uid ${[...trustedUids].join(', ')}): the agent refuses to adopt it (spdk.untrustedSocket); whoever runs it could invent drives`,
              'stop that process and remove the socket, let the agent (or root) start the target, or add the owner to spdk.socketOwners',
            ),
      );
    }
  } catch {
    // No socket: the target check above says whether that matters.
  }
  return out;
}

/** The broker, its objects' flags, the conductor, another agent on the host's queue. */
export async function busChecks(config: AgentConfig): Promise<CheckLine[]> {
  if (!config.bus.enabled) return [line('message bus', 'pass', 'disabled (bus.enabled: false): nothing to check')];
  const options = { ...busOptionsFromConfig(config.bus, 'spdk-agent-doctor'), openTimeoutSec: BUS_TIMEOUT_SEC, connectTimeoutSec: BUS_TIMEOUT_SEC };
  const resolved = resolveBusOptions(options);
  const transport = new BusTransport(resolved);
  const out: CheckLine[] = [];
  try {
    await transport.open();
  } catch (err) {
    return [
      line(
        'broker reachable',
        'fail',
        `${config.bus.urls.join(', ')} as ${config.bus.username}: ${errorMessage(err)}`,
        'check bus.urls, bus.username and the password (bus.password, bus.passwordFile or SPDK_AGENT_BUS_PASSWORD), bus.vhost, and that RabbitMQ runs',
      ),
    ];
  }
  try {
    out.push(line('broker reachable', 'pass', `${transport.currentUrl ?? config.bus.urls[0]} as ${config.bus.username}, vhost ${config.bus.vhost}`));
    const flags = resolved.queues;
    const { agentTopic, conductorTopic, controlExchange } = config.bus;
    const checks = await transport.checkDeclarations([
      { kind: 'exchange', ...topicExchange(controlExchange, flags) },
      { kind: 'exchange', ...fanoutExchange(agentTopic, flags) },
      { kind: 'queue', ...topicQueue(agentTopic, flags) },
      { kind: 'queue', ...topicQueue(`${agentTopic}.${config.agent.host}`, flags) },
    ]);
    const bad = checks.filter((c) => c.outcome === 'incompatible');
    const absent = checks.filter((c) => c.outcome === 'absent').map((c) => c.name);
    out.push(
      bad.length > 0
        ? line(
            'bus queue and exchange flags',
            'fail',
            bad.map((c) => `${c.kind} ${c.name}: ${'reason' in c ? c.reason : ''}`).join('; '),
            "make bus.durableQueues, bus.autoDeleteQueues, bus.quorumQueues, bus.haQueues, bus.transientQuorumQueues, bus.streamFanout and the quorum limits match the services' [oslo_messaging_rabbit] options (amqp_durable_queues, amqp_auto_delete, rabbit_quorum_queue, rabbit_ha_queues, rabbit_transient_quorum_queue, rabbit_stream_fanout, rabbit_quorum_*)",
          )
        : line('bus queue and exchange flags', 'pass', `compatible with what exists${absent.length > 0 ? ` (${absent.join(', ')} not declared yet)` : ''}`),
    );

    const conductorQueue = await transport.inspectQueue(conductorTopic);
    if (!conductorQueue || conductorQueue.consumers === 0) {
      out.push(
        line(
          'conductor answering',
          'fail',
          `nobody consumes ${conductorTopic} on exchange ${controlExchange}`,
          'start cyborg-conductor, or check bus.conductorTopic and bus.controlExchange',
        ),
      );
    } else {
      try {
        await transport.createClient({ topic: conductorTopic, timeoutMs: BUS_TIMEOUT_SEC * 1000 }).call('oslo_rpc_server_ping', {});
        out.push(
          line(
            'conductor answering',
            'pass',
            `${conductorTopic} answered oslo_rpc_server_ping (${conductorQueue.consumers} consumer${conductorQueue.consumers === 1 ? '' : 's'})`,
          ),
        );
      } catch (err) {
        if (err instanceof RemoteError && /NoSuchMethod/.test(err.message + (err as { className?: string }).className)) {
          out.push(
            line(
              'conductor answering',
              'not-checkable',
              `${conductorTopic} has ${conductorQueue.consumers} consumer(s) but does not serve oslo_rpc_server_ping (its rpc_ping_enabled is off)`,
              'set [DEFAULT] rpc_ping_enabled = true in cyborg.conf to make this checkable',
            ),
          );
        } else if (err instanceof BusTimeoutError) {
          out.push(
            line('conductor answering', 'fail', `no answer from ${conductorTopic} within ${BUS_TIMEOUT_SEC} s`, 'is cyborg-conductor running and healthy?'),
          );
        } else {
          out.push(line('conductor answering', 'not-checkable', `${conductorTopic}: ${errorMessage(err).split('\n')[0]}`));
        }
      }
    }

    out.push(await hostQueueCheck(transport, config));
  } catch (err) {
    out.push(line('message bus', 'fail', errorMessage(err)));
  } finally {
    await transport.close().catch(() => undefined);
  }
  return out;
}

async function hostQueueCheck(transport: BusTransport, config: AgentConfig): Promise<CheckLine> {
  const queue = `${config.bus.agentTopic}.${config.agent.host}`;
  const found = await transport.inspectQueue(queue);
  if (!found || found.consumers === 0) return line('other agent on the host queue', 'pass', `nobody consumes ${queue}`);
  const local = await localAgent(config);
  let answer: Record<string, unknown> | undefined;
  let failure = '';
  try {
    const reply = await transport
      .createClient({ topic: config.bus.agentTopic, server: config.agent.host, timeoutMs: BUS_TIMEOUT_SEC * 1000 })
      .call<unknown>('ping', {});
    answer = reply !== null && typeof reply === 'object' ? (reply as Record<string, unknown>) : {};
  } catch (err) {
    failure = errorMessage(err).split('\n')[0] ?? '';
  }
  if (answer?.agent === 'spdk-agent') {
    if (found.consumers === 1 && local.pid !== undefined && answer.pid === local.pid)
      return line('other agent on the host queue', 'pass', `${queue} is served by this node's spdk-agent (pid ${local.pid})`);
    return line(
      'other agent on the host queue',
      found.consumers > 1 ? 'fail' : 'warn',
      `${queue} is served by a spdk-agent (pid ${String(answer.pid)}) that is not this node's running agent${found.consumers > 1 ? `, with ${found.consumers} consumers` : ''}`,
      'one agent per host name: stop the other one, or give this node its own agent.host',
    );
  }
  return line(
    'other agent on the host queue',
    'fail',
    `${queue} has ${found.consumers} consumer(s) that are not a spdk-agent (${failure || 'answered ping unlike a spdk-agent'}): probably the Python cyborg-agent`,
    'stop cyborg-agent on this node (spdk-agent replaces it on storage nodes), or see the README\'s "Supported deployments"',
  );
}

/** The agent running on this node for this host, from its lock file. */
function localAgent(config: AgentConfig): Promise<{ pid?: number; file: string }> {
  return lockHolder(config.agent.runtimeDir, config.agent.host);
}

export async function serviceCheck(config: AgentConfig): Promise<CheckLine> {
  const local = await localAgent(config);
  if (local.pid !== undefined)
    return line('agent service', 'pass', `spdk-agent runs for host ${config.agent.host} (pid ${local.pid}, lock file ${local.file})`);
  return line(
    'agent service',
    'warn',
    `no spdk-agent runs for host ${config.agent.host} on this node (no live lock file ${local.file})`,
    'systemctl start spdk-agent (or spdk-agent run)',
  );
}

/** A silent link is noticed within about two to three heartbeats. */
export function heartbeatCheck(config: AgentConfig): CheckLine {
  const sec = config.bus.heartbeatSec;
  if (!config.bus.enabled) return line('bus heartbeat', 'pass', 'bus disabled');
  if (sec === 0)
    return line(
      'bus heartbeat',
      'warn',
      'heartbeats are off: a connection that dies silently (a dropped route, a frozen broker) is noticed only by TCP, after minutes to hours',
      'set bus.heartbeatSec (oslo heartbeat_timeout_threshold), e.g. 30',
    );
  return line(
    'bus heartbeat',
    'pass',
    `${sec} s: a connection that dies silently is noticed after about ${2 * sec}–${3 * sec} s (lower bus.heartbeatSec to notice sooner)`,
  );
}
