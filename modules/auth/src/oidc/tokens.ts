import { createHash } from 'node:crypto';
import { eventCtes, eventRows, fastQuery, randomToken, recordEvent, sha256, uuidv7, type EntityManager } from '@plinto/kernel';
import { authConfig } from '../config';
import { REFRESH_TOKEN_PREFIX } from '../tokens/refresh';
import { tokenServicesOf, withRevocations } from '../tokens/services';
import { revokeSessions } from '../services/sessions.service';
import { userActor } from '../services/deps';
import { AuthEvents } from '../events';
import { oauthError, oauthOk, type OAuthResponse } from '../oauth/oauth-errors';
import type { FormParams } from '../oauth/client-auth';
import type { OAuthDeps } from '../oauth/endpoints';
import type { ApplicationRow } from './applications.service';
import { atHash, signIdToken } from './id-token-keys';
import { OidcEvents } from './events';
import { parseScope, userClaims } from './scopes';
import { takeIssuedCode, type IssuedCode, type UserSnapshot } from './issued-codes';

/** What tokens issued to an application say: the grant's session and what was asked for. */
export interface Grant {
  sessionId: string;
  userId: string;
  scope: string[];
  resource: string | null;
  authTime: Date;
  amr: string[];
  aal: number;
  nonce?: string | null;
  /** The user's claim sources as the code carried them; read from users when absent. */
  user?: UserSnapshot | null;
}

/** The audience userinfo accepts besides Plinto's own: what third-party apps' default tokens carry. */
export const userinfoAudience = (issuer: string) => `${issuer}/oauth/userinfo`;

/**
 * The audience of an application's access token: the API it named (RFC 8707) — plus userinfo when
 * it signs in (openid) — else Plinto's own API for a first-party application, and only userinfo for
 * a third-party one (a third party never gets a token that acts as the user on Plinto's API).
 */
function audienceOf(app: ApplicationRow, grant: Grant, issuer: string, plinto: string): string | string[] {
  if (grant.resource) return grant.scope.includes('openid') ? [grant.resource, userinfoAudience(issuer)] : grant.resource;
  return app.firstParty ? plinto : userinfoAudience(issuer);
}

/** Access token, ID token (scope openid) and, when given, the refresh token, as the token endpoint answers. */
export async function issueApplicationTokens(deps: OAuthDeps, app: ApplicationRow, grant: Grant, refreshToken: string | null): Promise<OAuthResponse> {
  const tokens = tokenServicesOf(deps);
  const issuer = tokens.issuer(deps.tenant.slug);
  const access = await tokens.issueAccessToken(deps.tenant, {
    sub: grant.userId,
    sid: grant.sessionId,
    amr: grant.amr,
    aal: grant.aal,
    clientId: app.clientId,
    scope: grant.scope.join(' ') || undefined,
    audience: audienceOf(app, grant, issuer, tokens.audience),
    ttlSeconds: app.accessTokenTtlSeconds,
  });
  const body: Record<string, unknown> = { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope: grant.scope.join(' ') };
  if (refreshToken) body.refresh_token = refreshToken;
  if (grant.scope.includes('openid')) body.id_token = await idToken(deps, app, grant, access.token, issuer);
  return oauthOk(body);
}

async function idToken(deps: OAuthDeps, app: ApplicationRow, grant: Grant, accessToken: string, issuer: string): Promise<string> {
  const tokens = tokenServicesOf(deps);
  const alg = app.idTokenAlg;
  const user = grant.user ?? (await readUserSnapshot(deps.em, grant.userId));
  const now = Math.floor(Date.now() / 1000);
  const claims = user
    ? userClaims({ id: grant.userId, email: user.email, displayName: user.displayName, emailVerifiedAt: user.emailVerifiedAt ? new Date(user.emailVerifiedAt) : null, updatedAt: new Date(user.updatedAt) }, grant.scope)
    : { sub: grant.userId };
  return signIdToken(deps, deps.tenant.id, alg, {
    ...claims,
    iss: issuer,
    aud: app.clientId,
    azp: app.clientId,
    iat: now,
    exp: now + Math.min(app.accessTokenTtlSeconds ?? tokens.accessTokenTtlSeconds, tokens.accessTokenTtlSeconds),
    auth_time: Math.floor(grant.authTime.getTime() / 1000),
    ...(grant.nonce ? { nonce: grant.nonce } : {}),
    amr: grant.amr,
    acr: String(grant.aal),
    sid: grant.sessionId,
    at_hash: atHash(accessToken, alg),
  });
}

