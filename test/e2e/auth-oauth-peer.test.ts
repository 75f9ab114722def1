import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { signedInUser, startTestApi, type TestApi } from '../src';
import { sql } from './auth-helpers';

/**
 * A standard OAuth client library (openid-client), configured only from a tenant's discovery
 * document, against the real api: refresh, client credentials, introspection and revocation, with
 * both client authentication methods. A third-party resource server verifies the access tokens
 * with the published JWKS (jose's remote key set), as it would in production.
 */
let api: TestApi;
let issuer: string;
let client: { clientId: string; clientSecret: string; id: string };

const insecure = { execute: [oidc.allowInsecureRequests] };

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme' } })).status).toBe(201);
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'other', name: 'Other' } })).status).toBe(201);
  issuer = `${api.url}/t/acme`;
  const created = await api.rest('POST', '/v1/clients', { tenant: 'acme', body: { name: 'billing-service', roles: ['viewer'], scopes: ['invoices:read', 'invoices:write'] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  client = created.body;
});

const confidential = (auth: 'basic' | 'post') =>
  oidc.discovery(new URL(issuer), client.clientId, undefined, auth === 'basic' ? oidc.ClientSecretBasic(client.clientSecret) : oidc.ClientSecretPost(client.clientSecret), insecure);

describe('discovery and keys', () => {
  it('publishes a discovery document whose issuer, endpoints and JWKS a client library accepts', async () => {
    const config = await confidential('basic');
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(issuer);
    expect(meta.token_endpoint).toBe(`${issuer}/oauth/token`);
    expect(meta.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    const jwks = await fetch(meta.jwks_uri!);
    expect(jwks.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const { keys } = await jwks.json();
    // The access-token key, then the RS256 key that signs ID tokens only (see the oidc tests).
    expect(keys.map((k: { alg: string }) => k.alg)).toEqual(['EdDSA', 'RS256']);
    expect(keys[1].d).toBeUndefined();
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String) });
    expect(keys[0].d).toBeUndefined();
    // The private key is sealed at rest: its JWK `d` is nowhere in the row.
    const [row] = await sql(api, `select private_key_sealed from signing_keys where kid = $1`, [keys[0].kid]);
    expect(row.private_key_sealed).toMatch(/^v1\./);
    expect(row.private_key_sealed).not.toContain('"d"');
    // Every tenant has its own issuer and keys.
    const other = await (await fetch(`${api.url}/t/other/.well-known/jwks.json`)).json();
    expect(other.keys[0].kid).not.toBe(keys[0].kid);
    expect((await fetch(`${api.url}/t/nope/.well-known/openid-configuration`)).status).toBe(404);
  });
});

