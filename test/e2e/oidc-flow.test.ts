import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { sql } from './auth-helpers';
import { authorizationRequest, codeCallback, CookieBrowser, newUser, registerApplication, relyingParty, type Application } from './oidc-support';

/**
 * An unmodified relying party (openid-client v6, configured from discovery only) signs a user in
 * through Plinto: authorization code + PKCE through the hosted sign-in step, ID/access/refresh
 * tokens, userinfo, refresh, RP-initiated logout; consent for a third-party application; prompt,
 * max_age and resource indicators.
 */
let api: TestApi;
let issuer: string;
let web: Application;
let thirdParty: Application;
let ann: SignedInUser;
const CALLBACK = 'http://127.0.0.1:4100/callback';
const SPA_CALLBACK = 'http://127.0.0.1:4200/cb';
const AFTER_LOGOUT = 'http://127.0.0.1:4100/bye';
const ORDERS_API = 'https://orders.acme.test';

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme' } })).status).toBe(201);
  issuer = `${api.url}/t/acme`;
  web = await registerApplication(api, 'acme', { name: 'Acme Web', type: 'web', firstParty: true, redirectUris: [CALLBACK], postLogoutRedirectUris: [AFTER_LOGOUT], resources: [ORDERS_API] });
  thirdParty = await registerApplication(api, 'acme', { name: 'Budget Buddy', type: 'spa', redirectUris: [SPA_CALLBACK], allowedOrigins: ['http://127.0.0.1:4200'], idTokenSignedResponseAlg: 'EdDSA' });
  ann = await newUser(api, 'acme', 'ann@acme.test');
});

describe('discovery', () => {
  it('is truthful: authorization, userinfo, end-session endpoints, S256 only, RS256 ID tokens', async () => {
    const meta = (await relyingParty(issuer, web)).serverMetadata();
    expect(meta).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      userinfo_endpoint: `${issuer}/oauth/userinfo`,
      end_session_endpoint: `${issuer}/oauth/end-session`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
    });
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
    for (const endpoint of [meta.authorization_endpoint, meta.userinfo_endpoint, meta.end_session_endpoint]) {
      expect((await fetch(endpoint!, { redirect: 'manual' })).status, endpoint).not.toBe(404);
    }
  });
});

describe('authorization code + PKCE with openid-client (first-party web application)', () => {
  it('signs in through the hosted sign-in step, gets tokens, reads userinfo, refreshes and logs out', async () => {
    const config = await relyingParty(issuer, web);
    const browser = new CookieBrowser(api.url);
    const attempt = await authorizationRequest(config, CALLBACK);

    // No session: the browser is sent to the hosted sign-in page, which comes back to authorize.
    const first = await browser.navigate(attempt.url.href);
    expect(first.location).toMatch(new RegExp(`^${issuer}/sign-in\\?return_to=`));
    const returnTo = new URL(first.location!).searchParams.get('return_to')!;
    expect(returnTo.startsWith('/t/acme/oauth/authorize?')).toBe(true);
    // login_hint reaches the sign-in page, to pre-fill the form.
    const hinted = await browser.navigate((await authorizationRequest(config, CALLBACK, { login_hint: 'ann@acme.test' })).url.href);
    expect(new URL(hinted.location!).searchParams.get('login_hint')).toBe('ann@acme.test');
    const next = await browser.signIn('acme', ann, returnTo);
    expect(next).toBe(returnTo);
    const { location } = await browser.navigate(`${api.url}${next}`);
    const callback = new URL(location!);
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe(attempt.state);
    expect(callback.searchParams.get('iss')).toBe(issuer);

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    expect(tokens.refresh_token).toMatch(/^plr_/);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: issuer, sub: ann.id, aud: web.clientId, nonce: attempt.nonce, amr: ['pwd'], email: 'ann@acme.test', email_verified: false });
    expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(120);
    // RS256 by default, verifiable with the published JWKS; at_hash binds the access token.
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer, audience: web.clientId });
    const digest = createHash('sha256').update(tokens.access_token).digest();
    expect(claims.at_hash).toBe(digest.subarray(0, 16).toString('base64url'));

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, ann.id);
    expect(userinfo).toMatchObject({ sub: ann.id, email: 'ann@acme.test', name: 'ann' });
    // A first-party application's token acts as the user on Plinto's own API.
    expect((await api.rest('GET', '/v1/me', { token: tokens.access_token })).body).toMatchObject({ kind: 'user', id: ann.id });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(ann.id);
    expect((await oidc.fetchUserInfo(config, refreshed.access_token, ann.id)).sub).toBe(ann.id);

    // RP-initiated logout: back to the registered URI with the state; the browser session is over.
    const logout = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye-state' });
    const ended = await browser.navigate(logout.href);
    const back = new URL(ended.location!);
    expect(back.origin + back.pathname).toBe(AFTER_LOGOUT);
    expect(back.searchParams.get('state')).toBe('bye-state');
    expect(browser.has('plinto_s_acme')).toBe(false);
    // The application's session ended with it.
    expect((await api.rest('GET', '/v1/me', { token: refreshed.access_token })).status).toBe(401);
    const silent = await authorizationRequest(config, CALLBACK, { prompt: 'none' });
    const again = new URL((await browser.navigate(silent.url.href)).location!);
    expect(again.searchParams.get('error')).toBe('login_required');
    expect(again.searchParams.get('state')).toBe(silent.state);
  });

  it('prompt=login and max_age=0 send a signed-in browser back to sign in; auth_time is the new sign-in', async () => {
    const config = await relyingParty(issuer, web);
    const browser = new CookieBrowser(api.url);
    await browser.signIn('acme', ann);
    for (const extra of [{ prompt: 'login' }, { max_age: '0' }]) {
      await new Promise((r) => setTimeout(r, 1100)); // auth_time has one-second resolution: the session must be older
      const attempt = await authorizationRequest(config, CALLBACK, extra);
      const first = await browser.navigate(attempt.url.href);
      expect(first.location, JSON.stringify(extra)).toMatch(/\/sign-in\?return_to=/);
      const returnTo = new URL(first.location!).searchParams.get('return_to')!;
      expect(returnTo).toContain('plinto_login_after=');
      // Coming back without signing in again does not pass.
      expect((await browser.navigate(`${api.url}${returnTo}`)).location).toMatch(/\/sign-in\?return_to=/);
      const { location } = await browser.navigate(`${api.url}${await browser.signIn('acme', ann, returnTo)}`);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(location!), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce, ...(extra.max_age ? { maxAge: 0 } : {}) });
      expect(tokens.claims()!.auth_time).toBeGreaterThanOrEqual(Number(new URLSearchParams(returnTo.split('?')[1]).get('plinto_login_after')) - 1);
    }
  });
});

