/**
 * One socket write per event-loop turn instead of one per AMQP frame.
 *
 * amqplib writes every frame with its own `socket.write` (its multiplexer drains each channel's
 * frames one by one), and with `noDelay` each write is its own system call and TCP segment: under
 * RPC load that was over half of the agent's busy CPU time (a V8 profile of 16 `ping` calls in
 * flight: 53% in the socket's native write), and as many segments for the broker to read. Here
 * the socket is corked at the first write of a turn and uncorked at the end of it (a
 * `process.nextTick`), so what the turn wrote — acks, replies, publishes of several channels —
 * leaves in one `writev`, in the same order. Nothing waits: the uncork runs before any I/O, and
 * `write()` keeps returning what the socket says (backpressure and `drain` are unchanged).
 */
import net from 'node:net';

type WriteFunction = net.Socket['write'];

const COALESCING = Symbol('spdk-agent.bus.writeCoalescing');

/** Makes `socket` coalesce the writes of each event-loop turn. Idempotent. */
export function coalesceWrites(socket: net.Socket): void {
  const marked = socket as net.Socket & { [COALESCING]?: true };
  if (marked[COALESCING]) return;
  marked[COALESCING] = true;
  const write: WriteFunction = socket.write;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    if (!socket.destroyed) socket.uncork();
  };
  socket.write = function coalescedWrite(this: net.Socket, ...args: Parameters<WriteFunction>): boolean {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return (write as (...a: Parameters<WriteFunction>) => boolean).apply(socket, args);
  } as WriteFunction;
}

/**
 * The socket under an amqplib connection (`ChannelModel.connection.stream`, not in its type
 * declarations), or null when amqplib no longer exposes it that way.
 */
export function amqplibSocket(model: unknown): net.Socket | null {
  const stream = (model as { connection?: { stream?: unknown } } | null)?.connection?.stream;
  return stream instanceof net.Socket ? stream : null;
}
