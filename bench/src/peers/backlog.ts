import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Plinto's work still to do after a load stops: outbox rows not yet relayed, audit events not yet
 * chained, and jobs waiting in or taken from its BullMQ queues (retries waiting out a backoff are
 * not steady work and are left out). A system that defers work to its workers has not served a
 * request until that work is done too, so the peers suite waits for this to reach zero after each
 * of Plinto's measurements and counts the wait in its time (`settle`): otherwise one operation's
 * backlog would be drained during, and charged to, the next operation's measurement.
 */
export function plintoBacklog(databaseUrl: string, queuePrefix: string) {
  const db = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });

  // Found once: the workers open every queue they consume at start. A scan of the whole keyspace
  // (tens of thousands of refresh-token keys) takes longer than most backlogs.
  let queues: Set<string> | undefined;
  async function queueNames(): Promise<Set<string>> {
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*:meta`, 'COUNT', 10_000);
      cursor = next;
      for (const key of keys) names.add(key.slice(0, -':meta'.length));
    } while (cursor !== '0');
    return names;
  }

  async function pending(): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `select (select count(*) from (select 1 from outbox where dispatched_at is null and available_at <= now() limit 1) o)::int
            + (select count(*) from (select 1 from audit_events where chain_seq is null limit 1) a)::int as n`,
    );
    if (rows[0]!.n > 0) return rows[0]!.n;
    queues ??= await queueNames();
    const pipeline = redis.pipeline();
    for (const queue of queues) pipeline.llen(`${queue}:wait`).llen(`${queue}:active`).zcard(`${queue}:prioritized`);
    const counts = (await pipeline.exec()) ?? [];
    return counts.reduce((sum, [, n]) => sum + Number(n ?? 0), 0);
  }

  return {
    /** Waits until nothing is left to do; returns how long that took (ms). */
    async settle(): Promise<number> {
      const t0 = performance.now();
      while ((await pending()) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      return performance.now() - t0;
    },
    async close(): Promise<void> {
      redis.disconnect();
      await db.end();
    },
  };
}
