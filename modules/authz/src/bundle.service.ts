import type { ServiceContext } from '@plinto/kernel';
import type { PolicyBundlePayload } from '@plinto/sdk/policy';
import { engineOf, type AuthzEngine } from './engine/engine';
import { namespacesOf } from './catalog';

/** A policy bundle's content before the transport adds issuer, lifetime and the signature. */
export type PolicyBundleContent = Omit<PolicyBundlePayload, 'iss' | 'iat' | 'exp'>;

/** Tenants whose content one process keeps (the engine keeps their compiled policies anyway). */
const MAX_CACHED_TENANTS = 1000;
const cached = new WeakMap<AuthzEngine, Map<string, PolicyBundleContent>>();

/**
 * The content of the caller's tenant's signed policy bundle (served at `GET /t/{tenant}/authz/bundle`,
 * evaluated at the edge by @plinto/sdk/policy): every line and condition the engine decides on, at
 * the engine's current version. Needs `policies:evaluate` tenant-wide — whoever may ask for any
 * decision may hold the policy that answers them. Read again only when the version moved.
 */
export async function policyBundleContent(sc: ServiceContext): Promise<PolicyBundleContent> {
  await sc.authz.require('policies:evaluate');
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  const { version } = await engine.snapshot(tenantId);
  let byTenant = cached.get(engine);
  if (!byTenant) cached.set(engine, (byTenant = new Map()));
  const held = byTenant.get(tenantId);
  if (held && held.ver >= version) return held;
  const source = await engine.readSource(tenantId);
  const delegated = Boolean(source.settings.opa);
  const content: PolicyBundleContent = {
    tid: tenantId,
    ver: source.version,
    p: source.policy,
    g: source.grouping,
    conditions: source.conditions,
    delegated,
    ...(delegated ? { plintoNamespaces: [...namespacesOf(engine.catalog)].sort() } : {}),
  };
  if (byTenant.size >= MAX_CACHED_TENANTS) byTenant.clear();
  byTenant.set(tenantId, content);
  return content;
}
