import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { SocialErrors } from './errors';
import { providerRequest } from './provider-http';

export const PROVIDERS = ['google', 'github', 'microsoft', 'oidc'] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

/** Where each preset lives, and what it is asked for. GitHub is OAuth 2 without OpenID Connect. */
export const PRESETS: Record<ProviderKind, { issuer?: string; endpoints?: Record<string, string>; scopes: string[]; name: string }> = {
  google: { issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'], name: 'Google' },
  // `common` accepts work, school and personal accounts; each token's issuer names its directory.
  microsoft: { issuer: 'https://login.microsoftonline.com/common/v2.0', scopes: ['openid', 'email', 'profile'], name: 'Microsoft' },
  github: {
    endpoints: { authorization: 'https://github.com/login/oauth/authorize', token: 'https://github.com/login/oauth/access_token', api: 'https://api.github.com' },
    scopes: ['read:user', 'user:email'],
    name: 'GitHub',
  },
  oidc: { scopes: ['openid', 'email', 'profile'], name: 'OpenID Connect' },
};

export interface ConnectionConfig {
  provider: ProviderKind;
  clientId: string;
  clientSecret: string;
  issuer: string | null;
  endpoints: Record<string, string>;
  scopes: string[];
}

/** What the provider says about the person, and whether it vouches for the email address. */
export interface ExternalProfile {
  subject: string;
  email: string | null;
  /** True only when the provider vouches for the address (the linking rules depend on it). */
  emailVerified: boolean;
  name: string | null;
}

interface Endpoints {
  authorization: string;
  token: string;
  jwks?: string;
  /** The issuer tokens must carry; `{tenantid}` is filled from the token (Microsoft's multi-tenant endpoints). */
  issuer?: string;
  api?: string;
}

const b64url = (buf: Buffer) => buf.toString('base64url');
export const randomVerifier = () => b64url(randomBytes(32));
export const pkceChallenge = (verifier: string) => b64url(createHash('sha256').update(verifier).digest());

const discoveryCache = new Map<string, { at: number; endpoints: Endpoints }>();
const jwksCache = new Map<string, { at: number; jwks: JSONWebKeySet }>();
const CACHE_MS = 5 * 60_000;

/**
 * Microsoft's multi-tenant endpoints (`/common/v2.0`, `/organizations/v2.0`) publish an issuer
 * template, `https://login.microsoftonline.com/{tenantid}/v2.0`: each token's issuer names the
 * directory of the account. Accepted only for a Microsoft connection, and only on the origin of
 * the issuer it was configured with (the template cannot move tokens to another host).
 */
const isIssuerTemplate = (c: ConnectionConfig, configured: string, named: string) =>
  c.provider === 'microsoft' && /^[^{}]*\{tenantid\}[^{}]*$/.test(named) && URL.canParse(named.replace('{tenantid}', 'x')) && new URL(named.replace('{tenantid}', 'x')).origin === new URL(configured).origin;

/** A Microsoft directory (tenant) id: a GUID. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The provider's endpoints: GitHub's (preset or overridden), or the issuer's discovery document. */
async function endpointsOf(c: ConnectionConfig, allowedHosts: string[]): Promise<Endpoints> {
  if (c.provider === 'github') {
    const e = { ...PRESETS.github.endpoints, ...c.endpoints };
    return { authorization: e.authorization!, token: e.token!, api: e.api! };
  }
  const issuer = (c.issuer ?? PRESETS[c.provider].issuer)!.replace(/\/+$/, '');
  // Keyed by provider too: whether an issuer template is acceptable depends on it.
  const cacheKey = `${c.provider} ${issuer}`;
  const cached = discoveryCache.get(cacheKey);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.endpoints;
  const res = await providerRequest(`${issuer}/.well-known/openid-configuration`, {}, allowedHosts);
  const doc = res.json as Record<string, unknown> | null;
  if (res.status !== 200 || !doc || typeof doc.authorization_endpoint !== 'string' || typeof doc.token_endpoint !== 'string' || typeof doc.jwks_uri !== 'string') {
    throw SocialErrors.PROVIDER_UNREACHABLE({ message: "The identity provider's discovery document is missing or incomplete" });
  }
  // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for (Microsoft's
  // multi-tenant documents name a template instead, filled from each token's `tid`).
  const named = String(doc.issuer ?? '').replace(/\/+$/, '');
  if (named !== issuer && !isIssuerTemplate(c, issuer, named)) {
    throw SocialErrors.PROVIDER_UNREACHABLE({ message: 'The discovery document names another issuer' });
  }
  const endpoints = { authorization: doc.authorization_endpoint, token: doc.token_endpoint, jwks: doc.jwks_uri, issuer: named };
  discoveryCache.set(cacheKey, { at: Date.now(), endpoints });
  return endpoints;
}

export async function authorizationUrl(c: ConnectionConfig, allowedHosts: string[], p: { redirectUri: string; state: string; nonce: string; codeVerifier: string }): Promise<string> {
  const e = await endpointsOf(c, allowedHosts);
  const url = new URL(e.authorization);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', c.clientId);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('scope', c.scopes.join(' '));
  url.searchParams.set('state', p.state);
  url.searchParams.set('code_challenge', pkceChallenge(p.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (c.provider !== 'github') url.searchParams.set('nonce', p.nonce);
  return url.toString();
}

async function jwksOf(uri: string, allowedHosts: string[], fresh: boolean): Promise<JSONWebKeySet> {
  const cached = jwksCache.get(uri);
  if (!fresh && cached && Date.now() - cached.at < CACHE_MS) return cached.jwks;
  const res = await providerRequest(uri, {}, allowedHosts);
  const jwks = res.json as JSONWebKeySet | null;
  if (res.status !== 200 || !jwks || !Array.isArray(jwks.keys)) throw SocialErrors.PROVIDER_UNREACHABLE({ message: "The identity provider's JWKS could not be read" });
  jwksCache.set(uri, { at: Date.now(), jwks });
  return jwks;
}

/** Reason codes of refused ID tokens, for the audit log and the error's details. */
export class IdTokenRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * The ID token, verified: signature by a key of the issuer's JWKS (refetched once for an unknown
 * key: the provider rotated), issuer, audience (our client id), expiry, and the nonce this flow
 * sent — so a token minted for another client, by another issuer or for another flow is refused.
 */
async function verifiedIdToken(c: ConnectionConfig, e: Endpoints, idToken: string, nonce: string, allowedHosts: string[]) {
  let expectedIssuer = e.issuer!;
  if (expectedIssuer.includes('{tenantid}')) {
    // The template filled with the token's own `tid`; the signature check below covers both claims,
    // so a token whose `iss` names another directory than its `tid` is refused.
    let tid: unknown;
    try {
      tid = decodeJwt(idToken).tid;
    } catch {
      throw new IdTokenRefused('signature');
    }
    if (typeof tid !== 'string' || !TENANT_ID.test(tid)) throw new IdTokenRefused('issuer');
    expectedIssuer = expectedIssuer.replace('{tenantid}', tid);
  }
  const verify = async (fresh: boolean) => jwtVerify(idToken, createLocalJWKSet(await jwksOf(e.jwks!, allowedHosts, fresh)), { issuer: expectedIssuer, audience: c.clientId, clockTolerance: 60 });
  let payload;
  try {
    payload = (await verify(false).catch(async (error: { code?: string }) => {
      if (error.code === 'ERR_JWKS_NO_MATCHING_KEY') return verify(true);
      throw error;
    })).payload;
  } catch (error) {
    const claim = (error as { claim?: string; code?: string }).claim;
    throw new IdTokenRefused(claim === 'iss' ? 'issuer' : claim === 'aud' ? 'audience' : (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'signature');
  }
  if (payload.nonce !== nonce) throw new IdTokenRefused('nonce');
  return payload;
}

/** Whether the OIDC provider vouches for the email claim (the issue's linking rules). */
function vouchedEmail(provider: ProviderKind, claims: Record<string, unknown>): boolean {
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
  if (!email) return false;
  // Microsoft's `email` is whatever the account's admin typed unless its domain owner is verified.
  if (provider === 'microsoft') {
    const verified = claims.verified_primary_email;
    return claims.xms_edov === true || claims.xms_edov === 1 || claims.xms_edov === '1' || (Array.isArray(verified) && verified.map((v) => String(v).toLowerCase()).includes(email));
  }
  return claims.email_verified === true || claims.email_verified === 'true';
}

/**
 * Exchanges the code (with the PKCE verifier of this flow) and reads who signed in: from the
 * verified ID token (OIDC), or GitHub's API (its user, and its primary address only if verified).
 */
export async function profileFromCode(c: ConnectionConfig, allowedHosts: string[], p: { code: string; redirectUri: string; codeVerifier: string; nonce: string }): Promise<ExternalProfile> {
  const e = await endpointsOf(c, allowedHosts);
  const res = await providerRequest(
    e.token,
    {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64')}` },
      form: { grant_type: 'authorization_code', code: p.code, redirect_uri: p.redirectUri, code_verifier: p.codeVerifier, client_id: c.clientId },
    },
    allowedHosts,
  );
  const tokens = res.json as Record<string, unknown> | null;
  if (res.status !== 200 || !tokens || typeof tokens.access_token !== 'string') {
    throw SocialErrors.SOCIAL_PROVIDER_ERROR({ details: { reason: 'code_exchange_failed', providerError: typeof tokens?.error === 'string' ? tokens.error : null } });
  }
  if (c.provider === 'github') return githubProfile(e.api!, tokens.access_token, allowedHosts);
  if (typeof tokens.id_token !== 'string') throw new IdTokenRefused('missing');
  const claims = await verifiedIdToken(c, e, tokens.id_token, p.nonce, allowedHosts);
  if (typeof claims.sub !== 'string' || !claims.sub) throw new IdTokenRefused('subject');
  return {
    subject: claims.sub,
    email: typeof claims.email === 'string' ? claims.email.toLowerCase() : null,
    emailVerified: vouchedEmail(c.provider, claims),
    name: typeof claims.name === 'string' ? claims.name : null,
  };
}

async function githubProfile(api: string, accessToken: string, allowedHosts: string[]): Promise<ExternalProfile> {
  const headers = { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json' };
  const [user, emails] = await Promise.all([providerRequest(`${api}/user`, { headers }, allowedHosts), providerRequest(`${api}/user/emails`, { headers }, allowedHosts)]);
  const u = user.json as { id?: number | string; name?: string | null; login?: string } | null;
  if (user.status !== 200 || !u || u.id === undefined) throw SocialErrors.SOCIAL_PROVIDER_ERROR({ details: { reason: 'profile_unavailable' } });
  const list = emails.status === 200 && Array.isArray(emails.json) ? (emails.json as { email: string; primary: boolean; verified: boolean }[]) : [];
  // Only the primary address, and only when GitHub verified it.
  const primary = list.find((e) => e.primary);
  return { subject: String(u.id), email: primary?.email.toLowerCase() ?? null, emailVerified: primary?.verified === true, name: u.name ?? u.login ?? null };
}
