import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApi, startTestWorkers, waitFor, type SignedInUser, type TestApi } from '../src';
import { startSmtpSink } from '../src/smtp-sink';
import { consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen, webStorage } from './console-support';

/**
 * The admin console in Debian's Chromium against the real api and workers: a tenant admin signs in
 * with the browser session cookie, finds a user and disables them (their session ends at once),
 * creates an organization and invites someone (the email reaches the SMTP sink), reads the audit
 * log and checks its hash chain. Every screen is checked with axe-core and photographed.
 */
const T = 'console-acme';
let api: TestApi;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let browser: Browser;
let page: Page;
let admin: SignedInUser;
let target: SignedInUser;

beforeAll(async () => {
  smtp = await startSmtpSink();
  api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM_EMAIL: 'team@acme.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  const tenant = await consoleTenant(api, T);
  admin = await tenant.userWithRole('admin@acme.test', 'admin');
  target = await tenant.userWithRole('dana.target@acme.test', null);
  browser = await launchChromium();
  ({ page } = await newDesktopPage(browser));
  await signInInBrowser(page, api, T, admin);
}, 120_000);

const at = (path = '') => `${api.url}/admin/t/${T}${path}`;

describe('admin console (tenant admin)', () => {
  it('shows the shell with the signed-in admin and a dashboard of the tenant’s activity', async () => {
    await visitScreen(page, at(), 'Dashboard', 'dashboard');
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe(admin.email);
    await expect(page.getByRole('link', { name: 'Users' }).isVisible()).resolves.toBe(true);
  });

  it('finds a user, disables them, and their session ends', async () => {
    expect((await api.rest('GET', '/v1/auth/session', { token: target.token, tenant: T })).status).toBe(200);
    await visitScreen(page, at('/users'), 'Users', 'users');
    await page.getByLabel('Search').fill('dana.target');
    await page.getByRole('link', { name: target.email }).click();
    await page.getByRole('heading', { level: 1, name: target.email }).waitFor();
    await page.getByTestId('user-sessions').getByRole('row').first().waitFor();
    await expectAccessible(page, 'user detail');
    await screenshot(page, 'user-detail');

    await page.getByRole('button', { name: 'Disable user' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('button', { name: 'Enable user' }).waitFor();
    await expect(page.getByText('Disabled', { exact: true }).first().isVisible()).resolves.toBe(true);
    // The server ended the user's session: their access token is refused from now on.
    await waitFor(async () => (await api.rest('GET', '/v1/auth/session', { token: target.token, tenant: T })).status === 401, 'the disabled user’s token refused');
    const user = await api.rest('GET', `/v1/users/${target.id}`, { tenant: T });
    expect(user.body.disabled).toBe(true);
  });

  it('creates an organization and invites someone, whose invitation email arrives', async () => {
    await visitScreen(page, at('/orgs'), 'Organizations', 'orgs');
    await page.getByLabel('New organization name').fill('Acme Widgets');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Widgets' }).waitFor();
    await expectAccessible(page, 'organization');
    await screenshot(page, 'org-members');

    await page.getByRole('tab', { name: 'Invitations' }).click();
    await page.getByLabel('Invite by email').fill('new.hire@example.com');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByTestId('invitations').getByText('new.hire@example.com').waitFor();
    const email = await smtp.waitForEmail('new.hire@example.com', /./, 30_000);
    expect(email.body).toContain('/accept-invitation');

    await page.getByLabel('Invite many (CSV, one address per line)').fill('email\nbulk.one@example.com\nbulk.two@example.com\nnot-an-email');
    await page.getByRole('button', { name: 'Invite all' }).click();
    await page.getByText(/2 invited, 1 skipped/).waitFor();
    await page.getByTestId('invitations').getByText('bulk.two@example.com').waitFor();
    await expectAccessible(page, 'invitations');
    await screenshot(page, 'org-invitations');
    await smtp.waitForEmail('bulk.one@example.com', /./, 30_000);
  });

  it('filters the audit log, opens an event, exports it and verifies the hash chain', async () => {
    await visitScreen(page, at('/audit'), 'Audit log', 'audit');
    await page.getByLabel('Action').fill('user.disabled');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.getByTestId('audit-rows').getByRole('row');
    await waitFor(async () => (await rows.count()) === 1 && (await rows.first().textContent())?.includes('user.disabled'), 'only the user.disabled event listed');
    await rows.first().getByRole('button').click();
    await page.getByRole('dialog').getByText(target.id).first().waitFor();
    await expectAccessible(page, 'audit event');
    await screenshot(page, 'audit-event');
    await page.keyboard.press('Escape');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON Lines' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('audit-log.jsonl');
    await page.getByText('Exported 1 lines.').waitFor();

    // The workers extend the chain after commit; once they have, the check says it is intact.
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Verify integrity' }).click();
      const text = await page.getByTestId('integrity').textContent({ timeout: 10_000 });
      return text?.includes('Chain intact') && text.includes(', 0 not yet chained');
    }, 'the audit chain checked intact', 30_000);
    await screenshot(page, 'audit-integrity');
  });

  it('reads webhooks and the policy playground; keeps no credential in web storage; works at 390 px', async () => {
    await visitScreen(page, at('/webhooks'), 'Webhooks', 'webhooks');
    await visitScreen(page, at('/playground'), 'Policy playground', 'playground');
    await page.getByLabel('Subject').fill(`user:${admin.id}`);
    await page.getByLabel('Action').fill('users:write');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('decision').getByText('Allow', { exact: true }).waitFor();
    await screenshot(page, 'playground-decision');

    expect(await webStorage(page)).toEqual({ local: {}, session: {} });
    // The session cookie is HttpOnly: the page's scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('plinto_s_');

    await page.setViewportSize({ width: 390, height: 844 });
    await visitScreen(page, at('/users'), 'Users', 'users-390px');
    await page.getByRole('button', { name: 'Toggle navigation' }).click();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  });
});
