import { LockMode } from '@mikro-orm/core';
import {
  auditActor,
  CommonErrors,
  type Actor,
  type Config,
  type Context,
  type EntityManager,
  type Principal,
  type RequestMeta,
  type TenantRef,
} from '@plinto/kernel';
import { assertCanConferRole, engineOf } from '@plinto/authz';
import { findOrganization, OrgsErrors, Team, type OrgRef } from '@plinto/orgs';
import { Invitation } from './entities/invitation.entity';
import { InvitationErrors } from './errors';
import type { InvitationRow } from './dto';

/** Who manages invitations, in which tenant, from where; procedures build it from the context. */
export interface Caller {
  em: EntityManager;
  config: Config;
  tenant: TenantRef;
  principal: Principal;
  request: RequestMeta;
  actor: Actor;
  /** Decided by the authorization engine: tenant-wide roles count in every organization. */
  can(permission: string, organizationId?: string): Promise<boolean>;
}

type CallerContext = Pick<Context, 'em' | 'config' | 'request' | 'authorize'> & { principal: Principal; tenant: TenantRef };

export function callerOf(ctx: CallerContext): Caller {
  const { principal, tenant } = ctx;
  return {
    em: ctx.em,
    config: ctx.config,
    tenant,
    principal,
    request: ctx.request,
    actor: auditActor(ctx.request, principal),
    can: async (permission, organizationId) => (await ctx.authorize({ principal, tenant, permission, organizationId })).allow,
  };
}

/**
 * The organization an invitation is about, once the caller may use `permission` in it. The
 * permission is checked first, so someone without it cannot tell an organization that exists
 * (403) from one that does not; one of another tenant is the same 404 as a missing one.
 */
export async function requireOrganization(caller: Caller, organizationId: string, permission: string): Promise<OrgRef> {
  if (!(await caller.can(permission, organizationId))) throw CommonErrors.FORBIDDEN({ details: { permission, organizationId } });
  const org = await findOrganization(caller.em, caller.tenant.id, organizationId);
  if (!org) throw InvitationErrors.INVITATION_ORGANIZATION_NOT_FOUND({ fields: [{ path: 'organizationId', message: 'No such organization' }] });
  return org;
}

/**
 * An invitation the caller may use `permission` on. Another organization's invitation (for a
 * caller without the permission there) and another tenant's are the same 404 as a missing one.
 */
export async function loadInvitation(caller: Caller, em: EntityManager, id: string, permission: string, options: { lock?: boolean } = {}): Promise<InvitationRow> {
  const row = await em.findOne(Invitation, { id, tenantId: caller.tenant.id }, options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {});
  if (!row || !(await caller.can(permission, row.organizationId))) throw InvitationErrors.INVITATION_NOT_FOUND();
  return row;
}

/**
 * Nobody offers a role they could not hand out themselves: the role must exist in the
 * organization's scope, and the caller must hold everything it carries there (authz's rule for
 * assigning roles). Otherwise a member could invite an accomplice (or themselves) as owner.
 */
export async function assertCanOffer(caller: Caller, role: string, organizationId: string, field: string): Promise<void> {
  const { principal, tenant, request } = caller;
  await assertCanConferRole(caller.em, engineOf(caller.em), { principal, tenant, request }, role, organizationId, field);
}

/** The organization's allowed email domains, when it has some. */
export function domainAllowed(org: OrgRef, email: string): boolean {
  const domains = org.settings.allowedEmailDomains;
  if (!domains || domains.length === 0) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return domains.some((d) => d.toLowerCase() === domain);
}

export function assertDomainAllowed(org: OrgRef, email: string, field: string): void {
  if (!domainAllowed(org, email)) {
    throw InvitationErrors.INVITATION_EMAIL_DOMAIN_NOT_ALLOWED({ fields: [{ path: field, message: 'Not one of the allowed domains' }], details: { allowedEmailDomains: org.settings.allowedEmailDomains } });
  }
}

/**
 * Teams named by an invitation must be teams of its organization now, so acceptance does not
 * fail later on a typo. (A team deleted meanwhile still fails the accept with TEAM_NOT_FOUND.)
 */
export async function assertTeamsExist(em: EntityManager, organizationId: string, uses: { teamIds: string[]; field: string }[]): Promise<void> {
  const wanted = [...new Set(uses.flatMap((u) => u.teamIds))];
  if (wanted.length === 0) return;
  const found = new Set((await em.find(Team, { organizationId, id: { $in: wanted } }, { fields: ['id'] })).map((t) => t.id));
  for (const use of uses) {
    const i = use.teamIds.findIndex((id) => !found.has(id));
    if (i >= 0) throw OrgsErrors.TEAM_NOT_FOUND({ fields: [{ path: `${use.field}.${i}`, message: 'No such team in this organization' }] });
  }
}
