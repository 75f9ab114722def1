import {
  AccessTokenRejected,
  recordEvent,
  recordEventCommitted,
  sha256,
  type EntityManager,
  type Config,
  type RequestMeta,
  type TenantRef,
  type Actor,
  type ServiceRegistry,
} from '@plinto/kernel';
import { REFRESH_TOKEN_PREFIX, rotateRefreshToken } from '../tokens/refresh';
import { sessionTokens } from '../tokens/issue';
import { tokenServicesOf, withRevocations } from '../tokens/services';
import { revokeSessions } from '../services/sessions.service';
import { authenticateClient, presentedClientId, type FormParams } from './client-auth';
import { authorizationCodeGrant, issueApplicationTokens } from '../oidc/tokens';
import { liveApplication } from '../oidc/application-cache';
import { parseScope, SUPPORTED_SCOPES } from '../oidc/scopes';
import { ID_TOKEN_ALGS } from '../oidc/entities';
import { oauthError, oauthOk, type OAuthResponse } from './oauth-errors';
import { ACCESS_TOKEN_ALGORITHMS } from '@plinto/kernel';
import { AuthEvents } from '../events';

export interface OAuthDeps {
  em: EntityManager;
  config: Config;
  tenant: TenantRef;
  request: RequestMeta;
  services: ServiceRegistry;
}

/**
 * `{PUBLIC_URL}/t/{slug}/.well-known/openid-configuration`: what standard clients configure from.
 * Truthful: every endpoint, grant, method and algorithm listed here is served.
 */
