import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { signedInUser, startTestApi, startTestWorkers, type SignedInUser, type TestApi } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';
import { freshTotpStep, totpFor } from './auth-helpers';
import { confirmInDialog, consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen } from './console-support';

/**
 * The console's user management beyond the list: a tenant admin creates users (with a password, or
 * invited by email to choose one), resends a verification email, resets a user's MFA (not an
 * owner's: the hierarchy holds), and sees a user's identities and organizations. A member sees the
 * controls disabled and gets a 403 when forcing a create.
 */
const T = 'users-acme';
let api: TestApi;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let browser: Browser;
let page: Page;
let admin: SignedInUser;
let owner: SignedInUser;
let member: SignedInUser;

/** Turns TOTP on for a user through the API, as the user would. */
async function enrollMfa(user: SignedInUser): Promise<void> {
  const enroll = await api.rest('POST', '/v1/auth/mfa/totp', { token: user.token, tenant: T, body: {} });
  expect(enroll.status, JSON.stringify(enroll.body)).toBeLessThan(300);
  await freshTotpStep();
  const confirm = await api.rest('POST', '/v1/auth/mfa/totp/confirm', { token: user.token, tenant: T, body: { code: totpFor(enroll.body.secret).now() } });
  expect(confirm.status, JSON.stringify(confirm.body)).toBeLessThan(300);
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM_EMAIL: 'team@acme.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  const tenant = await consoleTenant(api, T);
  admin = await tenant.userWithRole('admin@users-acme.test', 'admin');
  owner = await tenant.userWithRole('owner@users-acme.test', 'owner');
  member = await tenant.userWithRole('member@users-acme.test', 'member');
  browser = await launchChromium();
  ({ page } = await newDesktopPage(browser));
  await signInInBrowser(page, api, T, admin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const at = (path = '') => `${api.url}/admin/t/${T}${path}`;

describe('console: users', () => {
  it('creates a user with a password; the verification email arrives, and again on "resend"', async () => {
    await visitScreen(page, at('/users'), 'Users', 'users-create');
    await page.getByRole('textbox', { name: 'New user email' }).fill('created@example.com');
    await page.getByRole('textbox', { name: 'New user name' }).fill('Cleo Created');
    await page.getByLabel('Initial password').fill('a long enough password 42');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { level: 1, name: 'created@example.com' }).waitFor();
    await page.getByText('No linked identities', { exact: false }).waitFor();
    await page.getByText('Not a member of any organization.').waitFor();
    const first = await smtp.waitForEmail('created@example.com', /Verify your email/, 30_000);
    expect(extractLink(first).pathname).toBe(`/t/${T}/verify-email`);
    smtp.take('created@example.com');

    await page.getByRole('button', { name: 'Resend verification email' }).click();
    await page.getByText('Verification email sent to created@example.com.').waitFor();
    await expectAccessible(page, 'user created');
    await screenshot(page, 'user-created');
    const again = await smtp.waitForEmail('created@example.com', /Verify your email/, 30_000);
    expect(extractLink(again).searchParams.get('token')).not.toBe(extractLink(first).searchParams.get('token'));
    // The person can sign in with the password the admin chose.
    const signIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email: 'created@example.com', password: 'a long enough password 42' } });
    expect(signIn.body.status).toBe('signed_in');
    // A second user with the same address: refused, with the field at fault.
    await page.goto(at('/users'));
    await page.getByRole('textbox', { name: 'New user email' }).fill('created@example.com');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('Another user of this tenant has this email address').first().waitFor();
  });

  it('invites a user without a password: they get a link to choose one, which verifies the address', async () => {
    await page.goto(at('/users'));
    await page.getByRole('textbox', { name: 'New user email' }).fill('invited@example.com');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { level: 1, name: 'invited@example.com' }).waitFor();
    const email = await smtp.waitForEmail('invited@example.com', /./, 30_000);
    const link = extractLink(email);
    expect(link.pathname).toBe(`/t/${T}/reset-password`);
    const reset = await api.rest('POST', '/v1/auth/password/reset', { token: null, tenant: T, body: { token: link.searchParams.get('token'), password: 'chosen by the invitee 7' } });
    expect(reset.status, JSON.stringify(reset.body)).toBeLessThan(300);
    const user = (await api.rest('GET', `/v1/users?search=invited`, { tenant: T })).body.items[0];
    expect(user).toMatchObject({ email: 'invited@example.com', emailVerified: true });
  });

  it("resets a user's MFA, but not an owner's (the hierarchy holds), and shows organizations", async () => {
    const target = await signedInUser(api, { email: 'mfa.lost@example.com', tenant: T });
    await enrollMfa(target);
    await enrollMfa(owner);
    const org = await api.rest('POST', '/v1/orgs', { tenant: T, body: { name: 'Lost Phones Ltd' } });
    expect((await api.rest('POST', `/v1/orgs/${org.body.id}/members`, { tenant: T, body: { userId: target.id, role: 'member' } })).status).toBe(201);

    await page.goto(at(`/users/${target.id}`));
    await page.getByRole('heading', { level: 1, name: target.email }).waitFor();
    await page.getByTestId('user-organizations').getByRole('link', { name: 'Lost Phones Ltd' }).waitFor();
    await page.getByText('Enabled', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reset MFA' }).click();
    await confirmInDialog(page);
    await page.getByText('Not enrolled', { exact: true }).waitFor();
    await expectAccessible(page, 'user mfa reset');
    await screenshot(page, 'user-mfa-reset');
    expect((await api.rest('GET', `/v1/users/${target.id}`, { tenant: T })).body.mfaEnabled).toBe(false);
    await smtp.waitForEmail(target.email, /Two-factor authentication is off/, 30_000);
    // Signing in needs only the password now.
    expect((await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email: target.email, password: target.password } })).body.status).toBe('signed_in');

    // An admin does not outrank an owner: refused by the server, MFA stays on.
    await page.goto(at(`/users/${owner.id}`));
    await page.getByRole('heading', { level: 1, name: owner.email }).waitFor();
    await page.getByRole('button', { name: 'Reset MFA' }).click();
    await confirmInDialog(page);
    await page.getByRole('alert').filter({ hasText: 'Refused' }).waitFor();
    expect((await api.rest('GET', `/v1/users/${owner.id}`, { tenant: T })).body.mfaEnabled).toBe(true);

    await page.setViewportSize({ width: 390, height: 844 });
    await visitScreen(page, at(`/users/${target.id}`), target.email, 'user-detail-390');
    await visitScreen(page, at('/users'), 'Users', 'users-390');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('gives a member read-only user screens, and a 403 when they force a create', async () => {
    const { context, page: memberPage } = await newDesktopPage(browser);
    await signInInBrowser(memberPage, api, T, member);
    await visitScreen(memberPage, at('/users'), 'Users', 'users-member');
    await memberPage.getByRole('textbox', { name: 'New user email' }).fill('forced@example.com');
    await expect(memberPage.getByRole('button', { name: 'Create user' }).isDisabled()).resolves.toBe(true);
    const forced = await memberPage.evaluate(async (tenant) => {
      const session = (await (await fetch(`/t/${tenant}/session`)).json()) as { csrfToken: string };
      const res = await fetch('/trpc/users.create', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plinto-tenant': tenant, 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ json: { email: 'forced@example.com' } }),
      });
      return res.status;
    }, T);
    expect(forced).toBe(403);
    expect((await api.rest('GET', '/v1/users?search=forced', { tenant: T })).body.items).toEqual([]);
    await context.close();
  });
});
