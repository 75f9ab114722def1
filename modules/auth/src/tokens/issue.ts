import { z } from 'zod';
import type { TenantRef } from '@plinto/kernel';
import type { TokenServices } from './services';

/** OAuth 2.0 token response fields (RFC 6749 §5.1), used by every response that issues tokens. */
export const tokenResponseShape = {
  access_token: z.string().describe('JWT access token (typ at+jwt): send as `Authorization: Bearer <token>`'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('Seconds until the access token expires'),
  refresh_token: z.string().describe('Opaque refresh token; rotated on every use (POST /t/{tenant}/oauth/token)'),
};

export interface SessionTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

/** An access token for a session's user, paired with the session's (new) refresh token. */
export async function sessionTokens(
  tokens: TokenServices,
  tenant: Pick<TenantRef, 'id' | 'slug'>,
  session: { id: string; userId: string; amr: string[]; aal: number; organizationId?: string | null; organizationRole?: string | null },
  refreshToken: string,
): Promise<SessionTokens> {
  const access = await tokens.issueAccessToken(tenant, {
    sub: session.userId,
    sid: session.id,
    amr: session.amr,
    aal: session.aal,
    organizationId: session.organizationId,
    organizationRole: session.organizationRole,
  });
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, refresh_token: refreshToken };
}

/** Access tokens without a new refresh token (switching organization keeps the session's refresh family). */
export const accessTokenShape = { access_token: tokenResponseShape.access_token, token_type: tokenResponseShape.token_type, expires_in: tokenResponseShape.expires_in };

export interface AccessTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}
