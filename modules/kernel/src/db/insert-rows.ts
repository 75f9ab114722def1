import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Multi-row INSERTs in chunks, bypassing the unit of work: for bulk paths (a thousand invitations
 * with their audit and outbox rows) where building and flushing thousands of managed entities
 * costs more than the database work. Values are plain column values; objects and arrays are
 * written as JSON (jsonb columns). In the caller's transaction when `em` is one.
 */
export async function insertRows(em: EntityManager, table: string, columns: string[], rows: unknown[][], chunkSize = 500): Promise<void> {
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    await em.execute(
      `insert into ${table} (${columns.join(', ')}) values ${chunk.map(() => placeholders).join(', ')}`,
      chunk.flatMap((row) => row.map(asColumnValue)),
    );
  }
}

const asColumnValue = (value: unknown) =>
  value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;
