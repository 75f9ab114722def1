import { hash, verify, type Options } from '@node-rs/argon2';
import { AuthErrors } from '../errors';

/** OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane. (2 = Algorithm.Argon2id, a const enum.) */
export const ARGON2_OPTIONS: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Counters tests and benchmarks read: every argon2 verification (real or dummy) is counted, so an
 * attack test can prove how many guesses reached the hash.
 */
export const hashMetrics = { verifications: 0, hashes: 0, inFlight: 0, maxInFlight: 0, refused: 0 };

/**
 * A counting semaphore around argon2. @node-rs/argon2 already hashes on libuv's thread pool (off
 * the event loop); the bound keeps logins from occupying every pool thread and every core, so other
 * requests (and the event loop itself) keep running under a sign-in flood. Waiters beyond
 * `queueMax` are refused at once instead of piling up memory and latency.
 */
class HashLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    public concurrency: number,
    public queueMax: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queueMax) {
        hashMetrics.refused++;
        throw AuthErrors.HASHING_OVERLOADED();
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    hashMetrics.inFlight++;
    hashMetrics.maxInFlight = Math.max(hashMetrics.maxInFlight, hashMetrics.inFlight);
    try {
      return await work();
    } finally {
      hashMetrics.inFlight--;
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter (active stays the same), else free it.
      if (next) next();
      else this.active--;
    }
  }
}

const limiter = new HashLimiter(2, 512);

/** Applies the process's limits (from AUTH_HASH_CONCURRENCY / AUTH_HASH_QUEUE_MAX). */
export function configureHashing(concurrency: number, queueMax: number): void {
  limiter.concurrency = concurrency;
  limiter.queueMax = queueMax;
}

export function hashPassword(password: string): Promise<string> {
  return limiter.run(async () => {
    hashMetrics.hashes++;
    return hash(password, ARGON2_OPTIONS);
  });
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return limiter.run(async () => {
    hashMetrics.verifications++;
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  });
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a hash of a random password, so a sign-in for an account that does not exist
 * (or has no password) costs the same argon2 work as one for an account that does.
 */
export function verifyDummy(password: string): Promise<boolean> {
  dummyHash ??= hash(`dummy-${Math.random()}-${Date.now()}`, ARGON2_OPTIONS);
  return dummyHash.then((h) => verifyPassword(h, password)).then(() => false);
}
