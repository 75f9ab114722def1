import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ServiceContext } from '@plinto/kernel';
import { User } from '@plinto/auth';
import { isMember } from '@plinto/orgs';
import { Invitation } from './entities/invitation.entity';
import { InvitationErrors } from './errors';
import { invitationConfig } from './config';
import { assertCanOffer, assertTeamsExist, domainAllowed, requireOrganization, callerOf, mayReceiveLinks } from './access';
import { assertWithinMemberLimit, lockOrganizationInvites } from './capacity';
import { markExpired } from './expire.service';
import { defaultRoleOf, insertInvitations, inviteContext } from './create.service';
import { invitationEmail, type BulkInvitationInput, type BulkRowDto } from './invitation.schemas';

interface Candidate {
  index: number;
  email: string;
  role: string;
  teamIds: string[];
}

/**
 * Up to INVITATION_BULK_MAX invitations in one transaction, with a result per row: `created`,
 * `already_member`, `invalid_email`, `domain_not_allowed`, or `duplicate` (twice in the request, or
 * already invited). The whole call is refused when the invitations it would create exceed the
 * member limit, or when it offers a role the caller may not hand out. Each created invitation
 * gets its own audit event and its own email outbox effect; the rows are inserted in batches by
 * one flush.
 */
export async function bulkCreateInvitations(sc: ServiceContext, input: BulkInvitationInput) {
  const caller = callerOf(sc);
  const max = invitationConfig(caller.config).INVITATION_BULK_MAX;
  if (input.invitations.length > max) {
    throw InvitationErrors.INVITATION_BULK_TOO_LARGE({ fields: [{ path: 'invitations', message: `At most ${max} per call` }], details: { max } });
  }
  const org = await requireOrganization(caller, input.organizationId, 'invitations:write');
  const results: BulkRowDto[] = [];
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const roles = new Map<string, string>(); // role -> field path of its first use
  input.invitations.forEach((row, index) => {
    const parsed = invitationEmail.safeParse(row.email);
    if (!parsed.success) return results.push({ index, email: row.email, status: 'invalid_email' });
    const email = parsed.data;
    if (!domainAllowed(org, email)) return results.push({ index, email, status: 'domain_not_allowed' });
    if (seen.has(email)) return results.push({ index, email, status: 'duplicate', reason: 'in_request' });
    seen.add(email);
    const role = row.role ?? input.role ?? defaultRoleOf(org);
    if (!roles.has(role)) roles.set(role, row.role ? `invitations.${index}.role` : 'role');
    candidates.push({ index, email, role, teamIds: [...new Set(row.teams ?? input.teams ?? [])] });
  });
  for (const [role, field] of roles) await assertCanOffer(caller, role, org.id, field);
  await assertTeamsExist(caller.em, org.id, [
    { teamIds: input.teams ?? [], field: 'teams' },
    ...input.invitations.map((row, index) => ({ teamIds: row.teams ?? [], field: `invitations.${index}.teams` })),
  ]);
  const ic = await inviteContext(caller, org, input, true);
  const disclose = await mayReceiveLinks(caller);

  const created = await caller.em
    .transactional(async (tx) => {
      await lockOrganizationInvites(tx, org.id);
      await markExpired(tx, caller.actor, { organizationId: org.id });
      const emails = candidates.map((c) => c.email);
      const pending = new Set(
        emails.length === 0
          ? []
          : (await tx.find(Invitation, { organizationId: org.id, status: 'pending', email: { $in: emails } }, { fields: ['email'] })).map((r) => r.email),
      );
      const users = emails.length === 0 ? [] : await tx.find(User, { tenantId: caller.tenant.id, email: { $in: emails } }, { fields: ['id', 'email'] });
      const members = new Set<string>();
      for (const user of users) if (await isMember(tx, org.id, user.id)) members.add(user.email);
      const toCreate: Candidate[] = [];
      for (const c of candidates) {
        if (members.has(c.email)) results.push({ index: c.index, email: c.email, status: 'already_member' });
        else if (pending.has(c.email)) results.push({ index: c.index, email: c.email, status: 'duplicate', reason: 'pending_invitation' });
        else toCreate.push(c);
      }
      await assertWithinMemberLimit(tx, org, toCreate.length);
      const inserted = await insertInvitations(tx, ic, toCreate);
      return inserted.map((row, i) => ({ index: toCreate[i]!.index, ...row }));
    })
    .catch((error: unknown) => {
      // Another request invited one of these addresses between our check and our insert.
      if (error instanceof UniqueConstraintViolationException) throw InvitationErrors.INVITATION_ALREADY_PENDING({ message: 'Another request invited some of these addresses at the same time; try again' });
      throw error;
    });
  for (const { index, row, link } of created) results.push({ index, email: row.email, status: 'created', invitationId: row.id, ...(disclose ? { link } : {}) });
  results.sort((a, b) => a.index - b.index);
  return { created: created.length, skipped: results.length - created.length, results };
}
