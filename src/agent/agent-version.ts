/** The agent's own version (package.json), for `ping` answers and log lines. */
import { packageVersion } from '../util/package-info.js';

export function agentVersion(): string {
  return packageVersion();
}
