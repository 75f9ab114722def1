import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, startTestApi, type TestApi } from '../src';
import { auditOf } from './passkeys.support';
import { Browser, serveIssuerTemplate, socialFlow, startGitHubApi, startProvider } from './social.support';

/**
 * Sign-in through identity providers, end to end over HTTP: oauth2-mock-server on loopback stands
 * in for Google, Microsoft and a generic OpenID Connect provider (and for GitHub's OAuth endpoints,
 * with a loopback double of GitHub's REST API) — the only doubles, since those services cannot
 * run here. Each attack the issue names is performed.
 */
const T = 'social';
let api: TestApi;
let oidc: Awaited<ReturnType<typeof startProvider>>;
let github: Awaited<ReturnType<typeof startGitHubApi>>;
let seq = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** The next flow's ID-token claims: a fresh subject unless given. */
const nextClaims = (claims: Record<string, unknown>) => {
  for (const key of Object.keys(oidc.claims)) delete oidc.claims[key];
  Object.assign(oidc.claims, { sub: unique('sub') }, claims);
};

async function connection(body: Record<string, unknown>) {
  const res = await api.rest('POST', '/v1/connections', { tenant: T, body: { clientId: unique('client'), clientSecret: 'shh-secret', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; slug: string; redirectUri: string };
}

async function sessionOf(browser: Browser) {
  const res = await browser.get(`${api.url}/t/${T}/session`);
  return res.status === 200 ? (JSON.parse(res.body) as { user: { id: string; email: string; emailVerified: boolean }; amr: string[] }) : null;
}

beforeAll(async () => {
  api = await startTestApi({ AUTH_SOCIAL_ALLOWED_HOSTS: '127.0.0.1', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Social' } })).status).toBe(201);
  oidc = await startProvider();
  oidc.strictPkce();
  github = await startGitHubApi();
  await connection({ slug: 'google', provider: 'google', issuer: oidc.url });
  await connection({ slug: 'microsoft', provider: 'microsoft', issuer: oidc.url });
  await connection({ slug: 'okta', provider: 'oidc', issuer: oidc.url, name: 'Okta' });
  await connection({ slug: 'github', provider: 'github', endpoints: { authorization: `${oidc.url}/authorize`, token: `${oidc.url}/token`, api: github.url } });
}, 120_000);

describe('connections', () => {
  it('are configured per tenant over the API, secrets never shown, redirect URI given; the sign-in page lists the enabled ones', async () => {
    const listed = await api.rest('GET', '/v1/connections', { tenant: T });
    expect(listed.body.items.map((c: { slug: string }) => c.slug)).toEqual(['google', 'microsoft', 'okta', 'github']);
    expect(JSON.stringify(listed.body)).not.toContain('shh-secret');
    expect(listed.body.items[0].redirectUri).toBe(`${api.url}/t/${T}/social/google/callback`);
    const buttons = await api.rest('GET', '/v1/auth/connections', { token: null, tenant: T });
    expect(buttons.body.items.map((c: { name: string }) => c.name)).toEqual(['Google', 'Microsoft', 'Okta', 'GitHub']);

    const bad = await api.rest('POST', '/v1/connections', { tenant: T, body: { slug: 'bad', provider: 'oidc', clientId: 'x', clientSecret: 'y', issuer: 'http://10.0.0.5/' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('issuer');
    const noIssuer = await api.rest('POST', '/v1/connections', { tenant: T, body: { slug: 'bad', provider: 'oidc', clientId: 'x', clientSecret: 'y' } });
    expect(noIssuer.body.error.fields[0].path).toBe('issuer');
    const member = await signedInUser(api, { email: `${unique('m')}@social.test`, tenant: T });
    expect((await api.rest('GET', '/v1/connections', { token: member.token, tenant: T })).status).toBe(403);
  });
});

describe('a new person signs up through each provider', () => {
  for (const slug of ['google', 'microsoft', 'okta']) {
    it(`${slug}: an account is made for the vouched address, the browser gets a session`, async () => {
      const email = `${unique(slug)}@people.test`;
      nextClaims(slug === 'microsoft' ? { email, xms_edov: true } : { email, email_verified: true, name: 'New Person' });
      const browser = new Browser();
      const flow = await socialFlow(browser, api.url, T, slug, { returnTo: `/t/${T}/account?tab=security` });
      expect(flow.status).toBe(303);
      expect(flow.landed).toBe(`/t/${T}/account?tab=security`);
      // PKCE and nonce were sent to the provider.
      const authorize = new URL(flow.authorizeUrl);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('nonce')).toBeTruthy();
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${api.url}/t/${T}/social/${slug}/callback`);
      const session = await sessionOf(browser);
      expect(session?.user).toMatchObject({ email, emailVerified: true });
      expect(session?.amr).toEqual(['fed']);
    });
  }

  it('github: the verified primary address from its API', async () => {
    const email = `${unique('gh')}@people.test`;
    github.user.id = Math.floor(Math.random() * 1e9);
    github.emails.splice(0, github.emails.length, { email: `${unique('other')}@people.test`, primary: false, verified: true }, { email, primary: true, verified: true });
    const browser = new Browser();
    const flow = await socialFlow(browser, api.url, T, 'github', { returnTo: `/t/${T}/account` });
    expect(flow.landed).toBe(`/t/${T}/account`);
    expect(new URL(flow.authorizeUrl).searchParams.get('nonce')).toBeNull(); // OAuth 2 only
    expect((await sessionOf(browser))?.user.email).toBe(email);
    // The same GitHub account signs in to the same user next time.
    const again = new Browser();
    await socialFlow(again, api.url, T, 'github');
    expect((await sessionOf(again))?.user.email).toBe(email);
  });

  it('no account is made for an address the provider does not vouch for', async () => {
    nextClaims({ email: `${unique('unverified')}@people.test`, email_verified: false });
    const flow = await socialFlow(new Browser(), api.url, T, 'okta');
    expect(flow.landed).toBe(`/t/${T}/sign-in?error=SOCIAL_EMAIL_UNVERIFIED`);
    github.user.id = Math.floor(Math.random() * 1e9);
    github.emails.splice(0, github.emails.length, { email: `${unique('gh')}@people.test`, primary: true, verified: false });
    expect((await socialFlow(new Browser(), api.url, T, 'github')).landed).toBe(`/t/${T}/sign-in?error=SOCIAL_EMAIL_UNVERIFIED`);
  });
});

describe('linking rules', () => {
  it('joins an existing account only when the provider vouches for the email', async () => {
    const owner = await signedInUser(api, { email: `${unique('owner')}@people.test`, tenant: T });
    // Google says the address is not verified: no silent takeover.
    nextClaims({ email: owner.email, email_verified: false });
    expect((await socialFlow(new Browser(), api.url, T, 'google')).landed).toBe(`/t/${T}/sign-in?error=ACCOUNT_EXISTS_LINK_REQUIRED`);
    // Microsoft without xms_edov (the admin typed the address): refused too.
    nextClaims({ email: owner.email, email_verified: true });
    expect((await socialFlow(new Browser(), api.url, T, 'microsoft')).landed).toBe(`/t/${T}/sign-in?error=ACCOUNT_EXISTS_LINK_REQUIRED`);
    // GitHub with the address as an unverified primary: refused.
    github.user.id = Math.floor(Math.random() * 1e9);
    github.emails.splice(0, github.emails.length, { email: owner.email, primary: true, verified: false });
    expect((await socialFlow(new Browser(), api.url, T, 'github')).landed).toBe(`/t/${T}/sign-in?error=ACCOUNT_EXISTS_LINK_REQUIRED`);
    expect((await api.rest('GET', '/v1/identities', { token: owner.token, tenant: T })).body.items).toEqual([]);
    // Google vouches: linked to the existing account, signed in as its owner.
    nextClaims({ email: owner.email, email_verified: true });
    const browser = new Browser();
    await socialFlow(browser, api.url, T, 'google');
    expect((await sessionOf(browser))?.user.id).toBe(owner.id);
    const identities = await api.rest('GET', '/v1/identities', { token: owner.token, tenant: T });
    expect(identities.body.items).toMatchObject([{ connection: 'google', provider: 'google', email: owner.email }]);
    const linked = await auditOf(api, T, 'identity.linked');
    expect(linked.find((e) => e.target?.id === owner.id)?.data).toMatchObject({ how: 'verified_email', slug: 'google' });
  });

  it('otherwise the person signs in first and links from the account page; unlink keeps one way in', async () => {
    const owner = await signedInUser(api, { email: `${unique('linker')}@people.test`, tenant: T });
    const browser = new Browser({ origin: api.url });
    const pwd = await browser.get(`${api.url}/t/${T}/session`);
    expect(pwd.status).toBe(401);
    // A browser session by password (the hosted pages' sign-in step).
    const res = await fetch(`${api.url}/t/${T}/session/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json', origin: api.url }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
    expect(res.status, await res.clone().text()).toBe(200);
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      browser.cookies.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1));
    }
    // The provider's address is another one, unverified: linking from the account page still works.
    nextClaims({ email: `${unique('elsewhere')}@people.test`, email_verified: false });
    const subject = oidc.claims.sub;
    const flow = await socialFlow(browser, api.url, T, 'okta', { intent: 'link', returnTo: `/t/${T}/account` });
    expect(flow.landed).toBe(`/t/${T}/account`);
    const identities = await api.rest('GET', '/v1/identities', { token: owner.token, tenant: T });
    expect(identities.body.items).toHaveLength(1);
    // Now that identity signs in to this account.
    nextClaims({ sub: subject, email: 'whatever@people.test', email_verified: false });
    const fresh = new Browser();
    await socialFlow(fresh, api.url, T, 'okta');
    expect((await sessionOf(fresh))?.user.id).toBe(owner.id);
    // A link started from another site is refused.
    const crossSite = await browser.get(`${api.url}/t/${T}/social/okta/start?intent=link`, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.location).toBe(`/t/${T}/sign-in?error=CSRF_REJECTED`);
    // The owner has a password: unlinking is fine.
    expect((await api.rest('DELETE', `/v1/identities/${identities.body.items[0].id}`, { token: owner.token, tenant: T })).body).toEqual({ deleted: true });

    // A person who only ever signed in through Google cannot unlink their only way in.
    nextClaims({ email: `${unique('only')}@people.test`, email_verified: true });
    const only = new Browser({ origin: api.url });
    await socialFlow(only, api.url, T, 'google');
    const me = JSON.parse((await only.get(`${api.url}/t/${T}/session`)).body) as { csrfToken: string };
    const cookie = [...only.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const list = await api.rest('GET', '/v1/identities', { token: null, tenant: T, headers: { cookie } });
    const refused = await api.rest('DELETE', `/v1/identities/${list.body.items[0].id}`, { token: null, tenant: T, headers: { cookie, origin: api.url, 'x-csrf-token': me.csrfToken } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('LAST_SIGN_IN_METHOD');
  });
});

describe("Microsoft's multi-tenant endpoints (common, organizations): the issuer by template with the token's tid", () => {
  const directory = 'a1b2c3d4-0000-4000-8000-00000000000a';
  const other = 'f0e1d2c3-0000-4000-8000-00000000000b';
  let base: string;
  beforeAll(async () => {
    base = serveIssuerTemplate(oidc, 'organizations');
    await connection({ slug: 'entra', provider: 'microsoft', name: 'Microsoft work or school', issuer: base });
  });

  it('a token whose iss names the directory in its tid signs in', async () => {
    const email = `${unique('entra')}@contoso.test`;
    nextClaims({ email, xms_edov: true, tid: directory, iss: `${oidc.url}/${directory}/v2.0` });
    const browser = new Browser();
    const flow = await socialFlow(browser, api.url, T, 'entra');
    expect(flow.landed).toBe(`/t/${T}/account`);
    expect((await sessionOf(browser))?.user.email).toBe(email);
  });

  it.each([
    ['an iss naming another directory than its tid', { tid: directory, iss: `{base}/${other}/v2.0` }],
    ['no tid', { iss: `{base}/${directory}/v2.0` }],
    ['a tid that is not a directory id', { tid: '../evil', iss: `{base}/../evil/v2.0` }],
    ['the template itself as iss', { tid: directory, iss: `{base}/{tenantid}/v2.0` }],
    ['an iss on another host', { tid: directory, iss: `https://login.microsoftonline.com/${directory}/v2.0` }],
  ])('%s is refused', async (_what, tamper) => {
    const claims = Object.fromEntries(Object.entries(tamper).map(([k, v]) => [k, v.replace('{base}', oidc.url)]));
    nextClaims({ email: `${unique('entra-bad')}@contoso.test`, xms_edov: true, ...claims });
    const refusedBefore = (await auditOf(api, T, 'social.sign_in_refused')).filter((e) => e.data.reason === 'id_token_issuer').length;
    const browser = new Browser();
    expect((await socialFlow(browser, api.url, T, 'entra')).landed).toBe(`/t/${T}/sign-in?error=ID_TOKEN_INVALID`);
    expect(await sessionOf(browser)).toBeNull();
    expect((await auditOf(api, T, 'social.sign_in_refused')).filter((e) => e.data.reason === 'id_token_issuer').length).toBe(refusedBefore + 1);
  });

  it('a generic OpenID Connect connection does not accept an issuer template', async () => {
    const generic = await connection({ slug: 'templated', provider: 'oidc', issuer: base });
    expect((await new Browser().get(`${api.url}/t/${T}/social/${generic.slug}/start`)).location).toBe(`/t/${T}/sign-in?error=PROVIDER_UNREACHABLE`);
  });
});

describe('refused flows (each an attack)', () => {
  it('a state swapped between two browsers (login CSRF) is refused', async () => {
    nextClaims({ email: `${unique('victim')}@people.test`, email_verified: true });
    const attacker = new Browser();
    const { callbackUrl } = await socialFlow(attacker, api.url, T, 'google', { stopBeforeCallback: true });
    // The attacker makes the victim's browser open the attacker's callback.
    const victim = new Browser();
    const res = await victim.get(callbackUrl);
    expect(res.location).toBe(`/t/${T}/sign-in?error=SOCIAL_STATE_INVALID`);
    expect(await sessionOf(victim)).toBeNull();
    // And the state is spent: the attacker cannot use it after the refusal either.
    expect((await attacker.get(callbackUrl)).location).toBe(`/t/${T}/sign-in?error=SOCIAL_STATE_INVALID`);
    const refused = await auditOf(api, T, 'social.sign_in_refused');
    expect(refused.map((e) => e.data.reason)).toEqual(expect.arrayContaining(['browser_mismatch', 'unknown_state']));
  });

  it("PKCE: a code injected into another flow is redeemed with that flow's verifier and refused by the provider; no verifier, no code", async () => {
    nextClaims({ email: `${unique('pkce')}@people.test`, email_verified: true });
    const victim = new Browser();
    const stolen = new URL((await socialFlow(victim, api.url, T, 'okta', { stopBeforeCallback: true })).callbackUrl);
    const attacker = new Browser();
    const own = new URL((await socialFlow(attacker, api.url, T, 'okta', { stopBeforeCallback: true })).callbackUrl);
    own.searchParams.set('code', stolen.searchParams.get('code')!);
    const res = await attacker.get(own.toString());
    expect(res.location).toBe(`/t/${T}/sign-in?error=SOCIAL_PROVIDER_ERROR`);
    expect(await sessionOf(attacker)).toBeNull();
    // A token request without the verifier is what the provider refuses (the double is as strict as a real one).
    const direct = await fetch(`${oidc.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code: stolen.searchParams.get('code')!, redirect_uri: 'x', client_id: 'x' }) });
    expect(direct.status).toBe(400);
  });

  it.each([
    ['a nonce mismatch', { nonce: 'another-flows-nonce' }, 'nonce'],
    ['an ID token from the wrong issuer', { iss: 'https://evil.example' }, 'issuer'],
    ['an ID token for another client (audience)', { aud: 'someone-elses-client' }, 'audience'],
  ])('%s is refused', async (_what, tamper, reason) => {
    nextClaims({ email: `${unique('tamper')}@people.test`, email_verified: true, ...tamper });
    const browser = new Browser();
    const flow = await socialFlow(browser, api.url, T, 'okta');
    expect(flow.landed).toBe(`/t/${T}/sign-in?error=ID_TOKEN_INVALID`);
    expect(await sessionOf(browser)).toBeNull();
    expect((await auditOf(api, T, 'social.sign_in_refused')).some((e) => e.data.reason === `id_token_${reason}`)).toBe(true);
  });

  it.each(['https://evil.example/phish', '//evil.example', '/\\evil.example', 'javascript:alert(1)'])('a return_to pointing off-site (%s) lands on the account page', async (returnTo) => {
    nextClaims({ email: `${unique('redir')}@people.test`, email_verified: true });
    const flow = await socialFlow(new Browser(), api.url, T, 'google', { returnTo });
    expect(flow.landed).toBe(`/t/${T}/account`);
  });

  it('an unknown or disabled connection, and a provider error, go back to the sign-in page', async () => {
    expect((await new Browser().get(`${api.url}/t/${T}/social/nope/start`)).location).toBe(`/t/${T}/sign-in?error=CONNECTION_NOT_FOUND`);
    const extra = await connection({ slug: unique('off').slice(0, 30), provider: 'oidc', issuer: oidc.url });
    expect((await api.rest('PATCH', `/v1/connections/${extra.id}`, { tenant: T, body: { enabled: false } })).body.enabled).toBe(false);
    expect((await new Browser().get(`${api.url}/t/${T}/social/${extra.slug}/start`)).location).toBe(`/t/${T}/sign-in?error=CONNECTION_NOT_FOUND`);
    const browser = new Browser();
    const { callbackUrl } = await socialFlow(browser, api.url, T, 'okta', { stopBeforeCallback: true });
    const denied = new URL(callbackUrl);
    denied.searchParams.delete('code');
    denied.searchParams.set('error', 'access_denied');
    expect((await browser.get(denied.toString())).location).toBe(`/t/${T}/sign-in?error=SOCIAL_PROVIDER_ERROR`);
  });
});
