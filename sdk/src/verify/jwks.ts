import { ACCESS_TOKEN_ALGORITHMS, reject, type AccessTokenAlgorithm } from '../token-rules.js';

/** A WebCrypto key (spelled so that it type-checks with the DOM lib and with @types/node alike). */
export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** One public key of a tenant's JWK Set, imported for WebCrypto. */
export interface ImportedKey {
  kid: string;
  alg: AccessTokenAlgorithm;
  key: WebCryptoKey;
  /** The public JWK it was imported from (only public members), for runtimes with their own crypto. */
  jwk: PublicJwk;
}

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
}

interface Jwk {
  kid?: string;
  alg?: string;
  kty?: string;
  crv?: string;
  use?: string;
  x?: string;
  y?: string;
}

/** The subset of the Workers Cache API this uses (`caches.default` in a Worker). */
export interface EdgeCache {
  match(request: Request): Promise<Response | undefined>;
  put(request: Request, response: Response): Promise<void>;
}

export interface JwksCacheOptions {
  /** How long a fetched key set is fresh, in ms, when the response names no max-age. Default 300 000. */
  ttlMs?: number;
  /** After going stale, a key set keeps being used this long while a refetch runs. Default 60 000. */
  staleWhileRevalidateMs?: number;
  /** The least time between two refetches caused by an unknown `kid`, in ms. Default 30 000. */
  unknownKidCooldownMs?: number;
  fetch?: typeof fetch;
  /** A shared cache (the Workers Cache API) consulted before the network, so new isolates start warm. */
  edgeCache?: EdgeCache;
  now?: () => number;
}

const ALGORITHMS = {
  EdDSA: { import: { name: 'Ed25519' }, verify: { name: 'Ed25519' }, kty: 'OKP', crv: 'Ed25519' },
  ES256: { import: { name: 'ECDSA', namedCurve: 'P-256' }, verify: { name: 'ECDSA', hash: 'SHA-256' }, kty: 'EC', crv: 'P-256' },
} as const;

export const verifyParamsOf = (alg: AccessTokenAlgorithm) => ALGORITHMS[alg].verify;

/** A key of the set, checked but not yet imported: only the key a token names is imported, once. */
interface PublishedKey {
  kid: string;
  alg: AccessTokenAlgorithm;
  jwk: PublicJwk;
  imported?: Promise<ImportedKey>;
}

function publishedKeysOf(jwks: { keys?: Jwk[] }): Map<string, PublishedKey> {
  const keys = new Map<string, PublishedKey>();
  for (const jwk of jwks.keys ?? []) {
    const alg = jwk.alg as AccessTokenAlgorithm;
    if (!jwk.kid || !ACCESS_TOKEN_ALGORITHMS.includes(alg) || (jwk.use && jwk.use !== 'sig')) continue;
    const spec = ALGORITHMS[alg];
    if (jwk.kty !== spec.kty || jwk.crv !== spec.crv) continue;
    // Only the public parts: a JWK Set must never carry a private key, and we would not use one.
    keys.set(jwk.kid, { kid: jwk.kid, alg, jwk: { kty: spec.kty, crv: spec.crv, x: jwk.x ?? '', ...(jwk.y ? { y: jwk.y } : {}) } });
  }
  return keys;
}

// A set holds every key the tenant publishes (the rotated-out one, ID-token keys); a cold isolate
// only needs the one its first token names, so keys are imported on first use.
const imported = (published: PublishedKey): Promise<ImportedKey> =>
  (published.imported ??= crypto.subtle
    .importKey('jwk', published.jwk, ALGORITHMS[published.alg].import, false, ['verify'])
    .then((key) => ({ kid: published.kid, alg: published.alg, key, jwk: published.jwk })));

interface Entry {
  keys: Map<string, PublishedKey>;
  fetchedAt: number;
  freshUntil: number;
  staleUntil: number;
  inFlight: Promise<Entry> | null;
  lastUnknownKidFetch: number;
}

const maxAgeOf = (response: Response): number | null => {
  const match = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '');
  return match ? Number(match[1]) * 1000 : null;
};

/**
 * The JWK Sets of Plinto tenants, cached per isolate (or process): one fetch at a time per issuer
 * (single flight), fresh for the server's max-age, used stale while a refetch runs in the
 * background, and refetched on an unknown `kid` (a rotation) at most once per cooldown — so a flood
 * of tokens with made-up kids cannot turn into a flood of fetches.
 */
export class JwksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly swrMs: number;
  private readonly cooldownMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  /** Network fetches made (for tests and benchmarks). */
  fetches = 0;

  constructor(private readonly options: JwksCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.swrMs = options.staleWhileRevalidateMs ?? 60_000;
    this.cooldownMs = options.unknownKidCooldownMs ?? 30_000;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  /** The key `kid` of `issuer`, or a rejection (`unknown_key`). */
  async key(issuer: string, kid: string): Promise<ImportedKey> {
    const now = this.now();
    let entry = this.entries.get(issuer);
    if (!entry || now >= entry.staleUntil) entry = await this.load(issuer, !entry);
    else if (now >= entry.freshUntil) void this.load(issuer, false).catch(() => undefined);
    let key = entry.keys.get(kid);
    if (!key && now - entry.lastUnknownKidFetch >= this.cooldownMs) {
      entry.lastUnknownKidFetch = now;
      entry = await this.load(issuer, false, true);
      entry.lastUnknownKidFetch = now;
      key = entry.keys.get(kid);
    }
    return key ? imported(key) : reject('unknown_key', "The token's key is not one of its issuer's keys");
  }

  private load(issuer: string, useEdgeCache: boolean, bypassEdgeCache = false): Promise<Entry> {
    const existing = this.entries.get(issuer);
    if (existing?.inFlight) return existing.inFlight;
    const inFlight = this.fetchEntry(issuer, useEdgeCache && !bypassEdgeCache, bypassEdgeCache).finally(() => {
      const current = this.entries.get(issuer);
      if (current) current.inFlight = null;
    });
    if (existing) existing.inFlight = inFlight;
    else this.entries.set(issuer, { keys: new Map(), fetchedAt: 0, freshUntil: 0, staleUntil: 0, inFlight, lastUnknownKidFetch: 0 });
    return inFlight.then((entry) => {
      const previous = this.entries.get(issuer);
      this.entries.set(issuer, { ...entry, lastUnknownKidFetch: previous?.lastUnknownKidFetch ?? 0, inFlight: null });
      return this.entries.get(issuer)!;
    }, (error: unknown) => {
      // Keep serving a stale set when the refetch fails; forget an entry that never loaded.
      if (!this.entries.get(issuer)?.keys.size) this.entries.delete(issuer);
      throw error;
    });
  }

  private async fetchEntry(issuer: string, useEdgeCache: boolean, refreshEdgeCache: boolean): Promise<Entry> {
    const url = `${issuer}/.well-known/jwks.json`;
    const cache = this.options.edgeCache;
    let response: Response | undefined;
    if (cache && useEdgeCache) response = await cache.match(new Request(url));
    if (!response) {
      this.fetches += 1;
      response = await this.fetchImpl(url, { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`JWKS fetch failed: ${response.status}`);
      if (cache && (useEdgeCache || refreshEdgeCache)) await cache.put(new Request(url), response.clone());
    }
    const now = this.now();
    const ttl = maxAgeOf(response) ?? this.ttlMs;
    const keys = publishedKeysOf((await response.json()) as { keys?: Jwk[] });
    return { keys, fetchedAt: now, freshUntil: now + ttl, staleUntil: now + ttl + this.swrMs, inFlight: null, lastUnknownKidFetch: 0 };
  }
}
