/** The real SPDK v24.01 captures (test/fixtures/spdk/v24.01, a copy of ../shared/spdk-fixtures). */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spdkFixturesDir } from './paths.js';

export interface FixtureEntry {
  file: string;
  scenario: string;
  app: string;
  spdk_version: string;
  seq: number;
  name: string;
  /** Exact bytes written to the socket. */
  request: string;
  /** Exact bytes read back; null when nothing came back. */
  response: string | null;
  /** When one write produced several responses: each one's bytes, in arrival order. */
  responses?: string[];
  connection_closed_after?: boolean;
  note?: string;
  [extra: string]: unknown;
}

export function fixtureFiles(): string[] {
  return readdirSync(spdkFixturesDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
}

export function loadFixture(file: string): FixtureEntry[] {
  const text = readFileSync(path.join(spdkFixturesDir, file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ file, ...(JSON.parse(line) as Omit<FixtureEntry, 'file'>) }) as FixtureEntry);
}

export function allFixtures(): FixtureEntry[] {
  return fixtureFiles().flatMap(loadFixture);
}

/** Every response byte string in the fixtures, each one whole (a `responses` list is split out). */
export function allResponses(): Array<{ entry: FixtureEntry; bytes: string }> {
  const out: Array<{ entry: FixtureEntry; bytes: string }> = [];
  for (const entry of allFixtures()) {
    if (entry.responses && Array.isArray(entry.responses)) {
      for (const bytes of entry.responses) out.push({ entry, bytes });
    } else if (typeof entry.response === 'string') {
      // Some entries hold several replies in one string; SPDK's compact replies never contain a raw
      // newline, so each line is one reply.
      const parts = entry.response.startsWith('{') ? entry.response.split(/(?<=\n)/) : [entry.response];
      for (const bytes of parts) out.push({ entry, bytes });
    }
  }
  return out;
}
