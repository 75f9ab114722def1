import { recordEvent, type EntityManager, type RequestMeta, type TenantRef } from '@plinto/kernel';
import { newUserRow } from './users.service';
import { checkPasswordPolicy, normalizePassword } from '../password/policy';
import { hashPassword } from '../password/hasher';
import { authSettingsOf } from './tenant-settings';
import { userActor } from './deps';
import { AuthEvents } from '../events';

/**
 * Accounts created by accepting an invitation (used by @plinto/invitations). Two steps, so the
 * slow part never runs inside the accepting transaction: `prepareInvitedUser` applies the
 * tenant's password policy and hashes (argon2id, bounded like every other hash), then
 * `createInvitedUser` inserts the user in the caller's transaction. The emailed invitation proved
 * the mailbox, so the address counts as verified.
 */
export interface PreparedInvitedUser {
  email: string;
  passwordHash: string;
}

export async function prepareInvitedUser(tenant: Pick<TenantRef, 'settings'>, input: { email: string; password: string }): Promise<PreparedInvitedUser> {
  checkPasswordPolicy(input.password, { email: input.email, minLength: authSettingsOf(tenant).passwordMinLength });
  return { email: input.email, passwordHash: await hashPassword(normalizePassword(input.password)) };
}

/**
 * Inserts the user (flushed, so rows that reference it can follow) and records `user.created`.
 * A concurrent sign-up with the same address makes the flush fail with a unique violation, which
 * rolls the caller's transaction back; the caller answers "sign in instead".
 */
export async function createInvitedUser(
  tx: EntityManager,
  input: { tenantId: string; prepared: PreparedInvitedUser; displayName?: string | null; request: RequestMeta },
): Promise<{ id: string; email: string }> {
  const user = newUserRow(tx, {
    tenantId: input.tenantId,
    email: input.prepared.email,
    displayName: input.displayName,
    passwordHash: input.prepared.passwordHash,
    // Following the invitation's emailed link proves control of the address.
    emailVerifiedAt: new Date(),
  });
  await tx.flush();
  recordEvent(tx, userActor(input.request, user.id), AuthEvents.of('user.created', {
    tenantId: input.tenantId,
    target: { type: 'user', id: user.id },
    data: { email: user.email, method: 'invitation' },
  }));
  return { id: user.id, email: user.email };
}
