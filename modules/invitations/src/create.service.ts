import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { eventRows, insertEventRows, insertRows, persistEventRows, uuidv7, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { User } from '@plinto/auth';
import { isMember, type OrgRef } from '@plinto/orgs';
import { Invitation } from './entities/invitation.entity';
import { InvitationErrors } from './errors';
import { invitationConfig } from './config';
import { assertCanOffer, assertDomainAllowed, assertTeamsExist, requireOrganization, callerOf, mayReceiveLinks, type Caller } from './access';
import { assertWithinMemberLimit, lockOrganizationInvites } from './capacity';
import { markExpired } from './expire.service';
import { acceptLink, invitationEmailEffect, newInvitationToken } from './links';
import { inviterName } from './inviter';
import { linkSettingsOf } from '@plinto/auth';
import { eventRef, invitationTarget, toInvitationDto, type InvitationRow } from './dto';
import type { CreateInvitationInput, InvitationWithLinkDto } from './invitation.schemas';
import { InvitationEvents } from './events';

export const DAY_MS = 86_400_000;

export const defaultRoleOf = (org: OrgRef): string => org.settings.defaultRole ?? 'member';

/** What every new invitation of one request shares: who invites, where, the tenant's link settings. */
export interface InviteContext {
  caller: Caller;
  org: OrgRef;
  inviter: string | null;
  link: (token: string) => string;
  expiresAt: Date;
  message: string | null;
  bulk: boolean;
}

export async function inviteContext(caller: Caller, org: OrgRef, input: { expiresInDays?: number; message?: string }, bulk: boolean): Promise<InviteContext> {
  const settings = linkSettingsOf(caller.tenant);
  const days = input.expiresInDays ?? invitationConfig(caller.config).INVITATION_EXPIRY_DAYS;
  return {
    caller,
    org,
    inviter: await inviterName(caller.em, caller.tenant.id, caller.principal),
    link: (token) => acceptLink(caller.config, settings, token),
    expiresAt: new Date(Date.now() + days * DAY_MS),
    message: input.message ?? null,
    bulk,
  };
}

/** One new invitation: its row values, its token and link, and the event it records. */
function newInvitation(ic: InviteContext, invitee: { email: string; role: string; teamIds: string[] }, now: Date) {
  const { token, hash } = newInvitationToken();
  const link = ic.link(token);
  const { caller, org } = ic;
  const row: InvitationRow = {
    id: uuidv7(now.getTime()),
    tenantId: caller.tenant.id,
    organizationId: org.id,
    email: invitee.email,
    role: invitee.role,
    teamIds: invitee.teamIds,
    message: ic.message,
    tokenHash: hash,
    status: 'pending',
    invitedByType: caller.actor.type,
    invitedById: caller.actor.id,
    invitedByName: ic.inviter,
    expiresAt: ic.expiresAt,
    sendCount: 1,
    lastSentAt: now,
    acceptedAt: null,
    acceptedUserId: null,
    revokedAt: null,
    revokedById: null,
    createdAt: now,
    updatedAt: now,
  };
  const event = eventRows(
    caller.actor,
    InvitationEvents.of('invitation.created', {
      tenantId: caller.tenant.id,
      organizationId: org.id,
      target: invitationTarget(row.id),
      data: { ...eventRef(row), teamIds: row.teamIds, expiresAt: row.expiresAt.toISOString(), bulk: ic.bulk },
    }),
    [invitationEmailEffect({ tenantId: caller.tenant.id, to: row.email, link, expiresAt: row.expiresAt, organizationName: org.name, inviterName: ic.inviter, message: ic.message, role: row.role }, now)],
  );
  return { row, token, link, event };
}

/**
 * Persists one invitation in `tx` with its audit event and its email (an outbox effect, sent by
 * the email worker after commit). Returns the row and the link, which holds the only copy of the token.
 */
export function insertInvitation(tx: EntityManager, ic: InviteContext, invitee: { email: string; role: string; teamIds: string[] }, now = new Date()) {
  const { row, token, link, event } = newInvitation(ic, invitee, now);
  const managed = tx.create(Invitation, row);
  persistEventRows(tx, event);
  return { row: managed, token, link };
}

/**
 * Many invitations at once (bulk): the same rows, events and emails as insertInvitation, written
 * with multi-row INSERTs in `tx` instead of thousands of managed entities.
 */
export async function insertInvitations(tx: EntityManager, ic: InviteContext, invitees: { email: string; role: string; teamIds: string[] }[], now = new Date()) {
  const created = invitees.map((invitee) => newInvitation(ic, invitee, now));
  await insertRows(
    tx,
    'invitations',
    ['id', 'tenant_id', 'organization_id', 'email', 'role', 'team_ids', 'message', 'token_hash', 'status', 'invited_by_type', 'invited_by_id', 'invited_by_name', 'expires_at', 'send_count', 'last_sent_at', 'created_at', 'updated_at'],
    created.map(({ row: r }) => [r.id, r.tenantId, r.organizationId, r.email, r.role, r.teamIds, r.message, r.tokenHash, r.status, r.invitedByType, r.invitedById, r.invitedByName, r.expiresAt, r.sendCount, r.lastSentAt, r.createdAt, r.updatedAt]),
  );
  await insertEventRows(tx, created.map((c) => c.event));
  return created.map(({ row, token, link }) => ({ row, token, link }));
}

export async function createInvitation(sc: ServiceContext, input: CreateInvitationInput): Promise<InvitationWithLinkDto> {
  const caller = callerOf(sc);
  const org = await requireOrganization(caller, input.organizationId, 'invitations:write');
  const role = input.role ?? defaultRoleOf(org);
  await assertCanOffer(caller, role, org.id, 'role');
  assertDomainAllowed(org, input.email, 'email');
  const teamIds = [...new Set(input.teams ?? [])];
  await assertTeamsExist(caller.em, org.id, [{ teamIds: input.teams ?? [], field: 'teams' }]);
  const ic = await inviteContext(caller, org, input, false);
  const disclose = await mayReceiveLinks(caller);
  try {
    return await caller.em.transactional(async (tx) => {
      await lockOrganizationInvites(tx, org.id);
      // A pending row past its expiry still holds the one-pending-per-address slot until marked.
      await markExpired(tx, caller.actor, { organizationId: org.id });
      const pending = await tx.count(Invitation, { organizationId: org.id, email: input.email, status: 'pending' });
      if (pending > 0) throw InvitationErrors.INVITATION_ALREADY_PENDING({ fields: [{ path: 'email', message: 'Already invited' }] });
      const user = await tx.findOne(User, { tenantId: caller.tenant.id, email: input.email }, { fields: ['id'] });
      if (user && (await isMember(tx, org.id, user.id))) throw InvitationErrors.INVITATION_ALREADY_MEMBER({ fields: [{ path: 'email', message: 'Already a member' }] });
      await assertWithinMemberLimit(tx, org, 1);
      const { row, token, link } = insertInvitation(tx, ic, { email: input.email, role, teamIds });
      await tx.flush();
      return { ...toInvitationDto(row), ...(disclose ? { link, token } : { link: null, token: null }) };
    });
  } catch (error) {
    // The partial unique index is the last word on "one pending invitation per address".
    if (error instanceof UniqueConstraintViolationException) throw InvitationErrors.INVITATION_ALREADY_PENDING({ fields: [{ path: 'email', message: 'Already invited' }] });
    throw error;
  }
}