export function discoveryDocument(deps: Pick<OAuthDeps, 'services' | 'tenant' | 'config'>) {
  const issuer = tokenServicesOf(deps).issuer(deps.tenant.slug);
  const clientAuth = ['client_secret_basic', 'client_secret_post'];
  // RS256 for every relying party (OIDC Core §15.1); ES256 and EdDSA for applications that ask (idTokenSignedResponseAlg).
  const idTokenAlgs = [...ID_TOKEN_ALGS];
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    end_session_endpoint: `${issuer}/oauth/end-session`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    scopes_supported: SUPPORTED_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: [...clientAuth, 'none'],
    introspection_endpoint_auth_methods_supported: clientAuth,
    revocation_endpoint_auth_methods_supported: [...clientAuth, 'none'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: idTokenAlgs,
    access_token_signing_alg_values_supported: [...ACCESS_TOKEN_ALGORITHMS],
    prompt_values_supported: ['none', 'login', 'consent'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', 'at_hash', 'name', 'updated_at', 'email', 'email_verified'],
  };
}

/** RFC 6749 token endpoint: grants `refresh_token` and `client_credentials`. */
export async function tokenEndpoint(deps: OAuthDeps, params: FormParams, authorization: string | undefined): Promise<OAuthResponse> {
  const client = await authenticateClient(deps.em, deps.tenant.id, params, authorization, deps.services);
  if (client.kind === 'failed') return client.response;
  switch (params.grant_type) {
    case undefined:
      return oauthError('invalid_request', 'grant_type is required');
    case 'authorization_code':
      if (client.kind !== 'application') return oauthError('unauthorized_client', 'Only applications may use the authorization code grant');
      if (!client.app.grantTypes.includes('authorization_code')) return oauthError('unauthorized_client', 'This client may not use the authorization code grant');
      return authorizationCodeGrant(deps, client.app, params);
    case 'refresh_token': {
      if (!params.refresh_token) return oauthError('invalid_request', 'refresh_token is required');
      if (client.kind === 'application' && !client.app.grantTypes.includes('refresh_token')) return oauthError('unauthorized_client', 'This client may not use refresh tokens');
      // RFC 6749 §6: the token must have been issued to the client presenting it.
      const outcome = await rotateRefreshToken(deps, deps.tenant.id, params.refresh_token, presentedClientId(client));
      if (!outcome.ok) {
        if (outcome.reason === 'wrong_client') return oauthError('invalid_grant', 'The refresh token was not issued to this client');
        return oauthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
      }
      const { session, refreshToken } = outcome.value;
      if (session.clientId) {
        const app = client.kind === 'application' ? client.app : await liveApplication(deps, deps.tenant.id, session.clientId);
        if (!app) return oauthError('invalid_grant', 'The application is revoked');
        const scope = parseScope(session.scope ?? '');
        const authTime = session.authTime ? new Date(session.authTime) : new Date();
        return issueApplicationTokens(deps, app, { sessionId: session.id, userId: session.userId, scope, resource: session.resource, authTime, amr: session.amr, aal: session.aal }, refreshToken);
      }
      const tokens = await sessionTokens(tokenServicesOf(deps), deps.tenant, session, refreshToken);
      return oauthOk(tokens);
    }
    case 'client_credentials': {
      if (client.kind === 'application') return oauthError('unauthorized_client', 'Applications sign users in; client_credentials is for machine clients');
      if (client.kind !== 'confidential') return oauthError('invalid_client', 'client_credentials needs client authentication', 401);
      const requested = (params.scope ?? '').split(' ').filter(Boolean);
      const granted = requested.length > 0 ? requested : client.client.scopes;
      const unknown = granted.filter((s) => !client.client.scopes.includes(s));
      if (unknown.length > 0) return oauthError('invalid_scope', `Not allowed for this client: ${unknown.join(' ')}`);
      const access = await tokenServicesOf(deps).issueAccessToken(deps.tenant, {
        sub: client.client.id,
        clientId: client.client.clientId,
        scope: granted.join(' ') || undefined,
        roles: client.client.roles,
        organizationId: client.client.organizationId,
      });
      await recordIssued(deps, client.client, access.jti, granted);
      return oauthOk({ access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, ...(granted.length ? { scope: granted.join(' ') } : {}) });
    }
    default:
      return oauthError('unsupported_grant_type', `grant_type ${params.grant_type} is not supported`);
  }
}

/**
 * Issuing a machine token changes no state, but the audit log holds every issued token before it
 * is handed out: committed by group commit (kernel events/group-commit.ts), not a transaction per grant.
 */
async function recordIssued(deps: OAuthDeps, client: { id: string; clientId: string; organizationId: string | null }, jti: string, scopes: string[]): Promise<void> {
  await recordEventCommitted(deps.em, clientActor(deps.request, client.id), AuthEvents.of('client.token_issued', {
    tenantId: deps.tenant.id,
    organizationId: client.organizationId,
    target: { type: 'machine_client', id: client.id },
    data: { clientId: client.clientId, tokenId: jti, scopes },
  }));
}

const clientActor = (request: RequestMeta, id: string): Actor => ({ type: 'machine_client', id, ip: request.ip, userAgent: request.userAgent, requestId: request.requestId });

/**
 * RFC 7662: a confidential client of this tenant asks about a token. Anything not active — or not
 * this tenant's — is `{"active": false}` and nothing more.
 */
export async function introspectionEndpoint(deps: OAuthDeps, params: FormParams, authorization: string | undefined): Promise<OAuthResponse> {
  const client = await authenticateClient(deps.em, deps.tenant.id, params, authorization, deps.services);
  if (client.kind === 'failed') return client.response;
  if (client.kind !== 'confidential') return oauthError('invalid_client', 'Introspection needs client authentication', 401);
  if (!params.token) return oauthError('invalid_request', 'token is required');
  const inactive = oauthOk({ active: false });
  if (params.token.startsWith(REFRESH_TOKEN_PREFIX)) {
    const [row] = await deps.em.execute<{ id: string; session_id: string; user_id: string; created_at: Date; expires_at: Date }[]>(
      `select r.id, r.session_id, s.user_id, r.created_at, r.expires_at
         from refresh_tokens r join sessions s on s.id = r.session_id
        where r.token_hash = ? and r.tenant_id = ? and r.status = 'active'
          and r.expires_at > now() and s.revoked_at is null`,
      [sha256(params.token), deps.tenant.id],
    );
    if (!row) return inactive;
    const services = tokenServicesOf(deps);
    return oauthOk({
      active: true,
      token_type: 'refresh_token',
      sub: row.user_id,
      sid: row.session_id,
      iss: services.issuer(deps.tenant.slug),
      iat: Math.floor(new Date(row.created_at).getTime() / 1000),
      exp: Math.floor(new Date(row.expires_at).getTime() / 1000),
    });
  }
  try {
    const { claims, tenantId } = await tokenServicesOf(deps).verifier.verify(params.token);
    if (tenantId !== deps.tenant.id) return inactive;
    return oauthOk({ active: true, token_type: 'Bearer', ...claims });
  } catch {
    // Rejected, or revocation unknown: never say active when we cannot be sure.
    return inactive;
  }
}

/**
 * RFC 7009: revokes a refresh token (and its session: the whole family and its access tokens) or
 * an access token (until it expires). Unknown, invalid or other tenants' tokens still answer 200.
 */
export async function revocationEndpoint(deps: OAuthDeps, params: FormParams, authorization: string | undefined): Promise<OAuthResponse> {
  const client = await authenticateClient(deps.em, deps.tenant.id, params, authorization, deps.services);
  if (client.kind === 'failed') return client.response;
  if (!params.token) return oauthError('invalid_request', 'token is required');
  const done = oauthOk(undefined);
  if (params.token.startsWith(REFRESH_TOKEN_PREFIX)) {
    const [row] = await deps.em.execute<{ session_id: string; user_id: string; client_id: string | null }[]>(
      `select r.session_id, s.user_id, s.client_id from refresh_tokens r join sessions s on s.id = r.session_id where r.token_hash = ? and r.tenant_id = ?`,
      [sha256(params.token), deps.tenant.id],
    );
    // RFC 7009 §2.1: an application's token is revoked only by that application.
    if (row?.client_id && row.client_id !== presentedClientId(client)) return oauthError('unauthorized_client', 'The token was not issued to this client');
    if (row) await revokeSessionById(deps, row.user_id, row.session_id, 'revoked_by_client');
    return done;
  }
  const services = tokenServicesOf(deps);
  try {
    // Any audience: an application's token for its own API is revocable too.
    const { claims, tenantId } = await services.verifier.verify(params.token, { audience: [services.audience, ...audiencesOf(params.token)] });
    if (tenantId !== deps.tenant.id) return done;
    if (claims.sid && claims.client_id && claims.client_id !== presentedClientId(client)) return oauthError('unauthorized_client', 'The token was not issued to this client');
    await withRevocations(deps, async (tx, revoke) => {
      await revoke([{ key: `jti:${claims.jti}`, tenantId, expiresAt: new Date((claims.exp + 60) * 1000) }]);
      recordEvent(tx, { type: claims.client_id ? 'machine_client' : 'user', id: claims.sub, ip: deps.request.ip, userAgent: deps.request.userAgent, requestId: deps.request.requestId }, AuthEvents.of('access_token.revoked', {
        tenantId,
        target: { type: 'access_token', id: claims.jti },
        data: { tokenId: claims.jti, sessionId: claims.sid ?? null, clientId: claims.client_id ?? null },
      }));
      await tx.flush();
    });
  } catch (error) {
    if (!(error instanceof AccessTokenRejected)) throw error;
  }
  return done;
}

/** The `aud` a JWT claims (unverified: the signature, issuer and tenant are checked by the verifier). */
function audiencesOf(token: string): string[] {
  try {
    const aud = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown }).aud;
    return (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string');
  } catch {
    return [];
  }
}

/** Ends one session of `userId` with an audit event; false when it was not live. */
export async function revokeSessionById(deps: Pick<OAuthDeps, 'em' | 'tenant' | 'request' | 'services'>, userId: string, sessionId: string, reason: string, actor?: Actor): Promise<boolean> {
  return withRevocations(deps, async (tx, revoke) => {
    const ended = await revokeSessions(tx, revoke, { userId, sessionIds: [sessionId] }, reason);
    if (ended.length === 0) return false;
    recordEvent(tx, actor ?? { type: 'user', id: userId, ip: deps.request.ip, userAgent: deps.request.userAgent, requestId: deps.request.requestId }, AuthEvents.of('session.revoked', {
      tenantId: deps.tenant.id,
      target: { type: 'session', id: sessionId },
      data: { sessionId, userId, reason },
    }));
    await tx.flush();
    return true;
  });
}
