/**
 * The target list: the agent file's targets, or (when it lists none) one per server the
 * upper-layer file enables; then which of them are enabled.
 *
 * The upper file is the management application's word on what runs on this node, so a target of
 * a server it does not enable is disabled, even when the agent file lists it (and a warning says
 * so); the agent file can only disable more (`enabled: false`).
 */
import type { CyborgConf } from './cyborg/cyborg-conf.js';
import { APP_SERVER } from './cyborg/cyborg-conf.js';
import { formatKeyPath } from './key-path.js';
import { conflictWarning, formatOrigin, getPath, isPlainObject, setPath, type Origin, type PlainObject } from './layer.js';
import { SPDK_DEFAULT_SOCKET, type SpdkApp, type TargetConfig } from './types.js';

/** Socket of a target synthesised for a Cyborg server. */
export function synthesisedSocket(server: string): string {
  return `/var/tmp/spdk-${server}.sock`;
}

/**
 * Before defaults are applied: fills in `spdk.targets` from the upper file when the agent file has
 * none, and gives `spdk_conf_file` to targets without a `jsonConfig`.
 * Returns whether the targets were synthesised.
 */
export function planTargets(values: PlainObject, upper: CyborgConf | undefined, origins: Map<string, Origin>, warnings: string[]): boolean {
  const listed = getPath(values, ['spdk', 'targets']);
  let targets: PlainObject[] = Array.isArray(listed) ? listed.filter(isPlainObject) : [];
  let synthesised = false;
  if (upper && targets.length === 0 && upper.servers.length > 0) {
    targets = upper.servers.map(({ server, app }) => ({ name: server, app, socket: synthesisedSocket(server) }));
    setPath(values, ['spdk', 'targets'], targets);
    synthesised = true;
    const from = upper.serversOrigin ? formatOrigin(upper.serversOrigin) : `${upper.file} (Cyborg's default accelerator_servers)`;
    warnings.push(
      `the agent file lists no targets: using one per server enabled by ${from}: ` +
        targets.map((t) => `${String(t.name)} (${String(t.app)}) on ${String(t.socket)}`).join(', ') +
        '; the agent adopts them when they run there but does not start them (list targets in the agent file with autostart: true for that)',
    );
  }

  const defaultConfig = upper?.defaultJsonConfig;
  if (defaultConfig) {
    const receivers: PlainObject[] = [];
    targets.forEach((target, index) => {
      const keyPath = ['spdk', 'targets', index, 'jsonConfig'];
      if (target.jsonConfig === undefined) {
        target.jsonConfig = defaultConfig.path;
        origins.set(formatKeyPath(keyPath), defaultConfig.origin);
        receivers.push(target);
        return;
      }
      const own = origins.get(formatKeyPath(keyPath));
      if (own && target.jsonConfig !== defaultConfig.path) {
        warnings.push(conflictWarning(keyPath, own, target.jsonConfig, defaultConfig.origin, defaultConfig.path));
      }
    });
    const apps = new Set(receivers.map((t) => String(t.app)));
    if (apps.size > 1) {
      warnings.push(
        `${formatOrigin(defaultConfig.origin)} gives the same SPDK JSON config to targets of different apps ` +
          `(${[...apps].join(', ')}); a config written for one app usually fails to load in another`,
      );
    }
  }
  return synthesised;
}

/** After defaults: the default socket, the enabled flag and its reason, the source. */
export function finishTargets(targets: PlainObject[], upper: CyborgConf | undefined, synthesised: boolean, warnings: string[]): TargetConfig[] {
  const enabledApps: SpdkApp[] | undefined = upper?.servers.map((s) => s.app);
  const finished = targets.map((raw, index) => {
    const target = raw as unknown as TargetConfig;
    if (target.socket === undefined && target.tcp === undefined) target.socket = SPDK_DEFAULT_SOCKET;
    target.source = synthesised ? 'upper-file' : 'agent-file';
    if (!target.enabled) {
      target.disabledReason = 'disabled in the agent file (enabled: false)';
    } else if (enabledApps && upper && !enabledApps.includes(target.app)) {
      const where = upper.serversOrigin ? formatOrigin(upper.serversOrigin) : `${upper.file} (Cyborg's default accelerator_servers)`;
      const list = upper.servers.map((s) => s.server).join(', ') || 'none';
      target.enabled = false;
      target.disabledReason = `${where} does not enable the ${APP_SERVER[target.app]} server (enabled: ${list})`;
      warnings.push(`spdk.targets[${index}] (${JSON.stringify(target.name)}, ${target.app}) is disabled: ${target.disabledReason}`);
    }
    return target;
  });
  if (finished.length === 0) {
    warnings.push('no SPDK targets are configured: the agent will report no devices');
  } else if (!finished.some((t) => t.enabled)) {
    warnings.push('every SPDK target is disabled: the agent will report no devices');
  }
  return finished;
}