async function readUserSnapshot(em: EntityManager, userId: string): Promise<UserSnapshot | null> {
  const [user] = await fastQuery<{ email: string; display_name: string | null; email_verified_at: string | null; updated_at: string }>(
    em,
    'select email, display_name, email_verified_at, updated_at from users where id = ?',
    [userId],
    'plinto_oidc_id_token_user',
  );
  return user ? { email: user.email, displayName: user.display_name, emailVerifiedAt: user.email_verified_at, updatedAt: user.updated_at } : null;
}

interface CodeRow {
  application_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  nonce: string | null;
  code_challenge: string | null;
  resource: string | null;
  auth_time: string;
  amr: string[];
  aal: number;
  expires_at: string;
  used_at: string | null;
  grant_session_id: string | null;
  user_snapshot: UserSnapshot | null;
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * RFC 6749 §4.1.3 with RFC 7636: redeems a code once, for the client it was issued to, with the
 * redirect URI it was issued for and the PKCE verifier of its challenge. A code presented again is
 * refused and the session its first redemption created is revoked — refresh family and access
 * tokens (§4.1.2: "SHOULD revoke all tokens previously issued based on that authorization code").
 * The code row is locked for the whole redemption, so a racing replay waits and then sees it spent.
 */
export async function authorizationCodeGrant(deps: OAuthDeps, app: ApplicationRow, params: FormParams): Promise<OAuthResponse> {
  if (!params.code) return oauthError('invalid_request', 'code is required');
  if (!params.redirect_uri) return oauthError('invalid_request', 'redirect_uri is required');
  const invalid = (why: string) => oauthError('invalid_grant', why);
  const remembered = takeIssuedCode(sha256(params.code));
  const redeemed = remembered ? await redeemInOneStatement(deps, app, params, remembered) : await redeemFast(deps, app, params);
  if (redeemed === 'replayed') return invalid('The code is invalid, expired or already used');
  if (redeemed) return issueApplicationTokens(deps, app, redeemed.grant, redeemed.refreshToken);
  // Anything but a good code for this client (replay, theft, a wrong verifier...): decided, and
  // answered, under the code row's lock.
  const outcome = await withRevocations(deps, async (tx, revoke) => {
    const [row] = await tx.execute<CodeRow[]>(
      `select application_id, user_id, redirect_uri, scope, nonce, code_challenge, resource, auth_time, amr, aal, expires_at, used_at, grant_session_id, user_snapshot
         from oidc_authorization_codes where code_hash = ? and tenant_id = ? for update`,
      [sha256(params.code!), deps.tenant.id],
    );
    if (!row) return invalid('The code is invalid, expired or already used');
    if (row.application_id !== app.id) return invalid('The code was issued to another client');
    if (row.used_at) {
      await tx.execute('update oidc_authorization_codes set replayed_at = now() where code_hash = ?', [sha256(params.code!)]);
      if (row.grant_session_id) await revokeSessions(tx, revoke, { userId: row.user_id, sessionIds: [row.grant_session_id] }, 'authorization_code_replay');
      recordEvent(tx, userActor(deps.request, row.user_id), OidcEvents.of('authorization_code.replayed', {
        tenantId: deps.tenant.id,
        target: { type: 'application', id: app.id },
        outcome: 'failure',
        data: { clientId: app.clientId, userId: row.user_id, sessionId: row.grant_session_id },
      }));
      await tx.flush();
      return invalid('The code is invalid, expired or already used');
    }
    if (new Date(row.expires_at).getTime() <= Date.now()) return invalid('The code is invalid, expired or already used');
    if (row.redirect_uri !== params.redirect_uri) return invalid('redirect_uri differs from the authorization request');
    if (row.code_challenge) {
      if (!params.code_verifier) return invalid('code_verifier is required (PKCE)');
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(params.code_verifier) || s256(params.code_verifier) !== row.code_challenge) return invalid('code_verifier does not match the code_challenge');
    } else if (params.code_verifier !== undefined) {
      return invalid('code_verifier sent, but the authorization request had no code_challenge');
    }
    const scope = parseScope(row.scope);
    const grant: Grant = { sessionId: uuidv7(), userId: row.user_id, scope, resource: row.resource, authTime: new Date(row.auth_time), amr: row.amr, aal: row.aal, nonce: row.nonce, user: row.user_snapshot };
    const refreshToken = scope.includes('offline_access') && app.grantTypes.includes('refresh_token') ? `${REFRESH_TOKEN_PREFIX}${randomToken(32)}` : null;
    await tx.execute('update oidc_authorization_codes set used_at = now(), grant_session_id = ? where code_hash = ?', [grant.sessionId, sha256(params.code!)]);
    await startGrantSession(tx, deps, app, grant, refreshToken);
    await tx.flush();
    return { grant, refreshToken };
  });
  if ('status' in outcome) return outcome;
  return issueApplicationTokens(deps, app, outcome.grant, outcome.refreshToken);
}

