import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { createHash } from 'node:crypto';
import { pruneTokenState } from '@plinto/auth';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { sql } from './auth-helpers';
import { authorizationRequest, codeCallback, CookieBrowser, insecure, newUser, registerApplication, relyingParty, type Application } from './oidc-support';

/**
 * The OpenID Connect provider under attack, each attack performed: redirect_uri not exactly
 * registered (refused without redirecting), open redirect through post_logout_redirect_uri, PKCE
 * missing or wrong, a code used twice (refused, and the tokens of its first use revoked), a code
 * redeemed by another client, a refresh token presented by another client (a machine client
 * redeeming a user's), another tenant's client id, state and nonce checked by the relying party.
 */
let api: TestApi;
let issuer: string;
let web: Application;
let spa: Application;
let otherWeb: Application;
let foreign: Application;
let ann: SignedInUser;
let browser: CookieBrowser;
const CALLBACK = 'http://127.0.0.1:4100/callback';
const SPA_CALLBACK = 'http://127.0.0.1:4200/cb';
const AFTER_LOGOUT = 'http://127.0.0.1:4100/bye';

beforeAll(async () => {
  api = await startTestApi();
  for (const slug of ['acme', 'other']) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } })).status).toBe(201);
  issuer = `${api.url}/t/acme`;
  web = await registerApplication(api, 'acme', { name: 'Acme Web', type: 'web', firstParty: true, redirectUris: [CALLBACK], postLogoutRedirectUris: [AFTER_LOGOUT] });
  spa = await registerApplication(api, 'acme', { name: 'Acme SPA', type: 'spa', firstParty: true, redirectUris: [SPA_CALLBACK] });
  otherWeb = await registerApplication(api, 'acme', { name: 'Other Web', type: 'web', firstParty: true, redirectUris: ['http://127.0.0.1:4300/callback'], postLogoutRedirectUris: ['http://127.0.0.1:4300/bye'] });
  foreign = await registerApplication(api, 'other', { name: 'Foreign', type: 'web', firstParty: true, redirectUris: [CALLBACK] });
  ann = await newUser(api, 'acme', 'ann@acme.test');
  browser = new CookieBrowser(api.url);
  await browser.signIn('acme', ann);
});

