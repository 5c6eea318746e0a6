/**
 * The RabbitMQ modes of today's OpenStack deployments, against oslo.messaging 18.1 (the shared
 * peer, ../shared/peers): classic; quorum; quorum + transient quorum; + stream fanout; + queue
 * manager. For each mode, as a deployment sets it in cyborg.conf's [oslo_messaging_rabbit]:
 *
 * - a Python conductor (oslo 18, RPC server on the conductor topic) receives the agent's
 *   report_data;
 * - a Python RPCClient (oslo 18) calls each of the agent's methods, and a fanout cast of
 *   `discover` reaches the agent (it reports again);
 * - the agent's own queues (topic, server, fanout, reply) and the fanout exchange are declared with
 *   exactly the flags oslo 18 declares for the same roles: a Python RPC server and client run
 *   alone on a topic of their own, the agent on its own, and `rabbitmqctl` lists both.
 *
 * The Debian oslo.messaging 14 interop tests stay as they are (test/interop/bus, test/interop/agent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listExchanges, listQueues, queueTypes, rabbitmqctlSkip, type QueueRow } from '../../helpers/broker.js';
import { OSLO18_ENV, PythonPeer, oslo18Skip, runPythonPeer, type PeerEvent } from '../../helpers/python.js';
import { HOST, REPORTED_HOSTNAME, brokerScope, makeAgentNode, startDaemon } from '../../integration/agent/harness.js';

const skip = (await rabbitmqctlSkip()) || (await oslo18Skip());

interface Mode {
  name: string;
  /** The agent's bus: section. */
  bus: Record<string, unknown>;
  /** [oslo_messaging_rabbit] of the Python peers, as cyborg.conf would set it. */
  rabbit: Record<string, unknown>;
}

const QUORUM = { bus: { quorumQueues: true }, rabbit: { rabbit_quorum_queue: true } };
const TRANSIENT = { bus: { ...QUORUM.bus, transientQuorumQueues: true }, rabbit: { ...QUORUM.rabbit, rabbit_transient_quorum_queue: true } };
const STREAM = {
  bus: { ...TRANSIENT.bus, streamFanout: true, qosPrefetchCount: 10 },
  rabbit: { ...TRANSIENT.rabbit, rabbit_stream_fanout: true, rabbit_qos_prefetch_count: 10 },
};
const MODES: Mode[] = [
  { name: 'classic', bus: {}, rabbit: {} },
  { name: 'quorum', ...QUORUM },
  { name: 'quorum + transient quorum', ...TRANSIENT },
  { name: 'quorum + transient quorum + stream fanout', ...STREAM },
  {
    // With quorum queues, oslo 18.1's own consumers cannot use enable_cancel_on_failover (RabbitMQ
    // refuses the argument on a quorum queue): it goes with classic queues, below.
    name: 'quorum + transient quorum with delivery limit and in-memory limits',
    bus: { ...TRANSIENT.bus, quorumDeliveryLimit: 5, quorumMaxMemoryLength: 1000, quorumMaxMemoryBytes: 1048576 },
    rabbit: { ...TRANSIENT.rabbit, rabbit_quorum_delivery_limit: 5, rabbit_quorum_max_memory_length: 1000, rabbit_quorum_max_memory_bytes: 1048576 },
  },
  {
    name: 'classic + cancel-on-failover + prefetch',
    bus: { cancelOnFailover: true, qosPrefetchCount: 20 },
    rabbit: { enable_cancel_on_failover: true, rabbit_qos_prefetch_count: 20 },
  },
  {
    name: 'quorum + transient quorum + stream fanout + queue manager',
    bus: { ...STREAM.bus, useQueueManager: true, queueManagerHostname: 'cn-qm' },
    rabbit: { ...STREAM.rabbit, use_queue_manager: true, hostname: 'cn-qm', processname: 'oslo-peer' },
  },
];

interface Report extends PeerEvent {
  n: number;
  hostname: string;
}

/** A queue's role, from its name: how the two sides' queues are paired for comparison. */
function role(name: string, topic: string): string | null {
  if (name === topic) return 'topic queue';
  if (name.startsWith(`${topic}.`)) return 'server queue';
  if (name === `${topic}_fanout` || name.startsWith(`${topic}_fanout_`)) return 'fanout queue';
  return null;
}

/** What must be equal between the two sides: type, durable, auto_delete, exclusive and the arguments. */
function flagsOf(row: QueueRow, types: Map<string, string>): string {
  return [types.get(row.name) ?? '?', row.durable, row.autoDelete, row.exclusive, row.arguments].join(' ');
}