/** The session an application's tokens belong to (its `sid`), bound to the application's client_id. */
async function startGrantSession(tx: EntityManager, deps: OAuthDeps, app: ApplicationRow, grant: Grant, refreshToken: string | null): Promise<void> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + sessionTtlMs(deps, app));
  await tx.execute(
    `insert into sessions (id, tenant_id, user_id, amr, aal, ip, user_agent, created_at, last_used_at, expires_at, client_id, scope, resource, auth_time)
     values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [grant.sessionId, deps.tenant.id, grant.userId, JSON.stringify(grant.amr), grant.aal, deps.request.ip, deps.request.userAgent, now, now, expiresAt, app.clientId, grant.scope.join(' '), grant.resource, grant.authTime],
  );
  if (refreshToken) {
    await tx.execute(
      `insert into refresh_tokens (id, tenant_id, session_id, token_hash, status, created_at, expires_at) values (?, ?, ?, ?, 'active', ?, ?)`,
      [uuidv7(), deps.tenant.id, grant.sessionId, sha256(refreshToken), now, expiresAt],
    );
  }
  recordEvent(tx, userActor(deps.request, grant.userId), AuthEvents.of('user.signed_in', {
    tenantId: deps.tenant.id,
    target: { type: 'user', id: grant.userId },
    data: { sessionId: grant.sessionId, method: `oidc:${app.clientId}`, amr: grant.amr, aal: grant.aal },
  }));
}


interface RedeemedRow {
  user_id: string;
  scope: string;
  nonce: string | null;
  resource: string | null;
  auth_time: string;
  amr: string[];
  aal: number;
  user_snapshot: UserSnapshot | null;
}

/**
 * The common case in two autocommitted statements, no transaction: (1) spend the code if it is
 * this client's, unspent, unexpired, for this redirect URI and PKCE verifier — all in the UPDATE's
 * condition; (2) create the grant session (and refresh token, and its event) unless the code was
 * replayed meanwhile — the statement locks the code row, as the replay path does, so either the
 * replay sees the session and revokes it, or this sees the replay and creates nothing. Anything
 * else returns undefined, and the transactional path answers (with the precise error).
 */
async function redeemFast(deps: OAuthDeps, app: ApplicationRow, params: FormParams): Promise<{ grant: Grant; refreshToken: string | null } | 'replayed' | undefined> {
  const verifier = params.code_verifier;
  if (verifier !== undefined && !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return undefined;
  const hash = sha256(params.code!);
  const now = new Date();
  const sessionId = uuidv7(now.getTime());
  const [row] = await fastQuery<RedeemedRow>(
    deps.em,
    `update oidc_authorization_codes set used_at = ?, grant_session_id = ?
      where code_hash = ? and tenant_id = ? and application_id = ? and redirect_uri = ? and used_at is null and expires_at > ?
        and (code_challenge = ?::text or (code_challenge is null and ?::text is null))
      returning user_id, scope, nonce, resource, auth_time, amr, aal, user_snapshot`,
    [now, sessionId, hash, deps.tenant.id, app.id, params.redirect_uri, now, verifier === undefined ? null : s256(verifier), verifier ?? null],
    'plinto_oidc_redeem_code',
  );
  if (!row) return undefined;
  const scope = parseScope(row.scope);
  const grant: Grant = { sessionId, userId: row.user_id, scope, resource: row.resource, authTime: new Date(row.auth_time), amr: row.amr, aal: row.aal, nonce: row.nonce, user: row.user_snapshot };
  const { refreshToken, expiresAt, event } = grantSessionParts(deps, app, grant, now);
  const [created] = await fastQuery<{ created: number }>(
    deps.em,
    `with code as (
        select 1 from oidc_authorization_codes where code_hash = ? and grant_session_id = ? and replayed_at is null for update),
      new_session as (
        insert into sessions (id, tenant_id, user_id, amr, aal, ip, user_agent, created_at, last_used_at, expires_at, client_id, scope, resource, auth_time)
        select ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? from code returning id),
      new_refresh as (
        insert into refresh_tokens (id, tenant_id, session_id, token_hash, status, created_at, expires_at)
        select ?, ?, id, ?, 'active', ?, ? from new_session where ?::boolean),
      ${event.ctes.join(',\n      ')}
     select count(*)::int as created from new_session`,
    [
      hash, sessionId,
      sessionId, deps.tenant.id, grant.userId, JSON.stringify(grant.amr), grant.aal, deps.request.ip, deps.request.userAgent, now, now, expiresAt, app.clientId, row.scope, row.resource, row.auth_time,
      uuidv7(now.getTime()), deps.tenant.id, refreshToken ? sha256(refreshToken) : '', now, expiresAt, refreshToken !== null,
      ...event.params,
    ],
    'plinto_oidc_grant_session',
  );
  return created?.created ? { grant, refreshToken } : 'replayed';
}

/**
 * What a redeemed code's session is made of, whichever path redeems it: the refresh token (only
 * with `offline_access` and the refresh grant), the session's expiry, and its `user.signed_in`
 * event as CTEs written only when the session row is (`new_session`).
 */
function grantSessionParts(deps: OAuthDeps, app: ApplicationRow, grant: Grant, now: Date) {
  const refreshToken = grant.scope.includes('offline_access') && app.grantTypes.includes('refresh_token') ? `${REFRESH_TOKEN_PREFIX}${randomToken(32)}` : null;
  const expiresAt = new Date(now.getTime() + sessionTtlMs(deps, app));
  const event = eventCtes(
    eventRows(userActor(deps.request, grant.userId), AuthEvents.of('user.signed_in', {
      tenantId: deps.tenant.id,
      target: { type: 'user', id: grant.userId },
      data: { sessionId: grant.sessionId, method: `oidc:${app.clientId}`, amr: grant.amr, aal: grant.aal },
    })),
    'ev',
    'exists (select 1 from new_session)',
  );
  return { refreshToken, expiresAt, event };
}

/**
 * A code that comes back to the process that issued it: spent and turned into the grant's session
 * (with its refresh token and its user.signed_in event) in ONE autocommitted statement. The UPDATE
 * decides, as redeemFast's does, whether the code is still spendable for this client, redirect URI
 * and PKCE verifier, and holds the row's lock until the session it creates is committed with it —
 * so a replay (the transactional path locks the row) always finds the session to revoke. The
 * row's immutable facts (user, scope, sign-in) come from `issued`. Nothing spent: undefined, and the
 * transactional path answers with the precise error (a replay among them).
 */
async function redeemInOneStatement(deps: OAuthDeps, app: ApplicationRow, params: FormParams, issued: IssuedCode): Promise<{ grant: Grant; refreshToken: string | null } | undefined> {
  const verifier = params.code_verifier;
  if (verifier !== undefined && !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return undefined;
  const hash = sha256(params.code!);
  const now = new Date();
  const sessionId = uuidv7(now.getTime());
  const grant: Grant = { sessionId, userId: issued.userId, scope: issued.scope, resource: issued.resource, authTime: issued.authTime, amr: issued.amr, aal: issued.aal, nonce: issued.nonce, user: issued.user };
  const { refreshToken, expiresAt, event } = grantSessionParts(deps, app, grant, now);
  const [created] = await fastQuery<{ created: number }>(
    deps.em,
    `with spent as (
        update oidc_authorization_codes set used_at = ?, grant_session_id = ?
         where code_hash = ? and tenant_id = ? and application_id = ? and redirect_uri = ? and used_at is null and expires_at > ?
           and (code_challenge = ?::text or (code_challenge is null and ?::text is null))
        returning 1),
      new_session as (
        insert into sessions (id, tenant_id, user_id, amr, aal, ip, user_agent, created_at, last_used_at, expires_at, client_id, scope, resource, auth_time)
        select ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? from spent returning id),
      new_refresh as (
        insert into refresh_tokens (id, tenant_id, session_id, token_hash, status, created_at, expires_at)
        select ?, ?, id, ?, 'active', ?, ? from new_session where ?::boolean),
      ${event.ctes.join(',\n      ')}
     select count(*)::int as created from new_session`,
    [
      now, sessionId, hash, deps.tenant.id, app.id, params.redirect_uri, now, verifier === undefined ? null : s256(verifier), verifier ?? null,
      sessionId, deps.tenant.id, grant.userId, JSON.stringify(grant.amr), grant.aal, deps.request.ip, deps.request.userAgent, now, now, expiresAt, app.clientId, grant.scope.join(' '), grant.resource, grant.authTime,
      uuidv7(now.getTime()), deps.tenant.id, refreshToken ? sha256(refreshToken) : '', now, expiresAt, refreshToken !== null,
      ...event.params,
    ],
    'plinto_oidc_redeem_in_one',
  );
  return created?.created ? { grant, refreshToken } : undefined;
}

/** An application's session lifetime: its own when shorter than the server's. */
function sessionTtlMs(deps: OAuthDeps, app: ApplicationRow): number {
  const server = authConfig(deps.config).AUTH_SESSION_TTL_HOURS;
  return Math.min(app.sessionTtlHours ?? server, server) * 3600_000;
}
