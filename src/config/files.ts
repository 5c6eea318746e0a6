/**
 * Reading the files a configuration names, with reasons an operator can act on.
 *
 * Only regular files are read: a FIFO or a device named by mistake would block the read forever
 * (or return endless bytes), and the agent must never hang at start.
 */
import { readFile, stat } from 'node:fs/promises';

/** Far above any sane config or password file; protects against naming a disk image or a log. */
const MAX_BYTES = 1024 * 1024;

/** On failure, `reason` says what is wrong without naming the file (callers do, with their context). */
export type ReadResult = { ok: true; text: string; mode: number } | { ok: false; reason: string };

export async function readTextFile(file: string): Promise<ReadResult> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) return { ok: false, reason: 'it is a directory' };
    if (!info.isFile()) return { ok: false, reason: 'it is not a regular file' };
    if (info.size > MAX_BYTES) return { ok: false, reason: `it is too large (${info.size} bytes; at most ${MAX_BYTES})` };
    const text = await readFile(file, 'utf8');
    if (text.includes('\u0000')) return { ok: false, reason: 'it is not a text file' };
    return { ok: true, text: text.startsWith('\uFEFF') ? text.slice(1) : text, mode: info.mode };
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  }
}

export async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function describeFsError(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return `${code ?? 'error'}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Whether a file mode lets users other than the owner and group read it. */
export function isWorldReadable(mode: number): boolean {
  return (mode & 0o004) !== 0;
}
