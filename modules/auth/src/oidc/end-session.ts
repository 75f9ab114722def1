import { createLocalJWKSet, decodeJwt, jwtVerify, type JWK } from 'jose';
import { tokenServicesOf } from '../tokens/services';
import type { OAuthDeps } from '../oauth/endpoints';
import type { FormParams } from '../oauth/client-auth';
import { jwksDocument } from '../oauth/jwks-document';
import { activeApplication } from './applications.service';
import { redirectWith, type AuthorizeOutcome, type ShowReason } from './authorize';

export interface EndSessionPlan {
  outcome: AuthorizeOutcome;
  /** The request carried a verified ID token hint (else the browser's session ends only once its user confirms). */
  hinted: boolean;
  /** The grant session of the ID token hint (ended with the browser session), when it is one. */
  hintSession: { userId: string; sessionId: string } | null;
}

/**
 * OIDC RP-Initiated Logout 1.0. The browser's session is ended by the caller (it owns the
 * cookie); this decides where the browser goes: back to `post_logout_redirect_uri` only when that
 * URI is registered, exactly, for the application named by `client_id` or by the ID token hint's
 * audience — else an error is shown (no open redirect) — and to the hosted "signed out" page when
 * none was asked for. The hint must be an ID token this issuer signed (it may have expired).
 */
export async function planEndSession(deps: OAuthDeps, params: FormParams): Promise<EndSessionPlan> {
  const issuer = tokenServicesOf(deps).issuer(deps.tenant.slug);
  const show = (description: string, reason: ShowReason): EndSessionPlan => ({ outcome: { kind: 'show', status: 400, error: 'invalid_request', description, reason }, hintSession: null, hinted: false });
  let hint: { aud: string; sub: string; sid?: string } | null = null;
  if (params.id_token_hint) {
    try {
      const keys = createLocalJWKSet({ keys: (await jwksDocument(deps)).keys as JWK[] });
      const { exp } = decodeJwt(params.id_token_hint);
      // An expired ID token is still a fine hint (the spec expects it): verify as of its own expiry.
      const currentDate = exp && exp * 1000 < Date.now() ? new Date((exp - 1) * 1000) : undefined;
      const { payload } = await jwtVerify(params.id_token_hint, keys, { issuer, currentDate });
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      if (typeof aud !== 'string' || typeof payload.sub !== 'string') return show('id_token_hint is not an ID token of this issuer', 'invalid_id_token_hint');
      hint = { aud, sub: payload.sub, sid: typeof payload.sid === 'string' ? payload.sid : undefined };
    } catch {
      return show('id_token_hint is not an ID token of this issuer', 'invalid_id_token_hint');
    }
  }
  if (hint && params.client_id && params.client_id !== hint.aud) return show('client_id does not match the id_token_hint', 'invalid_id_token_hint');
  const clientId = params.client_id ?? hint?.aud;
  const hintSession = hint?.sid ? { userId: hint.sub, sessionId: hint.sid } : null;
  if (!params.post_logout_redirect_uri) return { outcome: { kind: 'redirect', location: `${issuer}/signed-out` }, hintSession, hinted: hint !== null };
  const app = clientId ? await activeApplication(deps.em, deps.tenant.id, clientId) : null;
  if (!app) return show('post_logout_redirect_uri needs client_id or id_token_hint naming an application', 'unregistered_post_logout_redirect_uri');
  if (!app.postLogoutRedirectUris.includes(params.post_logout_redirect_uri)) return show('post_logout_redirect_uri is not registered for this client', 'unregistered_post_logout_redirect_uri');
  const outcome = redirectWith(params.post_logout_redirect_uri, issuer, { state: params.state });
  return { outcome, hintSession, hinted: hint !== null };
}