describe('refresh_token grant', () => {
  it('rotates the refresh token through openid-client; a resource server verifies the access token with the JWKS', async () => {
    const user = await signedInUser(api, { email: 'ann@acme.test', tenant: 'acme' });
    const signIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: 'acme', body: { email: user.email, password: user.password } });
    const publicClient = await oidc.discovery(new URL(issuer), 'acme-web', undefined, oidc.None(), insecure);
    const refreshed = await oidc.refreshTokenGrant(publicClient, signIn.body.refresh_token);
    expect(refreshed.token_type).toBe('bearer');
    expect(refreshed.expires_in).toBe(600);
    expect(refreshed.refresh_token).toMatch(/^plr_/);
    expect(refreshed.refresh_token).not.toBe(signIn.body.refresh_token);

    const jwks = createRemoteJWKSet(new URL(publicClient.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(refreshed.access_token, jwks, { issuer, audience: api.config.PUBLIC_URL, typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload).toMatchObject({ sub: user.id, sid: signIn.body.session_id, amr: ['pwd'], aal: 1 });
    expect((await api.rest('GET', '/v1/me', { token: refreshed.access_token })).body).toMatchObject({ kind: 'user', id: user.id, session: { id: signIn.body.session_id } });
    // The old refresh token is spent (outside the grace window it would revoke the family; see the attack tests).
    const rows = await sql(api, `select status from refresh_tokens where session_id = $1 order by created_at`, [signIn.body.session_id]);
    expect(rows.map((r) => r.status)).toEqual(['rotated', 'active']);
  });

  it('answers RFC 6749 errors a client library understands', async () => {
    const publicClient = await oidc.discovery(new URL(issuer), 'acme-web', undefined, oidc.None(), insecure);
    const failure = await oidc.refreshTokenGrant(publicClient, 'plr_not-a-real-token-at-all-0000000000000').catch((e) => e);
    expect(failure).toBeInstanceOf(oidc.ResponseBodyError);
    expect(failure.error).toBe('invalid_grant');
    const raw = await fetch(`${issuer}/oauth/token`, { method: 'POST', body: JSON.stringify({ grant_type: 'refresh_token' }), headers: { 'content-type': 'application/json' } });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: 'invalid_request' });
    const unsupported = await fetch(`${issuer}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password' }) });
    expect(await unsupported.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect(unsupported.headers.get('cache-control')).toBe('no-store');
  });
});

describe('client_credentials grant', () => {
  for (const auth of ['basic', 'post'] as const) {
    it(`issues a machine token with client_secret_${auth}; the token acts with the client's roles`, async () => {
      const config = await confidential(auth);
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'invoices:read' });
      expect(tokens.scope).toBe('invoices:read');
      expect(tokens.refresh_token).toBeUndefined();
      const me = await api.rest('GET', '/v1/me', { token: tokens.access_token });
      expect(me.body).toMatchObject({ kind: 'machine_client', id: client.id, roles: ['viewer'] });
      // viewer may not manage users.
      expect((await api.rest('PATCH', `/v1/users/${client.id}`, { token: tokens.access_token, body: { displayName: 'x' } })).status).toBe(403);
    });
  }

  it('refuses a wrong secret (401 invalid_client), a scope the client lacks, and another tenant\'s client', async () => {
    const wrong = await oidc.discovery(new URL(issuer), client.clientId, undefined, oidc.ClientSecretBasic('cs_wrong'), insecure);
    // RFC 6749 §5.2: 401 with a Basic challenge, which the library surfaces as such.
    const failure = await oidc.clientCredentialsGrant(wrong).catch((e) => e);
    expect(failure).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect(failure.status).toBe(401);
    const raw = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:cs_wrong`).toString('base64')}` },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ error: 'invalid_client' });
    const scoped = await oidc.clientCredentialsGrant(await confidential('post'), { scope: 'admin:everything' }).catch((e) => e);
    expect(scoped.error).toBe('invalid_scope');
    const elsewhere = await oidc.discovery(new URL(`${api.url}/t/other`), client.clientId, undefined, oidc.ClientSecretBasic(client.clientSecret), insecure);
    expect((await oidc.clientCredentialsGrant(elsewhere).catch((e) => e)).status).toBe(401);
  });

  it('stops accepting a revoked client\'s tokens', async () => {
    const created = await api.rest('POST', '/v1/clients', { tenant: 'acme', body: { name: 'short-lived', roles: ['viewer'] } });
    const config = await oidc.discovery(new URL(issuer), created.body.clientId, undefined, oidc.ClientSecretPost(created.body.clientSecret), insecure);
    const tokens = await oidc.clientCredentialsGrant(config);
    expect((await api.rest('GET', '/v1/me', { token: tokens.access_token })).status).toBe(200);
    expect((await api.rest('DELETE', `/v1/clients/${created.body.id}`, { tenant: 'acme' })).status).toBe(200);
    expect((await api.rest('GET', '/v1/me', { token: tokens.access_token })).status).toBe(401);
  });
});

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  it('introspects access and refresh tokens; anything inactive or foreign is just {active:false}', async () => {
    const config = await confidential('basic');
    const user = await signedInUser(api, { email: 'bo@acme.test', tenant: 'acme' });
    const signIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: 'acme', body: { email: user.email, password: user.password } });
    const access = await oidc.tokenIntrospection(config, signIn.body.access_token);
    expect(access).toMatchObject({ active: true, sub: user.id, iss: issuer, token_type: 'Bearer', sid: signIn.body.session_id });
    const refresh = await oidc.tokenIntrospection(config, signIn.body.refresh_token);
    expect(refresh).toMatchObject({ active: true, token_type: 'refresh_token', sub: user.id });
    expect(await oidc.tokenIntrospection(config, 'garbage')).toEqual({ active: false });
    // A token of another tenant is not active here.
    const stranger = await signedInUser(api, { email: 'x@other.test', tenant: 'other' });
    expect(await oidc.tokenIntrospection(config, stranger.token)).toEqual({ active: false });
    // Introspection needs client authentication.
    const anonymous = await fetch(`${issuer}/oauth/introspect`, { method: 'POST', body: new URLSearchParams({ token: signIn.body.access_token }) });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('revokes a refresh token (its session: refresh family and access tokens) and an access token; unknown tokens get 200', async () => {
    const config = await confidential('post');
    const user = await signedInUser(api, { email: 'cy@acme.test', tenant: 'acme' });
    const signIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: 'acme', body: { email: user.email, password: user.password } });
    await oidc.tokenRevocation(config, signIn.body.refresh_token);
    expect(await oidc.tokenIntrospection(config, signIn.body.refresh_token)).toEqual({ active: false });
    expect((await api.rest('GET', '/v1/me', { token: signIn.body.access_token })).status).toBe(401);
    const [session] = await sql(api, `select revoked_reason from sessions where id = $1`, [signIn.body.session_id]);
    expect(session.revoked_reason).toBe('revoked_by_client');

    // An access token alone: only it stops working; the session goes on.
    expect((await api.rest('GET', '/v1/me', { token: user.token })).status).toBe(200);
    await oidc.tokenRevocation(config, user.token);
    expect((await api.rest('GET', '/v1/me', { token: user.token })).status).toBe(401);
    expect(await oidc.tokenIntrospection(config, user.token)).toEqual({ active: false });

    await expect(oidc.tokenRevocation(config, 'plr_unknown-token-0000000000000000000000')).resolves.toBeUndefined();
    const actions = (await sql(api, `select action from audit_events where action in ('session.revoked', 'access_token.revoked')`)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['session.revoked', 'access_token.revoked']));
  });
});
