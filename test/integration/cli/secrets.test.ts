/**
 * A password never reaches an error or a log line, whatever shape the mistake around it takes:
 * every way a configuration can be wrong near the broker password (YAML, cyborg.conf, the
 * environment, a password file), run through `spdk-agent config show`, `doctor` and `run`, with a
 * recognisable password, and all their output searched for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';

const PASSWORD = 'Recognisable-Pw-4711';

interface ErrorCase {
  name: string;
  yaml?: string;
  conf?: string;
  env?: Record<string, string>;
  passwordFile?: string;
}

const CASES: ErrorCase[] = [
  { name: 'bus.urls as a string', yaml: `bus:\n  urls: "amqp://guest:${PASSWORD}@h:5672/"\n` },
  { name: 'bus as a string', yaml: `bus: "amqp://guest:${PASSWORD}@h:5672/"\n` },
  { name: 'a URL item as a mapping', yaml: `bus:\n  urls: [{ url: "amqp://guest:${PASSWORD}@h/" }]\n` },
  { name: 'a URL with a bad port', yaml: `bus:\n  urls: ["amqp://guest:${PASSWORD}@h:99999/"]\n` },
  { name: 'a URL with an unencoded slash in the password', yaml: `bus:\n  urls: ["amqp://guest:a/${PASSWORD}@h/"]\n` },
  { name: 'a rabbit:// URL in the YAML', yaml: `bus:\n  urls: ["rabbit://guest:${PASSWORD}@h/"]\n` },
  { name: 'URL credentials against a different password', yaml: `bus:\n  urls: ["amqp://guest:${PASSWORD}@h/"]\n  password: other\n` },
  { name: 'two URLs with different passwords', yaml: `bus:\n  urls: ["amqp://guest:${PASSWORD}@h1/", "amqp://guest:x${PASSWORD}@h2/"]\n` },
  { name: 'the password as a number-like mistake', yaml: `bus:\n  password: [${PASSWORD}]\n` },
  { name: 'password and passwordFile together', yaml: `bus:\n  password: ${PASSWORD}\n  passwordFile: pw\n`, passwordFile: `${PASSWORD}\n` },
  { name: 'a misspelt key beside the password', yaml: `bus:\n  password: ${PASSWORD}\n  pasword: ${PASSWORD}\n` },
  { name: 'a YAML syntax error on the password line', yaml: `bus:\n  password: "${PASSWORD}\n  urls: [\n` },
  { name: 'bad indentation after the password', yaml: `bus:\n  password: ${PASSWORD}\n   urls: x\n` },
  { name: 'tls as a string holding the password', yaml: `bus:\n  tls: "amqp://u:${PASSWORD}@h"\n` },
  {
    name: 'a secret target env value of the wrong type',
    yaml: `spdk:\n  targets:\n    - name: a\n      app: nvmf_tgt\n      env: { API_TOKEN: [${PASSWORD}] }\n`,
  },
  { name: 'cyborg.conf transport_url with a bad port', conf: `[DEFAULT]\ntransport_url = rabbit://u:${PASSWORD}@h:99999/\n` },
  { name: 'cyborg.conf transport_url with two passwords', conf: `[DEFAULT]\ntransport_url = rabbit://u:${PASSWORD}@h1,u:other@h2/\n` },
  { name: 'cyborg.conf transport_url not a URL', conf: `[DEFAULT]\ntransport_url = u:${PASSWORD}@h\n` },
  { name: 'cyborg.conf amqp:// driver', conf: `[DEFAULT]\ntransport_url = amqp://u:${PASSWORD}@h/\n` },
  { name: 'SPDK_AGENT_BUS_URL with a bad port', env: { SPDK_AGENT_BUS_URL: `amqp://u:${PASSWORD}@h:99999` } },
  { name: 'SPDK_AGENT_BUS_URL as a rabbit URL', env: { SPDK_AGENT_BUS_URL: `rabbit://u:${PASSWORD}@h` } },
  {
    name: 'SPDK_AGENT_BUS_PASSWORD beside SPDK_AGENT_BUS_PASSWORD_FILE',
    env: { SPDK_AGENT_BUS_PASSWORD: PASSWORD, SPDK_AGENT_BUS_PASSWORD_FILE: '/nonexistent' },
  },
  { name: 'a password file of two lines', yaml: `bus:\n  passwordFile: pw\n`, passwordFile: `${PASSWORD}\n${PASSWORD}\n` },
];

test('no configuration error of any shape shows the password: config show, doctor, run', { timeout: 240_000 }, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'secrets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const leaks: string[] = [];
  let failures = 0;
  for (const [index, c] of CASES.entries()) {
    const caseDir = path.join(dir, String(index));
    await import('node:fs/promises').then((fs) => fs.mkdir(caseDir));
    if (c.passwordFile !== undefined) await writeFile(path.join(caseDir, 'pw'), c.passwordFile, { mode: 0o600 });
    const args: string[] = [];
    if (c.conf !== undefined) {
      await writeFile(path.join(caseDir, 'cyborg.conf'), c.conf, { mode: 0o600 });
      args.push('--config-file', path.join(caseDir, 'cyborg.conf'));
    }
    const yaml = c.yaml ?? (c.conf === undefined ? 'bus: { enabled: true }\n' : undefined);
    if (yaml !== undefined) {
      await writeFile(path.join(caseDir, 'agent.yaml'), yaml, { mode: 0o600 });
      args.push('--config', path.join(caseDir, 'agent.yaml'));
    }
    const env = { SPDK_AGENT_LOG_FORMAT: 'json', RUNTIME_DIRECTORY: caseDir, ...c.env };
    for (const command of [['config', 'show'], ['config', 'show', '--json'], ['doctor', '--json'], ['run']]) {
      const run = await runCli([...command, ...args], env, 30_000);
      if (run.code === 2) failures++;
      if (`${run.stdout}${run.stderr}`.includes(PASSWORD)) leaks.push(`${c.name} (${command.join(' ')}): ${(run.stdout + run.stderr).slice(0, 400)}`);
    }
  }
  assert.deepEqual(leaks, []);
  assert.equal(failures, CASES.length * 4, 'every case is a configuration error (exit 2) in every command');
});
