import { fastQuery, isUuid, randomToken, sha256, type EntityManager } from '@plinto/kernel';
import { tokenServicesOf } from '../tokens/services';
import type { OAuthDeps } from '../oauth/endpoints';
import type { FormParams } from '../oauth/client-auth';
import type { ApplicationRow } from './applications.service';
import { liveApplication } from './application-cache';
import { parseScope, SUPPORTED_SCOPES } from './scopes';
import { rememberIssuedCode, type UserSnapshot } from './issued-codes';

/** What the hosted pages' cookie says about the browser (see api/src/http/browser-session.ts). */
export interface BrowserSession {
  userId: string;
  sessionId: string;
  tenantId: string;
  authTime: Date;
  amr: string[];
}

/**
 * The browser's session as the authorization endpoint gets it: the session id its cookie names
 * (seal checked, liveness not yet), and how to load the live session. The common request (a
 * first-party client, no prompt, no max_age) checks liveness inside the statement that issues the
 * code; every other one loads the session first.
 */
export interface BrowserSessionSource {
  sessionId: string | null;
  load(): Promise<BrowserSession | null>;
}

/**
 * Where the browser goes next. `show` is an error that must NOT be sent to the redirect URI — the
 * client or the redirect URI could not be trusted — so it is answered to the browser directly.
 */
export type AuthorizeOutcome =
  | {
      kind: 'show';
      status: number;
      error: string;
      description: string;
      /** What went wrong, for the hosted error page's message (its string catalogue has one per reason). */
      reason?: ShowReason;
    }
  | { kind: 'redirect'; location: string };

/** The reasons an error is shown instead of redirected, as the hosted error page names them. */
export type ShowReason = 'bad_request' | 'unknown_client' | 'missing_redirect_uri' | 'unregistered_redirect_uri' | 'invalid_id_token_hint' | 'unregistered_post_logout_redirect_uri';

const CODE_TTL_SECONDS = 60;
const INTERACTION_TTL_SECONDS = 600;
/** Set on the sign-in page's return_to after prompt=login or an exceeded max_age: the session must be this fresh. */
const LOGIN_AFTER = 'plinto_login_after';

/** The request as the code and the consent interaction carry it. */
export interface AuthorizationRequest {
  redirectUri: string;
  scope: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  resource?: string;
}

const show = (error: string, description: string, reason: ShowReason): AuthorizeOutcome => ({ kind: 'show', status: 400, error, description, reason });

export function redirectWith(redirectUri: string, issuer: string, params: Record<string, string | undefined>): AuthorizeOutcome {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.append(name, value);
  // RFC 9207: the issuer in the answer, so a client talking to several providers cannot be mixed up.
  url.searchParams.append('iss', issuer);
  return { kind: 'redirect', location: url.href };
}

/**
 * The authorization endpoint (OIDC Core §3.1.2, RFC 6749 §4.1, RFC 7636, RFC 8707). The client and
 * its redirect URI are checked first and an error there is shown, never redirected (an attacker's
 * redirect URI must not receive anything, not even an error). Then: the request's validity, the
 * browser's session (none, too old, or prompt=login → the hosted sign-in page, which comes back
 * here), consent (third-party applications, unless already given), and finally a single-use code.
 */
