/**
 * User names to uids, from /etc/passwd (a uid given as a number is taken as it is): what
 * `spdk.socketOwners` names. Read directly, without a library: one colon-separated file.
 */
import { readFile } from 'node:fs/promises';

export async function resolveUsers(users: ReadonlyArray<string | number>, passwdFile = '/etc/passwd'): Promise<{ uids: number[]; unknown: string[] }> {
  const byName = new Map<string, number>();
  try {
    for (const line of (await readFile(passwdFile, 'utf8')).split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid !== undefined && /^\d+$/.test(uid)) byName.set(name, Number(uid));
    }
  } catch {
    // No passwd file: only numeric uids can be resolved.
  }
  const uids: number[] = [];
  const unknown: string[] = [];
  for (const user of users) {
    if (typeof user === 'number') uids.push(user);
    else if (/^\d+$/.test(user)) uids.push(Number(user));
    else if (byName.has(user)) uids.push(byName.get(user)!);
    else unknown.push(user);
  }
  return { uids: [...new Set(uids)], unknown };
}
