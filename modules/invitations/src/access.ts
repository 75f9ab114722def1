import { LockMode } from '@mikro-orm/core';
import {
  CommonErrors,
  requirePrincipal,
  type Actor,
  type Config,
  type EntityManager,
  type Principal,
  type RequestMeta,
  type ServiceContext,
  type TenantRef,
} from '@plinto/kernel';
import { findOrganization, OrgsErrors, Team, type OrgRef } from '@plinto/orgs';
import { Invitation } from './entities/invitation.entity';
import { InvitationErrors } from './errors';
import type { InvitationRow } from './dto';

/** Who manages invitations, in which tenant, from where: the service context's view of it. */
export interface Caller {
  sc: ServiceContext;
  em: EntityManager;
  config: Config;
  tenant: TenantRef;
  principal: Principal;
  request: RequestMeta;
  actor: Actor;
  /** Decided by the authorization engine: tenant-wide roles count in every organization. */
  can(permission: string, organizationId?: string): Promise<boolean>;
}

/** The authenticated caller of a service context (401 when anonymous). */
export function callerOf(sc: ServiceContext): Caller {
  return {
    sc,
    em: sc.em,
    config: sc.config,
    tenant: sc.tenant,
    principal: requirePrincipal(sc),
    request: sc.request,
    actor: sc.actor,
    can: (permission, organizationId) => sc.authz.can(permission, { organizationId }),
  };
}

/**
 * An email address counts as verified only on proof of receipt, so an invitation's link (and its
 * token, which proves receipt when accepted) is emailed, not handed to whoever invites: only a
 * caller who may vouch for addresses anyway (users:provision — tenant owners, platform operators,
 * server-side provisioning) gets it in the answer, for delivering it themselves.
 */
export const mayReceiveLinks = (caller: Caller): Promise<boolean> => caller.sc.authz.can('users:provision');

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
 * An invitation the caller may use `permission` on. Another tenant's is the same 404 as a missing
 * one; so is another organization's for a caller who is no tenant staff (403 for staff).
 */
export async function loadInvitation(caller: Caller, em: EntityManager, id: string, permission: string, options: { lock?: boolean } = {}): Promise<InvitationRow> {
  const row = await em.findOne(Invitation, { id, tenantId: caller.tenant.id }, options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {});
  if (!row) throw InvitationErrors.INVITATION_NOT_FOUND();
  if (!(await caller.can(permission, row.organizationId))) {
    // Tenant staff (who see the tenant) are told they lack the permission; outsiders learn nothing.
    if (await caller.can('tenant:read')) throw CommonErrors.FORBIDDEN({ details: { permission, organizationId: row.organizationId } });
    throw InvitationErrors.INVITATION_NOT_FOUND();
  }
  return row;
}

/**
 * Nobody offers a role they could not hand out themselves: the role must exist in the
 * organization's scope, and the caller must hold everything it carries there (authz's rule for
 * assigning roles). Otherwise a member could invite an accomplice (or themselves) as owner.
 */
export async function assertCanOffer(caller: Caller, role: string, organizationId: string, field: string): Promise<void> {
  await caller.sc.authz.requireCanConfer(role, { organizationId, field });
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
