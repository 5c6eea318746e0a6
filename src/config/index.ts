/**
 * The config layer's public face. Other layers import from here only.
 */
export { loadConfig, looksLikeIni, DEFAULT_CONFIG_FILE } from './load.js';
export { ConfigError, ENVIRONMENT, formatProblem, type ConfigProblem } from './errors.js';
export { parseCyborgConf, CYBORG_DEFAULT_SERVERS, type CyborgConf, type EnabledServer } from './cyborg/cyborg-conf.js';
export { redactConfig } from './redact.js';
export { Secret, MASK } from './secret.js';
export { ENV } from './environment.js';
export { agentConfigSchema } from './schema.js';
export { synthesisedSocket } from './targets.js';
export * from './types.js';
