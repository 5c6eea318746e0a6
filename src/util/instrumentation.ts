/**
 * What the lower layers tell whoever measures them (the metrics endpoint, src/agent/metrics/),
 * through Node's `diagnostics_channel`: the SPDK RPC client and the bus publish events, and only a
 * subscriber pays for them (`hasSubscribers` is one property read when nobody listens). Neither
 * layer imports the metrics or depends on prom-client; the agent layer subscribes.
 *
 * Every message is plain data with bounded strings (a method name, an outcome from a fixed set):
 * the subscriber decides what becomes a label.
 */
import diagnosticsChannel from 'node:diagnostics_channel';

/** How one SPDK JSON-RPC call ended. */
export type SpdkCallOutcome = 'ok' | 'rpc_error' | 'timeout' | 'connection' | 'protocol' | 'too_large' | 'aborted';

/** One SPDK JSON-RPC call settled (published by src/spdk/rpc/client.ts). */
export interface SpdkCallEvent {
  /** The client's address (`/var/tmp/spdk.sock`, `tcp:10.0.0.5:5260`): the subscriber maps it to a target. */
  address: string;
  method: string;
  outcome: SpdkCallOutcome;
  /** From the call to its settlement. */
  seconds: number;
  /** JSON-RPC error code, for `rpc_error`. */
  rpcCode?: number;
}

/** A client connected to its target (`generation` > 1: a reconnection). */
export interface SpdkConnectEvent {
  address: string;
  generation: number;
}

/** How the agent's RPC server ended one request. */
export type BusRequestOutcome = 'ok' | 'failed';

/** One request from the bus served (published by src/bus/rpc-server.ts). */
export interface BusRequestEvent {
  method: string;
  kind: 'call' | 'cast';
  outcome: BusRequestOutcome;
  seconds: number;
}

/** Why a message from the bus was dropped unserved. */
export type BusDropReason = 'undecodable' | 'duplicate' | 'ack_failed';

export interface BusDropEvent {
  reason: BusDropReason;
}

/** The broker connection came up (`generation` > 1: a reconnection) or went. */
export interface BusConnectionEvent {
  state: 'connected' | 'disconnected';
  generation: number;
}

/** A typed channel: `publish` only when `active`, so an unmeasured agent builds no message. */
export interface Instrument<T> {
  readonly name: string;
  readonly active: boolean;
  publish(message: T): void;
  subscribe(listener: (message: T) => void): () => void;
}

function instrument<T>(name: string): Instrument<T> {
  const channel = diagnosticsChannel.channel(name);
  return {
    name,
    get active() {
      return channel.hasSubscribers;
    },
    publish: (message) => channel.publish(message),
    subscribe(listener) {
      const wrapped = (message: unknown): void => listener(message as T);
      diagnosticsChannel.subscribe(name, wrapped);
      return () => void diagnosticsChannel.unsubscribe(name, wrapped);
    },
  };
}

export const instruments = {
  spdkCall: instrument<SpdkCallEvent>('spdk-agent:spdk.rpc.call'),
  spdkConnect: instrument<SpdkConnectEvent>('spdk-agent:spdk.rpc.connect'),
  busRequest: instrument<BusRequestEvent>('spdk-agent:bus.request'),
  busDrop: instrument<BusDropEvent>('spdk-agent:bus.drop'),
  busConnection: instrument<BusConnectionEvent>('spdk-agent:bus.connection'),
} as const;
