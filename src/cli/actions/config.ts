/**
 * `spdk-agent config show [--config FILE] [--config-file FILE] [--json]`: the effective
 * configuration, as the agent would run with it, every value with its source (file and line,
 * environment variable, or default) and secrets masked. The loader's warnings go to stderr.
 *
 * Exit 0: the configuration is valid and shown. 2: it is not (the loader's file:line problems).
 */
import { describeConfig } from '../../config/show.js';
import { stringifyJson } from '../../spdk/rpc/json.js';
import type { CliIo } from '../io.js';
import type { ConfigSourceOptions } from '../config-sources.js';
import { EXIT_OK, loadCliConfig, quietLogging, runCliCommand } from '../targets.js';

export interface ConfigShowOptions extends ConfigSourceOptions {
  json?: boolean;
}

export async function configShow(options: ConfigShowOptions, io: CliIo): Promise<number> {
  return runCliCommand(
    io,
    async () => {
      quietLogging();
      const loaded = await loadCliConfig(options, io);
      const values = describeConfig(loaded);
      if (options.json) {
        const sources = Object.fromEntries(values.map((v) => [v.key, v.source]));
        io.stdout.write(`${stringifyJson({ files: loaded.files, config: loaded.config, sources, warnings: loaded.warnings }, 2)}\n`);
        return EXIT_OK;
      }
      const files = [
        loaded.files.agent ? `agent file ${loaded.files.agent}` : 'no agent file',
        loaded.files.upper ? `Cyborg file ${loaded.files.upper}` : undefined,
      ].filter(Boolean);
      io.stdout.write(`# effective configuration (${files.join(', ')}); secrets masked\n`);
      const width = Math.min(48, Math.max(...values.map((v) => v.key.length + 3 + JSON.stringify(v.value ?? null).length)));
      for (const v of values) {
        const line = `${v.key} = ${JSON.stringify(v.value ?? null)}`;
        io.stdout.write(`${line.padEnd(width)}  # ${v.source}\n`);
      }
      return EXIT_OK;
    },
    options.json === true,
  );
}
