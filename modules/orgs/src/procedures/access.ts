import { z } from 'zod';
import { authedProcedure, CommonErrors, type EntityManager, type Principal, type RequestMeta, type TenantRef } from '@plinto/kernel';
import { assertCanConferRole, engineOf, mfaFromAmr } from '@plinto/authz';
import { OrgsAccessErrors, OrgsErrors } from '../errors';
import { assertRoleExists, findOrgRow, findMemberRow, toOrgRef, type OrgRef } from '../store';
import { orgIdParam } from '../schemas';

export const TAGS = ['organizations'];
const READ = 'organizations:read';

/**
 * A procedure on one organization (`orgId` in its input) that requires `permission` *in that
 * organization*: the authz engine decides with `organizationId`, so a member's organization role,
 * their teams' roles, and tenant-wide roles (which hold in every organization) all count.
 * Callers who may not even read the organization get the same 404 as for a missing one (or one
 * of another tenant); members lacking the permission get 403.
 */
export function orgProcedure(permission: string) {
  return authedProcedure
    .meta({ permission })
    .input(z.object({ orgId: orgIdParam }))
    .use(async ({ ctx, input, next }) => {
      const tenant = await ctx.resolveTenant();
      const row = await findOrgRow(ctx.em, tenant.id, input.orgId);
      if (!row) throw OrgsErrors.ORGANIZATION_NOT_FOUND();
      const ask = (p: string) => ctx.authorize({ principal: ctx.principal, tenant, permission: p, organizationId: row.id });
      if (!(await ask(permission)).allow) {
        const visible = permission !== READ && (await ask(READ)).allow;
        throw visible ? CommonErrors.FORBIDDEN({ details: { permission, organizationId: row.id } }) : OrgsErrors.ORGANIZATION_NOT_FOUND();
      }
      const org = toOrgRef(row);
      await assertMfaIfRequired(ctx.em, ctx.principal, org);
      return next({ ctx: { tenant, org } });
    });
}

/** `requireMfa`: a member acting in the organization must have signed in with a second factor. */
export async function assertMfaIfRequired(em: EntityManager, principal: Principal, org: OrgRef): Promise<void> {
  if (!org.settings.requireMfa || principal.kind !== 'user') return;
  const strong = mfaFromAmr(principal.attributes.amr) || Number(principal.attributes.aal) >= 2;
  if (!strong && (await findMemberRow(em, org.id, principal.id))) throw OrgsAccessErrors.ORGANIZATION_MFA_REQUIRED();
}

interface CallerContext {
  em: EntityManager;
  principal: Principal;
  tenant: TenantRef;
  request: RequestMeta;
}

/**
 * "Nobody grants what they do not hold": giving (or taking away) `role` in the organization needs
 * every permission the role carries, there. So an admin cannot make someone owner, demote an
 * owner, or put someone in a team that holds roles above their own.
 */
export async function assertCanConfer(ctx: CallerContext, organizationId: string, roles: string[], field: string): Promise<void> {
  const engine = engineOf(ctx.em);
  for (const role of new Set(roles)) {
    await assertCanConferRole(ctx.em, engine, { principal: ctx.principal, tenant: ctx.tenant, request: ctx.request }, role, organizationId, field);
  }
}

/** Each role of an input array exists in the organization (ROLE_NOT_FOUND names `field.<i>`). */
export async function assertRolesExist(ctx: CallerContext, organizationId: string, roles: string[], field: string): Promise<void> {
  for (const [i, role] of roles.entries()) await assertRoleExists(ctx.em, ctx.tenant.id, organizationId, role, `${field}.${i}`);
}
