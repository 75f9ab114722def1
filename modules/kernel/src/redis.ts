import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-url';

export { Redis };
export { isRedisClusterUrl } from './redis-url';

/**
 * Redis connections per BullMQ's production guidance:
 * - `worker` connections (BullMQ Worker, blocking commands) must retry forever:
 *   `maxRetriesPerRequest: null`, so a Redis restart pauses them instead of killing them.
 * - `producer` connections (queue.add, readiness checks, caches) must fail fast while Redis is
 *   down (`enableOfflineQueue: false`), so a request never hangs on Redis: durable work has
 *   already been committed to the outbox and will flow when Redis is back.
 * Both reconnect with an exponential backoff capped at 2 s.
 */
export function redisOptions(url: string, role: 'worker' | 'producer'): RedisOptions {
  const parsed = parseRedisUrl(url);
  return {
    host: parsed.nodes[0]!.host,
    port: parsed.nodes[0]!.port,
    username: parsed.username,
    password: parsed.password,
    db: parsed.db,
    tls: parsed.tls ? {} : undefined,
    // Capped low: reconnecting to a down Redis every 2 s is cheap, and recovery after it returns is quick.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: false }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }),
  };
}

/**
 * A Redis Cluster client with the same per-role behaviour. Redirections (MOVED/ASK) and a failover's
 * CLUSTERDOWN/TRYAGAIN are retried by ioredis after short delays while it refreshes the slot map,
 * so a master failover looks like a brief pause, not an error, to a worker connection.
 */
function clusterClient(url: string, role: 'worker' | 'producer', name: string): Cluster {
  const parsed = parseRedisUrl(url);
  const { host: _host, port: _port, db: _db, retryStrategy, enableOfflineQueue, ...nodeOptions } = redisOptions(url, role);
  const options: ClusterOptions = {
    redisOptions: { ...nodeOptions, connectionName: name },
    clusterRetryStrategy: retryStrategy,
    enableOfflineQueue: role === 'worker' ? true : enableOfflineQueue,
    // A failover takes about cluster-node-timeout; keep asking meanwhile, briefly.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    retryDelayOnMoved: 0,
    maxRedirections: 32,
    slotsRefreshTimeout: 2000,
  };
  return new Cluster(parsed.nodes, options);
}

/**
 * One connection (or, for a `redis+cluster://` URL, one cluster client) of the given role. A
 * cluster client is typed as `Redis`: it speaks the same commands, pipelines and pub/sub, and
 * Plinto only sends multi-key commands whose keys share a slot (see QUEUE_PREFIX).
 */
export function createRedis(url: string, role: 'worker' | 'producer', name: string): Redis {
  const redis = parseRedisUrl(url).cluster
    ? (clusterClient(url, role, name) as unknown as Redis)
    : new Redis({ ...redisOptions(url, role), connectionName: name, lazyConnect: false });
  // Connection errors are expected while Redis restarts; callers see them on commands.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Waits until `replicas` replicas hold every write this client has sent (Redis WAIT), on every
 * master of a cluster (a master this client wrote nothing to answers at once). A master with fewer
 * replicas connected right now (one just promoted after a failover, say) is asked for as many as it
 * has: with none, nothing could fail over to, and waiting could only stall. Returns false when fewer
 * confirmed within `timeoutMs`: a write not yet replicated can be lost if its master fails over now,
 * so the caller must not treat it as durable yet.
 */
export async function waitForReplicas(redis: Redis, replicas: number, timeoutMs: number): Promise<boolean> {
  if (replicas <= 0) return true;
  const client = redis as unknown as Redis | Cluster;
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const confirmed = await Promise.all(
    nodes.map(async (node) => {
      const wanted = Math.min(replicas, await connectedReplicas(node));
      return wanted === 0 || ((await node.call('wait', wanted, timeoutMs)) as number) >= wanted;
    }),
  );
  return confirmed.every(Boolean);
}

const replicaCounts = new WeakMap<Redis, { count: number; until: number }>();

/** How many replicas a master has connected (ROLE), remembered for a second. */
async function connectedReplicas(node: Redis): Promise<number> {
  const cached = replicaCounts.get(node);
  if (cached && cached.until > Date.now()) return cached.count;
  const role = (await node.call('role')) as [string, number, unknown[]];
  const count = role[0] === 'master' ? role[2].length : 0;
  replicaCounts.set(node, { count, until: Date.now() + 1000 });
  return count;
}
