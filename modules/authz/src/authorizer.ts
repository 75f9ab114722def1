import {
  CommonErrors,
  lacksRequiredMfa,
  type Authz,
  type AuthzScope,
  type EntityManager,
  type Principal,
  type RequestMeta,
  type SubjectRef,
  type TenantRef,
} from '@plinto/kernel';
import type { AuthzEngine } from './engine/engine';
import { assertCanConferRole } from './roles.service';
import { AuthzErrors } from './errors';

interface Caller {
  em: EntityManager;
  principal: Principal | null;
  tenant: TenantRef;
  request: RequestMeta;
}

/** The principal a `{ kind: 'user', id }` reference stands for, at its strongest (second factor done). */
function principalOf(target: SubjectRef, tenant: TenantRef): Principal {
  if ('tenantId' in target) return target;
  return { kind: 'user', id: target.id, tenantId: tenant.id, attributes: { aal: 2, amr: ['pwd', 'otp'] } };
}

/**
 * The service context's authorizer: every answer is one decision of the process's engine
 * (`AuthzEngine.authorize`), for Plinto's own permissions, never delegated to a tenant's OPA.
 */
export function createAuthorizer(engine: AuthzEngine) {
  return ({ em, principal, tenant, request }: Caller): Authz => {
    const decide = async (who: Principal, permission: string, scope?: AuthzScope) =>
      (
        await engine.authorize({
          principal: who,
          tenant,
          permission,
          organizationId: scope?.organizationId ?? undefined,
          resource: scope?.resource,
          resourceAttributes: scope?.resourceAttributes,
          request,
        })
      ).allow;

    // The tenant requires a second factor and this session has none: it holds no permission at all
    // (acting on oneself — enrolling, one's profile and sessions — needs none, so enrolment works).
    const heldBack = lacksRequiredMfa(tenant, principal);
    const can = async (permission: string, scope?: AuthzScope) => (principal && !heldBack ? decide(principal, permission, scope) : false);

    return {
      can,
      async require(permission, scope) {
        if (!principal) throw CommonErrors.UNAUTHENTICATED();
        if (heldBack) throw AuthzErrors.MFA_ENROLLMENT_REQUIRED({ details: { permission } });
        if (!(await decide(principal, permission, scope))) {
          throw CommonErrors.FORBIDDEN({ details: { permission, ...(scope?.organizationId ? { organizationId: scope.organizationId } : {}) } });
        }
      },
      async requireOutranks(target, scope = {}) {
        if (!principal) throw CommonErrors.UNAUTHENTICATED();
        if (principal.kind === 'platform_operator') return;
        const other = principalOf(target, tenant);
        const field = scope.field ?? 'id';
        if (other.kind === 'platform_operator' || (other.tenantId !== null && other.tenantId !== tenant.id)) {
          throw AuthzErrors.PRINCIPAL_OUTRANKS({ fields: [{ path: field, message: 'Outside your reach' }] });
        }
        if (other.kind === principal.kind && other.id === principal.id) return;
        const where = { organizationId: scope.organizationId ?? null };
        for (const { permission } of engine.catalog) {
          if (!(await decide(other, permission, where))) continue;
          if (await decide(principal, permission, where)) continue;
          throw AuthzErrors.PRINCIPAL_OUTRANKS({
            fields: [{ path: field, message: `Holds ${permission}, which you do not` }],
            details: { permission },
          });
        }
      },
      async requireCanConfer(role, scope) {
        if (!principal) throw CommonErrors.UNAUTHENTICATED();
        await assertCanConferRole(em, engine, { principal, tenant, request }, role, scope.organizationId ?? null, scope.field);
      },
    };
  };
}
