import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApi, startTestWorkers, waitFor, type SignedInUser, type TestApi } from '../src';
import { startSmtpSink } from '../src/smtp-sink';
import { startReceiver } from './webhooks.receiver';
import { confirmInDialog, consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen, webStorage } from './console-support';

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
let reader: SignedInUser;
let owner: SignedInUser;

beforeAll(async () => {
  smtp = await startSmtpSink();
  api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM_EMAIL: 'team@acme.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms', WEBHOOK_TIMEOUT: '2s' });
  await startTestWorkers(api.config);
  const tenant = await consoleTenant(api, T);
  admin = await tenant.userWithRole('admin@acme.test', 'admin');
  target = await tenant.userWithRole('dana.target@acme.test', null);
  reader = await tenant.userWithRole('reader@acme.test', 'member');
  owner = await tenant.userWithRole('owner@acme.test', 'owner');
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
    await page.getByText('No passkeys.').waitFor();
    await expectAccessible(page, 'user detail');
    await screenshot(page, 'user-detail');

    await page.getByRole('button', { name: 'Disable user' }).click();
    await confirmInDialog(page);
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

describe('admin console: policies, keys, tenants', () => {
  const decision = async () => {
    await page.getByRole('button', { name: 'Evaluate' }).click();
    return page.getByTestId('decision').getByText(/^(Allow|Deny)$/).textContent();
  };

  it('edits a policy and sees the playground\'s decision flip', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await visitScreen(page, at('/playground'), 'Policy playground', 'playground-before');
    await page.getByLabel('Subject').fill(`user:${reader.id}`);
    await page.getByLabel('Action').fill('users:read');
    await expect(decision()).resolves.toBe('Allow');

    await visitScreen(page, at('/policies'), 'Roles and policies', 'policies');
    const policy = { name: 'no-user-reads-for-reader', effect: 'deny', priority: 10, subjects: [`user:${reader.id}`], actions: ['users:read'], resources: ['*'] };
    await page.getByLabel('New policy (JSON)').fill(JSON.stringify(policy, null, 2));
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByTestId('policies').getByText('no-user-reads-for-reader').waitFor();
    // A document the server refuses names the field at fault.
    await page.getByLabel('New policy (JSON)').fill(JSON.stringify({ ...policy, name: 'broken', effect: 'maybe' }));
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByText(/VALIDATION_FAILED: effect/).waitFor();
    await expectAccessible(page, 'policies');
    await screenshot(page, 'policies-created');

    await page.goto(at('/playground'));
    await page.getByLabel('Subject').fill(`user:${reader.id}`);
    await page.getByLabel('Action').fill('users:read');
    await waitFor(async () => (await decision()) === 'Deny', 'the playground answering Deny after the policy');
    await page.getByTestId('decision').getByText('(decisive)').waitFor();
    await screenshot(page, 'playground-flipped');
  });

  it('shows signing keys to an admin without letting them rotate; an owner rotates and registers an application', async () => {
    await visitScreen(page, at('/keys'), 'Keys and clients', 'keys-admin');
    await expect(page.getByRole('button', { name: 'Rotate signing key' }).isDisabled()).resolves.toBe(true);

    const { context, page: ownerPage } = await newDesktopPage(browser);
    await signInInBrowser(ownerPage, api, T, owner);
    await visitScreen(ownerPage, at('/keys'), 'Keys and clients', 'keys-owner');
    const before = await ownerPage.getByTestId('signing-keys').getByRole('row').count();
    await ownerPage.getByRole('button', { name: 'Rotate signing key' }).click();
    await confirmInDialog(ownerPage);
    await ownerPage.getByText(/New current key/).waitFor();
    await waitFor(async () => (await ownerPage.getByTestId('signing-keys').getByRole('row').count()) === before + 1, 'the rotated key listed');
    await ownerPage.getByLabel('Key name').fill('ci-deploy');
    await ownerPage.getByRole('button', { name: 'Create API key' }).click();
    await ownerPage.getByText('The key (shown once)').waitFor();
    await expectAccessible(ownerPage, 'keys after rotation');
    await screenshot(ownerPage, 'keys-rotated');
    // The owner registers an OpenID Connect application: a web app's secret is shown once.
    await visitScreen(ownerPage, at('/applications'), 'Applications', 'applications');
    await ownerPage.getByLabel('Application name').fill('Acme Portal');
    await ownerPage.getByLabel('Redirect URIs (one per line)').fill('https://portal.acme.test/callback');
    await ownerPage.getByRole('button', { name: 'Register application' }).click();
    await ownerPage.getByTestId('applications').getByText('https://portal.acme.test/callback').waitFor();
    expect(await ownerPage.getByTestId('client-secret').textContent()).toMatch(/.{20,}/);
    await expectAccessible(ownerPage, 'application registered');
    await screenshot(ownerPage, 'applications-registered');
    expect(await webStorage(ownerPage)).toEqual({ local: {}, session: {} });
    await context.close();
  });

  it('lets a platform operator sign in in the browser, create a tenant and switch into it', async () => {
    const { context, page: operator } = await newDesktopPage(browser);
    // The console's operator form: the platform key is exchanged once for an HttpOnly cookie session
    // (test/e2e/console-operator.test.ts performs the attacks on it).
    await operator.goto(`${api.url}/admin/operator/sign-in?tenant=${T}`);
    await operator.getByRole('textbox', { name: 'Platform key' }).fill(api.platformKey);
    await operator.getByRole('button', { name: 'Sign in as operator' }).click();
    await operator.waitForURL((url) => url.pathname === `/admin/t/${T}/tenants`);
    await visitScreen(operator, `${api.url}/admin/t/${T}/tenants`, 'Tenants', 'tenants');
    await operator.getByLabel('Tenant slug').fill('console-new');
    await operator.getByLabel('Tenant name').fill('Console New');
    await operator.getByRole('button', { name: 'Create tenant' }).click();
    await operator.getByTestId('tenants').getByRole('link', { name: 'console-new' }).waitFor();
    await operator.getByLabel('Tenant', { exact: true }).first().click();
    await operator.getByRole('option', { name: /Console New/ }).click();
    await operator.waitForURL((url) => url.pathname === '/admin/t/console-new');
    await operator.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect((await api.rest('GET', '/v1/tenants?search=console-new')).body.items[0]).toMatchObject({ slug: 'console-new', status: 'active' });
    await context.close();
  });
});

