import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError, CommonErrors, ORGANIZATION_PROVISIONING, randomToken, recordEvent, requireUser, safeEqual, sha256, uuidv7, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { authConfig } from '../config';
import { User } from '../entities/user.entity';
import type { SignInResult } from '../auth.schemas';
import { completeFirstFactor } from '../services/sign-in.service';
import { newUserRow, type UserRow } from '../services/users.service';
import { userActor, type AuthDeps } from '../services/deps';
import { AuthEvents } from '../events';
import { ExternalIdentity, SocialConnection } from './entities';
import { SocialErrors } from './errors';
import { SocialEvents } from './events';
import { connectionConfig, redirectUriOf, type ConnectionRow } from './connections.service';
import { IdTokenRefused, authorizationUrl, profileFromCode, randomVerifier, type ExternalProfile } from './providers';

/**
 * One sign-in through a provider, between the redirect and the callback: kept in Redis under the
 * hash of its `state`, taken out (GETDEL) by the first callback. It holds the PKCE verifier and
 * the nonce (never sent anywhere but to the provider), where to go after, whom to link to, and
 * the hash of a random value set as an HttpOnly cookie in the browser that started it — so a
 * callback URL carried to another browser (a swapped state, login CSRF) is refused.
 */
interface Flow {
  tenantId: string;
  connectionId: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  linkUserId: string | null;
  bindingHash: string;
}

const flowKey = (deps: Pick<AuthDeps, 'config'>, state: string) => `${deps.config.QUEUE_PREFIX}:auth:social:${sha256(state)}`;

async function enabledConnection(em: EntityManager, tenantId: string, slug: string): Promise<ConnectionRow> {
  const row = await em.findOne(SocialConnection, { tenantId, slug, enabled: true });
  if (!row) throw SocialErrors.CONNECTION_NOT_FOUND({ fields: [{ path: 'connection', message: 'No such enabled connection' }] });
  return row;
}

/**
 * Starts a sign-in (or, with `link`, links the signed-in user's account): where to send the
 * browser, and the binding value the transport sets as an HttpOnly cookie. `returnTo` must already
 * be a same-origin path (the transport validates it).
 */
export async function startSocialSignIn(sc: ServiceContext, input: { connection: string; returnTo: string; link: boolean }) {
  const linkUserId = input.link ? requireUser(sc).id : null;
  const row = await enabledConnection(sc.em, sc.tenant.id, input.connection);
  const c = authConfig(sc.config);
  const state = randomToken(32);
  const binding = randomToken(32);
  const flow: Flow = { tenantId: sc.tenant.id, connectionId: row.id, codeVerifier: randomVerifier(), nonce: randomToken(32), returnTo: input.returnTo, linkUserId, bindingHash: sha256(binding) };
  const url = await authorizationUrl(connectionConfig(sc.config, row), c.AUTH_SOCIAL_ALLOWED_HOSTS, {
    redirectUri: redirectUriOf(sc.config, sc.tenant, row.slug),
    state,
    nonce: flow.nonce,
    codeVerifier: flow.codeVerifier,
  });
  try {
    await sc.redis.set(flowKey(sc, state), JSON.stringify(flow), 'EX', c.AUTH_SOCIAL_FLOW_TTL_SECONDS);
  } catch (error) {
    throw CommonErrors.SERVICE_UNAVAILABLE({ cause: error });
  }
  return { authorizationUrl: url, binding, bindingMaxAge: c.AUTH_SOCIAL_FLOW_TTL_SECONDS };
}

export type SocialOutcome = { returnTo: string } & ({ kind: 'signed_in'; result: SignInResult } | { kind: 'linked' });

/**
 * The provider's callback. Refusals are audited and thrown with a `reason` in their details; the
 * transport turns them into a redirect to the sign-in page.
 */
