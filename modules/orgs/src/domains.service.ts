import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError, isUuid, recordEvent, uuidv7, type Actor, type EntityManager, type InferEntity, type ServiceContext, type ServiceRegistry } from '@plinto/kernel';
import { engineOf } from '@plinto/authz';
import { OrganizationDomain } from './entities/org-domain.entity';
import { OrgsErrors } from './errors';
import { OrgEvents } from './events';
import { orgSettingsSchema, type DomainDto } from './schemas';
import { assertRoleExists, findOrgRow, type OrgRow } from './store';
import { assertCanConfer, orgFor } from './access';
import { admitMember } from './members.service';

type DomainRow = InferEntity<typeof OrganizationDomain>;

const toDto = (row: DomainRow): DomainDto => ({
  id: row.id,
  organizationId: row.organizationId,
  domain: row.domain,
  verified: row.verifiedAt !== null && row.verifiedAt !== undefined,
  verifiedAt: row.verifiedAt?.toISOString() ?? null,
  autoJoin: row.autoJoin,
  role: row.role ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const taken = () => OrgsErrors.DOMAIN_TAKEN({ fields: [{ path: 'domain', message: 'Claimed by this organization already, or verified by another' }] });

async function domainOf(em: EntityManager, org: OrgRow, domainId: string): Promise<DomainRow> {
  const row = isUuid(domainId) ? await em.findOne(OrganizationDomain, { id: domainId, organizationId: org.id, tenantId: org.tenantId }) : null;
  if (!row) throw OrgsErrors.DOMAIN_NOT_FOUND({ fields: [{ path: 'domainId', message: 'No such domain of the organization' }] });
  return row;
}

/**
 * Auto-join grants a role: the caller must hold it ("nobody grants what they do not hold") — the
 * role named, or the organization's default role when none is.
 */
async function assertJoinRole(sc: ServiceContext, org: OrgRow, autoJoin: boolean, role: string | null) {
  if (role) await assertRoleExists(sc.em, engineOf(sc), sc.tenant.id, org.id, role, 'role');
  if (autoJoin) await assertCanConfer(sc, org.id, [role ?? orgSettingsSchema.parse(org.settings).defaultRole], 'role');
}

async function flushOrTaken(em: EntityManager) {
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw taken();
    throw error;
  }
}

/** Needs organizations:read in the organization. */
export async function listDomains(sc: ServiceContext, orgId: string): Promise<{ items: DomainDto[] }> {
  const org = await orgFor(sc, orgId, 'organizations:read');
  const rows = await sc.em.find(OrganizationDomain, { organizationId: org.id, tenantId: sc.tenant.id }, { orderBy: { domain: 'asc' } });
  return { items: rows.map(toDto) };
}

/** Needs organizations:write (and, with auto-join, to hold the role it grants). The domain starts unverified. */
export async function addDomain(sc: ServiceContext, orgId: string, input: { domain: string; autoJoin?: boolean; role?: string | null }): Promise<DomainDto> {
  const org = await orgFor(sc, orgId, 'organizations:write');
  const autoJoin = input.autoJoin ?? false;
  await assertJoinRole(sc, org, autoJoin, input.role ?? null);
  return sc.em.transactional(async (tx) => {
    const now = new Date();
    const row = tx.create(OrganizationDomain, { id: uuidv7(), tenantId: sc.tenant.id, organizationId: org.id, domain: input.domain, autoJoin, role: input.role ?? null, verifiedAt: null, verifiedBy: null, createdAt: now, updatedAt: now });
    await flushOrTaken(tx);
    recordEvent(tx, sc.actor, OrgEvents.of('organization.domain.added', { tenantId: sc.tenant.id, organizationId: org.id, target: { type: 'organization', id: org.id }, data: { organizationId: org.id, domainId: row.id, domain: row.domain } }));
    await tx.flush();
    return toDto(row);
  });
}

/** Needs organizations:write (and, with auto-join, to hold the role it grants). */
export async function updateDomain(sc: ServiceContext, orgId: string, domainId: string, patch: { autoJoin?: boolean; role?: string | null }): Promise<DomainDto> {
  const org = await orgFor(sc, orgId, 'organizations:write');
  const row = await domainOf(sc.em, org, domainId);
  const autoJoin = patch.autoJoin ?? row.autoJoin;
  const role = patch.role === undefined ? (row.role ?? null) : patch.role;
  await assertJoinRole(sc, org, autoJoin, role);
  const changes = [...(autoJoin !== row.autoJoin ? ['autoJoin'] : []), ...(role !== (row.role ?? null) ? ['role'] : [])];
  if (changes.length === 0) return toDto(row);
  return sc.em.transactional(async (tx) => {
    const locked = await domainOf(tx, org, domainId);
    Object.assign(locked, { autoJoin, role, updatedAt: new Date() });
    recordEvent(tx, sc.actor, OrgEvents.of('organization.domain.updated', { tenantId: sc.tenant.id, organizationId: org.id, target: { type: 'organization', id: org.id }, data: { organizationId: org.id, domainId: locked.id, domain: locked.domain, changes } }));
    await tx.flush();
    return toDto(locked);
  });
}

/**
 * Asserts the domain verified. Needs domains:verify tenant-wide — an organization's own owner does
 * not hold it there, so nobody vouches for their own claim. Without the internet there is no DNS
 * TXT check; the tenant owner (or a platform key) confirms ownership out of band.
 */
export async function verifyDomain(sc: ServiceContext, orgId: string, domainId: string): Promise<DomainDto> {
  await sc.authz.require('domains:verify');
  const org = await findOrgRow(sc.em, sc.tenant.id, orgId);
  if (!org) throw OrgsErrors.ORGANIZATION_NOT_FOUND();
  const row = await domainOf(sc.em, org, domainId);
  if (row.verifiedAt) return toDto(row);
  return sc.em.transactional(async (tx) => {
    const locked = await domainOf(tx, org, domainId);
    Object.assign(locked, { verifiedAt: new Date(), verifiedBy: `${sc.actor.type}:${sc.actor.id ?? ''}`, updatedAt: new Date() });
    await flushOrTaken(tx);
    recordEvent(tx, sc.actor, OrgEvents.of('organization.domain.verified', { tenantId: sc.tenant.id, organizationId: org.id, target: { type: 'organization', id: org.id }, data: { organizationId: org.id, domainId: locked.id, domain: locked.domain } }));
    await tx.flush();
    return toDto(locked);
  });
}

/** Needs organizations:write. Members who joined through it stay members. */
export async function removeDomain(sc: ServiceContext, orgId: string, domainId: string): Promise<{ deleted: true }> {
  const org = await orgFor(sc, orgId, 'organizations:write');
  return sc.em.transactional(async (tx) => {
    const row = await domainOf(tx, org, domainId);
    tx.remove(row);
    recordEvent(tx, sc.actor, OrgEvents.of('organization.domain.removed', { tenantId: sc.tenant.id, organizationId: org.id, target: { type: 'organization', id: org.id }, data: { organizationId: org.id, domainId: row.id, domain: row.domain } }));
    await tx.flush();
    return { deleted: true as const };
  });
}

/** An organization's own rules refusing the new member skip that organization (sign-up goes on). */
const SKIPPED = new Set(['MEMBER_LIMIT_REACHED', 'EMAIL_DOMAIN_NOT_ALLOWED', 'ROLE_NOT_FOUND', 'ALREADY_MEMBER']);

/** ORGANIZATION_PROVISIONING for auth: see the kernel's declaration. */
export async function joinByVerifiedDomain(em: EntityManager, services: ServiceRegistry, input: { tenantId: string; userId: string; email: string; actor: Actor }) {
  const domain = input.email.slice(input.email.lastIndexOf('@') + 1).toLowerCase();
  const rows = await em.find(OrganizationDomain, { tenantId: input.tenantId, domain, verifiedAt: { $ne: null }, autoJoin: true });
  const joined: { organizationId: string; role: string }[] = [];
  for (const row of rows) {
    const org = await findOrgRow(em, input.tenantId, row.organizationId);
    if (!org) continue;
    const role = row.role ?? orgSettingsSchema.parse(org.settings).defaultRole;
    try {
      await admitMember(em, engineOf({ services }), { tenantId: input.tenantId, organizationId: org.id, userId: input.userId, role, actor: input.actor, via: 'verified_domain' });
      joined.push({ organizationId: org.id, role });
    } catch (error) {
      // These are decided before anything is written, so the transaction goes on.
      if (error instanceof AppError && SKIPPED.has(error.appCode)) continue;
      throw error;
    }
  }
  return joined;
}
