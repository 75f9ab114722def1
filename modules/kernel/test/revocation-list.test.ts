import { describe, expect, it } from 'vitest';
import { createRedis, RevocationList, type RevocationStore } from '../src';

/** Fail closed: when neither Redis nor PostgreSQL can answer, the check throws (the token is refused). */
describe('RevocationList', () => {
  it('throws when Redis is unreachable and the store fails', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const redis = createRedis('redis://127.0.0.1:1', 'producer', 'test-dead-redis');
    const failing: RevocationStore = {
      anyRevoked: async () => {
        throw new Error('database is down');
      },
      live: async () => [],
    };
    const list = new RevocationList(redis, failing, { prefix: 't', localCacheMs: 0, redisTimeoutMs: 100 });
    await expect(list.isRevoked(['sid:x'])).rejects.toThrow('database is down');
    // And with a store that can answer, the store's answer is used.
    const answering = new RevocationList(redis, { anyRevoked: async (keys) => keys.includes('sid:gone'), live: async () => [] }, { prefix: 't', localCacheMs: 0, redisTimeoutMs: 100 });
    expect(await answering.isRevoked(['sid:gone'])).toBe(true);
    expect(await answering.isRevoked(['sid:here'])).toBe(false);
    redis.disconnect();
  });
});
