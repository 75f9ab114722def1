import { auditActor, requirePrincipal, type Actor, type EntityManager, type Principal, type RequestMeta, type ServiceContext, type TenantRef } from '@plinto/kernel';
import { ensureTenantSeeded } from './seed';
import { MikroOrmCasbinAdapter, type AdapterOp } from './adapter';
import type { PolicyConditions } from './engine/conditions';
import { AuthzErrors } from './errors';
import type { AuthzEngine } from './engine/engine';
import { TENANT_WIDE } from './engine/model';
import { isPlintoAction } from './catalog';

/** Who is changing the tenant's authorization, from where. */
export interface AuthzCaller {
  principal: Principal;
  tenant: TenantRef;
  request: RequestMeta;
}

export const actorOf = (caller: AuthzCaller): Actor => auditActor(caller.request, caller.principal);

/** The authenticated caller of a service context, as the change rules need it (401 when anonymous). */
export const callerOf = (sc: ServiceContext): AuthzCaller => ({ principal: requirePrincipal(sc), tenant: sc.tenant, request: sc.request });

/**
 * One committed change to a tenant's policy, as every api process applies it to its compiled
 * policy: the Casbin adapter operations (exactly what was written) and the conditions of the
 * policies they add.
 */
export interface PolicyDelta {
  ops: AdapterOp[];
  conditions: Record<string, PolicyConditions | null>;
}

export interface ChangeSet {
  tx: EntityManager;
  version: number;
  /** Writes lines in the transaction and records them for the delta. */
  adapter: MikroOrmCasbinAdapter;
  delta: PolicyDelta;
}

/**
 * Runs a policy change in one transaction that first bumps the tenant's policy version (taking
 * its row lock, so changes of one tenant are totally ordered), then, after commit, applies the
 * delta here and publishes it to every api process.
 */
export async function commitChange<T>(em: EntityManager, engine: AuthzEngine, tenantId: string, change: (set: ChangeSet) => Promise<T>): Promise<T> {
  await ensureTenantSeeded(em, tenantId, engine.catalog);
  const delta: PolicyDelta = { ops: [], conditions: {} };
  const { result, version } = await em.transactional(async (tx) => {
    delta.ops.length = 0;
    delta.conditions = {};
    const [row] = (await tx.execute('update authz_tenant_state set version = version + 1, updated_at = now() where tenant_id = ? returning version', [tenantId])) as {
      version: string;
    }[];
    const version = Number(row!.version);
    const result = await change({ tx, version, adapter: new MikroOrmCasbinAdapter(tx, tenantId, delta.ops), delta });
    await tx.flush();
    return { result, version };
  });
  await engine.changed(tenantId, version, delta);
  return result;
}

/**
 * "Nobody grants or takes away what they do not hold." Each (action, resource) a change would grant
 * — or, for deny rules, withhold — is checked in the change's domain, right now:
 * - Plinto's own permissions (the catalog's namespace) must be allowed to the caller itself.
 *   Patterns are checked as literals, so holding `users:*` covers `users:read` and `users:*`, while
 *   holding only `users:read` does not cover `users:*`.
 * - The application's own permissions (`invoices:read`, anything outside the catalog) are the
 *   tenant's: holders of `app_permissions:manage` there grant them freely (owners by default, and
 *   whoever they delegate it to; organization owners within their organization); anyone else
 *   only passes on what they hold themselves.
 * Platform operators run the installation and are not limited.
 */
export async function assertCanGrant(
  engine: AuthzEngine,
  caller: AuthzCaller,
  grants: { action: string; resource: string }[],
  organizationId: string | null | undefined,
  field: string,
): Promise<void> {
  const { principal, tenant, request } = caller;
  if (principal.kind === 'platform_operator') return;
  const ask = async (permission: string, resource?: string) =>
    (await engine.authorize({ principal, tenant, permission, resource, organizationId: organizationId ?? undefined, request })).allow;
  const domain = organizationId ?? TENANT_WIDE;
  let appPermissionsManaged: boolean | undefined;
  for (const grant of grants) {
    const held = () => ask(grant.action, grant.resource);
    if (!isPlintoAction(grant.action, engine.catalog)) {
      appPermissionsManaged ??= await ask('app_permissions:manage');
      if (appPermissionsManaged || (await held())) continue;
      throw AuthzErrors.PERMISSION_NOT_HELD({
        message: `You cannot grant ${grant.action}: it is the application's own, managed by holders of app_permissions:manage (or passed on by those who hold it)`,
        fields: [{ path: field, message: `Needs app_permissions:manage, or to hold ${grant.action}` }],
        details: { permission: grant.action, resource: grant.resource, domain },
      });
    }
    if (!(await held())) {
      throw AuthzErrors.PERMISSION_NOT_HELD({
        message: `You cannot grant ${grant.action} on ${grant.resource}: you do not hold it`,
        fields: [{ path: field, message: `Not held by the caller: ${grant.action}` }],
        details: { permission: grant.action, resource: grant.resource, domain },
      });
    }
  }
}
