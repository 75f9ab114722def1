import { z } from 'zod';
import { CommonErrors } from './errors';
import { isUuid } from './ids';

/**
 * Cursor (keyset) pagination over time-ordered UUIDv7 ids: a page is "the next `limit` rows after
 * this id", which stays correct while rows are inserted and never scans with OFFSET.
 */
export const pageInput = {
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Page size (1-100, default 20)'),
  cursor: z.string().max(200).optional().describe('The `nextCursor` of the previous page'),
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to fetch the next page; null on the last page'),
  });

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'cursor', message: 'Invalid cursor' }] });
  return id;
}

/** Splits `limit + 1` fetched rows into a page and the cursor of the next one. */
export function toPage<T extends { id: string }, R>(rows: T[], limit: number, map: (row: T) => R) {
  const hasMore = rows.length > limit;
  const items = rows.slice(0, limit);
  return {
    items: items.map(map),
    nextCursor: hasMore && items.length > 0 ? encodeCursor(items[items.length - 1]!.id) : null,
  };
}
