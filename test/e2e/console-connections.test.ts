import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen } from './console-support';
import { startProvider } from './social.support';

/**
 * The console's connections and passkeys screen in Chromium: a tenant owner adds an OpenID Connect
 * connection (an oauth2-mock-server on loopback), edits it with a new secret (never shown), disables
 * and enables it — and the hosted sign-in page follows; an admin reads it with every control
 * disabled and is refused (403) when forcing a write; the owner sets the passkey settings (tenant
 * settings: settings:secure), which the admin reads. axe-core on every state, screenshots kept.
 */
const T = 'console-conn';
const SECRET = 'very-secret-client-secret-1234';
let api: TestApi;
let browser: Browser;
let owner: SignedInUser;
let admin: SignedInUser;
let provider: Awaited<ReturnType<typeof startProvider>>;

beforeAll(async () => {
  api = await startTestApi({ AUTH_SOCIAL_ALLOWED_HOSTS: '127.0.0.1', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  const tenant = await consoleTenant(api, T);
  owner = await tenant.userWithRole('owner@conn.test', 'owner');
  admin = await tenant.userWithRole('admin@conn.test', 'admin');
  provider = await startProvider();
  browser = await launchChromium();
}, 120_000);

const at = (path = '') => `${api.url}/admin/t/${T}${path}`;
const buttons = async () => ((await api.rest('GET', '/v1/auth/connections', { token: null, tenant: T })).body.items as { name: string }[]).map((c) => c.name);

async function forcedMutation(p: Page, path: string, input: unknown): Promise<{ status: number; code?: string }> {
  return p.evaluate(
    async ({ tenant, path: procedure, input: body }) => {
      const session = await (await fetch(`/t/${tenant}/session`)).json();
      const res = await fetch(`/trpc/${procedure}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-plinto-tenant': tenant, 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ json: body }) });
      const answer = await res.json();
      return { status: res.status, code: answer.error?.json?.data?.code ?? answer.error?.code };
    },
    { tenant: T, path, input },
  );
}

describe('console: sign-in connections (tenant owner)', () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await newDesktopPage(browser));
    await signInInBrowser(page, api, T, owner);
  });

  it('adds an OpenID Connect connection: the redirect URI is shown, the secret never', async () => {
    await visitScreen(page, at('/connections'), 'Connections and passkeys', 'connections-empty');
    await page.getByText('No sign-in connection yet.').waitFor();
    await page.getByLabel('Provider', { exact: true }).first().click();
    await page.getByRole('option', { name: /OpenID Connect/ }).click();
    await page.getByLabel('Slug').first().fill('okta');
    await page.getByLabel('Button name').first().fill('Okta');
    await page.getByLabel('Client ID').first().fill('console-client');
    await page.getByLabel('Client secret').first().fill(SECRET);
    // A private address as issuer: refused, with the field named.
    await page.getByLabel('Issuer URL').first().fill('http://10.0.0.5/');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText(/not allowed|allowed host|loopback|private/i).first().waitFor();
    await expectAccessible(page, 'connections with a field error');
    await page.getByLabel('Issuer URL').first().fill(provider.url);
    await page.getByRole('button', { name: 'Add connection' }).click();
    const row = page.getByTestId('connections').locator('tr[data-connection="okta"]');
    await row.waitFor();
    await row.getByText(`${api.url}/t/${T}/social/okta/callback`).waitFor();
    expect(await page.content()).not.toContain(SECRET);
    expect(JSON.stringify((await api.rest('GET', '/v1/connections', { tenant: T })).body)).not.toContain(SECRET);
    expect(await buttons()).toEqual(['Okta']);
    await expectAccessible(page, 'connections');
    await screenshot(page, 'connections');
  });

  it('edits it (a new secret, write-only), disables and enables it; the sign-in page follows', async () => {
    const row = page.getByTestId('connections').locator('tr[data-connection="okta"]');
    await row.getByRole('button', { name: 'Edit Okta' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByLabel('New client secret').first().inputValue()).resolves.toBe('');
    await dialog.getByLabel('Button name').first().fill('Okta SSO');
    await dialog.getByLabel('New client secret').first().fill(`${SECRET}-2`);
    await expectAccessible(page, 'connection edit dialog');
    await screenshot(page, 'connection-edit');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByRole('cell', { name: 'Okta SSO (okta)' }).waitFor();
    expect(await buttons()).toEqual(['Okta SSO']);

    await row.getByRole('button', { name: 'Disable Okta SSO' }).click();
    await row.getByText('disabled', { exact: true }).waitFor();
    expect(await buttons()).toEqual([]);
    await row.getByRole('button', { name: 'Enable Okta SSO' }).click();
    await row.getByText('enabled', { exact: true }).waitFor();
    expect(await buttons()).toEqual(['Okta SSO']);
    // Still a working connection after the edit: a sign-in through it, end to end.
    Object.assign(provider.claims, { sub: 'console-person', email: 'person@conn.test', email_verified: true });
    const { page: person } = await newDesktopPage(browser);
    await person.goto(`${api.url}/t/${T}/sign-in`);
    await person.getByRole('link', { name: 'Continue with Okta SSO' }).click();
    await person.waitForURL(`${api.url}/t/${T}/account`);
    await person.getByText('person@conn.test').first().waitFor();
    await person.context().close();
  });

  it('sets the passkey settings (relying-party ID, allowed origins, user verification); a bad origin names its field', async () => {
    const section = page.getByRole('region', { name: 'Passkey settings' });
    await section.getByLabel('Relying-party ID').first().fill('localhost');
    await section.getByLabel(/Allowed origins/).first().fill('http://evil.example');
    await section.getByRole('button', { name: 'Save passkey settings' }).click();
    await section.getByText('Must be https (http only on localhost)').first().waitFor();
    await expectAccessible(page, 'passkey settings with a field error');
    await section.getByLabel(/Allowed origins/).first().fill('http://localhost:5173\nhttps://app.localhost');
    await section.getByLabel('User verification', { exact: true }).first().click();
    await page.getByRole('option', { name: /Preferred/ }).click();
    await section.getByRole('button', { name: 'Save passkey settings' }).click();
    await section.getByText('Passkey settings saved.').waitFor();
    await screenshot(page, 'passkey-settings');
    const tenant = await api.rest('GET', `/v1/tenants/${T}`);
    expect(tenant.body.settings.passkeys).toMatchObject({ rpId: 'localhost', origins: ['http://localhost:5173', 'https://app.localhost'], userVerification: 'preferred' });
  });
});

describe('console: connections read-only for an admin', () => {
  it('lists them with every control disabled; a forced write is refused (403)', async () => {
    const { page, context } = await newDesktopPage(browser);
    await signInInBrowser(page, api, T, admin);
    await visitScreen(page, at('/connections'), 'Connections and passkeys', 'connections-read-only');
    const row = page.getByTestId('connections').locator('tr[data-connection="okta"]');
    await row.waitFor();
    await expect(page.getByRole('button', { name: 'Add connection' }).isDisabled()).resolves.toBe(true);
    await expect(row.getByRole('button', { name: 'Edit Okta SSO' }).isDisabled()).resolves.toBe(true);
    await expect(row.getByRole('button', { name: 'Disable Okta SSO' }).isDisabled()).resolves.toBe(true);
    await page.getByText(/Read-only: changing connections/).waitFor();
    // Passkey settings: the owner's values, read-only (settings:secure is the owners').
    const passkeys = page.getByRole('region', { name: 'Passkey settings' });
    await expect(passkeys.getByLabel('Relying-party ID').first().inputValue()).resolves.toBe('localhost');
    await expect(passkeys.getByRole('button', { name: 'Save passkey settings' }).isDisabled()).resolves.toBe(true);
    const id = (await api.rest('GET', '/v1/connections', { tenant: T })).body.items[0].id;
    expect(await forcedMutation(page, 'connections.update', { id, enabled: false })).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await buttons()).toEqual(['Okta SSO']);
    await context.close();
  });
});
