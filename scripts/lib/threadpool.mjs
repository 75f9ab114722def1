import { availableParallelism } from 'node:os';

/**
 * The environment the api process must start with. argon2 hashes run on libuv's thread pool,
 * AUTH_HASH_CONCURRENCY of them at once (default: one per core), and the pool gets exactly that
 * many threads, so every hash runs on one of the same few warm threads instead of rotating through
 * idle ones. Measured on 2 cores (pool threads → sign-ins/s): 2 → 158, 3 → 151, 4 → 144, 6 → 138;
 * raw argon2 alone: 235/s with 2 threads, 215 with 4. The api's other pool work (DNS lookups, a
 * few file reads) is rare and waits for at most one hash.
 *
 * It has to be in the environment before Node starts: the module loader already uses the pool,
 * so setting it from inside the process is too late. An explicit UV_THREADPOOL_SIZE wins.
 */
export function apiThreadPoolEnv(env = process.env) {
  if (env.UV_THREADPOOL_SIZE) return {};
  const hashing = Number(env.AUTH_HASH_CONCURRENCY) || Math.min(availableParallelism(), 16);
  return { UV_THREADPOOL_SIZE: String(Math.max(2, hashing)) };
}
