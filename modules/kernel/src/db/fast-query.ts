import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { outboxCommitted } from '../events/wake';

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
 * arrive as text), same error conversion. Inside a transaction it joins the transaction: through
 * `em` as usual, or, when named, on the transaction's connection. Placeholders are `?`, as with
 * em.execute. A `name` makes it a prepared statement (parsed and planned once per connection); the
 * name carries a digest of the text, so a statement whose text varies becomes several prepared
 * statements instead of a clash.
 */
export async function fastQuery<T>(em: EntityManager, sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
  const transaction = em.getTransactionContext<{ client: KnexClient }>();
  if (transaction) return name ? inTransaction<T>(em, transaction.client, sql, params, name) : em.execute<T[]>(sql, params);
  const connection = em.getConnection();
  const knex = connection.getKnex().client as unknown as KnexClient;
  const { text, statement } = prepared(sql, name);
  const client = await knex.acquireConnection();
  try {
    const { rows } = await client.query({ text, values: params, name: statement });
    // Autocommitted: if the statement wrote event rows, the relay may look now.
    outboxCommitted(em);
    return rows as T[];
  } catch (error) {
    throw converted(em, error);
  } finally {
    await knex.releaseConnection(client);
  }
}

/**
 * A named statement on the transaction's own connection (knex's transaction client hands out the
 * connection it holds), for statements a transaction runs on every pass (the audit chainer's read):
 * prepared once per connection instead of planned over every daily partition on each call.
 */
async function inTransaction<T>(em: EntityManager, client: KnexClient, sql: string, params: unknown[], name: string): Promise<T[]> {
  const { text, statement } = prepared(sql, name);
  try {
    const { rows } = await (await client.acquireConnection()).query({ text, values: params, name: statement });
    return rows as T[];
  } catch (error) {
    throw converted(em, error);
  }
}

/** A driver error as MikroORM's own exception (unique violation, deadlock…), as em.execute throws it. */
const converted = (em: EntityManager, error: unknown) =>
  em.getConnection().getPlatform().getExceptionConverter().convertException(error as Error & Record<string, unknown>);

const texts = new Map<string, { text: string; statement?: string }>();

/** `?` placeholders as `$n`, and the statement name for this exact text (memoised: hot paths). */
function prepared(sql: string, name: string | undefined): { text: string; statement?: string } {
  const key = `${name ?? ''}\u0000${sql}`;
  let entry = texts.get(key);
  if (!entry) {
    let index = 0;
    const text = sql.replace(/\?/g, () => `$${++index}`);
    entry = { text, statement: name ? `${name}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}` : undefined };
    if (texts.size > 1000) texts.clear();
    texts.set(key, entry);
  }
  return entry;
}
