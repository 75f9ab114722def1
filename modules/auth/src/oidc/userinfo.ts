import { AccessTokenRejected } from '@plinto/kernel';
import { tokenServicesOf } from '../tokens/services';
import type { OAuthDeps } from '../oauth/endpoints';
import type { OAuthResponse } from '../oauth/oauth-errors';
import { parseScope, userClaims } from './scopes';
import { userinfoAudience } from './tokens';

/** RFC 6750 §3: a bearer error names itself in the challenge. */
function bearerError(status: 401 | 403, error: 'invalid_token' | 'insufficient_scope' | 'invalid_request', description: string): OAuthResponse {
  return {
    status,
    headers: { 'cache-control': 'no-store', 'www-authenticate': `Bearer realm="plinto", error="${error}", error_description="${description}"` },
    body: { error, error_description: description },
  };
}

/**
 * OIDC Core §5.3 userinfo: the claims of the token's user that its scopes release. Takes access
 * tokens for Plinto's API or for userinfo itself (third-party applications' default audience),
 * of this tenant, with the `openid` scope, whose session is live and whose user is not disabled.
 */
export async function userinfoEndpoint(deps: OAuthDeps, authorization: string | undefined, bodyToken?: string): Promise<OAuthResponse> {
  const header = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (header && bodyToken) return bearerError(401, 'invalid_request', 'Send the token once');
  const token = header ?? bodyToken;
  if (!token) return { status: 401, headers: { 'cache-control': 'no-store', 'www-authenticate': 'Bearer realm="plinto"' }, body: { error: 'invalid_token', error_description: 'An access token is required' } };
  const tokens = tokenServicesOf(deps);
  let verified;
  try {
    verified = await tokens.verifier.verify(token, { audience: [tokens.audience, userinfoAudience(tokens.issuer(deps.tenant.slug))] });
  } catch (error) {
    if (error instanceof AccessTokenRejected) return bearerError(401, 'invalid_token', 'The access token is invalid, expired or revoked');
    throw error;
  }
  const { claims, tenantId } = verified;
  if (tenantId !== deps.tenant.id || !claims.sid) return bearerError(401, 'invalid_token', 'The access token is not a user token of this issuer');
  const scope = parseScope(claims.scope);
  if (!scope.includes('openid')) return bearerError(403, 'insufficient_scope', 'The token lacks the openid scope');
  const [user] = await deps.em.execute<{ id: string; email: string; display_name: string | null; email_verified_at: Date | null; updated_at: Date; disabled_at: Date | null }[]>(
    `select u.id, u.email, u.display_name, u.email_verified_at, u.updated_at, u.disabled_at
       from users u join sessions s on s.user_id = u.id
      where u.id = ? and s.id = ? and u.tenant_id = ? and s.revoked_at is null`,
    [claims.sub, claims.sid, tenantId],
  );
  if (!user || user.disabled_at) return bearerError(401, 'invalid_token', 'The session or user is no longer active');
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: userClaims({ id: user.id, email: user.email, displayName: user.display_name, emailVerifiedAt: user.email_verified_at, updatedAt: new Date(user.updated_at) }, scope),
  };
}