export async function finishSocialSignIn(
  deps: AuthDeps,
  input: { connection: string; state?: string; code?: string; error?: string; binding: string | null },
): Promise<SocialOutcome> {
  let linking = false;
  const refuse = async (reason: string, error: AppError, connectionId: string | null = null): Promise<never> => {
    await deps.em.transactional(async (tx) => {
      recordEvent(tx, userActor(deps.request, null), SocialEvents.of('social.sign_in_refused', { tenantId: deps.tenant.id, outcome: 'failure', data: { connectionId, reason, linking } }));
      await tx.flush();
    });
    // A refused link goes back to the account page it started from, not to the sign-in page.
    if (linking) throw new AppError(error.appCode, { status: error.status, message: error.message }, { details: { ...error.details, link: true } });
    throw error;
  };
  if (!input.state) return refuse('missing_state', SocialErrors.SOCIAL_STATE_INVALID({ details: { reason: 'missing_state' } }));
  let raw: string | null;
  try {
    raw = await deps.redis.getdel(flowKey(deps, input.state));
  } catch (error) {
    throw CommonErrors.SERVICE_UNAVAILABLE({ cause: error });
  }
  const flow = raw ? (JSON.parse(raw) as Flow) : null;
  if (!flow || flow.tenantId !== deps.tenant.id) return refuse('unknown_state', SocialErrors.SOCIAL_STATE_INVALID({ details: { reason: 'unknown_state' } }));
  linking = flow.linkUserId !== null;
  const row = await deps.em.findOne(SocialConnection, { id: flow.connectionId, tenantId: deps.tenant.id, enabled: true });
  if (!row || row.slug !== input.connection) return refuse('wrong_connection', SocialErrors.SOCIAL_STATE_INVALID({ details: { reason: 'wrong_connection' } }), flow.connectionId);
  // The browser that comes back must be the one that left (the cookie set at the start).
  if (!input.binding || !safeEqual(sha256(input.binding), flow.bindingHash)) {
    return refuse('browser_mismatch', SocialErrors.SOCIAL_STATE_INVALID({ details: { reason: 'browser_mismatch' } }), row.id);
  }
  if (input.error || !input.code) return refuse('provider_error', SocialErrors.SOCIAL_PROVIDER_ERROR({ details: { reason: input.error ?? 'missing_code' } }), row.id);
  let profile: ExternalProfile;
  try {
    profile = await profileFromCode(connectionConfig(deps.config, row), authConfig(deps.config).AUTH_SOCIAL_ALLOWED_HOSTS, {
      code: input.code,
      redirectUri: redirectUriOf(deps.config, deps.tenant, row.slug),
      codeVerifier: flow.codeVerifier,
      nonce: flow.nonce,
    });
  } catch (error) {
    if (error instanceof IdTokenRefused) return refuse(`id_token_${error.reason}`, SocialErrors.ID_TOKEN_INVALID({ details: { reason: error.reason } }), row.id);
    const reason = ((error as AppError).details?.reason as string | undefined) ?? 'provider_error';
    return refuse(reason, error as AppError, row.id);
  }
  const outcome = await resolveAccount(deps, row, profile, flow.linkUserId).catch((error: AppError) => refuse((error.details?.reason as string) ?? error.appCode.toLowerCase(), error, row.id));
  if (outcome.kind === 'linked') return { kind: 'linked', returnTo: flow.returnTo };
  return { kind: 'signed_in', result: await completeFirstFactor(deps, outcome.user, ['fed'], `social:${row.slug}`), returnTo: flow.returnTo };
}

type Resolved = { kind: 'linked' } | { kind: 'user'; user: UserRow };

const loadUserRow = (em: EntityManager, tenantId: string, id: string) => em.findOneOrFail(User, { id, tenantId });

/**
 * The linking rules. An identity already linked signs its user in. The signed-in user linking
 * from the account page gets it linked. Otherwise an existing account with the same email is
 * joined ONLY when the provider vouches for the address; an account is created only for a vouched
 * address (nobody can squat an address through a provider that does not check it).
 */
