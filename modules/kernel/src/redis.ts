import { Redis, type RedisOptions } from 'ioredis';

export { Redis };

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
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // Capped low: reconnecting to a down Redis every 2 s is cheap, and recovery after it returns is quick.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: false }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }),
  };
}

export function createRedis(url: string, role: 'worker' | 'producer', name: string): Redis {
  const redis = new Redis({ ...redisOptions(url, role), connectionName: name, lazyConnect: false });
  // Connection errors are expected while Redis restarts; callers see them on commands.
  redis.on('error', () => undefined);
  return redis;
}
