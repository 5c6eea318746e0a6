/**
 * Where a command reads its configuration, as the command line names it:
 * - `-c, --config FILE`: the agent's YAML (default: `$SPDK_AGENT_CONFIG`, then
 *   /etc/spdk-agent/agent.yaml);
 * - `--config-file FILE`, as every OpenStack service takes it (repeatable): Cyborg's `cyborg.conf`
 *   (an INI file, told by its content) or the agent's YAML. With a `cyborg.conf` alone the agent
 *   runs from it: targets, host and bus come from Cyborg's options (a drop-in for cyborg-agent on a
 *   storage node).
 *
 * Loaded by every command's definition (`--help` reads them all): nothing heavy is imported here.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { LoadConfigOptions } from '../config/index.js';
import { CliUsageError } from './errors.js';

export interface ConfigSourceOptions {
  config?: string;
  configFile?: string[];
}

/** Adds `--config` and `--config-file` to a command. */
export function configSourceOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'agent configuration file (YAML; default: $SPDK_AGENT_CONFIG, then /etc/spdk-agent/agent.yaml)')
    .option(
      '--config-file <file>',
      "a configuration file as OpenStack services take it: Cyborg's cyborg.conf (INI) or the agent's YAML; repeatable",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    );
}

/** The options every target command takes: where its configuration is. */
export type TargetCommandOptions = ConfigSourceOptions;

/** `program <command> [--config FILE] [--config-file FILE]`: a command over the configured targets. */
export function targetCommand(program: Command, command: string, description: string): Command {
  return configSourceOptions(program.command(command).description(description));
}

/** `program <command> <name> [--config FILE]`: a command on one configured target. */
export function oneTargetCommand(program: Command, command: string, description: string): Command {
  return targetCommand(program, command, description).argument('<name>', 'the target name, as in the configuration');
}

/** The `--config` / `--config-file` commander parsed, as a command's options (absent when not given). */
export function configOption(opts: TargetCommandOptions): TargetCommandOptions {
  return {
    ...(opts.config !== undefined ? { config: opts.config } : {}),
    ...(opts.configFile !== undefined ? { configFile: opts.configFile } : {}),
  };
}

/** The loader's options for what the command line named; `CliUsageError` for two files of one kind. */
export async function configSources(options: ConfigSourceOptions): Promise<LoadConfigOptions> {
  const { looksLikeIni } = await import('../config/load.js');
  const sources: LoadConfigOptions = options.config !== undefined ? { file: options.config } : {};
  for (const file of options.configFile ?? []) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new CliUsageError(`cannot read --config-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (looksLikeIni(text)) {
      if (sources.upperFile !== undefined) throw new CliUsageError(`two Cyborg files given (${sources.upperFile} and ${file}): give one`);
      sources.upperFile = file;
    } else {
      if (sources.file !== undefined) throw new CliUsageError(`two agent YAML files given (${sources.file} and ${file}): give one`);
      sources.file = file;
    }
  }
  return sources;
}
