import { availableParallelism } from 'node:os';

/**
 * Imported first by main.ts, before anything touches libuv's thread pool (created on first use):
 * argon2 hashes run on that pool (AUTH_HASH_CONCURRENCY of them, default cores + 2), so the pool
 * gets two threads more for DNS and file work. An explicit UV_THREADPOOL_SIZE wins.
 */
if (!process.env.UV_THREADPOOL_SIZE) {
  const hashing = Number(process.env.AUTH_HASH_CONCURRENCY) || Math.min(availableParallelism() + 2, 16);
  process.env.UV_THREADPOOL_SIZE = String(Math.max(4, hashing + 2));
}
