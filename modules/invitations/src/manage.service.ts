import { CommonErrors, decodeCursor, recordEvent, toPage, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { findOrganization } from '@plinto/orgs';
import { Invitation } from './entities/invitation.entity';
import { InvitationErrors } from './errors';
import { invitationConfig } from './config';
import { assertCanOffer, assertTeamsExist, loadInvitation, callerOf, mayReceiveLinks, type Caller } from './access';
import { acceptLink, invitationEmailEffect, newInvitationToken } from './links';
import { inviterName } from './inviter';
import { linkSettingsOf } from '@plinto/auth';
import { DAY_MS } from './create.service';
import { eventRef, invitationTarget, isLive, toInvitationDto, type InvitationRow } from './dto';
import type { InvitationDto, InvitationWithLinkDto, ListInvitationsInput } from './invitation.schemas';
import { InvitationEvents } from './events';

export async function getInvitation(sc: ServiceContext, id: string): Promise<InvitationDto> {
  const caller = callerOf(sc);
  return toInvitationDto(await loadInvitation(caller, caller.em, id, 'invitations:read'));
}

/** Status filters see the effective status: a pending row past its expiry is listed as expired. */
function statusFilter(status: ListInvitationsInput['status'], now: Date) {
  switch (status) {
    case undefined:
      return {};
    case 'pending':
      return { status: 'pending' as const, expiresAt: { $gt: now } };
    case 'expired':
      return { $or: [{ status: 'expired' as const }, { status: 'pending' as const, expiresAt: { $lte: now } }] };
    default:
      return { status };
  }
}

/**
 * Newest first. Tenant-wide readers may list every organization's invitations; everyone else
 * names an organization they may read invitations in.
 */
export async function listInvitations(sc: ServiceContext, input: ListInvitationsInput) {
  const caller = callerOf(sc);
  const permission = 'invitations:read';
  const tenantWide = await caller.can(permission);
  if (!tenantWide) {
    if (!input.organizationId) {
      throw CommonErrors.FORBIDDEN({ details: { permission }, fields: [{ path: 'organizationId', message: 'Name an organization you may read invitations in' }] });
    }
    if (!(await caller.can(permission, input.organizationId))) throw CommonErrors.FORBIDDEN({ details: { permission, organizationId: input.organizationId } });
  }
  const after = decodeCursor(input.cursor);
  const now = new Date();
  const rows = await caller.em.find(
    Invitation,
    {
      tenantId: caller.tenant.id,
      ...(input.organizationId ? { organizationId: input.organizationId } : {}),
      ...(input.email ? { email: input.email } : {}),
      ...(after ? { id: { $lt: after } } : {}),
      ...statusFilter(input.status, now),
    },
    { orderBy: { id: 'desc' }, limit: input.limit + 1 },
  );
  return toPage(rows, input.limit, (row) => toInvitationDto(row, now));
}

/** Loads an invitation for a change, row-locked for the transaction; it must still be pending. */
async function loadPendingForUpdate(caller: Caller, tx: EntityManager, id: string): Promise<InvitationRow> {
  const row = await loadInvitation(caller, tx, id, 'invitations:write', { lock: true });
  if (!isLive(row)) throw InvitationErrors.INVITATION_NOT_PENDING({ details: { status: toInvitationDto(row).status } });
  return row;
}

export async function updateInvitation(sc: ServiceContext, input: { id: string; role?: string; teams?: string[]; expiresInDays?: number }): Promise<InvitationDto> {
  const caller = callerOf(sc);
  if (input.role !== undefined) {
    // Checked before the transaction: deciding may seed the tenant's default roles (a write of its own).
    const current = await loadInvitation(caller, caller.em, input.id, 'invitations:write');
    await assertCanOffer(caller, input.role, current.organizationId, 'role');
  }
  return caller.em.transactional(async (tx) => {
    const row = await loadPendingForUpdate(caller, tx, input.id);
    if (input.teams) await assertTeamsExist(tx, row.organizationId, [{ teamIds: input.teams, field: 'teams' }]);
    const changed: string[] = [];
    if (input.role !== undefined && input.role !== row.role) {
      row.role = input.role;
      changed.push('role');
    }
    if (input.teams !== undefined) {
      const teams = [...new Set(input.teams)];
      if (JSON.stringify(teams) !== JSON.stringify(row.teamIds)) {
        row.teamIds = teams;
        changed.push('teamIds');
      }
    }
    if (input.expiresInDays !== undefined) {
      row.expiresAt = new Date(Date.now() + input.expiresInDays * DAY_MS);
      changed.push('expiresAt');
    }
    if (changed.length > 0) {
      row.updatedAt = new Date();
      recordEvent(tx, caller.actor, InvitationEvents.of('invitation.updated', {
        tenantId: caller.tenant.id,
        organizationId: row.organizationId,
        target: invitationTarget(row.id),
        data: { ...eventRef(row), changed },
      }));
      await tx.flush();
    }
    return toInvitationDto(row);
  });
}

/**
 * Emails a new link: a new token replaces the stored hash, so the previous link stops working at
 * once; the expiry restarts. Re-issuing a link is offering the role again, so the caller must be
 * able to hand it out, like the creator.
 */
export async function resendInvitation(sc: ServiceContext, input: { id: string; expiresInDays?: number }): Promise<InvitationWithLinkDto> {
  const caller = callerOf(sc);
  const settings = linkSettingsOf(caller.tenant);
  const current = await loadInvitation(caller, caller.em, input.id, 'invitations:write');
  const disclose = await mayReceiveLinks(caller);
  await assertCanOffer(caller, current.role, current.organizationId, 'id');
  return caller.em.transactional(async (tx) => {
    const row = await loadPendingForUpdate(caller, tx, input.id);
    // The role was changed meanwhile: the check above was about another role.
    if (row.role !== current.role) await assertCanOffer({ ...caller, em: tx }, row.role, row.organizationId, 'id');
    const org = await findOrganization(tx, caller.tenant.id, row.organizationId);
    if (!org) throw InvitationErrors.INVITATION_NOT_FOUND();
    const now = new Date();
    const { token, hash } = newInvitationToken();
    const link = acceptLink(caller.config, settings, token);
    const days = input.expiresInDays ?? invitationConfig(caller.config).INVITATION_EXPIRY_DAYS;
    Object.assign(row, { tokenHash: hash, expiresAt: new Date(now.getTime() + days * DAY_MS), sendCount: row.sendCount + 1, lastSentAt: now, updatedAt: now });
    const inviter = (await inviterName(tx, caller.tenant.id, caller.principal)) ?? row.invitedByName ?? null;
    recordEvent(
      tx,
      caller.actor,
      InvitationEvents.of('invitation.resent', {
        tenantId: caller.tenant.id,
        organizationId: row.organizationId,
        target: invitationTarget(row.id),
        data: { ...eventRef(row), sendCount: row.sendCount, expiresAt: row.expiresAt.toISOString() },
      }),
      [invitationEmailEffect({ tenantId: caller.tenant.id, to: row.email, link, expiresAt: row.expiresAt, organizationName: org.name, inviterName: inviter, message: row.message ?? null, role: row.role }, now)],
    );
    await tx.flush();
    return { ...toInvitationDto(row, now), ...(disclose ? { link, token } : { link: null, token: null }) };
  });
}

export async function revokeInvitation(sc: ServiceContext, id: string): Promise<InvitationDto> {
  const caller = callerOf(sc);
  return caller.em.transactional(async (tx) => {
    const row = await loadPendingForUpdate(caller, tx, id);
    const now = new Date();
    Object.assign(row, { status: 'revoked', revokedAt: now, revokedById: caller.actor.id, updatedAt: now });
    recordEvent(tx, caller.actor, InvitationEvents.of('invitation.revoked', {
      tenantId: caller.tenant.id,
      organizationId: row.organizationId,
      target: invitationTarget(row.id),
      data: eventRef(row),
    }));
    await tx.flush();
    return toInvitationDto(row, now);
  });
}
