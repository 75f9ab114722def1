import { afterAll, describe } from 'vitest';
import { startRedisCluster } from '../src/redis-cluster';

/**
 * The suites that lean on Redis, run again on a 3-master Redis Cluster this file starts on
 * loopback ports: BullMQ on a hash-tagged prefix (webhook deliveries end to end), the sign-in
 * throttles' Lua scripts, the access-token revocation list across api processes, and the authz
 * engine's pub/sub invalidation between processes. Each suite is imported unchanged; only
 * PLINTO_TEST_REDIS_URL (set before the harness is loaded) points it at the cluster.
 */
const cluster = await startRedisCluster({ masters: 3 });
// Registered before the harness's own afterAll, so it runs after it (hooks unwind as a stack):
// the apis and workers close while their Redis is still there.
afterAll(() => cluster.stop());
process.env.PLINTO_TEST_REDIS_URL = cluster.url;
// The harness (and its per-file cleanup) is loaded only now, so it reads the cluster's URL.
await import('../src');

describe('on a Redis Cluster: sign-in throttles and lockout (Lua scripts, one slot)', async () => {
  await import('./auth-attacks.test');
});
describe('on a Redis Cluster: signing keys and revocation across api processes', async () => {
  await import('./auth-keys-revocation.test');
});
describe('on a Redis Cluster: policy changes reach every api process (pub/sub)', async () => {
  await import('./authz-cluster.test');
});
describe('on a Redis Cluster: webhook deliveries through BullMQ', async () => {
  await import('./webhooks.test');
});
