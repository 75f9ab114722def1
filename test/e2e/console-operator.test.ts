import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { generatePlatformKey } from '@plinto/tenants';
import { sha256, uuidv7 } from '@plinto/kernel';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen, webStorage } from './console-support';

/**
 * Platform operators sign in to the console in the browser, with no proxy: the console's operator
 * form exchanges a platform key once for an HttpOnly, SameSite=Strict cookie session. The test
 * performs the attacks: a change without the operator's CSRF token, a cross-site sign-in, a tenant
 * admin forcing operator calls, a cookie replayed after sign-out, a session outliving its key.
 */
const T = 'op-acme';
let api: TestApi;
let browser: Browser;
let tenantAdmin: SignedInUser;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  const tenant = await consoleTenant(api, T);
  tenantAdmin = await tenant.userWithRole('admin@op-acme.test', 'admin');
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const trpcGet = (path: string, input: unknown) => `/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

const auditRows = async (action: string) =>
  (await api.server.orm.em.fork().getConnection().execute(
    'select actor_type, actor_id, outcome, ip from audit_events where action = ? order by occurred_at',
    [action],
  )) as { actor_type: string; actor_id: string | null; outcome: string; ip: string | null }[];

/** Signs a browser page in on the operator form; answers the cookie value (for the replay attack). */
async function operatorSignIn(page: Page, key: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Platform key' }).fill(key);
  await page.getByRole('button', { name: 'Sign in as operator' }).click();
}

/** A session over plain HTTP, as a script would make it (same-origin headers), with its cookie. */
async function signInOverHttp(key: string): Promise<{ status: number; cookie: string | null; csrfToken?: string }> {
  const res = await fetch(`${api.url}/platform/session/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(api.url).origin },
    body: JSON.stringify({ key }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('plinto_op='))?.split(';')[0] ?? null;
  const body = (await res.json()) as { csrfToken?: string };
  return { status: res.status, cookie, csrfToken: body.csrfToken };
}

