// A Cloudflare Worker as an app would write it with @plinto/sdk/edge; sdk-edge.test.ts and
// sdk-edge-policy.test.ts bundle it with esbuild and run it in workerd through miniflare. Its
// configuration comes from the env.
import {
  JwksCache,
  PolicyBundleRejected,
  createIntrospectionRevocationCheck,
  createPolicyEvaluator,
  verifyPolicyBundle,
  withPlintoAuth,
  type EdgeAuthOptions,
  type PolicyEvaluator,
} from '@plinto/sdk/edge';
import type { EvaluationInput } from '@plinto/sdk/policy';

interface Env {
  PLINTO_URL: string;
  AUDIENCE: string;
  TENANTS?: string;
  /** Shifts this Worker's clock (to see an expired token refused without waiting for it). */
  CLOCK_OFFSET_MS?: string;
  INTROSPECTION_CLIENT_ID?: string;
  INTROSPECTION_CLIENT_SECRET?: string;
  REVOCATION_CACHE_MS?: string;
  /** The tenant whose policy bundle `/policy/*` evaluates, and a machine client holding policies:evaluate. */
  POLICY_TENANT?: string;
  POLICY_CLIENT_ID?: string;
  POLICY_CLIENT_SECRET?: string;
}

const now = (env: Env) => () => Date.now() + Number(env.CLOCK_OFFSET_MS ?? 0);

const options = (env: Env): EdgeAuthOptions => ({
  publicUrl: env.PLINTO_URL,
  audience: env.AUDIENCE,
  tenants: env.TENANTS ? env.TENANTS.split(',') : undefined,
  now: now(env),
  revocation: env.INTROSPECTION_CLIENT_ID
    ? createIntrospectionRevocationCheck({ publicUrl: env.PLINTO_URL, clientId: env.INTROSPECTION_CLIENT_ID, clientSecret: env.INTROSPECTION_CLIENT_SECRET!, cacheMs: Number(env.REVOCATION_CACHE_MS ?? 1000) })
    : undefined,
});

const authenticated = withPlintoAuth<Env>(options, (_request, _env, _ctx, auth) =>
  Response.json({ sub: auth!.claims.sub, tenant: auth!.tenantSlug, runtime: typeof navigator === 'undefined' ? 'unknown' : navigator.userAgent }),
);

// One evaluator per isolate: the bundle is fetched once, then revalidated in the background.
let evaluator: PolicyEvaluator | null = null;
const jwks = new JwksCache();

/** `/policy/evaluate`: decisions on the signed bundle, in workerd; `/policy/verify`: is this bundle accepted? */
async function policy(request: Request, env: Env): Promise<Response> {
  const path = new URL(request.url).pathname;
  const tenant = env.POLICY_TENANT!;
  if (path === '/policy/evaluate') {
    evaluator ??= createPolicyEvaluator({ publicUrl: env.PLINTO_URL, tenant, client: { clientId: env.POLICY_CLIENT_ID!, clientSecret: env.POLICY_CLIENT_SECRET! }, jwks, now: now(env) });
    const { requests, refresh } = (await request.json()) as { requests: EvaluationInput[]; refresh?: boolean };
    if (refresh) await evaluator.refresh();
    const results = [];
    for (const input of requests) results.push(await evaluator.evaluate(input));
    return Response.json({ results, version: evaluator.current?.payload.ver });
  }
  if (path === '/policy/verify') {
    try {
      const verified = await verifyPolicyBundle(await request.text(), { publicUrl: env.PLINTO_URL, tenant, jwks, now: now(env) });
      return Response.json({ accepted: true, version: verified.payload.ver });
    } catch (error) {
      if (error instanceof PolicyBundleRejected) return Response.json({ accepted: false, reason: error.reason }, { status: 422 });
      throw error;
    }
  }
  return new Response('not found', { status: 404 });
}

export default {
  fetch(request: Request, env: Env, ctx: unknown): Promise<Response> {
    if (new URL(request.url).pathname.startsWith('/policy/')) return policy(request, env);
    return authenticated(request, env, ctx);
  },
};
