/**
 * A RabbitMQ cluster of its own for a test: three nodes on this machine (node names, AMQP and
 * distribution ports, data and log directories of their own; the machine's Erlang cookie so the
 * CLI reaches them), joined with `rabbitmqctl join_cluster`, stopped and removed afterwards. The
 * machine's own broker (rabbit@localhost, 5672) is never touched. About 150 MB of memory per node.
 *
 * The nodes read no configuration of the machine's broker (RABBITMQ_CONF_ENV_FILE and
 * RABBITMQ_CONFIG_FILE point at files of their own, no plugins), so its listener on 5672 and its
 * plugins' ports are not fought over.
 */
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';
const MACHINE_COOKIE = '/var/lib/rabbitmq/.erlang.cookie';

/** Why a cluster cannot be started here (no RabbitMQ, no cookie), or false. Throws under CI=true. */
export function clusterSkip(): string | false {
  const missing = [SERVER, CTL, MACHINE_COOKIE].filter((f) => !existsSync(f));
  if (missing.length === 0) return false;
  const reason = `RabbitMQ cluster nodes cannot be started here: missing ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}

export interface ClusterNode {
  name: string;
  port: number;
  url: string;
}

export class RabbitCluster {
  readonly nodes: ClusterNode[];
  private readonly processes = new Map<string, ResultPromise>();

  private constructor(
    private readonly dir: string,
    basePort: number,
    size: number,
    tag: string,
  ) {
    this.nodes = Array.from({ length: size }, (_, i) => {
      const port = basePort + i;
      return { name: `spdkt${tag}n${i + 1}@localhost`, port, url: `amqp://guest:guest@127.0.0.1:${port}/` };
    });
  }

  /**
   * Starts `size` nodes and joins them into one cluster; everything is removed by `t.after` (a
   * test's context, or the benchmark's cleanup).
   */
  static async start(t: { after(fn: () => unknown): void }, size = 3): Promise<RabbitCluster> {
    const dir = mkdtempSync(path.join(tmpdir(), 'spdk-agent-cluster-'));
    const tag = path
      .basename(dir)
      .slice(-6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x');
    // Ports out of the way of the machine's broker and of each other run (distribution = AMQP + 20000).
    const basePort = 5700 + Math.floor(Math.random() * 90) * 3;
    const cluster = new RabbitCluster(dir, basePort, size, tag);
    t.after(() => cluster.destroy());
    mkdirSync(path.join(dir, 'home'));
    copyFileSync(MACHINE_COOKIE, path.join(dir, 'home', '.erlang.cookie'));
    chmodSync(path.join(dir, 'home', '.erlang.cookie'), 0o400);
    writeFileSync(path.join(dir, 'plugins'), '[].\n');
    writeFileSync(path.join(dir, 'empty-env'), '');
    await Promise.all(cluster.nodes.map((node) => cluster.launch(node)));
    const [first, ...rest] = cluster.nodes;
    for (const node of rest) {
      await cluster.ctl(node, ['stop_app']);
      await cluster.ctl(node, ['join_cluster', first!.name]);
      await cluster.ctl(node, ['start_app']);
    }
    await cluster.ctl(first!, ['await_online_nodes', String(size), '--timeout', '60']);
    return cluster;
  }

  /** rabbitmqctl against one node. */
  async ctl(node: ClusterNode, args: string[], timeoutMs = 90_000): Promise<string> {
    const result = await execa(CTL, ['-n', node.name, ...args], { env: this.env(node), timeout: timeoutMs });
    return result.stdout;
  }

  /** Stops the RabbitMQ application on a node (the Erlang node stays): `rabbitmqctl stop_app`. */
  stopApp(node: ClusterNode): Promise<string> {
    return this.ctl(node, ['stop_app']);
  }

  async startApp(node: ClusterNode): Promise<void> {
    await this.ctl(node, ['start_app']);
    await this.ctl(node, ['await_startup', '--timeout', '60']);
  }

  /** SIGKILL to the node's Erlang VM: a crash, no goodbye to clients. */
  kill(node: ClusterNode): void {
    const pid = Number(readFileSync(this.pidFile(node), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
  }

  /** Starts a node again (after `kill`), with its data: it rejoins the cluster. */
  async restart(node: ClusterNode): Promise<void> {
    await this.launch(node);
  }

  private pidFile(node: ClusterNode): string {
    return path.join(this.dir, node.name.split('@')[0]!, 'pid');
  }

  private env(node: ClusterNode): Record<string, string> {
    const home = path.join(this.dir, node.name.split('@')[0]!);
    return {
      HOME: path.join(this.dir, 'home'),
      RABBITMQ_NODENAME: node.name,
      RABBITMQ_NODE_PORT: String(node.port),
      RABBITMQ_DIST_PORT: String(node.port + 20_000),
      RABBITMQ_MNESIA_BASE: path.join(home, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(home, 'log'),
      RABBITMQ_PID_FILE: path.join(home, 'pid'),
      RABBITMQ_CONFIG_FILE: path.join(home, 'rabbitmq.conf'),
      RABBITMQ_CONF_ENV_FILE: path.join(this.dir, 'empty-env'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(this.dir, 'plugins'),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      PATH: process.env.PATH ?? '/usr/bin:/bin',
    };
  }

  private async launch(node: ClusterNode): Promise<void> {
    const home = path.join(this.dir, node.name.split('@')[0]!);
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${node.port}\nloopback_users = none\n`);
    const proc = execa(SERVER, [], { env: this.env(node), extendEnv: false, cwd: home, reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
    this.processes.set(node.name, proc);
    // await_startup fails at once while the node is not registered with epmd yet: ask until it answers.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const up = await execa(CTL, ['-n', node.name, 'await_startup', '--timeout', '30'], { env: this.env(node), timeout: 40_000, reject: false });
      if (up.exitCode === 0) return;
      if (proc.exitCode !== null || Date.now() > deadline) {
        throw new Error(`RabbitMQ node ${node.name} did not start: ${up.stderr.split('\n').slice(0, 3).join(' ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private async destroy(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        await execa(CTL, ['-n', node.name, 'stop'], { env: this.env(node), timeout: 30_000, reject: false });
        const proc = this.processes.get(node.name);
        if (proc && proc.exitCode === null) proc.kill('SIGKILL');
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