export async function authorize(deps: OAuthDeps, params: FormParams, browser: BrowserSessionSource): Promise<AuthorizeOutcome> {
  const issuer = tokenServicesOf(deps).issuer(deps.tenant.slug);
  if (!params.client_id) return show('invalid_request', 'client_id is required', 'unknown_client');
  const app = await liveApplication(deps, deps.tenant.id, params.client_id);
  if (!app) return show('invalid_client', 'Unknown client_id for this tenant', 'unknown_client');
  if (!params.redirect_uri) return show('invalid_request', 'redirect_uri is required', 'missing_redirect_uri');
  // Exact string comparison (OAuth 2.1 §2.3.1): no prefix, no normalisation, no port leniency.
  if (!app.redirectUris.includes(params.redirect_uri)) return show('invalid_request', 'redirect_uri is not registered for this client', 'unregistered_redirect_uri');
  const redirectUri = params.redirect_uri;
  const fail = (error: string, description: string) => redirectWith(redirectUri, issuer, { error, error_description: description, state: params.state });

  if (params.request !== undefined || params.request_uri !== undefined) return fail('request_not_supported', 'Request objects are not supported');
  if (params.response_type !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported');
  if (params.response_mode !== undefined && params.response_mode !== 'query') return fail('invalid_request', 'Only response_mode=query is supported');
  if (!app.grantTypes.includes('authorization_code')) return fail('unauthorized_client', 'This client may not use the authorization code grant');
  const scope = parseScope(params.scope);
  const unknown = scope.filter((s) => !SUPPORTED_SCOPES.includes(s));
  if (unknown.length > 0) return fail('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
  if (params.code_challenge_method !== undefined && params.code_challenge_method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
  if (params.code_challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 digest');
  if (params.code_challenge !== undefined && params.code_challenge_method === undefined) return fail('invalid_request', 'code_challenge_method=S256 is required');
  if (app.secretHash === null && !params.code_challenge) return fail('invalid_request', 'PKCE (code_challenge with S256) is required for public clients');
  if (params.resource !== undefined && !app.resources.includes(params.resource)) return fail('invalid_target', 'The resource is not registered for this client');
  const prompt = new Set((params.prompt ?? '').split(' ').filter(Boolean));
  for (const value of prompt) if (!['none', 'login', 'consent', 'select_account'].includes(value)) return fail('invalid_request', `Unknown prompt value ${value}`);
  if (prompt.has('none') && prompt.size > 1) return fail('invalid_request', 'prompt=none cannot be combined with other values');
  const maxAge = params.max_age === undefined ? undefined : Number(params.max_age);
  if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0)) return fail('invalid_request', 'max_age must be a non-negative integer');

  const request: AuthorizationRequest = { redirectUri, scope, state: params.state, nonce: params.nonce, codeChallenge: params.code_challenge, resource: params.resource };
  // Nothing but a live session to ask for (first party: no consent; no prompt, max_age or fresh
  // sign-in demanded): the code is issued by the statement that checks the session is live.
  if (browser.sessionId !== null && app.firstParty && prompt.size === 0 && maxAge === undefined && params[LOGIN_AFTER] === undefined) {
    const code = await issueCodeForLiveSession(deps.em, deps.tenant.id, app, browser.sessionId, request);
    if (code) return redirectWith(redirectUri, issuer, { code, state: params.state });
  }

  // Sign-in: none yet, another tenant's, older than max_age or than a prompt=login demanded.
  const session = browser.sessionId === null ? null : await browser.load();
  const now = Date.now();
  const loginAfter = params[LOGIN_AFTER] !== undefined ? Number(params[LOGIN_AFTER]) * 1000 : 0;
  const fresh =
    session !== null &&
    session.tenantId === deps.tenant.id &&
    !prompt.has('login') &&
    session.authTime.getTime() >= loginAfter &&
    (maxAge === undefined || session.authTime.getTime() + maxAge * 1000 >= now);
  if (!fresh) {
    if (prompt.has('none')) return fail('login_required', 'The user is not signed in');
    const back = new URLSearchParams();
    // prompt=login and max_age are replaced by LOGIN_AFTER: kept, they would send the fresh sign-in back here forever.
    for (const [name, value] of Object.entries(params)) if (value !== undefined && name !== 'prompt' && name !== 'max_age' && name !== LOGIN_AFTER) back.set(name, value);
    const rest = [...prompt].filter((p) => p !== 'login');
    if (rest.length > 0) back.set('prompt', rest.join(' '));
    if (session !== null || prompt.has('login') || maxAge !== undefined) back.set(LOGIN_AFTER, String(Math.floor(now / 1000)));
    const returnTo = `${new URL(issuer).pathname}/oauth/authorize?${back}`;
    // login_hint pre-fills the sign-in form (a hint only: whoever signs in is who the code is for).
    const hint = params.login_hint ? `&login_hint=${encodeURIComponent(params.login_hint.slice(0, 320))}` : '';
    return { kind: 'redirect', location: `${issuer}/sign-in?return_to=${encodeURIComponent(returnTo)}${hint}` };
  }

  if (!app.firstParty && (prompt.has('consent') || !(await hasConsent(deps.em, session.userId, app.id, scope)))) {
    if (prompt.has('none')) return fail('consent_required', 'The user has not allowed this application yet');
    const interaction = randomToken(24);
    await deps.em.execute(
      `insert into oidc_interactions (id, tenant_id, application_id, user_id, request, expires_at) values (?, ?, ?, ?, ?, ?)`,
      [interaction, deps.tenant.id, app.id, session.userId, JSON.stringify({ ...request, authTime: session.authTime.toISOString(), amr: session.amr }), new Date(now + INTERACTION_TTL_SECONDS * 1000)],
    );
    return { kind: 'redirect', location: `${issuer}/consent?interaction=${encodeURIComponent(interaction)}` };
  }
  const code = await issueCode(deps.em, deps.tenant.id, app, session.userId, request, session.authTime, session.amr);
  return redirectWith(redirectUri, issuer, { code, state: params.state });
}

async function hasConsent(em: EntityManager, userId: string, applicationId: string, scope: string[]): Promise<boolean> {
  const [row] = await em.execute<{ scopes: string[] }[]>('select scopes from oidc_consents where user_id = ? and application_id = ?', [userId, applicationId]);
  return row !== undefined && scope.every((s) => row.scopes.includes(s));
}

/**
 * A single-use code (`pac_` + 256 random bits), stored as its SHA-256, valid for a minute. The
 * same statement copies the user's claim sources into the code row (the ID token is signed from
 * them), and this process remembers the row's immutable facts for the token endpoint.
 */
export async function issueCode(em: EntityManager, tenantId: string, app: ApplicationRow, userId: string, request: AuthorizationRequest, authTime: Date, amr: string[]): Promise<string> {
  const code = `pac_${randomToken(32)}`;
  const codeHash = sha256(code);
  const aal = amr.length >= 2 ? 2 : 1;
  const expiresAt = new Date(Date.now() + CODE_TTL_SECONDS * 1000);
  const [row] = await fastQuery<{ user_snapshot: UserSnapshot | null }>(
    em,
    `insert into oidc_authorization_codes (code_hash, tenant_id, application_id, user_id, redirect_uri, scope, nonce, code_challenge, resource, auth_time, amr, aal, expires_at, user_snapshot)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
       (select jsonb_build_object('email', email, 'displayName', display_name, 'emailVerifiedAt', email_verified_at, 'updatedAt', updated_at) from users where id = ?))
     returning user_snapshot`,
    [
      codeHash, tenantId, app.id, userId, request.redirectUri, request.scope.join(' '), request.nonce ?? null, request.codeChallenge ?? null, request.resource ?? null,
      authTime, JSON.stringify(amr), aal, expiresAt, userId,
    ],
    'plinto_oidc_issue_code',
  );
  rememberIssuedCode(codeHash, {
    userId, scope: request.scope, nonce: request.nonce ?? null, resource: request.resource ?? null, authTime, amr, aal, user: row?.user_snapshot ?? null, expiresAt: expiresAt.getTime(),
  });
  return code;
}

/**
 * issueCode for the browser session `sessionId` names, in one statement that also checks it: live
 * (not revoked, not expired) and its user not disabled — as the browser session check does. Its
 * sign-in (auth_time, amr) is the session's. Null when the session is not live (the caller then
 * takes the full path: sign-in).
 */
async function issueCodeForLiveSession(em: EntityManager, tenantId: string, app: ApplicationRow, sessionId: string, request: AuthorizationRequest): Promise<string | null> {
  if (!isUuid(sessionId)) return null;
  const code = `pac_${randomToken(32)}`;
  const codeHash = sha256(code);
  const expiresAt = new Date(Date.now() + CODE_TTL_SECONDS * 1000);
  const [row] = await fastQuery<{ user_id: string; auth_time: string | Date; amr: string[]; aal: number; user_snapshot: UserSnapshot }>(
    em,
    `insert into oidc_authorization_codes (code_hash, tenant_id, application_id, user_id, redirect_uri, scope, nonce, code_challenge, resource, auth_time, amr, aal, expires_at, user_snapshot)
     select ?, s.tenant_id, ?, s.user_id, ?, ?, ?, ?, ?, s.created_at, coalesce(s.amr, '[]'::jsonb), case when jsonb_array_length(coalesce(s.amr, '[]'::jsonb)) >= 2 then 2 else 1 end, ?,
            jsonb_build_object('email', u.email, 'displayName', u.display_name, 'emailVerifiedAt', u.email_verified_at, 'updatedAt', u.updated_at)
       from sessions s join users u on u.id = s.user_id
      where s.id = ? and s.tenant_id = ? and s.revoked_at is null and s.expires_at > now() and u.disabled_at is null
     returning user_id, auth_time, amr, aal, user_snapshot`,
    [codeHash, app.id, request.redirectUri, request.scope.join(' '), request.nonce ?? null, request.codeChallenge ?? null, request.resource ?? null, expiresAt, sessionId, tenantId],
    'plinto_oidc_issue_code_live_session',
  );
  if (!row) return null;
  rememberIssuedCode(codeHash, {
    userId: row.user_id, scope: request.scope, nonce: request.nonce ?? null, resource: request.resource ?? null, authTime: new Date(row.auth_time), amr: row.amr, aal: row.aal, user: row.user_snapshot, expiresAt: expiresAt.getTime(),
  });
  return code;
}