describe('consent (third-party public application)', () => {
  it('asks once through the interaction API, remembers it, and forgets it when the user revokes it', async () => {
    const config = await relyingParty(issuer, thirdParty);
    const browser = new CookieBrowser(api.url);
    await browser.signIn('acme', ann);
    const attempt = await authorizationRequest(config, SPA_CALLBACK, { scope: 'openid email' });
    const { location } = await browser.navigate(attempt.url.href);
    expect(location).toMatch(new RegExp(`^${issuer}/consent\\?interaction=`));
    const interaction = new URL(location!).searchParams.get('interaction')!;

    const described = await browser.fetch(`${issuer}/oauth/interaction/${interaction}`);
    expect(await described.json()).toEqual({ client: { name: 'Budget Buddy' }, scopes: [expect.objectContaining({ name: 'openid' }), expect.objectContaining({ name: 'email' })], user: { email: 'ann@acme.test' } });
    // Another browser (no session, or another user's) learns nothing about it.
    expect((await fetch(`${issuer}/oauth/interaction/${interaction}`)).status).toBe(404);
    // The decision is a cookie-authenticated change: without the CSRF token it is refused.
    const forged = await browser.fetch(`${issuer}/oauth/interaction/${interaction}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: api.url }, body: JSON.stringify({ decision: 'allow' }) });
    expect(forged.status).toBe(403);
    const allowed = await browser.fetch(`${issuer}/oauth/interaction/${interaction}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: api.url, 'x-csrf-token': browser.csrfToken! },
      body: JSON.stringify({ decision: 'allow' }),
    });
    expect(allowed.status).toBe(200);
    const callback = new URL((await allowed.json()).redirectTo);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    // The application chose EdDSA ID tokens; no refresh token without offline_access.
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('EdDSA');
    expect(tokens.refresh_token).toBeUndefined();
    // A third party's token is for userinfo, not for acting as the user on Plinto's API.
    expect((await oidc.fetchUserInfo(config, tokens.access_token, ann.id)).email).toBe('ann@acme.test');
    expect((await api.rest('GET', '/v1/me', { token: tokens.access_token })).status).toBe(401);

    // Remembered: the next authorize goes straight back with a code.
    const second = await authorizationRequest(config, SPA_CALLBACK, { scope: 'openid email' });
    expect(new URL((await browser.navigate(second.url.href)).location!).searchParams.get('code')).toBeTruthy();
    // More scopes, or prompt=none with none remembered: asked again / consent_required.
    expect((await browser.navigate((await authorizationRequest(config, SPA_CALLBACK, { scope: 'openid profile' })).url.href)).location).toMatch(/\/consent\?/);
    const consents = await api.rest('GET', '/v1/me/consents', { token: ann.token, tenant: 'acme' });
    expect(consents.body).toEqual([expect.objectContaining({ clientId: thirdParty.clientId })]);
    expect(consents.body[0].scopes.sort()).toEqual(['email', 'openid']);
    expect((await api.rest('DELETE', `/v1/me/consents/${thirdParty.id}`, { token: ann.token, tenant: 'acme' })).status).toBe(200);
    // Revoking ends the application's sessions and the consent.
    expect((await oidc.fetchUserInfo(config, tokens.access_token, ann.id).catch((e) => e)).status).toBe(401);
    const silent = await authorizationRequest(config, SPA_CALLBACK, { scope: 'openid email', prompt: 'none' });
    expect(new URL((await browser.navigate(silent.url.href)).location!).searchParams.get('error')).toBe('consent_required');
  });

  it('deny answers the client with access_denied and the state', async () => {
    const config = await relyingParty(issuer, thirdParty);
    const browser = new CookieBrowser(api.url);
    await browser.signIn('acme', ann);
    const attempt = await authorizationRequest(config, SPA_CALLBACK, { prompt: 'consent' });
    const interaction = new URL((await browser.navigate(attempt.url.href)).location!).searchParams.get('interaction')!;
    const denied = await browser.fetch(`${issuer}/oauth/interaction/${interaction}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: api.url, 'x-csrf-token': browser.csrfToken! },
      body: JSON.stringify({ decision: 'deny' }),
    });
    const callback = new URL((await denied.json()).redirectTo);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(attempt.state);
    // Spent: deciding again is a 404.
    const twice = await browser.fetch(`${issuer}/oauth/interaction/${interaction}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: api.url, 'x-csrf-token': browser.csrfToken! }, body: JSON.stringify({ decision: 'allow' }) });
    expect(twice.status).toBe(404);
  });
});

