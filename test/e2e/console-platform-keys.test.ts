import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen, webStorage } from './console-support';

/**
 * Platform operators manage platform keys in the console, in real Chromium: a key created is shown
 * once, signs in from another browser, and once revoked that browser's session is over. The guards
 * are attacked from the page: the last live key, one's own key without confirmation, and a tenant
 * admin forcing the operator procedures.
 */
const T = 'pk-acme';
let api: TestApi;
let browser: Browser;
let tenantAdmin: SignedInUser;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  const tenant = await consoleTenant(api, T);
  tenantAdmin = await tenant.userWithRole('admin@pk-acme.test', 'admin');
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const auditRows = async (action: string) =>
  (await api.server.orm.em.fork().getConnection().execute(
    'select actor_type, actor_id, tenant_id, target_id, data from audit_events where action = ? order by occurred_at',
    [action],
  )) as { actor_type: string; actor_id: string | null; tenant_id: string | null; target_id: string | null; data: Record<string, unknown> }[];

async function operatorSignIn(page: Page, key: string): Promise<void> {
  await page.goto(`${api.url}/admin/operator/sign-in`);
  await page.getByRole('textbox', { name: 'Platform key' }).fill(key);
  await page.getByRole('button', { name: 'Sign in as operator' }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: 'Platform operator' }).waitFor();
}

