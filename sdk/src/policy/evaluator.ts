import { JwksCache, type JwksCacheOptions } from '../verify/jwks.js';
import { clientCredentialsToken, type AccessTokenSource, type ClientCredentials } from '../verify/client-token.js';
import { PolicyBundleRejected, decideOnBundle, verifyPolicyBundle, type EdgeDecision, type VerifiedBundle } from './bundle.js';
import type { EvaluationInput } from './context.js';

export interface PolicyEvaluatorOptions {
  /** Plinto's PUBLIC_URL (bundles and keys are fetched from `bundleBaseUrl`/`jwksBaseUrl` when set). */
  publicUrl: string;
  /** The tenant (slug) whose policies are evaluated. */
  tenant: string;
  /** A machine client of the tenant holding `policies:evaluate` (tenant-wide) … */
  client?: ClientCredentials;
  /** … or any source of a bearer token holding it. */
  accessToken?: AccessTokenSource;
  /** Ask for a newer bundle this often, in ms (If-None-Match: an unchanged one costs a 304). Default 10 000. */
  refreshMs?: number;
  bundleBaseUrl?: string;
  jwksBaseUrl?: string;
  jwks?: JwksCache | JwksCacheOptions;
  clockToleranceSeconds?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface PolicyEvaluator {
  /** A decision like `POST /v1/policies/evaluate`'s `result`, made locally on the tenant's signed bundle. */
  evaluate(input: EvaluationInput): Promise<EdgeDecision>;
  /** Fetches (or revalidates) the bundle now; resolves with the one in use. */
  refresh(): Promise<VerifiedBundle>;
  /** Verifies a bundle obtained some other way (pushed, baked into the deploy) and uses it. */
  accept(jws: string): Promise<VerifiedBundle>;
  /** The bundle in use, if any. */
  readonly current: VerifiedBundle | null;
}

/**
 * The edge policy evaluator: downloads the tenant's signed policy bundle (`GET /t/{tenant}/authz/bundle`),
 * verifies it with WebCrypto against the tenant's JWK Set (tampered, expired, another tenant's or an
 * older version than the one held: refused), and decides locally with the server's own code
 * (@plinto/sdk/policy). Revalidated every `refreshMs` in the background; a decision never waits for
 * the network except for the first bundle, or when the one held has expired.
 */
export function createPolicyEvaluator(options: PolicyEvaluatorOptions): PolicyEvaluator {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? 10_000;
  const jwks = options.jwks instanceof JwksCache ? options.jwks : new JwksCache({ fetch: options.fetch, ...options.jwks });
  const tenant = options.tenant.toLowerCase();
  const token =
    options.accessToken ??
    (options.client ? clientCredentialsToken({ publicUrl: options.bundleBaseUrl ?? options.publicUrl, tenant, fetch: options.fetch, now, ...options.client }) : null);
  if (!token) throw new Error('createPolicyEvaluator needs `client` credentials or an `accessToken` source');
  const url = `${(options.bundleBaseUrl ?? options.publicUrl).replace(/\/+$/, '')}/t/${tenant}/authz/bundle`;
  let current: VerifiedBundle | null = null;
  let etag: string | null = null;
  let checkedAt = 0;
  let inFlight: Promise<VerifiedBundle> | null = null;

  async function accept(jws: string): Promise<VerifiedBundle> {
    const verified = await verifyPolicyBundle(jws, { publicUrl: options.publicUrl, tenant, jwksBaseUrl: options.jwksBaseUrl, jwks, clockToleranceSeconds: options.clockToleranceSeconds, now });
    // Never go back to an older policy (a replayed old bundle could re-grant a revoked permission).
    if (current && verified.payload.ver < current.payload.ver) throw new PolicyBundleRejected('rollback', 'The bundle is older than the one in use');
    current = verified;
    return verified;
  }

  async function download(): Promise<VerifiedBundle> {
    const get = async (renew: boolean) =>
      fetchImpl(url, {
        headers: { authorization: `Bearer ${await token!({ renew })}`, accept: 'application/jose', ...(etag && current ? { 'if-none-match': etag } : {}) },
      });
    let response = await get(false);
    if (response.status === 401) response = await get(true);
    checkedAt = now();
    if (response.status === 304 && current) return current;
    if (!response.ok) throw new Error(`policy bundle fetch failed: ${response.status}`);
    const verified = await accept(await response.text());
    etag = response.headers.get('etag');
    return verified;
  }

  function refresh(): Promise<VerifiedBundle> {
    return (inFlight ??= download().finally(() => {
      inFlight = null;
    }));
  }

  async function bundle(): Promise<VerifiedBundle> {
    const held = current;
    if (!held || now() >= held.expiresAt) return refresh();
    if (now() - checkedAt >= refreshMs) void refresh().catch(() => undefined);
    return held;
  }

  return {
    async evaluate(input) {
      return decideOnBundle(await bundle(), input);
    },
    refresh,
    accept,
    get current() {
      return current;
    },
  };
}
