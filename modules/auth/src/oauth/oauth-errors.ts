/**
 * OAuth endpoints answer in RFC 6749 §5.2's shape (`{error, error_description}`), not Plinto's
 * `{error:{code,...}}`: standard client libraries parse exactly this.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'temporarily_unavailable';

export interface OAuthResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function oauthError(error: OAuthErrorCode, description: string, status = 400): OAuthResponse {
  const headers: Record<string, string> = { ...NO_STORE };
  // RFC 6749 §5.2: a failed client authentication via the Authorization header answers 401 with a challenge.
  if (status === 401) headers['www-authenticate'] = 'Basic realm="plinto", charset="UTF-8"';
  return { status, headers, body: { error, error_description: description } };
}

export const oauthOk = (body: unknown): OAuthResponse => ({ status: 200, headers: { ...NO_STORE }, body });