/** The authorize answer for these parameters, for the signed-in browser, without following anything. */
async function authorizeRaw(params: Record<string, string>, tenant = 'acme') {
  const url = new URL(`${api.url}/t/${tenant}/oauth/authorize`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return browser.fetch(url.href);
}

const codeParams = (clientId: string, redirectUri: string, extra: Record<string, string> = {}) => ({
  client_id: clientId,
  redirect_uri: redirectUri,
  response_type: 'code',
  scope: 'openid',
  state: 'st-1',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
  ...extra,
});

describe('redirect_uri must match exactly', () => {
  const tricks = [
    ['prefix (path appended)', `${CALLBACK}/evil`],
    ['suffix', `${CALLBACK}x`],
    ['another path', 'http://127.0.0.1:4100/other'],
    ['another port', 'http://127.0.0.1:4101/callback'],
    ['case of the path', 'http://127.0.0.1:4100/Callback'],
    ['case of the scheme', 'HTTP://127.0.0.1:4100/callback'],
    ['userinfo@host', 'http://127.0.0.1:4100@evil.example/callback'],
    ['fragment', `${CALLBACK}#frag`],
    ['query added', `${CALLBACK}?next=https://evil.example`],
    ['trailing slash', `${CALLBACK}/`],
    ['another host', 'https://evil.example/callback'],
    ['open redirect through a path', 'http://127.0.0.1:4100/callback/../redirect?to=https://evil.example'],
  ];
  for (const [trick, uri] of tricks) {
    it(`refuses ${trick} without redirecting`, async () => {
      const res = await authorizeRaw(codeParams(web.clientId, uri!));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    });
  }

  it('refuses a missing or unknown client, and another tenant\'s client id, without redirecting', async () => {
    for (const params of [{ redirect_uri: CALLBACK, response_type: 'code' }, codeParams('app_0000000000000000', CALLBACK), codeParams('cli_0123456789abcdef', CALLBACK)]) {
      const res = await authorizeRaw(params);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    // acme's client at the other tenant, and the other tenant's at acme: unknown there.
    for (const [clientId, tenant] of [[web.clientId, 'other'], [foreign.clientId, 'acme']] as const) {
      const res = await authorizeRaw(codeParams(clientId, CALLBACK), tenant);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('refuses to register a redirect URI with a fragment, userinfo, or plain http to a public host', async () => {
    for (const uri of [`${CALLBACK}#x`, 'http://user@127.0.0.1/cb', 'http://evil.example/cb', 'javascript:alert(1)', '/relative']) {
      const res = await api.rest('POST', '/v1/applications', { tenant: 'acme', body: { name: 'bad', type: 'web', redirectUris: [uri] } });
      expect(res.status, uri).toBe(400);
      expect(res.body.error.fields[0].path).toBe('redirectUris.0');
    }
  });
});

describe('post_logout_redirect_uri is an allowlist', () => {
  it('refuses an unregistered URI, or one registered for another client, without redirecting or signing out', async () => {
    const config = await relyingParty(issuer, web);
    const attempt = await authorizationRequest(config, CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(config, await codeCallback(browser, attempt), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    for (const uri of ['https://evil.example/', `${AFTER_LOGOUT}/x`, 'http://127.0.0.1:4300/bye']) {
      const res = await browser.fetch(oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: uri }).href);
      expect(res.status, uri).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    // Without a client to check it against, nor with a forged hint.
    const bare = new URL(`${issuer}/oauth/end-session`);
    bare.searchParams.set('post_logout_redirect_uri', AFTER_LOGOUT);
    expect((await browser.fetch(bare.href)).status).toBe(400);
    const [h, p] = tokens.id_token!.split('.');
    bare.searchParams.set('id_token_hint', `${h}.${p}.${'A'.repeat(342)}`);
    expect((await browser.fetch(bare.href)).status).toBe(400);
    expect(browser.has('plinto_s_acme')).toBe(true);
    expect((await api.rest('GET', '/v1/me', { token: tokens.access_token })).status).toBe(200);
  });
});

describe('PKCE', () => {
  it('a public client must send a S256 code_challenge; plain is refused', async () => {
    const noPkce = await authorizeRaw({ client_id: spa.clientId, redirect_uri: SPA_CALLBACK, response_type: 'code', scope: 'openid', state: 's' });
    const location = new URL(noPkce.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('s');
    const plain = await authorizeRaw(codeParams(spa.clientId, SPA_CALLBACK, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }));
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses the code without the verifier, or with a wrong one', async () => {
    const config = await relyingParty(issuer, spa);
    for (const verifier of [undefined, oidc.randomPKCECodeVerifier()]) {
      const attempt = await authorizationRequest(config, SPA_CALLBACK);
      const callback = await codeCallback(browser, attempt);
      const res = await fetch(`${issuer}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: SPA_CALLBACK, client_id: spa.clientId, ...(verifier ? { code_verifier: verifier } : {}) }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
      // The right verifier afterwards still works: a failed attempt does not burn the code...
      const ok = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
      expect(ok.access_token).toBeTruthy();
    }
  });
});

describe('authorization codes', () => {
  it('a code used twice is refused, and the tokens from its first use are revoked', async () => {
    const config = await relyingParty(issuer, web);
    const attempt = await authorizationRequest(config, CALLBACK);
    const callback = await codeCallback(browser, attempt);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    expect((await oidc.fetchUserInfo(config, tokens.access_token, ann.id)).sub).toBe(ann.id);
    const replay = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce }).catch((e) => e);
    expect(replay).toBeInstanceOf(oidc.ResponseBodyError);
    expect(replay.error).toBe('invalid_grant');
    expect((await oidc.fetchUserInfo(config, tokens.access_token, ann.id).catch((e) => e)).status).toBe(401);
    expect((await api.rest('GET', '/v1/me', { token: tokens.access_token })).status).toBe(401);
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((e) => e)).error).toBe('invalid_grant');
    const [event] = await sql(api, `select data from audit_events where action = 'authorization_code.replayed'`);
    expect(event.data).toMatchObject({ clientId: web.clientId, userId: ann.id });
  });

  it('a code redeemed twice at the same moment: whatever was issued is revoked', async () => {
    const config = await relyingParty(issuer, web);
    for (let round = 0; round < 5; round++) {
      const attempt = await authorizationRequest(config, CALLBACK);
      const callback = await codeCallback(browser, attempt);
      const redeem = () =>
        fetch(`${issuer}/oauth/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}` },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: CALLBACK, code_verifier: attempt.verifier }),
        });
      const answers = await Promise.all([redeem(), redeem()]);
      expect(answers.map((a) => a.status).sort()).toContain(400);
      for (const answer of answers.filter((a) => a.status === 200)) {
        const tokens = await answer.json();
        expect((await fetch(`${issuer}/oauth/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);
        const refreshed = await fetch(`${issuer}/oauth/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}` },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
        });
        expect(refreshed.status).toBe(400);
      }
    }
  });

  it('spent and expired codes are pruned a day after they expire, not before (replays stay recognised)', async () => {
    const config = await relyingParty(issuer, web);
    const attempt = await authorizationRequest(config, CALLBACK);
    const callback = await codeCallback(browser, attempt);
    await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    const hash = createHash('sha256').update(callback.searchParams.get('code')!).digest('hex');
    const prune = () => pruneTokenState(api.server.orm.em.fork(), 5);
    await prune();
    expect(await sql(api, 'select 1 from oidc_authorization_codes where code_hash = $1', [hash])).toHaveLength(1);
    await sql(api, `update oidc_authorization_codes set expires_at = now() - interval '25 hours' where code_hash = $1`, [hash]);
    expect((await prune()).authorizationCodesPruned).toBeGreaterThanOrEqual(1);
    expect(await sql(api, 'select 1 from oidc_authorization_codes where code_hash = $1', [hash])).toHaveLength(0);
  });

  it("a code issued to one client is refused to another (and to another tenant's client)", async () => {
    const config = await relyingParty(issuer, web);
    const attempt = await authorizationRequest(config, CALLBACK);
    const callback = await codeCallback(browser, attempt);
    const code = callback.searchParams.get('code')!;
    const thief = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${otherWeb.clientId}:${otherWeb.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: attempt.verifier }),
    });
    expect(thief.status).toBe(400);
    expect(await thief.json()).toMatchObject({ error: 'invalid_grant' });
    // Another tenant's client authenticates nowhere but at home.
    const elsewhere = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${foreign.clientId}:${foreign.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: attempt.verifier }),
    });
    expect(elsewhere.status).toBe(401);
    // A confidential client's code without its secret, or with a wrong redirect_uri: refused.
    const publicTry = await fetch(`${issuer}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: attempt.verifier, client_id: web.clientId }) });
    expect(publicTry.status).toBe(401);
    const wrongRedirect = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:4100/other', code_verifier: attempt.verifier }),
    });
    expect(await wrongRedirect.json()).toMatchObject({ error: 'invalid_grant' });
    // The rightful client still redeems it.
    expect((await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce })).access_token).toBeTruthy();
  });
});

describe('refresh tokens are bound to their client (RFC 6749 §6)', () => {
  it("a machine client, another application, or no client cannot redeem an application's refresh token", async () => {
    const config = await relyingParty(issuer, web);
    const attempt = await authorizationRequest(config, CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(config, await codeCallback(browser, attempt), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    const machine = (await api.rest('POST', '/v1/clients', { tenant: 'acme', body: { name: 'billing', roles: ['viewer'] } })).body;
    const presenters = [
      { authorization: `Basic ${Buffer.from(`${machine.clientId}:${machine.clientSecret}`).toString('base64')}` },
      { authorization: `Basic ${Buffer.from(`${otherWeb.clientId}:${otherWeb.clientSecret}`).toString('base64')}` },
      {},
    ];
    for (const headers of presenters) {
      const res = await fetch(`${issuer}/oauth/token`, { method: 'POST', headers, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_grant', error_description: 'The refresh token was not issued to this client' });
    }
    // Nothing changed: its own client still refreshes (no reuse detection was tripped).
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).access_token).toBeTruthy();
  });

  it("a machine client cannot redeem a user's first-party session refresh token either", async () => {
    const signIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: 'acme', body: { email: ann.email, password: ann.password } });
    const machine = (await api.rest('POST', '/v1/clients', { tenant: 'acme', body: { name: 'billing-2', roles: ['viewer'] } })).body;
    const stolen = await oidc.refreshTokenGrant(
      await oidc.discovery(new URL(issuer), machine.clientId, undefined, oidc.ClientSecretBasic(machine.clientSecret), insecure),
      signIn.body.refresh_token,
    ).catch((e) => e);
    expect(stolen.error).toBe('invalid_grant');
    // The first-party app (no client) still refreshes its own session.
    const own = await fetch(`${issuer}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: signIn.body.refresh_token }) });
    expect(own.status).toBe(200);
  });
});

