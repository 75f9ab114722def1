import { createServer, type Server } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { onCleanup, startTestApi, waitFor, type SignedInUser, type TestApi } from '../src';
import { consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen, webStorage } from './console-support';

/**
 * The console's security properties, each performed as the attack: a viewer sees read-only
 * screens and a write forced from the page (devtools-style fetch) is refused by the server; a
 * cookie-authenticated write without the CSRF token is refused; another site cannot frame the
 * console (clickjacking); no credential sits in web storage; sign-out ends the session.
 */
const T = 'console-sec';
let api: TestApi;
let browser: Browser;
let page: Page;
let viewer: SignedInUser;
let member: SignedInUser;
let someone: SignedInUser;
let orgId: string;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  const tenant = await consoleTenant(api, T);
  viewer = await tenant.userWithRole('viewer@sec.test', 'viewer');
  member = await tenant.userWithRole('member@sec.test', 'member');
  someone = await tenant.userWithRole('someone@sec.test', null);
  const org = await api.rest('POST', '/v1/orgs', { tenant: T, body: { name: 'Someone Org', ownerId: someone.id } });
  expect(org.status, JSON.stringify(org.body)).toBe(201);
  orgId = org.body.id;
  browser = await launchChromium();
  ({ page } = await newDesktopPage(browser));
  await signInInBrowser(page, api, T, viewer);
}, 120_000);

const at = (path = '') => `${api.url}/admin/t/${T}${path}`;

/** A tRPC mutation sent from inside the signed-in page, as someone typing in devtools would. */
async function forcedMutation(p: Page, path: string, input: unknown, withCsrf: boolean): Promise<{ status: number; code?: string }> {
  return p.evaluate(
    async ({ tenant, path: procedure, input: body, withCsrf: csrf }) => {
      const session = await (await fetch(`/t/${tenant}/session`)).json();
      const res = await fetch(`/trpc/${procedure}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plinto-tenant': tenant, ...(csrf ? { 'x-csrf-token': session.csrfToken } : {}) },
        body: JSON.stringify({ json: body }),
      });
      const answer = await res.json();
      return { status: res.status, code: answer.error?.json?.data?.code ?? answer.error?.code };
    },
    { tenant: T, path, input, withCsrf },
  );
}

describe('admin console: a viewer', () => {
  it('gets read-only screens: organizations and members to read, every write control disabled', async () => {
    await visitScreen(page, at('/orgs'), 'Organizations', 'viewer-orgs');
    await expect(page.getByRole('button', { name: 'Create organization' }).isDisabled()).resolves.toBe(true);
    // Sections the viewer's role cannot read are not offered (the server would refuse them anyway).
    await expect(page.getByRole('link', { name: 'Users' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Someone Org' }).click();
    await page.getByRole('heading', { level: 1, name: 'Someone Org' }).waitFor();
    await page.getByRole('cell', { name: someone.email }).waitFor();
    await expect(page.getByRole('button', { name: 'Remove' }).isDisabled()).resolves.toBe(true);
    await expectAccessible(page, 'viewer organization');
    await screenshot(page, 'viewer-org');
    // A screen reached by URL shows the server's refusal, not data.
    await page.goto(at('/users'));
    await page.getByText(/FORBIDDEN/).waitFor();
  });

  it('a member reads users but every change to them is disabled', async () => {
    const { context, page: memberPage } = await newDesktopPage(browser);
    await signInInBrowser(memberPage, api, T, member);
    await visitScreen(memberPage, at('/users'), 'Users', 'member-users');
    await memberPage.getByRole('link', { name: someone.email }).click();
    await memberPage.getByRole('heading', { level: 1, name: someone.email }).waitFor();
    for (const name of ['Disable user', 'End all sessions', 'Delete user']) {
      await expect(memberPage.getByRole('button', { name }).isDisabled(), name).resolves.toBe(true);
    }
    await expectAccessible(memberPage, 'member user detail');
    await screenshot(memberPage, 'member-user-detail');
    await context.close();
  });

  it('forcing a write from the page is refused by the server (403), and nothing changes', async () => {
    const forced = await forcedMutation(page, 'users.disable', { userId: someone.id }, true);
    expect(forced).toEqual({ status: 403, code: 'FORBIDDEN' });
    const promote = await forcedMutation(page, 'orgs.addMember', { orgId, userId: viewer.id, role: 'owner' }, true);
    expect(promote).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect((await api.rest('GET', `/v1/users/${someone.id}`, { tenant: T })).body.disabled).toBe(false);
    expect((await api.rest('GET', `/v1/auth/session`, { token: someone.token, tenant: T })).status).toBe(200);
  });

  it('a cookie-authenticated write without the CSRF token is refused before any service runs', async () => {
    const forced = await forcedMutation(page, 'sessions.revokeOthers', {}, false);
    expect(forced).toEqual({ status: 403, code: 'CSRF_REJECTED' });
  });

  it('keeps no credential where scripts can read it', async () => {
    expect(await webStorage(page)).toEqual({ local: {}, session: {} });
    expect(await page.evaluate(() => document.cookie)).not.toContain('plinto_s_');
  });
});

describe('admin console: serving and framing', () => {
  it('answers every console path with the app, under a CSP without inline scripts and no framing', async () => {
    for (const path of ['/admin', '/admin/', `/admin/t/${T}/users/some-id`]) {
      const res = await fetch(`${api.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain('<div id="root">');
    }
    const missing = await fetch(`${api.url}/admin/assets/nope.js`);
    expect(missing.status).toBe(404);
  });

  it('cannot be framed by another site (clickjacking): the browser refuses to render it', async () => {
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>win a prize</title><iframe id="victim" src="${at('/users')}" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => attacker.close(() => resolve())));
    const refusals: string[] = [];
    page.on('console', (message) => refusals.push(message.text()));
    await page.goto(`http://127.0.0.1:${(attacker.address() as { port: number }).port}/`);
    await waitFor(() => refusals.some((text) => /frame-ancestors 'none'|X-Frame-Options/.test(text)), 'Chromium refusing to frame the console');
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framed = await frame?.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    expect(framed ?? '').not.toContain('Users');
    await screenshot(page, 'clickjacking-refused');
  });
});

describe('admin console: signing out', () => {
  it('shows the way to the hosted sign-in page when signed out, and sign-out ends the session', async () => {
    const { context, page: fresh } = await newDesktopPage(browser);
    await fresh.goto(at());
    const signIn = fresh.getByRole('link', { name: 'Sign in', exact: true });
    await expect(signIn.getAttribute('href')).resolves.toBe(`/t/${T}/sign-in?return_to=${encodeURIComponent(`/admin/t/${T}`)}`);
    await expectAccessible(fresh, 'signed out');
    await screenshot(fresh, 'signed-out');
    await context.close();

    await page.goto(at('/users'));
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/admin'));
    await page.goto(at('/users'));
    await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
    const status = await page.evaluate(async (tenant) => (await fetch(`/t/${tenant}/session`)).status, T);
    expect(status).toBe(401);
  });
});