/** A call forced from the page as its operator session (cookie, operator header and CSRF token), as devtools would. */
async function forceAsOperator(page: Page, path: string, input: unknown): Promise<{ status: number; code?: string; fields?: { path: string }[] }> {
  return page.evaluate(
    async ({ path, input }) => {
      const session = await fetch('/platform/session');
      if (!session.ok) return { status: session.status };
      const { csrfToken } = (await session.json()) as { csrfToken: string };
      const res = await fetch(`/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plinto-operator': '1', 'x-csrf-token': csrfToken },
        body: JSON.stringify({ json: input }),
      });
      const body = (await res.json()) as { error?: { json?: { data?: { code?: string; fields?: { path: string }[] } } } };
      return { status: res.status, code: body.error?.json?.data?.code, fields: body.error?.json?.data?.fields };
    },
    { path, input },
  );
}

const keyRow = (page: Page, name: string) => page.getByTestId('platform-keys').getByRole('row').filter({ hasText: name });

describe('platform keys in the console', () => {
  it('creates a key shown once, signs in with it elsewhere, revokes it and that session ends; the last key stays', async () => {
    const { context, page } = await newDesktopPage(browser);
    await operatorSignIn(page, api.platformKey);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Platform keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'Platform keys' }).waitFor();
    await keyRow(page, 'bootstrap').getByText('yours').waitFor();
    await page.mouse.move(640, 880); // off the link just clicked: its hover shade is not what a reader sees
    await expectAccessible(page, 'platform keys');

    await page.getByLabel('Key name').fill('second operator');
    await page.getByRole('button', { name: 'Create platform key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Platform key “second operator”' });
    const secret = (await dialog.getByTestId('new-platform-key').textContent())!.trim();
    expect(secret).toMatch(/^plk_[A-Za-z0-9_-]{43}$/);
    await expectAccessible(page, 'platform key created');
    await screenshot(page, 'platform-key-created');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Shown once: listed by its prefix only, never again in full — not in the page, not in web storage.
    await keyRow(page, 'second operator').getByText(`${secret.slice(0, 10)}…`).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await webStorage(page)).toEqual({ local: {}, session: {} });
    const listed = await api.rest('GET', '/v1/platform-keys?limit=100');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const created = listed.body.items.find((k: { name: string }) => k.name === 'second operator');
    expect(created).toMatchObject({ status: 'active', prefix: secret.slice(0, 10), current: false, revokedAt: null });
    // Audited as the operator who made it, tenant-less.
    const bootstrapId = listed.body.items.find((k: { name: string }) => k.name.startsWith('bootstrap')).id as string;
    expect((await auditRows('platform_api_key.created')).at(-1)).toMatchObject({ actor_type: 'platform_operator', actor_id: bootstrapId, tenant_id: null, target_id: created.id });

    // The new key signs in from another browser.
    const other = await newDesktopPage(browser);
    await operatorSignIn(other.page, secret);
    await other.page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.reload();
    await keyRow(page, 'second operator').filter({ hasNotText: '—' }).waitFor(); // last used: now known

    // Revoked from the first browser: the second one's session ends at once.
    await keyRow(page, 'second operator').getByRole('button', { name: 'Revoke second operator' }).click();
    await page.getByRole('dialog', { name: 'Revoke second operator' }).getByRole('button', { name: 'Revoke key' }).click();
    await keyRow(page, 'second operator').getByText('revoked').waitFor();
    expect((await forceAsOperator(other.page, 'tenants.list', { limit: 5 })).status).toBe(401);
    await other.page.reload();
    await other.page.getByRole('link', { name: 'Platform operator sign-in' }).waitFor();
    expect((await other.context.cookies()).some((c) => c.name === 'plinto_op')).toBe(true); // the cookie stays, worth nothing
    await other.context.close();
    expect((await auditRows('platform_api_key.revoked')).at(-1)).toMatchObject({
      actor_type: 'platform_operator',
      actor_id: bootstrapId,
      tenant_id: null,
      target_id: created.id,
      data: { name: 'second operator', sessionsEnded: 1 },
    });

    // The last live key: its Revoke is disabled, and forced from the page (confirmed, even) it is a 409.
    await expect(keyRow(page, 'bootstrap').getByRole('button', { name: /^Revoke/ }).isDisabled()).resolves.toBe(true);
    const last = await forceAsOperator(page, 'platformKeys.revoke', { id: bootstrapId, confirmOwnKey: true });
    expect(last).toMatchObject({ status: 409, code: 'LAST_PLATFORM_KEY', fields: [{ path: 'id' }] });
    const lastRest = await api.rest('POST', `/v1/platform-keys/${bootstrapId}/revoke`, { body: { confirmOwnKey: true } });
    expect(lastRest.status).toBe(409);
    expect(lastRest.body.error.code).toBe('LAST_PLATFORM_KEY');
    await visitScreen(page, `${api.url}/admin/t/default/platform-keys`, 'Platform keys', 'platform-keys');
    await context.close();
  });

  it("asks before an operator revokes their own key, then signs them out", async () => {
    const made = await api.rest('POST', '/v1/platform-keys', { body: { name: 'laptop' } });
    expect(made.status).toBe(201);
    const { context, page } = await newDesktopPage(browser);
    await operatorSignIn(page, made.body.key);
    // Forced without confirmation: refused, naming the field to confirm with.
    const unconfirmed = await forceAsOperator(page, 'platformKeys.revoke', { id: made.body.id });
    expect(unconfirmed).toMatchObject({ status: 409, code: 'OWN_PLATFORM_KEY', fields: [{ path: 'confirmOwnKey' }] });

    await page.goto(`${api.url}/admin/t/default/platform-keys`);
    await keyRow(page, 'laptop').getByText('yours').waitFor();
    await keyRow(page, 'laptop').getByRole('button', { name: 'Revoke laptop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke laptop' });
    await dialog.getByText('This is the key you are signed in with').waitFor();
    await expectAccessible(page, 'revoke own platform key');
    await dialog.getByRole('button', { name: 'Revoke my key and sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/operator/sign-in');
    expect((await fetch(`${api.url}/v1/platform-keys?limit=5`, { headers: { authorization: `Bearer ${made.body.key}` } })).status).toBe(401);
    expect((await api.rest('GET', '/v1/platform-keys?status=active&limit=100')).body.items.map((k: { name: string }) => k.name)).not.toContain('laptop');
    await context.close();
  });

  it('refuses a tenant admin every platform key procedure, and offers no screen', async () => {
    const { context, page } = await newDesktopPage(browser);
    await signInInBrowser(page, api, T, tenantAdmin);
    await expect(page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Platform keys' }).count()).resolves.toBe(0);
    await page.goto(`${api.url}/admin/t/${T}/platform-keys`);
    await page.getByText('Only platform operators manage platform keys.').waitFor();
    const bootstrapId = (await api.rest('GET', '/v1/platform-keys?limit=100')).body.items.find((k: { name: string }) => k.name.startsWith('bootstrap')).id;
    const forced = await page.evaluate(async ({ tenant, bootstrapId }) => {
      const session = (await (await fetch(`/t/${tenant}/session`)).json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-plinto-tenant': tenant, 'x-csrf-token': session.csrfToken };
      const list = await fetch(`/trpc/platformKeys.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 5 } }))}`, { headers });
      const create = await fetch('/trpc/platformKeys.create', { method: 'POST', headers, body: JSON.stringify({ json: { name: 'admin-made' } }) });
      const revoke = await fetch('/trpc/platformKeys.revoke', { method: 'POST', headers, body: JSON.stringify({ json: { id: bootstrapId, confirmOwnKey: true } }) });
      const rest = await fetch('/v1/platform-keys', { method: 'POST', headers, body: JSON.stringify({ name: 'admin-made' }) });
      return { list: list.status, create: create.status, revoke: revoke.status, rest: rest.status };
    }, { tenant: T, bootstrapId });
    expect(forced).toEqual({ list: 403, create: 403, revoke: 403, rest: 403 });
    const names = (await api.rest('GET', '/v1/platform-keys?limit=100')).body.items.map((k: { name: string; status: string }) => `${k.name}:${k.status}`);
    expect(names.some((n: string) => n.startsWith('admin-made'))).toBe(false);
    expect(names.filter((n: string) => n.startsWith('bootstrap'))).toEqual([expect.stringMatching(/:active$/)]);
    await context.close();
  });
});