describe('platform operator browser sign-in', () => {
  it('signs in on the console form with a platform key, creates a tenant and switches into it — no proxy', async () => {
    const { context, page } = await newDesktopPage(browser);
    await page.goto(`${api.url}/admin/t/default`);
    await page.getByRole('link', { name: 'Platform operator sign-in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Platform operator sign-in' }).waitFor();
    await expectAccessible(page, 'operator sign-in');
    await screenshot(page, 'operator-sign-in');

    // A wrong key: refused, said so on the form, audited as a failure.
    await operatorSignIn(page, 'plk_not-a-real-key');
    await page.getByRole('alert').filter({ hasText: 'That is not a live platform key' }).waitFor();
    await expectAccessible(page, 'operator sign-in (refused)');
    expect((await auditRows('platform_operator.sign_in_failed')).map((r) => r.outcome)).toContain('failure');

    await operatorSignIn(page, api.platformKey);
    await page.waitForURL((url) => url.pathname === '/admin/t/default/tenants');
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.getByTestId('signed-in-as').filter({ hasText: 'Platform operator' }).waitFor();
    await expectAccessible(page, 'tenants (operator)');
    await screenshot(page, 'operator-tenants');

    // The browser holds only the HttpOnly, SameSite=Strict cookie: no key or token in web storage or the page.
    const cookie = (await context.cookies()).find((c) => c.name === 'plinto_op')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie.value).not.toContain(api.platformKey);
    expect(await webStorage(page)).toEqual({ local: {}, session: {} });
    expect(await page.content()).not.toContain(api.platformKey);
    expect(await page.evaluate(() => document.cookie)).not.toContain('plinto_op');

    await page.getByLabel('Tenant slug').fill('op-made');
    await page.getByLabel('Tenant name').fill('Operator Made');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByTestId('tenants').getByRole('link', { name: 'op-made' }).waitFor();
    expect((await api.rest('GET', '/v1/tenants?limit=100')).body.items.map((t: { slug: string }) => t.slug)).toContain('op-made');
    // Audited as the operator (the key), from the browser's address.
    const created = await auditRows('tenant.created');
    expect(created.at(-1)).toMatchObject({ actor_type: 'platform_operator', outcome: 'success' });
    const signedIn = await auditRows('platform_operator.signed_in');
    expect(signedIn.at(-1)?.actor_id).toBe(created.at(-1)?.actor_id);

    await page.getByLabel('Tenant', { exact: true }).first().click();
    await page.getByRole('option', { name: /Operator Made/ }).click();
    await page.waitForURL((url) => url.pathname === '/admin/t/op-made');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await visitScreen(page, `${api.url}/admin/t/op-made/users`, 'Users', 'operator-users');

    await page.setViewportSize({ width: 390, height: 844 });
    await visitScreen(page, `${api.url}/admin/t/op-made/tenants`, 'Tenants', 'operator-tenants-390');

    // Forced from devtools without the operator's CSRF token: refused before anything runs.
    const forced = await page.evaluate(async () => {
      const res = await fetch('/trpc/tenants.create', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plinto-operator': '1', 'x-plinto-tenant': 'default' },
        body: JSON.stringify({ json: { slug: 'csrf-made', name: 'CSRF' } }),
      });
      return { status: res.status, body: await res.text() };
    });
    expect(forced.status).toBe(403);
    expect(forced.body).toContain('CSRF_REJECTED');

    // Sign out ends the session on the server: the cookie, replayed, is worth nothing.
    const value = (await context.cookies()).find((c) => c.name === 'plinto_op')!.value;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/operator/sign-in');
    expect((await context.cookies()).some((c) => c.name === 'plinto_op')).toBe(false);
    const replay = await fetch(`${api.url}${trpcGet('tenants.list', { limit: 5 })}`, { headers: { cookie: `plinto_op=${value}`, 'x-plinto-operator': '1' } });
    expect(replay.status).toBe(401);
    expect((await fetch(`${api.url}/platform/session`, { headers: { cookie: `plinto_op=${value}` } })).status).toBe(401);
    expect((await auditRows('platform_operator.signed_out')).length).toBe(1);
    await context.close();
  });

  it('refuses a sign-in from another site, a form post, and a session whose key was revoked', async () => {
    const crossSite = await fetch(`${api.url}/platform/session/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ key: api.platformKey }),
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.getSetCookie().some((c) => c.startsWith('plinto_op='))).toBe(false);
    const formPost = await fetch(`${api.url}/platform/session/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(api.url).origin },
      body: `key=${encodeURIComponent(api.platformKey)}`,
    });
    expect(formPost.status).toBe(403);
    const empty = await signInOverHttp('');
    expect(empty.status).toBe(400);

    // A second key, signed in, then revoked: its session ends with it.
    const key = generatePlatformKey();
    const keyId = uuidv7();
    const sql = api.server.orm.em.fork().getConnection();
    await sql.execute('insert into platform_api_keys (id, name, prefix, key_hash) values (?, ?, ?, ?)', [keyId, 'second operator', key.slice(0, 10), sha256(key)]);
    const session = await signInOverHttp(key);
    expect(session.status).toBe(200);
    const asOperator = { cookie: session.cookie!, 'x-plinto-operator': '1' };
    expect((await fetch(`${api.url}${trpcGet('tenants.list', { limit: 5 })}`, { headers: asOperator })).status).toBe(200);
    // The cookie counts only on calls that ask for the operator: without the header the call is anonymous.
    expect((await fetch(`${api.url}${trpcGet('tenants.list', { limit: 5 })}`, { headers: { cookie: session.cookie! } })).status).toBe(401);
    await sql.execute('update platform_api_keys set revoked_at = now() where id = ?', [keyId]);
    expect((await fetch(`${api.url}${trpcGet('tenants.list', { limit: 5 })}`, { headers: asOperator })).status).toBe(401);
    expect((await fetch(`${api.url}/platform/session`, { headers: { cookie: session.cookie! } })).status).toBe(401);
    // A forged handle (someone else's session id, a made-up seal) is no session either.
    const forged = session.cookie!.replace(/\.[^.]+$/, '.AAAA');
    expect((await fetch(`${api.url}/platform/session`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it('keeps a tenant admin out of the operator screens: no Tenants section, and 403 when forced', async () => {
    const { context, page } = await newDesktopPage(browser);
    await signInInBrowser(page, api, T, tenantAdmin);
    await expect(page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tenants' }).count()).resolves.toBe(0);
    await page.goto(`${api.url}/admin/t/${T}/tenants`);
    await page.getByText('Only platform operators manage tenants.').waitFor();
    await expectAccessible(page, 'tenants (tenant admin)');
    await screenshot(page, 'operator-tenants-refused');

    const forced = await page.evaluate(async ({ tenant, listUrl }) => {
      const session = (await (await fetch(`/t/${tenant}/session`)).json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-plinto-tenant': tenant, 'x-csrf-token': session.csrfToken };
      const list = await fetch(listUrl, { headers });
      const create = await fetch('/trpc/tenants.create', { method: 'POST', headers, body: JSON.stringify({ json: { slug: 'admin-made', name: 'Admin' } }) });
      const rest = await fetch('/v1/tenants', { method: 'POST', headers, body: JSON.stringify({ slug: 'admin-made', name: 'Admin' }) });
      // Asking for the operator without an operator session: anonymous, not the admin's session.
      const pretend = await fetch(listUrl, { headers: { ...headers, 'x-plinto-operator': '1' } });
      const signIn = await fetch('/platform/session/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: session.csrfToken }) });
      return { list: list.status, create: create.status, rest: rest.status, pretend: pretend.status, signIn: signIn.status };
    }, { tenant: T, listUrl: trpcGet('tenants.list', { limit: 5 }) });
    expect(forced).toEqual({ list: 403, create: 403, rest: 403, pretend: 401, signIn: 401 });
    expect((await api.rest('GET', '/v1/tenants?limit=100')).body.items.map((t: { slug: string }) => t.slug)).not.toContain('admin-made');
    await context.close();
  });
});
