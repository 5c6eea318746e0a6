/**
 * Duplicate suppression by `_unique_id`, as oslo's `_MsgIdCache`: a server remembers the last 16
 * ids it saw and drops a request whose id is among them. A broker redelivers a message when a
 * channel dies before the ack reaches it; a publisher that retries after a lost confirm sends the
 * same message again. Both arrive with the same `_unique_id`.
 */
import { pythonJsonDumps } from './python-values.js';

export const DUPLICATE_WINDOW = 16;

export class RecentMessageIds {
  private readonly ids: string[] = [];

  constructor(private readonly capacity: number = DUPLICATE_WINDOW) {}

  /**
   * True when `uniqueId` was seen among the last `capacity` ids; otherwise remembers it. A message
   * without an id (null) is never a duplicate and is not remembered, as in oslo.
   */
  checkAndRemember(uniqueId: unknown): boolean {
    if (uniqueId === null || uniqueId === undefined) return false;
    const key = typeof uniqueId === 'string' ? uniqueId : safeKey(uniqueId);
    if (this.ids.includes(key)) return true;
    this.ids.push(key);
    if (this.ids.length > this.capacity) this.ids.shift();
    return false;
  }

  get size(): number {
    return this.ids.length;
  }
}

function safeKey(value: unknown): string {
  try {
    return `json:${pythonJsonDumps(value)}`;
  } catch {
    return `str:${String(value)}`;
  }
}
