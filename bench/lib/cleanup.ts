/**
 * Cleanups that must run however a run ends (normal end, a figure failing, Ctrl-C): broker objects
 * to delete, directories to remove. Each runs once, within a deadline, so a dead broker cannot hold
 * the exit; whoever asks for a cleanup that is already running waits for that same run.
 */
type Cleanup = () => Promise<unknown> | unknown;

interface Entry {
  fn: Cleanup;
  running: Promise<void> | null;
}

const pending = new Set<Entry>();

/** Registers `fn`; returns a function that runs it now (once; later calls wait for that run). */
export function onCleanup(fn: Cleanup): () => Promise<void> {
  const entry: Entry = { fn, running: null };
  pending.add(entry);
  return () => start(entry);
}

/** Runs every registered cleanup not run yet (last registered first), each within `timeoutMs`. */
export async function runCleanups(timeoutMs = 15_000): Promise<void> {
  for (const entry of [...pending].reverse()) await start(entry, timeoutMs);
}

function start(entry: Entry, timeoutMs = 15_000): Promise<void> {
  entry.running ??= bounded(entry.fn, timeoutMs).finally(() => pending.delete(entry));
  return entry.running;
}

async function bounded(fn: Cleanup, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(fn),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } catch (err) {
    process.stderr.write(`bench: a cleanup failed: ${(err as Error).message}\n`);
  } finally {
    clearTimeout(timer);
  }
}
