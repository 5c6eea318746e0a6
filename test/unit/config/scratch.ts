/** Temporary directories for config tests (not a test file): unique, removed after the test. */
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export interface Scratch {
  dir: string;
  /** Writes a file (relative to the directory) and returns its absolute path. */
  write(name: string, text: string, mode?: number): string;
}

export function scratch(t: TestContext): Scratch {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spdk-agent-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name, text, mode = 0o600) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      chmodSync(file, mode);
      return file;
    },
  };
}

/** Removes the common indentation of a template literal, so fixtures can be indented in code. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(common)).join('\n');
}

/** A cyborg.conf as a deployment writes it: host, two brokers with a password, queue flags, SPDK servers. */
export const CYBORG_CONF = dedent(`
  [DEFAULT]
  host = cn-from-cyborg
  transport_url = rabbit://cyborg:CyborgPass@rmq1:5672,cyborg:CyborgPass@rmq2:5672/cyborg
  [oslo_messaging_rabbit]
  amqp_durable_queues = true
  [backend_defaults]
  spdk_dir = /opt/cyborg-spdk
  accelerator_servers = nvmf, vhost
`);
