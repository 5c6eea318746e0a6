/**
 * The command line's surface: every sub-command with its arguments, options and help, in the order
 * `--help` lists them. What a command does lives in `actions/<name>.ts`, imported only when that
 * command runs: `--help` and `--version` load this file and commander, nothing else, and
 * `spdk-agent rpc` does not pay for the YAML, schema, lifecycle and AMQP code of the daemon's
 * commands.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_RPC_SOCKET } from '../spdk/rpc/address.js';
import { DEFAULT_RPC_TIMEOUT_SECONDS, parseRpcTimeoutSeconds, RPC_COMMAND, RPC_OPTION_HELP } from './rpc-command.js';
import { configOption, configSourceOptions, oneTargetCommand, targetCommand, type TargetCommandOptions } from './config-sources.js';
import { exitWith, type CliIo } from './io.js';

interface JsonOption {
  json?: boolean;
}

export function registerCommands(program: Command, io: CliIo): void {
  program
    .command(RPC_COMMAND)
    .description('Call one JSON-RPC method on an SPDK target and print its result as JSON.')
    .argument('<method>', 'the method, e.g. spdk_get_version or bdev_get_bdevs')
    .argument('[params_json]', 'the params as a JSON object, e.g. \'{"name":"Malloc0"}\'; \'-\' reads them from stdin')
    // Declared in rpc-command.ts, which main.ts also parses without commander (it says why).
    .option('-s, --server <address>', RPC_OPTION_HELP.server, DEFAULT_RPC_SOCKET)
    .option('-t, --timeout <seconds>', RPC_OPTION_HELP.timeout, parseRpcTimeout, DEFAULT_RPC_TIMEOUT_SECONDS)
    .option('--json', RPC_OPTION_HELP.json)
    .addHelpText(
      'after',
      `
Exit status: 0 success, 1 the target answered with an error, 2 usage error or no answer.

Examples:
  spdk-agent rpc spdk_get_version
  spdk-agent rpc -s /var/tmp/spdk.sock bdev_get_bdevs '{"name":"Malloc0"}'
  echo '{"sig_name":"SIGTERM"}' | spdk-agent rpc spdk_kill_instance -`,
    )
    .action(async (method: string, paramsText: string | undefined, options: { server: string; timeout: number }) => {
      const { runRpc } = await import('./actions/rpc.js');
      await runRpc(io, method, paramsText, options);
    });

  targetCommand(program, 'discover', 'Show the SPDK installation, the configured targets and the inventory of each running one.')
    .option('--json', 'print JSON (exact big integers) instead of tables')
    .action(async (opts: TargetCommandOptions & JsonOption) => {
      const { discover } = await import('./actions/discover.js');
      exitWith(await discover({ ...configOption(opts), json: opts.json === true }, io));
    });

  oneTargetCommand(program, 'start', 'Start a configured target (or adopt it if it already runs) and wait until it is ready.')
    .option('--json', 'print the outcome as JSON')
    .action(async (name: string, opts: TargetCommandOptions & JsonOption) => {
      const { start } = await import('./actions/start.js');
      exitWith(await start(name, { ...configOption(opts), json: opts.json === true }, io));
    });

  oneTargetCommand(program, 'stop', 'Stop a configured target (spdk_kill_instance, then SIGTERM, then SIGKILL).')
    .option('-f, --force', 'send SIGKILL at once')
    .option('--json', 'print the outcome as JSON')
    .action(async (name: string, opts: TargetCommandOptions & JsonOption & { force?: boolean }) => {
      const { stop } = await import('./actions/stop.js');
      exitWith(await stop(name, { ...configOption(opts), force: opts.force === true, json: opts.json === true }, io));
    });

  targetCommand(program, 'status', 'Show the state, pid and socket of each configured target.')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: TargetCommandOptions & JsonOption) => {
      const { status } = await import('./actions/status.js');
      exitWith(await status({ ...configOption(opts), json: opts.json === true }, io));
    })
    .addHelpText('after', '\nExit status: 0 every enabled target is running, 3 one is not, 2 bad configuration or arguments.');

  configSourceOptions(
    program.command('run').description('Run the agent: supervise the SPDK targets, register them with the Cyborg conductor, answer requests on the bus.'),
  )
    .option('--json', 'log lines as JSON, whatever log.format says')
    .action(async (opts: TargetCommandOptions & JsonOption) => {
      const { run } = await import('./actions/run.js');
      exitWith(await run(opts, io));
    });

  configSourceOptions(
    program.command('doctor').description('Check this node for the agent: configuration, SPDK, hugepages, targets, sockets, broker, conductor, other agents.'),
  )
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit status: 0 all passed, 1 a warning, 2 a failure.')
    .action(async (opts: TargetCommandOptions & JsonOption) => {
      const { doctor } = await import('./actions/doctor.js');
      exitWith(await doctor(opts, io));
    });

  const config = program.command('config').description('Inspect the configuration.');
  configSourceOptions(config.command('show').description('Print the effective configuration with the source of each value; secrets masked.'))
    .option('--json', 'print JSON: the configuration, and the source of each value by key')
    .action(async (opts: TargetCommandOptions & JsonOption) => {
      const { configShow } = await import('./actions/config.js');
      exitWith(await configShow(opts, io));
    });

  program
    .command('demo')
    .description('Show the agent at work on this machine: simulated SPDK targets registered with a demo conductor over the local RabbitMQ.')
    .option('--json', 'print the story as one JSON document at the end')
    .action(async (opts: JsonOption) => {
      const { demo, demoAsJson } = await import('./actions/demo.js');
      exitWith(opts.json ? await demoAsJson(io) : await demo(io));
    });
}

function parseRpcTimeout(text: string): number {
  const seconds = parseRpcTimeoutSeconds(text);
  if (typeof seconds === 'string') throw new InvalidArgumentError(seconds);
  return seconds;
}
