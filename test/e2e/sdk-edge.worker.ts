// A Cloudflare Worker as an app would write it with @plinto/sdk/edge; sdk-edge.test.ts bundles it
// with esbuild and runs it in workerd through miniflare. Its configuration comes from the env.
import { createIntrospectionRevocationCheck, withPlintoAuth, type EdgeAuthOptions } from '@plinto/sdk/edge';

interface Env {
  PLINTO_URL: string;
  AUDIENCE: string;
  TENANTS?: string;
  /** Shifts this Worker's clock (to see an expired token refused without waiting for it). */
  CLOCK_OFFSET_MS?: string;
  INTROSPECTION_CLIENT_ID?: string;
  INTROSPECTION_CLIENT_SECRET?: string;
  REVOCATION_CACHE_MS?: string;
}

const options = (env: Env): EdgeAuthOptions => {
  const now = () => Date.now() + Number(env.CLOCK_OFFSET_MS ?? 0);
  return {
    publicUrl: env.PLINTO_URL,
    audience: env.AUDIENCE,
    tenants: env.TENANTS ? env.TENANTS.split(',') : undefined,
    now,
    revocation: env.INTROSPECTION_CLIENT_ID
      ? createIntrospectionRevocationCheck({ publicUrl: env.PLINTO_URL, clientId: env.INTROSPECTION_CLIENT_ID, clientSecret: env.INTROSPECTION_CLIENT_SECRET!, cacheMs: Number(env.REVOCATION_CACHE_MS ?? 1000) })
      : undefined,
  };
};

export default {
  fetch: withPlintoAuth<Env>(options, (_request, _env, _ctx, auth) =>
    Response.json({ sub: auth!.claims.sub, tenant: auth!.tenantSlug, runtime: typeof navigator === 'undefined' ? 'unknown' : navigator.userAgent }),
  ),
};
