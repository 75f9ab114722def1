import { availableParallelism } from 'node:os';

/** libuv pool threads for the api: one per core (at least 2, at most 16). */
const apiPoolThreads = () => Math.max(2, Math.min(availableParallelism(), 16));

/**
 * The environment the api process must start with. argon2 hashes run on libuv's thread pool, and
 * the pool gets one thread per core: every hash then runs on one of the same few warm threads
 * instead of rotating through idle ones. The api keeps twice that many hashes in flight
 * (AUTH_HASH_CONCURRENCY), so the extra ones wait in libuv's own queue and a thread that finishes
 * a hash starts the next at once, without waiting for the event loop to hand it over.
 * Measured on 2 cores, sign-ins/s (8 s runs, pool threads / hashes in flight): 2/4 → 154-159,
 * 2/2 → 137-144, 4/4 → 144, 6/6 → 138; raw argon2 alone: 235/s with 2 threads, 215 with 4.
 * The api's other pool work (DNS lookups, a few file reads) is rare and waits behind at most the
 * hashes already queued.
 *
 * It has to be in the environment before Node starts: the module loader already uses the pool,
 * so setting it from inside the process is too late. An explicit UV_THREADPOOL_SIZE wins.
 */
export function apiThreadPoolEnv(env = process.env) {
  return env.UV_THREADPOOL_SIZE ? {} : { UV_THREADPOOL_SIZE: String(apiPoolThreads()) };
}
