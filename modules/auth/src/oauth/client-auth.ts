import type { EntityManager, ServiceRegistry } from '@plinto/kernel';
import { verifyClientSecret, type MachineClientRef } from '../credentials';
import { oauthError, type OAuthResponse } from './oauth-errors';

export type FormParams = Record<string, string | undefined>;

export type ClientAuthentication =
  | { kind: 'none' }
  | { kind: 'public'; clientId: string }
  | { kind: 'confidential'; client: MachineClientRef; method: 'client_secret_basic' | 'client_secret_post' }
  | { kind: 'failed'; response: OAuthResponse };

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are put in Basic. */
function decodeBasic(header: string | undefined): { id: string; secret: string } | null | 'malformed' {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return /^Basic\b/i.test(header) ? 'malformed' : null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}

/**
 * Client authentication by `client_secret_basic` or `client_secret_post` (exactly one of them), or
 * a public client naming only its `client_id`. A wrong secret is `invalid_client` (401), whatever
 * the reason — unknown, revoked, other tenant — so nothing is learnt from the answer.
 */
export async function authenticateClient(em: EntityManager, tenantId: string, params: FormParams, authorization: string | undefined, services?: ServiceRegistry): Promise<ClientAuthentication> {
  const basic = decodeBasic(authorization);
  if (basic === 'malformed') return { kind: 'failed', response: oauthError('invalid_client', 'Malformed Basic credentials', 401) };
  const posted = params.client_secret !== undefined;
  if (basic && (posted || (params.client_id !== undefined && params.client_id !== basic.id))) {
    return { kind: 'failed', response: oauthError('invalid_request', 'Use one client authentication method') };
  }
  const id = basic?.id ?? params.client_id;
  const secret = basic?.secret ?? params.client_secret;
  if (!id) return { kind: 'none' };
  if (secret === undefined) return { kind: 'public', clientId: id };
  const client = await verifyClientSecret(em, tenantId, id, secret, undefined, services);
  if (!client) return { kind: 'failed', response: oauthError('invalid_client', 'Client authentication failed', 401) };
  return { kind: 'confidential', client, method: basic ? 'client_secret_basic' : 'client_secret_post' };
}