describe('revocation (RFC 7009) of application tokens', () => {
  it('only the application a token was issued to revokes it; its own revocation ends the session', async () => {
    const config = await relyingParty(issuer, web);
    const attempt = await authorizationRequest(config, CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(config, await codeCallback(browser, attempt), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    for (const token of [tokens.refresh_token!, tokens.access_token]) {
      const stranger = await fetch(`${issuer}/oauth/revoke`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${otherWeb.clientId}:${otherWeb.clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ token }),
      });
      expect(stranger.status).toBe(400);
      expect(await stranger.json()).toMatchObject({ error: 'unauthorized_client' });
    }
    expect((await oidc.fetchUserInfo(config, tokens.access_token, ann.id)).sub).toBe(ann.id);
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect((await oidc.fetchUserInfo(config, tokens.access_token, ann.id).catch((e) => e)).status).toBe(401);
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((e) => e)).error).toBe('invalid_grant');
  });
});

describe('state and nonce', () => {
  it('echoes state verbatim; the relying party refuses a mismatched state or nonce', async () => {
    const config = await relyingParty(issuer, web);
    const attempt = await authorizationRequest(config, CALLBACK, { state: 'state with spaces & symbols/?' });
    const callback = await codeCallback(browser, attempt);
    expect(callback.searchParams.get('state')).toBe('state with spaces & symbols/?');
    const wrongState = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: attempt.verifier, expectedState: 'another', expectedNonce: attempt.nonce }).catch((e) => e);
    expect(wrongState).toBeInstanceOf(Error);
    expect(String(wrongState.cause ?? wrongState.message)).toMatch(/state/i);
    const second = await authorizationRequest(config, CALLBACK);
    const wrongNonce = await oidc.authorizationCodeGrant(config, await codeCallback(browser, second), { pkceCodeVerifier: second.verifier, expectedState: second.state, expectedNonce: 'not-the-nonce' }).catch((e) => e);
    expect(wrongNonce).toBeInstanceOf(Error);
    expect(`${wrongNonce.message} ${wrongNonce.cause?.message ?? ''} ${JSON.stringify(wrongNonce.cause)}`).toMatch(/nonce|JWT_CLAIM_COMPARISON/i);
  });
});

