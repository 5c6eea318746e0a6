/**
 * The deployment files checked with tools from the package registries: the Kubernetes manifests
 * against the Kubernetes API schema (kubernetes-models, generated from Kubernetes' OpenAPI
 * definitions), the container file with dockerfile-utils' linter (the one VS Code's Docker
 * support uses). Each check is also shown to fail on a broken copy. What no tool here can check
 * (building and running the image: no container engine on this machine) is said in
 * deploy/README.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadAll } from 'js-yaml';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { loadConfig } from '../../../src/config/index.js';
import { repoRoot } from '../../helpers/paths.js';

const manifestFile = path.join(repoRoot, 'deploy', 'kubernetes', 'daemonset.yaml');
const dockerfile = path.join(repoRoot, 'deploy', 'container', 'Dockerfile');
const lint = path.join(repoRoot, 'node_modules', '.bin', 'dockerfile-utils');

type Manifest = { apiVersion: string; kind: string; [key: string]: unknown };

function validate(doc: Manifest): void {
  const models: Record<string, new (data: never) => { validate(): void }> = {
    'v1/Namespace': Namespace,
    'v1/ConfigMap': ConfigMap,
    'v1/Secret': Secret,
    'apps/v1/DaemonSet': DaemonSet,
  };
  const Model = models[`${doc.apiVersion}/${doc.kind}`];
  assert.ok(Model, `no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc as never).validate();
}

function manifests(): Manifest[] {
  return loadAll(readFileSync(manifestFile, 'utf8')) as Manifest[];
}

test('every document of deploy/kubernetes/daemonset.yaml is valid against the Kubernetes schema', () => {
  const docs = manifests();
  assert.deepEqual(
    docs.map((d) => d.kind),
    ['Namespace', 'ConfigMap', 'Secret', 'DaemonSet'],
  );
  for (const doc of docs) validate(doc);
});

test('the schema check fails on a broken copy', () => {
  const daemonSet = manifests().find((d) => d.kind === 'DaemonSet') as unknown as {
    spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> } } };
  };
  daemonSet.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'nine-four-six-six';
  assert.throws(() => validate(daemonSet as unknown as Manifest), /containerPort must be integer/);
});

test('the DaemonSet probes the agent’s /healthz and /readyz on the port its config listens on', async (t) => {
  const docs = manifests();
  const daemonSet = docs.find((d) => d.kind === 'DaemonSet') as unknown as {
    spec: {
      template: {
        spec: { containers: Array<Record<string, { httpGet: { path: string; port: string } }> & { ports: Array<{ name: string; containerPort: number }> }> };
      };
    };
  };
  const container = daemonSet.spec.template.spec.containers[0]!;
  assert.equal(container.livenessProbe!.httpGet.path, '/healthz');
  assert.equal(container.readinessProbe!.httpGet.path, '/readyz');
  const port = container.ports.find((p) => p.name === container.readinessProbe!.httpGet.port)!.containerPort;
  // The ConfigMap's agent.yaml is a valid agent configuration that listens there.
  const configMap = docs.find((d) => d.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
  const dir = mkdtempSync(path.join(tmpdir(), 'spdk-agent-manifest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const secretDir = path.join(dir, 'secret');
  const yaml = configMap.data['agent.yaml']!.replaceAll('/etc/spdk-agent/secret', secretDir);
  writeFileSync(path.join(dir, 'agent.yaml'), yaml, { mode: 0o600 });
  await import('node:fs/promises').then((fs) => fs.mkdir(secretDir));
  writeFileSync(path.join(secretDir, 'bus-password'), 'x', { mode: 0o600 });
  writeFileSync(path.join(secretDir, 'metrics-token'), 'y', { mode: 0o600 });
  const { config } = await loadConfig({ file: path.join(dir, 'agent.yaml'), env: { SPDK_AGENT_HOST: 'node-1' } });
  assert.equal(config.metrics.listen, `0.0.0.0:${port}`);
  assert.equal(config.agent.host, 'node-1');
});

test('deploy/container/Dockerfile passes dockerfile-utils lint; a broken one does not', async (t) => {
  const good = await execa(lint, ['lint', dockerfile], { reject: false });
  assert.equal(good.exitCode, 0, good.stdout + good.stderr);
  assert.equal(good.stdout.trim(), '');
  const dir = mkdtempSync(path.join(tmpdir(), 'spdk-agent-dockerfile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const broken = path.join(dir, 'Dockerfile');
  writeFileSync(broken, readFileSync(dockerfile, 'utf8').replace('EXPOSE 9466', 'EXPOSE metrics'));
  const bad = await execa(lint, ['lint', broken], { reject: false });
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.stdout, /Invalid containerPort: metrics/);
});

test('the container file checks health with /healthz and installs from the release tarball with install.sh', () => {
  const text = readFileSync(dockerfile, 'utf8');
  assert.match(text, /^HEALTHCHECK [^\n]*\\\n[^\n]*\/healthz/m);
  assert.match(text, /install\.sh --prefix \/usr\/local --no-systemd/);
  assert.match(text, /^ENTRYPOINT \["\/usr\/local\/bin\/spdk-agent"\]/m);
});