async function resolveAccount(deps: AuthDeps, row: ConnectionRow, profile: ExternalProfile, linkUserId: string | null): Promise<Resolved> {
  const { em, tenant, request } = deps;
  const ref = { connectionId: row.id, slug: row.slug, provider: row.provider };
  return em.transactional(async (tx) => {
    const existing = await tx.findOne(ExternalIdentity, { connectionId: row.id, subject: profile.subject });
    if (existing) {
      if (linkUserId && existing.userId !== linkUserId) throw SocialErrors.IDENTITY_LINKED_ELSEWHERE({ details: { reason: 'linked_elsewhere' } });
      existing.lastUsedAt = new Date();
      if (profile.email) existing.email = profile.email;
      await tx.flush();
      return linkUserId ? { kind: 'linked' as const } : { kind: 'user' as const, user: await loadUserRow(tx, tenant.id, existing.userId) };
    }
    const link = (userId: string, how: 'account_page' | 'sign_up' | 'verified_email') => {
      const id = uuidv7();
      tx.create(ExternalIdentity, { id, tenantId: tenant.id, userId, connectionId: row.id, subject: profile.subject, email: profile.email, createdAt: new Date(), lastUsedAt: new Date() });
      recordEvent(tx, userActor(request, userId), SocialEvents.of('identity.linked', { tenantId: tenant.id, target: { type: 'user', id: userId }, data: { ...ref, identityId: id, how } }));
    };
    if (linkUserId) {
      link(linkUserId, 'account_page');
      await flushLink(tx);
      return { kind: 'linked' as const };
    }
    const byEmail = profile.email ? await tx.findOne(User, { tenantId: tenant.id, email: profile.email }) : null;
    if (byEmail) {
      if (!profile.emailVerified) throw SocialErrors.ACCOUNT_EXISTS_LINK_REQUIRED({ details: { reason: 'unverified_email_for_existing_account' } });
      link(byEmail.id, 'verified_email');
      // The provider's verified claim is proof of receipt too.
      if (!byEmail.emailVerifiedAt) byEmail.emailVerifiedAt = new Date();
      await flushLink(tx);
      return { kind: 'user' as const, user: byEmail };
    }
    if (!row.allowSignUp) throw SocialErrors.SOCIAL_SIGN_UP_DISABLED({ details: { reason: 'sign_up_disabled' } });
    if (!profile.email || !profile.emailVerified) throw SocialErrors.SOCIAL_EMAIL_UNVERIFIED({ details: { reason: 'unverified_email' } });
    const user = newUserRow(tx, { tenantId: tenant.id, email: profile.email, displayName: profile.name, passwordHash: null, emailVerifiedAt: new Date() });
    await tx.flush();
    recordEvent(tx, userActor(request, user.id), AuthEvents.of('user.created', { tenantId: tenant.id, target: { type: 'user', id: user.id }, data: { email: user.email, method: `social:${row.slug}` } }));
    link(user.id, 'sign_up');
    await flushLink(tx);
    // The provider vouched for the address: organizations that verified its domain (and turned
    // auto-join on) take the new person in, in this transaction.
    if (deps.services.has(ORGANIZATION_PROVISIONING)) {
      await deps.services.get(ORGANIZATION_PROVISIONING).joinByVerifiedDomain(tx, deps.services, { tenantId: tenant.id, userId: user.id, email: user.email, actor: userActor(request, user.id) });
    }
    return { kind: 'user' as const, user };
  });
}

async function flushLink(tx: EntityManager) {
  try {
    await tx.flush();
  } catch (error) {
    // The same identity linked by a concurrent callback: one wins.
    if (error instanceof UniqueConstraintViolationException) throw SocialErrors.IDENTITY_LINKED_ELSEWHERE({ details: { reason: 'linked_concurrently' } });
    throw error;
  }
}
