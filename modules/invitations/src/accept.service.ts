import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { auditActor, recordEvent, type Actor, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { createInvitedUser, prepareInvitedUser, signInCreatedAccount, User, type PreparedInvitedUser } from '@plinto/auth';
import { admitMember } from '@plinto/orgs';
import { engineOf } from '@plinto/authz';
import { Invitation } from './entities/invitation.entity';
import { InvitationErrors } from './errors';
import { hashInvitationToken } from './links';
import { eventRef, invitationTarget, isLive, toInvitationDto, type InvitationRow } from './dto';
import type { AcceptedInvitationDto } from './invitation.schemas';
import { InvitationEvents } from './events';

const invalid = () => InvitationErrors.INVITATION_INVALID();

/** A live invitation of this tenant by token; anything else is the one "invalid" answer. */
export async function findLiveInvitation(em: EntityManager, tenantId: string, token: string): Promise<InvitationRow> {
  const row = await em.findOne(Invitation, { tokenHash: hashInvitationToken(token), tenantId });
  if (!row || !isLive(row)) throw invalid();
  return row;
}

/**
 * Accepts an invitation:
 * - a signed-in user whose email is the invited one joins (a different email is refused);
 * - nobody signed in and no account with that email: the account is created (password policy,
 *   argon2id, email verified) and joins, in the same transaction;
 * - nobody signed in but the account exists: refused, telling the caller to sign in first.
 * Exactly one accept wins: the invitation leaves `pending` by a conditional UPDATE, so concurrent
 * accepts of one token queue on its row and all but the first find it no longer pending.
 */
export async function acceptInvitation(deps: ServiceContext, input: { token: string; password?: string; name?: string }): Promise<AcceptedInvitationDto> {
  const { em, tenant } = deps;
  const invitation = await findLiveInvitation(em, tenant.id, input.token);
  const signedIn = deps.principal?.kind === 'user' ? await em.findOne(User, { id: deps.principal.id, tenantId: tenant.id }, { fields: ['id', 'email'] }) : null;
  if (signedIn) {
    if (signedIn.email !== invitation.email) throw InvitationErrors.INVITATION_EMAIL_MISMATCH({ details: { signedInAs: signedIn.email } });
    return complete(deps, input.token, { userId: signedIn.id, actor: auditActor(deps.request, deps.principal) });
  }
  if (await em.findOne(User, { tenantId: tenant.id, email: invitation.email }, { fields: ['id'] })) {
    // The account may have been created by a concurrent accept of this very invitation (the user
    // and the accepted status commit together, so this later read sees both): then it is used.
    if (!(await stillLive(em, invitation.id))) throw invalid();
    throw InvitationErrors.INVITATION_SIGN_IN_REQUIRED();
  }
  if (!input.password) throw InvitationErrors.INVITATION_PASSWORD_REQUIRED({ fields: [{ path: 'password', message: 'Required to create the account' }] });
  const prepared = await prepareInvitedUser(tenant, { email: invitation.email, password: input.password });
  let accepted: AcceptedInvitationDto;
  try {
    accepted = await complete(deps, input.token, { newUser: prepared, displayName: input.name ?? null });
  } catch (error) {
    // The address signed up between our check and our insert: that account must sign in to accept.
    if (error instanceof UniqueConstraintViolationException) throw (await stillLive(em, invitation.id)) ? InvitationErrors.INVITATION_SIGN_IN_REQUIRED() : invalid();
    throw error;
  }
  // The account exists and is a member: sign it in, as a sign-up through an invitation would.
  return { ...accepted, ...(await signInCreatedAccount(em, deps, accepted.user.id, 'invitation')) };
}

async function stillLive(em: EntityManager, id: string): Promise<boolean> {
  const rows: unknown[] = await em.execute(`select 1 from invitations where id = ? and status = 'pending' and expires_at > now()`, [id]);
  return rows.length > 0;
}

type Accepting = { userId: string; actor: Actor } | { newUser: PreparedInvitedUser; displayName: string | null };

async function complete(deps: ServiceContext, token: string, who: Accepting): Promise<AcceptedInvitationDto> {
  const { tenant, request } = deps;
  return deps.em.transactional(async (tx) => {
    const claimed: { id: string }[] = await tx.execute(
      `update invitations set status = 'accepted', accepted_at = now(), updated_at = now()
        where token_hash = ? and tenant_id = ? and status = 'pending' and expires_at > now()
        returning id`,
      [hashInvitationToken(token), tenant.id],
    );
    if (claimed.length === 0) throw invalid();
    const user = 'newUser' in who ? await createInvitedUser(tx, { tenantId: tenant.id, prepared: who.newUser, displayName: who.displayName, request }) : null;
    const userId = user?.id ?? (who as { userId: string }).userId;
    const actor: Actor = 'actor' in who ? who.actor : auditActor(request, { kind: 'user', id: userId, tenantId: tenant.id, attributes: {} });
    await tx.execute('update invitations set accepted_user_id = ? where id = ?', [userId, claimed[0]!.id]);
    const row = await tx.findOneOrFail(Invitation, { id: claimed[0]!.id }, { refresh: true });
    // The invitation is the authority: its inviter was checked (members:write, the role) when it was made.
    await admitMember(tx, engineOf(deps), { tenantId: tenant.id, organizationId: row.organizationId, userId, role: row.role, teamIds: row.teamIds, actor, via: 'invitation' });
    recordEvent(tx, actor, InvitationEvents.of('invitation.accepted', {
      tenantId: tenant.id,
      organizationId: row.organizationId,
      target: invitationTarget(row.id),
      data: { ...eventRef(row), userId, newUser: user !== null },
    }));
    await tx.flush();
    return {
      invitation: toInvitationDto(row),
      user: { id: userId, email: row.email, created: user !== null },
      membership: { organizationId: row.organizationId, userId, role: row.role, teamIds: row.teamIds },
    };
  });
}
