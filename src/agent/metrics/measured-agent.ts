/**
 * The part of the running agent the metrics and health checks read: a narrow view, so they can
 * be tested against a plain object and the daemon does not grow a metrics dependency.
 */
import type { TargetStateEvent, TargetStatus } from '../../spdk/lifecycle/types.js';
import type { RpcCaller } from '../../spdk/rpc/types.js';
import type { DaemonHealth, RegistrationEvent, AgentDaemon } from '../daemon.js';
import type { DetailedSnapshot } from '../target-snapshots.js';

export interface MeasuredTarget {
  readonly spec: { readonly name: string; readonly app: string; readonly enabled?: boolean; readonly rpcTimeoutSec?: number };
  status(): TargetStatus;
  readonly caller: RpcCaller & { readonly traffic?: { bytesIn: number; bytesOut: number } };
}

export interface MeasuredAgent {
  targets(): readonly MeasuredTarget[];
  health(): DaemonHealth;
  /** The last inventory read from a target, however old. */
  latestInventory(target: string): DetailedSnapshot | undefined;
  /** Bus requests being served now. */
  busInFlight(): number;
  onRegistration(listener: (event: RegistrationEvent) => void): () => void;
  onTargetState(listener: (event: TargetStateEvent) => void): () => void;
}

export function measuredAgentOf(daemon: AgentDaemon): MeasuredAgent {
  return {
    targets: () => daemon.manager.all(),
    health: () => daemon.health,
    latestInventory: (target) => daemon.inventories.latest(target),
    busInFlight: () => daemon.bus?.inFlight ?? 0,
    onRegistration(listener) {
      daemon.on('registration', listener);
      return () => void daemon.off('registration', listener);
    },
    onTargetState(listener) {
      daemon.manager.on('state', listener);
      return () => void daemon.manager.off('state', listener);
    },
  };
}