for (const mode of MODES) {
  test(`oslo.messaging 18.1, ${mode.name}: report_data reaches a Python conductor, a Python client calls every method and a fanout cast reaches the agent, the queues match oslo's`, {
    skip,
    timeout: 240_000,
  }, async (t) => {
    const scope = brokerScope(t);
    const node = await makeAgentNode(t, scope, { targets: ['vhost0'], bus: mode.bus });
    const peerParams = { url: scope.url, exchange: scope.exchange, rabbit: mode.rabbit, oslo18: true };
    const conductor = await PythonPeer.start(
      t,
      'cyborg_conductor.py',
      { ...peerParams, topic: node.conductorTopic, server: 'conductor-1' },
      60_000,
      OSLO18_ENV,
    );
    scope.defer(() => conductor.stop());
    const daemon = await startDaemon(scope, node.config);
    const reports = (): Report[] => conductor.events.filter((e): e is Report => e.event === 'report');
    await conductor.waitForEvent('report', 30_000, (e) => (e as Report).hostname === REPORTED_HOSTNAME);

    await t.test('a Python RPCClient calls each method; a fanout cast of discover reaches the agent', async () => {
      const out = await runPythonPeer<{ results: Array<{ ok: boolean; result?: unknown; error?: unknown }>; reply_q: string | null }>(
        'rpc_client.py',
        {
          ...peerParams,
          topic: node.agentTopic,
          ops: [
            { kind: 'call', method: 'ping', args: {}, server: HOST },
            { kind: 'call', method: 'report', args: {}, server: HOST },
            { kind: 'call', method: 'discover', args: {}, server: HOST, timeout: 60 },
            { kind: 'call', method: 'stop', args: { target: 'vhost0' }, server: HOST, timeout: 60 },
            { kind: 'call', method: 'start', args: { target: 'vhost0' }, server: HOST, timeout: 60 },
          ],
        },
        180_000,
        OSLO18_ENV,
      );
      scope.trackQueue(out.reply_q);
      for (const [i, result] of out.results.entries()) assert.ok(result.ok, `op ${i}: ${JSON.stringify(result)}`);
      assert.equal((out.results[0]!.result as { pong?: string }).pong, HOST);
      assert.equal((out.results[3]!.result as { target: { state: string } }).target.state, 'stopped');
      assert.equal((out.results[4]!.result as { state: string }).state, 'running');

      const before = reports().length;
      const cast = await runPythonPeer<{ results: Array<{ ok: boolean }>; reply_q: string | null }>(
        'rpc_client.py',
        { ...peerParams, topic: node.agentTopic, ops: [{ kind: 'fanout', method: 'discover', args: {} }] },
        60_000,
        OSLO18_ENV,
      );
      scope.trackQueue(cast.reply_q);
      assert.ok(cast.results[0]!.ok, JSON.stringify(cast.results[0]));
      await conductor.waitForEvent('report', 30_000, (e) => (e as Report).n > before);
    });

    await t.test("the agent's queues and fanout exchange carry exactly the flags oslo 18 gives them", async () => {
      // oslo 18 alone, on a topic of its own: a server, and a client call (its reply queue).
      const pyTopic = scope.topic('py');
      const pyServer = await PythonPeer.start(t, 'rpc_server.py', { ...peerParams, topic: pyTopic, server: 'py' }, 60_000, OSLO18_ENV);
      scope.defer(() => pyServer.stop());
      const pyCall = await runPythonPeer<{ results: Array<{ ok: boolean }>; reply_q: string | null }>(
        'rpc_client.py',
        { ...peerParams, topic: pyTopic, ops: [{ kind: 'call', method: 'ping', args: {}, server: 'py' }] },
        60_000,
        OSLO18_ENV,
      );
      scope.trackQueue(pyCall.reply_q);
      assert.ok(pyCall.results[0]!.ok);
      // The agent's reply queue: its conductor client made a call (report_data).
      const agentReply = daemon.bus?.transport?.replyQueueName ?? null;
      assert.ok(agentReply, 'the agent has a reply queue');

      const [rows, types, exchanges] = await Promise.all([listQueues(), queueTypes(), listExchanges()]);
      const side = (topic: string): Map<string, string> => {
        const found = new Map<string, string>();
        for (const row of rows) {
          const r = role(row.name, topic);
          if (r) found.set(r, flagsOf(row, types));
        }
        return found;
      };
      const python = side(pyTopic);
      const ours = side(node.agentTopic);
      assert.deepEqual([...python.keys()].sort(), ['fanout queue', 'server queue', 'topic queue']);
      assert.deepEqual(ours, python, `agent ${JSON.stringify([...ours])}\noslo ${JSON.stringify([...python])}`);

      const byName = new Map(rows.map((r) => [r.name, r]));
      const pyReply = byName.get(pyCall.reply_q!);
      const ourReply = byName.get(agentReply);
      assert.ok(pyReply && ourReply, `reply queues listed: ${pyCall.reply_q} ${agentReply}`);
      assert.equal(flagsOf(ourReply, types), flagsOf(pyReply, types), 'reply queues');
      if (mode.bus.useQueueManager) {
        assert.match(pyCall.reply_q!, /^reply_cn-qm:oslo-peer:\d+$/);
        assert.match(agentReply, /^reply_cn-qm:spdk-agent:\d+$/);
      }

      const exchangeFlags = (name: string): string => {
        const e = exchanges.find((x) => x.name === name);
        return e ? [e.type, e.durable, e.autoDelete, e.internal, e.arguments].join(' ') : 'missing';
      };
      assert.equal(exchangeFlags(`${node.agentTopic}_fanout`), exchangeFlags(`${pyTopic}_fanout`), 'fanout exchanges');
      if (mode.bus.streamFanout) assert.equal(types.get(`${node.agentTopic}_fanout`), 'stream');
      if (mode.bus.transientQuorumQueues) assert.equal(types.get(agentReply), 'quorum');
    });
  });
}
