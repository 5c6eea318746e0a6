/**
 * Rules the schema cannot express: relations between values (unique names and sockets, a delay
 * cap above its start, options that exclude each other). Run on the merged config with defaults,
 * and reported where the offending value was written.
 */
import type { ConfigProblem } from './errors.js';
import { formatKeyPath, type KeyPath } from './key-path.js';
import { originOf, type Origin } from './layer.js';
import type { AgentConfig, TargetConfig } from './types.js';

export interface CheckResult {
  problems: ConfigProblem[];
  warnings: string[];
}

export function checkConfig(config: AgentConfig, origins: Map<string, Origin>, fallbackFile: string): CheckResult {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const isSet = (keyPath: KeyPath) => origins.has(formatKeyPath(keyPath));
  /** Reports at `keyPath`, using the place the value was written (or its nearest written ancestor). */
  const report = (keyPath: KeyPath, message: string) => {
    const exact = origins.get(formatKeyPath(keyPath));
    const origin = exact ?? originOf(origins, keyPath);
    const problem: ConfigProblem = {
      file: origin?.file ?? fallbackFile,
      keyPath: exact && exact.source !== 'agent-file' ? exact.key : formatKeyPath(keyPath),
      message,
    };
    if (origin?.line !== undefined) problem.line = origin.line;
    problems.push(problem);
  };
  const lineOf = (keyPath: KeyPath) => originOf(origins, keyPath)?.line;

  checkTargets(config.spdk.targets, { report, isSet, lineOf });

  const { bus } = config;
  if (bus.retry.maxSec < bus.retry.initialSec) {
    const at = isSet(['bus', 'retry', 'maxSec']) ? 'maxSec' : 'initialSec';
    report(['bus', 'retry', at], `bus.retry.maxSec (${bus.retry.maxSec}) must be >= bus.retry.initialSec (${bus.retry.initialSec})`);
  }
  if (bus.quorumQueues && bus.haQueues) {
    report(['bus', 'haQueues'], 'cannot be combined with quorum queues (bus.quorumQueues); oslo.messaging refuses this too');
  }
  // oslo 18's start-up checks, with its words (impl_rabbit.Connection.__init__).
  if (bus.streamFanout && bus.qosPrefetchCount <= 0) {
    report(
      ['bus', 'streamFanout'],
      'needs bus.qosPrefetchCount > 0 (oslo: "rabbit_stream_fanout need rabbit_qos_prefetch_count to be set to a value greater than 0.")',
    );
  }
  if (bus.streamFanout && !bus.transientQuorumQueues) {
    report(
      ['bus', 'streamFanout'],
      'needs bus.transientQuorumQueues: true (oslo: "rabbit_stream_fanout need rabbit_transient_quorum_queue to be set to true.")',
    );
  }
  const listen = config.metrics.listen;
  if (listen !== undefined) {
    const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
    if (port > 65535) report(['metrics', 'listen'], `the port ${port} is past 65535`);
    if (config.metrics.bearerToken === undefined && !/^(127\.|\[::1\]:|localhost:)/.test(listen)) {
      warnings.push(
        `metrics.listen (${listen}) is reachable from other hosts and no metrics.bearerToken(File) is set: anyone who reaches it reads the metrics`,
      );
    }
  }
  if ((bus.tls.cert === undefined) !== (bus.tls.key === undefined)) {
    report(['bus', 'tls', bus.tls.cert === undefined ? 'key' : 'cert'], 'a client certificate needs both bus.tls.cert and bus.tls.key');
  }
  const tlsSet = bus.tls.ca !== undefined || bus.tls.cert !== undefined || bus.tls.servername !== undefined || !bus.tls.verify;
  if (bus.enabled && tlsSet && !bus.urls.some((url) => url.startsWith('amqps:'))) {
    warnings.push('bus.tls is set but no broker URL uses amqps://, so the TLS settings are not used');
  }
  if (bus.enabled && !bus.tls.verify) {
    warnings.push('bus.tls.verify is false: the broker certificate is not checked (anyone on the path can read the bus traffic)');
  }
  // In file order, as the schema problems are: the operator fixes them top to bottom.
  const order = [...new Set(problems.map((p) => p.file))];
  problems.sort((a, b) => order.indexOf(a.file) - order.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0));
  return { problems, warnings };
}

interface Helpers {
  report(keyPath: KeyPath, message: string): void;
  isSet(keyPath: KeyPath): boolean;
  lineOf(keyPath: KeyPath): number | undefined;
}

function checkTargets(targets: readonly TargetConfig[], { report, isSet, lineOf }: Helpers): void {
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  const describeOther = (index: number) => {
    const line = lineOf(['spdk', 'targets', index]);
    return `spdk.targets[${index}]${line === undefined ? '' : ` (line ${line})`}`;
  };

  targets.forEach((target, index) => {
    const at = (...rest: string[]): KeyPath => ['spdk', 'targets', index, ...rest];

    const sameName = names.get(target.name);
    if (sameName !== undefined) report(at('name'), `${JSON.stringify(target.name)} is already the name of ${describeOther(sameName)}; names must be unique`);
    else names.set(target.name, index);

    if (isSet(at('socket')) && target.tcp !== undefined) {
      report(at('tcp'), 'set either socket or tcp, not both');
    } else {
      const address = target.tcp !== undefined ? `tcp ${target.tcp}` : `socket ${target.socket ?? ''}`;
      const sameAddress = addresses.get(address);
      if (sameAddress !== undefined) {
        const implicit = !isSet(at('socket')) && target.tcp === undefined ? " (SPDK's default socket: give each target its own socket)" : '';
        report(at(target.tcp !== undefined ? 'tcp' : 'socket'), `${address} is already used by ${describeOther(sameAddress)}${implicit}`);
      } else {
        addresses.set(address, index);
      }
    }

    if (target.tcp !== undefined && target.autostart) {
      report(at('autostart'), 'a tcp target is reached through a bridge and cannot be started by the agent; use a socket, or set autostart: false');
    }
    if (target.restart.maxDelaySec < target.restart.initialDelaySec) {
      const key = isSet(at('restart', 'maxDelaySec')) ? 'maxDelaySec' : 'initialDelaySec';
      report(
        at('restart', key),
        `restart.maxDelaySec (${target.restart.maxDelaySec}${isSet(at('restart', 'maxDelaySec')) ? '' : ', the default'}) ` +
          `must be >= restart.initialDelaySec (${target.restart.initialDelaySec})`,
      );
    }
    if (target.vhostSocketDir !== undefined && target.app !== 'vhost' && target.app !== 'spdk_tgt') {
      report(at('vhostSocketDir'), `only vhost and spdk_tgt take -S; ${target.app} would refuse to start`);
    }
  });
}
