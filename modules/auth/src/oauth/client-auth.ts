import type { EntityManager, ServiceRegistry } from '@plinto/kernel';
import { safeEqual, sha256 } from '@plinto/kernel';
import { verifyClientSecret, type MachineClientRef } from '../credentials';
import { activeApplication, isApplicationClientId, type ApplicationRow } from '../oidc/applications.service';
import { liveApplication } from '../oidc/application-cache';
import { oauthError, type OAuthResponse } from './oauth-errors';

export type FormParams = Record<string, string | undefined>;

export type ClientAuthentication =
  | { kind: 'none' }
  | { kind: 'public'; clientId: string }
  | { kind: 'confidential'; client: MachineClientRef; method: 'client_secret_basic' | 'client_secret_post' }
  /** An OpenID Connect application: authenticated by its secret, or public (none) when it has no secret. */
  | { kind: 'application'; app: ApplicationRow; method: 'client_secret_basic' | 'client_secret_post' | 'none' }
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
  if (isApplicationClientId(id)) return authenticateApplication(em, tenantId, id, secret, basic ? 'client_secret_basic' : 'client_secret_post', services);
  if (secret === undefined) return { kind: 'public', clientId: id };
  const client = await verifyClientSecret(em, tenantId, id, secret, undefined, services);
  if (!client) return { kind: 'failed', response: oauthError('invalid_client', 'Client authentication failed', 401) };
  return { kind: 'confidential', client, method: basic ? 'client_secret_basic' : 'client_secret_post' };
}

const NO_SECRET = sha256('no application secret');

/**
 * An application authenticates with its secret when it has one (web), and with none when it has
 * none (SPA, native): a confidential application naming only its client_id is refused, and so is a
 * public one sending a secret it was never given. Unknown, revoked or another tenant's: invalid_client.
 */
async function authenticateApplication(em: EntityManager, tenantId: string, clientId: string, secret: string | undefined, method: 'client_secret_basic' | 'client_secret_post', services?: ServiceRegistry): Promise<ClientAuthentication> {
  const secretHash = secret === undefined ? undefined : sha256(secret);
  // Remembered applications need the revocation list (the process's token services); a secret
  // other than the remembered one is checked against the database (it may have been rotated).
  let app = services ? await liveApplication({ em, services }, tenantId, clientId) : await activeApplication(em, tenantId, clientId);
  if (services && app && secretHash !== undefined && !safeEqual(secretHash, app.secretHash ?? NO_SECRET)) app = await liveApplication({ em, services }, tenantId, clientId, { fromDatabase: true });
  const failed: ClientAuthentication = { kind: 'failed', response: oauthError('invalid_client', 'Client authentication failed', 401) };
  if (!app) return failed;
  if (app.secretHash === null) return secret === undefined ? { kind: 'application', app, method: 'none' } : failed;
  if (secret === undefined) return failed;
  const matches = safeEqual(secretHash!, app.secretHash ?? NO_SECRET);
  return matches ? { kind: 'application', app, method } : failed;
}

/**
 * Who presents a refresh token, for the binding check (RFC 6749 §6): an application or machine
 * client by its client_id; null for no client, or a client_id that names no registered client
 * (first-party apps refreshing their own sessions, as before applications existed).
 */
export function presentedClientId(client: ClientAuthentication): string | null {
  if (client.kind === 'application') return client.app.clientId;
  if (client.kind === 'confidential') return client.client.clientId;
  return null;
}
