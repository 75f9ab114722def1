import { beforeAll, describe, expect, it } from 'vitest';
import { forkApp, startTestApi, type TestApi } from '../src';
import { registerApplication, type Application } from './oidc-support';

/**
 * Applications are remembered per api process (authorize and the token endpoint read no row for
 * their client). A change made through one process must be honoured by every other at once, not
 * after the cache's lifetime: every change retires the row's version through the revocation list.
 * The attack is performed across two operating-system processes: the forked api has remembered the
 * application, the change goes through the other, and the forked one is asked right after. (The
 * forked process keeps no local "not revoked" memory, AUTH_REVOCATION_CACHE_MS=0, so "right after"
 * is deterministic; with the default it is within that many milliseconds, as for access tokens.)
 */
let api: TestApi;
let forked: string;
let web: Application;
const CALLBACK = 'http://127.0.0.1:4100/callback';
const MOVED = 'http://127.0.0.1:4100/moved';

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'acme' } })).status).toBe(201);
  web = await registerApplication(api, 'acme', { name: 'Cached Web', type: 'web', firstParty: true, redirectUris: [CALLBACK] });
  const child = await forkApp('api', {
    DATABASE_URL: api.config.DATABASE_URL,
    QUEUE_PREFIX: api.config.QUEUE_PREFIX,
    REDIS_URL: api.config.REDIS_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AUTH_REVOCATION_CACHE_MS: '0',
  });
  forked = child.ready.url;
});

/** The token endpoint's verdict on the client alone: a bogus code is invalid_grant (400) once the client authenticated, invalid_client (401) otherwise. */
async function clientVerdict(secret: string): Promise<number> {
  const res = await fetch(`${forked}/t/acme/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${web.clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'pac_not-a-code', redirect_uri: CALLBACK }).toString(),
  });
  return res.status;
}

/** The authorize endpoint's verdict on client and redirect URI: a registered one goes on to sign-in (303), another is shown an error (400). */
async function authorizeVerdict(redirectUri: string): Promise<number> {
  const url = new URL(`${forked}/t/acme/oauth/authorize`);
  for (const [name, value] of Object.entries({ client_id: web.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid' })) url.searchParams.set(name, value);
  return (await fetch(url, { redirect: 'manual' })).status;
}

describe('remembered applications across api processes', () => {
  it('a rotated secret is refused at once by a process that remembered the old one; the new one works there at once', async () => {
    const old = web.clientSecret!;
    expect(await clientVerdict(old)).toBe(400);
    expect(await clientVerdict(old)).toBe(400); // remembered now
    const rotated = await api.rest('POST', `/v1/applications/${web.id}/secret`, { tenant: 'acme' });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(await clientVerdict(old)).toBe(401);
    expect(await clientVerdict(rotated.body.clientSecret)).toBe(400);
    web = { ...web, clientSecret: rotated.body.clientSecret };
  });

  it('a redirect URI removed through one process is refused at once by another that remembered it', async () => {
    expect(await authorizeVerdict(CALLBACK)).toBe(303);
    expect(await authorizeVerdict(MOVED)).toBe(400);
    const updated = await api.rest('PATCH', `/v1/applications/${web.id}`, { tenant: 'acme', body: { redirectUris: [MOVED] } });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(await authorizeVerdict(CALLBACK)).toBe(400);
    expect(await authorizeVerdict(MOVED)).toBe(303);
  });

  it('a revoked application is refused at once by a process that remembered it', async () => {
    expect(await clientVerdict(web.clientSecret!)).toBe(400);
    expect(await authorizeVerdict(MOVED)).toBe(303);
    expect((await api.rest('DELETE', `/v1/applications/${web.id}`, { tenant: 'acme' })).status).toBe(200);
    expect(await clientVerdict(web.clientSecret!)).toBe(401);
    expect(await authorizeVerdict(MOVED)).toBe(400);
  });
});
