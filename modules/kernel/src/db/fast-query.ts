import type { EntityManager } from '@mikro-orm/postgresql';

interface PgClient {
  query(query: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}

interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
}

/**
 * One SQL statement straight on a pooled pg connection, with server-side parameters: for the
 * hottest paths (sign-in), where MikroORM's execute (client-side formatting, knex runner, result
 * transformation) costs more CPU than the statement. Same pool, same type parsing (timestamps
 * arrive as text), same error conversion. Inside a transaction it runs through `em` as usual, so
 * it joins the transaction. Placeholders are `?`, as with em.execute. A `name` makes it a prepared
 * statement (parsed and planned once per connection): only for SQL whose text never varies.
 */
export async function fastQuery<T>(em: EntityManager, sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
  if (em.getTransactionContext()) return em.execute<T[]>(sql, params);
  const connection = em.getConnection();
  const knex = connection.getKnex().client as unknown as KnexClient;
  let index = 0;
  const text = sql.replace(/\?/g, () => `$${++index}`);
  const client = await knex.acquireConnection();
  try {
    return (await client.query({ text, values: params, name })).rows as T[];
  } catch (error) {
    throw connection.getPlatform().getExceptionConverter().convertException(error as Error & Record<string, unknown>);
  } finally {
    await knex.releaseConnection(client);
  }
}
