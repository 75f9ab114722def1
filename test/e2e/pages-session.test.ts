import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../src';

/**
 * The browser session over plain HTTP (what a browser sends, header by header): the cookie's
 * flags, the cookie as a credential for tRPC and REST, CSRF on cookie-authenticated changes,
 * login CSRF, tampering and sign-out. The browser flows are in pages-flows.test.ts.
 */
let api: TestApi;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: api.url, ...headers }, body: JSON.stringify(body) });

async function signUpAndIn(email: string): Promise<{ cookie: string; setCookie: string; csrf: string; body: any }> {
  expect((await api.rest('POST', '/v1/auth/sign-up', { token: null, body: { email, password: PASSWORD } })).status).toBe(202);
  const res = await post('/t/default/session/sign-in', { email, password: PASSWORD, returnTo: '/t/default/account?tab=sessions' });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  const setCookie = res.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0]!, setCookie, csrf: body.csrfToken, body };
}

describe('browser session cookie', () => {
  it('is HttpOnly, SameSite=Lax, path /, carries no token, and the body carries none either', async () => {
    const { setCookie, body } = await signUpAndIn('flags@example.com');
    expect(setCookie).toMatch(/^plinto_s_default=v1\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/Secure/); // PUBLIC_URL is http here
    expect(body).toEqual({ status: 'signed_in', redirectTo: '/t/default/account?tab=sessions', csrfToken: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/access_token|refresh_token|eyJ/);
  });

  it('is a credential for tRPC and REST reads; GET /session tells the page who is signed in', async () => {
    const { cookie, csrf } = await signUpAndIn('reads@example.com');
    const session = await fetch(`${api.url}/t/default/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: { email: 'reads@example.com' }, amr: ['pwd'], csrfToken: csrf });
    const rest = await fetch(`${api.url}/v1/auth/session`, { headers: { cookie } });
    expect(rest.status).toBe(200);
    expect((await rest.json()).user.email).toBe('reads@example.com');
    const trpc = await fetch(`${api.url}/trpc/sessions.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 10 } }))}`, { headers: { cookie } });
    expect(trpc.status).toBe(200);
    expect((await trpc.json()).result.data.json.items).toHaveLength(1);
  });

  it('refuses a cookie-authenticated change without the CSRF token, with a wrong one, or from another origin', async () => {
    const { cookie, csrf } = await signUpAndIn('csrf@example.com');
    const mutation = (headers: Record<string, string>) =>
      fetch(`${api.url}/trpc/sessions.revokeOthers`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify({ json: {} }) });
    // A cross-site form post: no token (forms cannot set headers), a foreign Origin.
    const form = await fetch(`${api.url}/v1/auth/sign-out`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body: 'x=1' });
    expect(form.status).toBe(403);
    expect((await form.json()).error.code).toBe('CSRF_REJECTED');
    for (const headers of [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': csrf, origin: 'https://evil.example' }, { 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' }]) {
      const res = await mutation(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect((await res.json()).error.code).toBe('CSRF_REJECTED');
    }
    // The session still works: nothing was done.
    expect((await fetch(`${api.url}/t/default/session`, { headers: { cookie } })).status).toBe(200);
    const ok = await mutation({ 'x-csrf-token': csrf, origin: api.url });
    expect(ok.status).toBe(200);
  });

  it('refuses a sign-in posted from another site (login CSRF)', async () => {
    await api.rest('POST', '/v1/auth/sign-up', { token: null, body: { email: 'login-csrf@example.com', password: PASSWORD } });
    const res = await post('/t/default/session/sign-in', { email: 'login-csrf@example.com', password: PASSWORD }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('ignores a tampered or another tenant’s cookie (anonymous), and a bearer wins over a cookie', async () => {
    const { cookie } = await signUpAndIn('tamper@example.com');
    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(`${api.url}/v1/auth/session`, { headers: { cookie: tampered } })).status).toBe(401);
    const moved = cookie.replace('plinto_s_default', 'plinto_s_other');
    expect((await fetch(`${api.url}/v1/auth/session`, { headers: { cookie: moved, 'x-plinto-tenant': 'other' } })).status).toBe(404);
    const bearer = await fetch(`${api.url}/v1/auth/session`, { headers: { cookie, authorization: 'Bearer not-a-token' } });
    expect(bearer.status).toBe(401);
  });

  it('redirects only to same-origin paths (return_to)', async () => {
    const { cookie } = await signUpAndIn('redirect@example.com');
    void cookie;
    for (const bad of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', `${'/'}\t/evil.example`]) {
      const res = await post('/t/default/session/sign-in', { email: 'redirect@example.com', password: PASSWORD, returnTo: bad });
      expect((await res.json()).redirectTo, bad).toBe('/t/default/account');
    }
  });

  it('signs out: the session ends, the cookie is cleared and no longer works', async () => {
    const { cookie, csrf } = await signUpAndIn('out@example.com');
    expect((await post('/t/default/session/sign-out', {}, { cookie })).status).toBe(403);
    const out = await post('/t/default/session/sign-out', {}, { cookie, 'x-csrf-token': csrf });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^plinto_s_default=; Max-Age=0/);
    expect((await fetch(`${api.url}/v1/auth/session`, { headers: { cookie } })).status).toBe(401);
    const again = await fetch(`${api.url}/t/default/session`, { headers: { cookie } });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });
});
