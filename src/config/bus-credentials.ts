/**
 * The broker credentials of one source: taken out of its URLs (so the final URLs never carry a
 * password), checked for agreement, and read from a password file.
 *
 * spdk-agent uses one username and password for every broker host: URLs of one source that name
 * different credentials are an error rather than a guess.
 */
import type { BrokerAddress } from './bus-url.js';
import { isWorldReadable, readTextFile } from './files.js';

export interface Credentials {
  username?: string;
  password?: string;
}

export type CredentialsResult = { ok: true; value: Credentials } | { ok: false; field: 'username' | 'password'; index: number };

/** The credentials the addresses agree on; `index` names the first address that disagrees. */
export function credentialsOf(addresses: readonly BrokerAddress[]): CredentialsResult {
  const value: Credentials = {};
  for (const [index, address] of addresses.entries()) {
    for (const field of ['username', 'password'] as const) {
      const given = address[field];
      if (given === undefined) continue;
      if (value[field] === undefined) value[field] = given;
      else if (value[field] !== given) return { ok: false, field, index };
    }
  }
  return { ok: true, value };
}

export type PasswordFileResult = { ok: true; password: string; warning?: string } | { ok: false; reason: string };

/** Reads a password file: its content without the trailing newline(s) editors and `echo` add. */
export function readPasswordFile(file: string): Promise<PasswordFileResult> {
  return readSecretFile(file, 'password');
}

/** Reads a one-line secret file (a password, a bearer token); `what` names it in the messages. */
export async function readSecretFile(file: string, what: string): Promise<PasswordFileResult> {
  const read = await readTextFile(file);
  if (!read.ok) return { ok: false, reason: `cannot read the ${what} file ${file}: ${read.reason}` };
  const password = read.text.replace(/[\r\n]+$/, '');
  if (password === '') return { ok: false, reason: `the ${what} file ${file} is empty` };
  if (password.includes('\n')) return { ok: false, reason: `the ${what} file ${file} holds more than one line; it must hold only the ${what}` };
  const warning = isWorldReadable(read.mode)
    ? `the ${what} file ${file} is readable by every user (mode ${(read.mode & 0o777).toString(8)}); chmod 600 it`
    : undefined;
  return warning === undefined ? { ok: true, password } : { ok: true, password, warning };
}
