import { auditActor, type Actor, type EntityManager, type Principal, type RequestMeta, type TenantRef } from '@plinto/kernel';
import { ensureTenantSeeded } from './seed';
import { MikroOrmCasbinAdapter, type AdapterOp } from './adapter';
import type { PolicyConditions } from './engine/conditions';
import { AuthzErrors } from './errors';
import type { AuthzEngine } from './engine/engine';
import { TENANT_WIDE } from './engine/model';

/** Who is changing the tenant's authorization, from where. */
export interface AuthzCaller {
  principal: Principal;
  tenant: TenantRef;
  request: RequestMeta;
}

export const actorOf = (caller: AuthzCaller): Actor => auditActor(caller.request, caller.principal);

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
 * "Nobody can grant a permission they do not hold": each (action, resource) a change would grant
 * must be allowed to the caller itself, in the same domain, right now. Patterns are checked as
 * literals, so holding `invoices:*` covers granting `invoices:read` and `invoices:*`, while holding
 * only `invoices:read` does not cover granting `invoices:*`. Platform operators run the
 * installation and are not limited.
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
  for (const grant of grants) {
    const decision = await engine.authorize({
      principal,
      tenant,
      permission: grant.action,
      resource: grant.resource,
      organizationId: organizationId ?? undefined,
      request,
    });
    if (!decision.allow) {
      throw AuthzErrors.PERMISSION_NOT_HELD({
        message: `You cannot grant ${grant.action} on ${grant.resource}: you do not hold it`,
        fields: [{ path: field, message: `Not held by the caller: ${grant.action}` }],
        details: { permission: grant.action, resource: grant.resource, domain: organizationId ?? TENANT_WIDE },
      });
    }
  }
}
