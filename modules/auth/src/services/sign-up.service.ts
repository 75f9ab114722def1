import { eventCtes, eventRows, fastQuery, randomToken, recordEvent, sha256, uuidv7, type EntityManager } from '@plinto/kernel';
import { authConfig } from '../config';
import { checkPasswordPolicy, normalizePassword } from '../password/policy';
import { hashPassword } from '../password/hasher';
import { limitClientIp } from './throttle';
import { findUserByEmail } from './users.service';
import { issueToken } from './tokens.service';
import { authSettingsOf, buildLink, emailEffect, linkSettingsOf } from './tenant-settings';
import { userActor, type AuthDeps } from './deps';
import { AuthEvents } from '../events';

export const SIGN_UP_ACCEPTED = {
  status: 'accepted' as const,
  message: 'Check your email to continue.',
};

/**
 * Sign-up answers the same whether or not the email is taken (no enumeration): the password is
 * hashed in both cases (same cost), and the mailbox owner gets either a verification link (new
 * account) or an "you already have an account" notice with a password reset link (existing one).
 * Password rules are checked first; they do not depend on the account.
 */
export async function signUp(
  deps: AuthDeps,
  input: { email: string; password: string; displayName?: string; metadata?: Record<string, unknown> },
): Promise<typeof SIGN_UP_ACCEPTED> {
  const { em, redis, config, tenant, request } = deps;
  await limitClientIp(redis, config, request.ip);
  const settings = linkSettingsOf(tenant);
  checkPasswordPolicy(input.password, { email: input.email, minLength: authSettingsOf(tenant).passwordMinLength });
  const passwordHash = await hashPassword(normalizePassword(input.password));
  const c = authConfig(config);

  const existingAccount = () =>
    em.transactional(async (tx) => {
      const existing = await findUserByEmail(tx, tenant.id, input.email);
      if (!existing) return;
      const token = await issueToken(tx, { tenantId: tenant.id, userId: existing.id, purpose: 'password_reset', ttlMs: c.AUTH_PASSWORD_RESET_TTL_MINUTES * 60_000 });
      recordEvent(
        tx,
        userActor(request, null),
        AuthEvents.of('user.sign_up_duplicate', { tenantId: tenant.id, target: { type: 'user', id: existing.id }, outcome: 'failure', data: { email: input.email } }),
        [emailEffect({ template: 'account_exists', tenantId: tenant.id, to: existing.email, name: existing.displayName, link: buildLink(config, settings, '/reset-password', token), expiresInMinutes: c.AUTH_PASSWORD_RESET_TTL_MINUTES })],
      );
      await tx.flush();
    });

  if (await emailTaken(em, tenant.id, input.email)) {
    await existingAccount();
    return SIGN_UP_ACCEPTED;
  }
  // A concurrent sign-up for the same address won the insert: answer as for an existing account.
  if (!(await createAccount(deps, input, passwordHash))) await existingAccount();
  return SIGN_UP_ACCEPTED;
}

const emailTaken = async (em: EntityManager, tenantId: string, email: string) =>
  (await fastQuery<{ taken: boolean }>(em, 'select exists(select 1 from users where tenant_id = ? and email = ?) as taken', [tenantId, email], 'plinto_sign_up_taken'))[0]?.taken === true;

/**
 * Creates the account in ONE autocommitted statement — the user row, its email-verification token
 * and the `user.created` event (audit row, domain-event and verification-email outbox rows) — as
 * sign-in starts a session: no transaction round trips (BEGIN, one INSERT per row, COMMIT) and no
 * unit-of-work bookkeeping after the hash. Atomic by itself: every row or none. A concurrent
 * sign-up that inserted the same address first makes it write nothing (`on conflict do nothing`,
 * the other rows conditional on the user row) and answer false. A new user has no earlier
 * verification token to retire, so none is looked for (issueToken's first step).
 */
async function createAccount(
  deps: AuthDeps,
  input: { email: string; displayName?: string; metadata?: Record<string, unknown> },
  passwordHash: string,
): Promise<boolean> {
  const { em, config, tenant, request } = deps;
  const now = new Date();
  const userId = uuidv7(now.getTime());
  const ttlMinutes = authConfig(config).AUTH_EMAIL_VERIFICATION_TTL_HOURS * 60;
  const token = randomToken(32);
  const event = eventCtes(
    eventRows(
      userActor(request, userId),
      AuthEvents.of('user.created', { tenantId: tenant.id, target: { type: 'user', id: userId }, data: { email: input.email, method: 'sign_up' } }),
      [emailEffect({ template: 'email_verification', tenantId: tenant.id, to: input.email, name: input.displayName ?? null, link: buildLink(config, linkSettingsOf(tenant), '/verify-email', token), expiresInMinutes: ttlMinutes })],
    ),
    'ev',
    'exists (select 1 from new_user)',
  );
  const [row] = await fastQuery<{ created: number }>(
    em,
    `with new_user as (
        insert into users (id, tenant_id, email, display_name, metadata, password_hash, email_verified_at, created_at, updated_at)
        values (?, ?, ?, ?, ?::jsonb, ?, null, ?, ?)
        on conflict (tenant_id, email) do nothing
        returning id),
      verification as (
        insert into auth_tokens (id, tenant_id, user_id, purpose, token_hash, created_at, expires_at)
        select ?, ?, id, 'email_verification', ?, ?, ? from new_user),
      ${event.ctes.join(',\n      ')}
     select count(*)::int as created from new_user`,
    [
      userId, tenant.id, input.email, input.displayName ?? null, JSON.stringify(input.metadata ?? {}), passwordHash, now, now,
      uuidv7(now.getTime()), tenant.id, sha256(token), now, new Date(now.getTime() + ttlMinutes * 60_000),
      ...event.params,
    ],
    'plinto_sign_up',
  );
  return row?.created === 1;
}
