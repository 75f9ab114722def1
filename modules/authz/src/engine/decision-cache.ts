import { countCacheLookup } from '../metrics';
import type { Decision } from './compiled';

/**
 * Decisions per process, keyed by tenant, policy version and request. A policy change bumps the
 * version, so stale entries are never read again (they age out); TTL and size bound memory.
 * Only context-independent decisions are stored (no conditional rule was a candidate).
 */
export class DecisionCache {
  private readonly entries = new Map<string, { decision: Decision; expiresAt: number }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  static key(tenantId: string, version: number, subject: string, domain: string, action: string, resource: string): string {
    return `${tenantId}\u0000${version}\u0000${subject}\u0000${domain}\u0000${action}\u0000${resource}`;
  }

  get(key: string): Decision | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > Date.now()) {
      this.hits++;
      countCacheLookup(true);
      return entry.decision;
    }
    if (entry) this.entries.delete(key);
    this.misses++;
    countCacheLookup(false);
    return undefined;
  }

  set(key: string, decision: Decision): void {
    if (this.maxEntries === 0 || this.ttlMs === 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { decision, expiresAt: Date.now() + this.ttlMs });
  }

  get hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }

  resetStats(): void {
    this.hits = 0;
    this.misses = 0;
  }

  clear(): void {
    this.entries.clear();
  }
}