describe('tokens are not interchangeable', () => {
  it('an ID token (RS256, typ JWT) is not an access token', async () => {
    const config = await relyingParty(issuer, web);
    const attempt = await authorizationRequest(config, CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(config, await codeCallback(browser, attempt), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    expect((await api.rest('GET', '/v1/me', { token: tokens.id_token! })).status).toBe(401);
    expect((await fetch(`${issuer}/oauth/userinfo`, { headers: { authorization: `Bearer ${tokens.id_token}` } })).status).toBe(401);
  });

  it('a revoked application: its tokens and client id are refused', async () => {
    const app = await registerApplication(api, 'acme', { name: 'Doomed', type: 'web', firstParty: true, redirectUris: [CALLBACK] });
    const config = await relyingParty(issuer, app);
    const attempt = await authorizationRequest(config, CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(config, await codeCallback(browser, attempt), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    expect((await api.rest('DELETE', `/v1/applications/${app.id}`, { tenant: 'acme' })).status).toBe(200);
    expect((await api.rest('GET', '/v1/me', { token: tokens.access_token })).status).toBe(401);
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((e) => e)).status).toBe(401);
    expect((await authorizeRaw(codeParams(app.clientId, CALLBACK))).status).toBe(400);
  });
});

describe('the browser session behind a code', () => {
  it('a cookie whose session ended (user disabled, sessions ended) gets no code: the browser is sent to sign in', async () => {
    const bob = await newUser(api, 'acme', 'bob@acme.test');
    const bobs = new CookieBrowser(api.url);
    await bobs.signIn('acme', bob);
    const params = codeParams(web.clientId, CALLBACK);
    const url = new URL(`${issuer}/oauth/authorize`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const live = await bobs.fetch(url.href);
    expect(live.status).toBe(303);
    expect(new URL(live.headers.get('location')!).searchParams.get('code')).toMatch(/^pac_/);
    expect((await api.rest('POST', `/v1/users/${bob.id}/disable`, { tenant: 'acme' })).status).toBe(200);
    // The same cookie, replayed: first-party, no prompt — the path that checks the session in the code's statement.
    const ended = await bobs.fetch(url.href);
    expect(ended.status).toBe(303);
    const location = new URL(ended.headers.get('location')!);
    expect(location.href).toMatch(new RegExp(`^${issuer}/sign-in\\?return_to=`));
    expect(location.searchParams.get('code')).toBeNull();
  });
});