describe('resource indicators (RFC 8707)', () => {
  it("an application gets an access token for its own API's audience; Plinto's API refuses it", async () => {
    const config = await relyingParty(issuer, web);
    const browser = new CookieBrowser(api.url);
    await browser.signIn('acme', ann);
    const attempt = await authorizationRequest(config, CALLBACK, { resource: ORDERS_API });
    const tokens = await oidc.authorizationCodeGrant(config, await codeCallback(browser, attempt), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    // The orders API verifies it with the JWKS and its own audience.
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer, audience: ORDERS_API, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: ann.id, client_id: web.clientId, scope: 'openid profile email offline_access' });
    expect((await api.rest('GET', '/v1/me', { token: tokens.access_token })).status).toBe(401);
    // Refreshed tokens keep the audience.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await jwtVerify(refreshed.access_token, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer, audience: ORDERS_API });
    // An unregistered resource is refused to the client.
    const other = await authorizationRequest(config, CALLBACK, { resource: 'https://evil.example' });
    expect(new URL((await browser.navigate(other.url.href)).location!).searchParams.get('error')).toBe('invalid_target');
  });
});

describe('per-application token lifetimes', () => {
  it("shortens the access/ID token and session lifetime, and never lengthens them past the server's", async () => {
    const app = await registerApplication(api, 'acme', { name: 'Short-lived', type: 'web', firstParty: true, redirectUris: [CALLBACK], accessTokenTtlSeconds: 120, sessionTtlHours: 1 });
    const config = await relyingParty(issuer, app);
    const browser = new CookieBrowser(api.url);
    await browser.signIn('acme', ann);
    const attempt = await authorizationRequest(config, CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(config, await codeCallback(browser, attempt), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    expect(tokens.expires_in).toBe(120);
    const claims = tokens.claims()!;
    expect(claims.exp - claims.iat).toBe(120);
    const [session] = await sql(api, 'select extract(epoch from expires_at - created_at)::int as seconds from sessions where id = $1', [claims.sid]);
    expect(session.seconds).toBe(3600);
    // Longer than the server's (AUTH_ACCESS_TOKEN_TTL_SECONDS = 600): capped.
    const patched = await api.rest('PATCH', `/v1/applications/${app.id}`, { tenant: 'acme', body: { accessTokenTtlSeconds: 3600 } });
    expect(patched.body).toMatchObject({ accessTokenTtlSeconds: 3600, sessionTtlHours: 1 });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.expires_in).toBe(600);
  });
});