describe('admin console: webhooks', () => {
  it('adds an endpoint at a loopback receiver, sends a test that dead-letters, and replays it once the receiver answers', async () => {
    const receiver = await startReceiver();
    receiver.respond = (_d, _n, res) => res.writeHead(500).end('down');
    await page.setViewportSize({ width: 1280, height: 900 });
    await visitScreen(page, at('/webhooks'), 'Webhooks', 'webhooks-empty');
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    receiver.secrets = [(await page.getByTestId('endpoint-secret').textContent())!];
    expect(receiver.secrets[0]).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Send test' }).click();
    // Every attempt fails (500): after the retry schedule the message is a dead letter.
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await page.getByTestId('dead-letters').getByRole('row').count()) === 1;
    }, 'the test message dead-lettered', 30_000);
    expect(receiver.deliveries.length).toBeGreaterThanOrEqual(3);
    await expectAccessible(page, 'webhooks dead letter');
    await screenshot(page, 'webhooks-dead-letter');

    receiver.respond = (_d, _n, res) => res.writeHead(204).end();
    const before = receiver.deliveries.length;
    await page.getByTestId('dead-letters').getByRole('button', { name: 'Replay' }).click();
    // The receiver gets the replay, signed with the endpoint's secret (verified by standardwebhooks).
    const replayed = await waitFor(() => receiver.deliveries.slice(before).find((d) => d.verifiedWith.length === 1), 'the replayed delivery', 30_000);
    expect(replayed.payload.type).toBe('webhook.test');
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return ((await page.getByTestId('deliveries').textContent()) ?? '').includes('succeeded');
    }, 'the replay listed as succeeded', 30_000);
    await screenshot(page, 'webhooks-replayed');
  });
});
