import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { waitFor, type SignedInUser, type TestApi, startTestApi } from '../src';
import { confirmInDialog, consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen } from './console-support';

/**
 * The console's management screens past the first round: a tenant owner creates a role with
 * inheritance and permissions, reads the sampled decision log, edits a webhook endpoint (URL, event
 * types, enabled), rotates its secret and recovers it, and edits an OIDC application (redirect URIs,
 * origins, grants) and rotates its secret. Each change is checked through the API afterwards.
 */
const T = 'manage-acme';
let api: TestApi;
let browser: Browser;
let page: Page;
let owner: SignedInUser;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  const tenant = await consoleTenant(api, T);
  owner = await tenant.userWithRole('owner@manage-acme.test', 'owner');
  browser = await launchChromium();
  ({ page } = await newDesktopPage(browser));
  await signInInBrowser(page, api, T, owner);
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

const at = (path = '') => `${api.url}/admin/t/${T}${path}`;

describe('console: roles, decision log, webhook and application editing', () => {
  it('creates a role that inherits another and holds an application permission', async () => {
    await visitScreen(page, at('/policies'), 'Roles and policies', 'roles-create');
    await page.getByRole('textbox', { name: 'Role name' }).fill('auditor');
    await page.getByLabel('Inherits from').first().click();
    await page.getByRole('option', { name: 'viewer', exact: true }).click();
    await page.keyboard.press('Escape');
    const permissions = page.getByLabel('Permissions').first();
    await permissions.fill('invoices:read');
    await permissions.press('Enter');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByText('Role auditor created.').waitFor();
    await page.getByTestId('roles').getByRole('row').filter({ hasText: 'auditor' }).waitFor();
    await expectAccessible(page, 'role created');
    await screenshot(page, 'role-created');
    const roles = (await api.rest('GET', '/v1/policies/roles?limit=100', { tenant: T })).body.items as { name: string; parents: string[]; permissions: string[] }[];
    expect(roles.find((r) => r.name === 'auditor')).toMatchObject({ parents: ['viewer'], permissions: ['invoices:read'] });
  });

  it('sets the decision sample rate and reads the decision log', async () => {
    await visitScreen(page, at('/decisions'), 'Decision log', 'decisions-empty');
    await page.getByLabel('Sample rate (0–1)').fill('1');
    await page.getByRole('button', { name: 'Save sample rate' }).click();
    await page.getByText('The share sampled is 100%', { exact: false }).waitFor();
    // Decisions of the console's own calls are sampled and written in batches after each request.
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await page.getByTestId('decisions').getByRole('row').count()) > 0;
    }, 'a sampled decision in the log', 30_000);
    await expect(page.getByTestId('decisions').textContent()).resolves.toContain(`user:${owner.id}`);
    await expectAccessible(page, 'decision log');
    await screenshot(page, 'decisions');
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await visitScreen(page, at('/decisions'), 'Decision log', 'decisions-390');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('edits a webhook endpoint, rotates its secret (shown once) and recovers it', async () => {
    await visitScreen(page, at('/webhooks'), 'Webhooks', 'webhooks-edit');
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/first');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const first = (await page.getByTestId('endpoint-secret').textContent())!;
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByTestId('endpoint-editor').waitFor();
    await page.getByRole('textbox', { name: 'Endpoint URL (edit)' }).fill('http://127.0.0.1:9/second');
    const types = page.getByLabel('Event types').first();
    await types.fill('user.*');
    await types.press('Enter');
    // Close the suggestions (they cover the switch below) by clicking outside them.
    await page.getByRole('heading', { level: 2, name: 'Edit endpoint' }).click();
    await page.getByRole('listbox').waitFor({ state: 'hidden' });
    await page.getByRole('switch', { name: 'Enabled' }).uncheck({ force: true }); // Mantine's switch input is visually hidden
    await expect(page.getByRole('switch', { name: 'Enabled' }).isChecked()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByTestId('endpoint-editor').getByText('Saved.').waitFor();
    const endpoint = (await api.rest('GET', '/v1/webhooks/endpoints?limit=10', { tenant: T })).body.items[0];
    expect(endpoint).toMatchObject({ url: 'http://127.0.0.1:9/second', eventTypes: ['user.*'], enabled: false });

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await confirmInDialog(page);
    const rotated = (await page.getByTestId('rotated-secret').textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(first);
    expect((await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: T })).body.previousSecretExpiresAt).not.toBeNull();

    // A disabled endpoint cannot be recovered (the server answers WEBHOOK_ENDPOINT_DISABLED): the
    // editor says so, and recovering works once the endpoint is enabled again.
    await page.getByTestId('recover-needs-enabled').waitFor({ timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Recover' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('switch', { name: 'Enabled' }).check({ force: true }); // Mantine's switch input is visually hidden
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByTestId('recover-needs-enabled').waitFor({ state: 'detached', timeout: 30_000 });
    expect((await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: T })).body.enabled).toBe(true);
    await page.getByRole('button', { name: 'Recover' }).click();
    await page.getByTestId('recovered').waitFor({ timeout: 30_000 });
    await expectAccessible(page, 'endpoint editor');
    await screenshot(page, 'webhook-endpoint-editor');
  });

  it('edits an application (redirect URIs, origins, grants) and rotates its client secret', async () => {
    await visitScreen(page, at('/applications'), 'Applications', 'applications-edit');
    await page.getByRole('textbox', { name: 'Application name' }).fill('Billing portal');
    await page.getByRole('textbox', { name: 'Redirect URIs (one per line)' }).fill('https://billing.example.com/callback');
    await page.getByRole('button', { name: 'Register application' }).click();
    const original = (await page.getByTestId('client-secret').textContent())!;
    await page.getByTestId('applications').getByRole('button', { name: 'Edit' }).click();
    await page.getByTestId('application-editor').waitFor();
    await page.getByRole('textbox', { name: 'Redirect URIs (edit, one per line)' }).fill('https://billing.example.com/callback\nhttps://billing.example.com/cb2');
    await page.getByRole('textbox', { name: 'Allowed origins (CORS, one per line)' }).fill('https://billing.example.com');
    await page.getByRole('checkbox', { name: 'refresh_token' }).uncheck();
    await page.getByLabel('ID token algorithm', { exact: true }).first().click();
    await page.getByRole('option', { name: /ES256/ }).click();
    await page.getByRole('button', { name: 'Save application' }).click();
    await page.getByTestId('application-editor').getByText('Saved.').waitFor();
    const app = (await api.rest('GET', '/v1/applications?limit=10', { tenant: T })).body.items[0];
    expect(app).toMatchObject({
      redirectUris: ['https://billing.example.com/callback', 'https://billing.example.com/cb2'],
      allowedOrigins: ['https://billing.example.com'],
      grantTypes: ['authorization_code'],
      idTokenSignedResponseAlg: 'ES256',
    });

    await page.getByRole('button', { name: 'Rotate client secret' }).click();
    await confirmInDialog(page);
    const rotated = (await page.getByTestId('rotated-client-secret').textContent())!;
    expect(rotated.length).toBeGreaterThan(20);
    expect(rotated).not.toBe(original);
    await expectAccessible(page, 'application editor');
    await screenshot(page, 'application-editor');
    // The old secret no longer authenticates the client; the new one does.
    const token = (secret: string) =>
      fetch(`${api.url}/t/${T}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString('base64')}` },
        body: 'grant_type=authorization_code&code=nothing&redirect_uri=https%3A%2F%2Fbilling.example.com%2Fcallback',
      }).then(async (r) => ((await r.json()) as { error: string }).error);
    await expect(token(original)).resolves.toBe('invalid_client');
    await expect(token(rotated)).resolves.toBe('invalid_grant');
  });
});
