import type { RevocationCheck } from './verifier.js';

export interface IntrospectionRevocationOptions {
  /** Plinto's PUBLIC_URL (or a private address of it). */
  publicUrl: string;
  /** A machine client of the tenant (client_secret_basic). Introspection needs client authentication. */
  clientId: string;
  clientSecret: string;
  /**
   * How long an "active" answer is trusted, in ms: a revoked session is refused at most this long
   * after its revocation. Default 1000.
   */
  cacheMs?: number;
  /** Entries kept at most (oldest dropped first). Default 10 000. */
  maxEntries?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * A revocation check for verifiers outside Plinto (the edge, your API): asks the tenant's RFC 7662
 * introspection endpoint whether a signature-valid token is still active, remembers "active" for
 * `cacheMs` (one request per token per window, shared by concurrent calls) and "revoked" for good.
 * Fails closed: an introspection that cannot be answered refuses the token.
 */
export function createIntrospectionRevocationCheck(options: IntrospectionRevocationOptions): RevocationCheck {
  const cacheMs = options.cacheMs ?? 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const base = options.publicUrl.replace(/\/+$/, '');
  const basic = `Basic ${btoa(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`)}`;
  const activeUntil = new Map<string, number>();
  const revoked = new Set<string>();
  const inFlight = new Map<string, Promise<boolean>>();

  async function introspect(token: string, tenant: string): Promise<boolean> {
    const response = await fetchImpl(`${base}/t/${tenant}/oauth/introspect`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token }).toString(),
    });
    if (!response.ok) throw new Error(`introspection failed: ${response.status}`);
    const body = (await response.json()) as { active?: boolean };
    return body.active !== true;
  }

  return async (token, verified) => {
    const id = verified.claims.jti;
    if (revoked.has(id)) return true;
    if ((activeUntil.get(id) ?? 0) > now()) return false;
    let pending = inFlight.get(id);
    if (!pending) {
      pending = introspect(token, verified.tenantSlug).finally(() => inFlight.delete(id));
      inFlight.set(id, pending);
    }
    const isRevoked = await pending;
    if (isRevoked) revoked.add(id);
    else {
      if (activeUntil.size >= maxEntries) activeUntil.delete(activeUntil.keys().next().value!);
      activeUntil.set(id, now() + cacheMs);
    }
    return isRevoked;
  };
}
