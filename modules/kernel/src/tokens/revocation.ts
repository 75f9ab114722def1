import type { Redis } from '../redis';

/** The durable record of revocations (PostgreSQL; the auth module's `token_revocations`). */
export interface RevocationStore {
  anyRevoked(keys: string[]): Promise<boolean>;
  /** Every revocation that still matters (not yet expired), to refill Redis after it lost its data. */
  live(): Promise<{ key: string; expiresAt: Date }[]>;
}

export interface RevocationListOptions {
  /** Key prefix in Redis (the deployment's QUEUE_PREFIX). */
  prefix: string;
  /**
   * How long this process trusts a "not revoked" answer, in milliseconds. Revocation must take
   * effect within one second, so this stays well under it; it spares Redis a round trip on the
   * hot path of every request carrying the same token.
   */
  localCacheMs: number;
  /** A Redis answer slower than this is abandoned for PostgreSQL's. */
  redisTimeoutMs: number;
  onError?(error: unknown, where: string): void;
}

const TIMEOUT = Symbol('timeout');

/**
 * Revocation checks for access tokens: Redis answers the hot path, PostgreSQL is the truth.
 * - A revocation is committed to PostgreSQL, then written to Redis (`publish`).
 * - Redis is trusted only while it holds the `ready` marker, written after it was filled from
 *   PostgreSQL: a Redis that restarted empty (or was flushed) is not believed until refilled.
 * - When Redis cannot answer (down, slow, unfilled), PostgreSQL does; when neither can, `isRevoked`
 *   throws and the caller refuses the token (fail closed).
 */
export class RevocationList {
  private readonly notRevokedUntil = new Map<string, number>();
  private filling: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly store: RevocationStore,
    private readonly options: RevocationListOptions,
  ) {}

  private key(name: string): string {
    return `${this.options.prefix}:revoked:${name}`;
  }

  private get marker(): string {
    return `${this.options.prefix}:revoked:ready`;
  }

  async isRevoked(keys: string[]): Promise<boolean> {
    const now = Date.now();
    if (keys.every((k) => (this.notRevokedUntil.get(k) ?? 0) > now)) return false;
    const fromRedis = await this.askRedis(keys);
    const revoked = fromRedis ?? (await this.store.anyRevoked(keys));
    if (!revoked) this.remember(keys, now + this.options.localCacheMs);
    return revoked;
  }

  /** null when Redis cannot be trusted to answer right now. */
  private async askRedis(keys: string[]): Promise<boolean | null> {
    try {
      const pipeline = this.redis.pipeline().exists(this.marker).exists(...keys.map((k) => this.key(k)));
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        pipeline.exec(),
        new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), this.options.redisTimeoutMs))),
      ]).finally(() => clearTimeout(timer));
      if (result === TIMEOUT || !result) return null;
      const [[markerError, marker], [keysError, count]] = result as [[Error | null, number], [Error | null, number]];
      if (markerError || keysError) return null;
      if (marker !== 1) {
        this.fill();
        return null;
      }
      return count > 0;
    } catch (error) {
      this.options.onError?.(error, 'redis');
      return null;
    }
  }

  private remember(keys: string[], until: number): void {
    // Bounded: a flood of distinct tokens cannot grow the map without limit.
    if (this.notRevokedUntil.size > 100_000) this.notRevokedUntil.clear();
    for (const k of keys) this.notRevokedUntil.set(k, until);
  }

  /** Writes committed revocations to Redis, and drops them from this process's cache at once. */
  async publish(entries: { key: string; expiresAt: Date }[]): Promise<void> {
    for (const entry of entries) this.notRevokedUntil.delete(entry.key);
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) pipeline.set(this.key(entry.key), '1', 'PXAT', Math.max(entry.expiresAt.getTime(), Date.now() + 1000));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** Refills Redis from PostgreSQL, then marks it trustworthy (one fill at a time per process). */
  fill(): Promise<void> {
    this.filling ??= (async () => {
      try {
        await this.publish(await this.store.live());
        await this.redis.set(this.marker, String(Date.now()));
      } catch (error) {
        this.options.onError?.(error, 'fill');
      } finally {
        this.filling = null;
      }
    })();
    return this.filling;
  }
}
