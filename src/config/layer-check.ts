/**
 * Schema checks of a layer built from something other than the YAML (the upper-layer file, the
 * environment): each problem is reported where the value was written (`cyborg.conf:12
 * [oslo_messaging_rabbit] rabbit_transient_queues_ttl`, `SPDK_AGENT_LOG_LEVEL`), not at a key path
 * the operator never typed.
 */
import type { ConfigProblem } from './errors.js';
import { formatKeyPath } from './key-path.js';
import { originOf, type ConfigLayer } from './layer.js';
import { schemaIssues } from './validate.js';

export function layerSchemaProblems(layer: ConfigLayer): ConfigProblem[] {
  return schemaIssues(layer.values).map((issue) => {
    const origin = originOf(layer.origins, issue.path);
    if (origin === undefined) return { file: layer.source, keyPath: formatKeyPath(issue.path), message: issue.message };
    const problem: ConfigProblem = { file: origin.file, keyPath: origin.key, message: issue.message };
    if (origin.line !== undefined) problem.line = origin.line;
    return problem;
  });
}
