/**
 * Scraping the agent's HTTP endpoint in tests, and reading the exposition with Prometheus' own
 * Python parser (python3-prometheus-client), so that a malformed line fails the test instead of
 * slipping past a regular expression.
 */
import path from 'node:path';
import { execa } from 'execa';
import { PYTHON, pythonPeersDir } from './python.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  documentation: string;
  samples: Sample[];
}

export interface Scrape {
  families: Family[];
  /** Every sample named `name` whose labels include `labels`. */
  samples(name: string, labels?: Record<string, string>): Sample[];
  /** The one sample named so; throws when there is none or more than one. */
  value(name: string, labels?: Record<string, string>): number;
}

export async function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Parses an exposition with prometheus_client; rejects with the parser's message when it is malformed. */
export async function parseExposition(text: string): Promise<Scrape> {
  const result = await execa(PYTHON, [path.join(pythonPeersDir, 'parse_exposition.py')], { input: text, reject: false, timeout: 60_000 });
  if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `parse_exposition.py exited with ${String(result.exitCode)}`);
  const { families } = JSON.parse(result.stdout) as { families: Family[] };
  const samples = (name: string, labels: Record<string, string> = {}): Sample[] =>
    families.flatMap((f) => f.samples).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    families,
    samples,
    value(name, labels = {}) {
      const found = samples(name, labels);
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
  };
}

/** GET /metrics and parse it. */
export async function scrape(base: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const { status, body } = await httpGet(`${base}/metrics`, headers);
  if (status !== 200) throw new Error(`GET /metrics answered ${status}: ${body}`);
  return parseExposition(body);
}
