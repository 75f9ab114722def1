import type { Redis } from '@plinto/kernel';
import { compareIds } from './keys';
import type { BusItem } from './subscription';
import type { RealtimeEvent } from './streams';
import { RealtimeErrors } from './errors';

const PAGE = 500;

/** What a tenant's log holds after `after`, or `reset` when some of it may already be trimmed. */
export interface Missed {
  reset: boolean;
  items: BusItem[];
  /** The log's newest id when it was read (where a reset subscriber continues from). */
  lastId: string | null;
}

function field(info: unknown[], name: string): unknown {
  const at = info.indexOf(name);
  return at >= 0 ? info[at + 1] : undefined;
}

/** Reads the events a reconnecting subscriber missed, oldest first (at most `limit`). */
export async function readMissed(redis: Redis, key: string, after: string, limit: number): Promise<Missed> {
  let info: unknown[];
  try {
    info = (await redis.call('XINFO', 'STREAM', key)) as unknown[];
  } catch (error) {
    // No log: nothing happened in this tenant for longer than the history is kept, so nothing was missed.
    if (/no such key/i.test(String((error as Error).message))) return { reset: false, items: [], lastId: null };
    throw error;
  }
  const lastId = String(field(info, 'last-generated-id'));
  if (compareIds(after, lastId) > 0) throw RealtimeErrors.REALTIME_LAST_EVENT_ID_INVALID({ fields: [{ path: 'lastEventId', message: 'Newer than any event' }] });
  const first = field(info, 'first-entry') as [string, string[]] | null;
  const added = Number(field(info, 'entries-added'));
  const length = Number(field(info, 'length'));
  // Entries were trimmed, and the subscriber's last one is older than the oldest kept: some it missed may be gone.
  const trimmed = added > length && (!first || compareIds(after, first[0]) < 0);
  if (trimmed) return { reset: true, items: [], lastId };
  const items: BusItem[] = [];
  let from = after;
  while (items.length < limit) {
    const page = (await redis.xrange(key, `(${from}`, '+', 'COUNT', Math.min(PAGE, limit - items.length))) as [string, string[]][];
    for (const [id, fields] of page) items.push({ id, event: JSON.parse(fields[1]!) as RealtimeEvent });
    if (page.length < PAGE) break;
    from = page[page.length - 1]![0];
  }
  return { reset: false, items, lastId };
}
