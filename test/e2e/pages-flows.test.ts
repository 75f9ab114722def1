import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApi, startTestWorkers, type TestApi } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';
import { checkHostedPage, openPage, screenshot, startBrowser } from '../src/browser';
import { freshTotpStep, totpFor } from './auth-helpers';

/**
 * The hosted pages in real Chromium, the way a person uses them: every emailed link (verify,
 * reset, magic link, invitation for a new and an existing account) opens a working page of the
 * tenant; sign-in (with MFA), the account page (profile, password, sessions, sign-out). Every page
 * visited is checked with axe-core (no serious or critical violation), screenshotted into
 * test-artifacts/, and must run under its CSP without a violation.
 */
let api: TestApi;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let browser: Browser;
const T = 'acme';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase 42';

beforeAll(async () => {
  smtp = await startSmtpSink();
  api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM_EMAIL: 'auth@plinto.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  // No appUrl: emailed links must land on the hosted pages.
  const created = await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Acme Rockets', settings: { requireVerifiedEmail: true } } });
  expect(created.status).toBe(201);
  browser = await startBrowser();
}, 120_000);

/** A form field by its accessible name (the label; Mantine's required asterisk is not part of it). */
const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();

async function signInThroughPage(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${api.url}/t/${T}/sign-in`);
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** A verified account made through the API (for flows that start later). */
async function verifiedUser(email: string, password = PASSWORD) {
  await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: T, body: { email, password } });
  const mail = await smtp.waitForEmail(email, /Verify your email/);
  smtp.take(email);
  expect((await api.rest('POST', '/v1/auth/email/verify', { token: null, tenant: T, body: { token: extractLink(mail).searchParams.get('token') } })).status).toBe(200);
}

describe('hosted pages in Chromium', () => {
  it('signs up, verifies the emailed link, signs in, uses the account page, revokes a session, signs out', async () => {
    const watched = await openPage(browser);
    const { page, context } = watched;
    const email = 'ada@example.com';

    await page.goto(`${api.url}/t/${T}/sign-up`);
    await checkHostedPage(watched, 'sign-up');
    await field(page, 'Name').fill('Ada');
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Check your email').waitFor();

    const mail = await smtp.waitForEmail(email, /Verify your email/);
    const link = extractLink(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${api.url}/t/${T}/verify-email`);
    await page.goto(link.toString());
    await checkHostedPage(watched, 'verify-email');
    await page.getByRole('button', { name: 'Verify my email' }).click();
    await page.getByText('Your email address is verified.').waitFor();

    await signInThroughPage(page, email, PASSWORD);
    await page.waitForURL(`${api.url}/t/${T}/account`);
    await heading(page, 'Your account');
    await page.getByText(email, { exact: true }).waitFor();
    await page.getByText('This device').waitFor();
    await checkHostedPage(watched, 'account');

    // The session is an HttpOnly, SameSite=Lax cookie; nothing readable by scripts holds a token.
    const cookie = (await context.cookies()).find((c) => c.name === `plinto_s_${T}`)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    const storage = await page.evaluate(() => ({ local: Object.keys(localStorage).length, session: Object.keys(sessionStorage).length, cookie: document.cookie }));
    expect(storage).toEqual({ local: 0, session: 0, cookie: '' });

    // Profile.
    await field(page, 'Name').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Profile saved.').waitFor();
    expect((await api.rest('GET', '/v1/me', { token: (await signedInAs(email, PASSWORD)).token, tenant: T })).body.user.displayName).toBe('Ada Lovelace');

    // Another device signed in: listed, and revoked from here.
    const other = await signedInAs(email, PASSWORD);
    await page.reload();
    const revoke = page.getByRole('button', { name: /^Sign out the session started/ });
    await expect.poll(() => revoke.count(), { timeout: 30_000 }).toBe(2); // the device above and the profile check's
    await revoke.first().click();
    await expect.poll(() => revoke.count(), { timeout: 30_000 }).toBe(1);
    await revoke.first().click();
    await expect.poll(() => revoke.count(), { timeout: 30_000 }).toBe(0);
    expect((await api.rest('GET', '/v1/auth/session', { token: other.token, tenant: T })).status).toBe(401);

    // Change password: a wrong current password is refused on its field; then it changes.
    await field(page, 'Current password').fill('not my password');
    await field(page, 'New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is not right').first().waitFor();
    await field(page, 'Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    await screenshot(page, 'account-password-changed');
    expect((await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email, password: PASSWORD } })).status).toBe(401);
    // This session survived its own password change.
    await page.reload();
    await heading(page, 'Your account');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${api.url}/t/${T}/signed-out`);
    await checkHostedPage(watched, 'signed-out');
    expect((await context.cookies()).find((c) => c.name === `plinto_s_${T}`)).toBeUndefined();
    await page.goto(`${api.url}/t/${T}/account`);
    await page.waitForURL(/\/t\/acme\/sign-in\?return_to=/);
    await checkHostedPage(watched, 'sign-in');
    await context.close();
  }, 120_000); // a long walk through many pages; the machine may be busy

  it('resets a forgotten password through the emailed link', async () => {
    const email = 'grace@example.com';
    await verifiedUser(email);
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${api.url}/t/${T}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await checkHostedPage(watched, 'forgot-password');
    await field(page, 'Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('a reset link is on its way').waitFor();

    const link = extractLink(await smtp.waitForEmail(email, /Reset your/));
    expect(`${link.origin}${link.pathname}`).toBe(`${api.url}/t/${T}/reset-password`);
    await page.goto(link.toString());
    await checkHostedPage(watched, 'reset-password');
    await field(page, 'New password').fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('At least').first().waitFor(); // the policy's message on the field
    await field(page, 'New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password has been changed.').waitFor();

    await signInThroughPage(page, email, NEW_PASSWORD);
    await page.waitForURL(`${api.url}/t/${T}/account`);
    await page.getByText(email, { exact: true }).waitFor();
    await watched.context.close();
  });

  it('signs in with a magic link: opening the link consumes nothing, the button does', async () => {
    const email = 'linus@example.com';
    await verifiedUser(email);
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${api.url}/t/${T}/sign-in`);
    await page.getByRole('button', { name: 'Email me a sign-in link instead' }).click();
    await field(page, 'Email').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByText('a sign-in link is on its way').waitFor();

    const link = extractLink(await smtp.waitForEmail(email, /sign-in link/));
    expect(`${link.origin}${link.pathname}`).toBe(`${api.url}/t/${T}/magic-link`);
    // A link scanner fetching the page burns nothing.
    expect((await fetch(link)).status).toBe(200);
    await page.goto(link.toString());
    await checkHostedPage(watched, 'magic-link');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${api.url}/t/${T}/account`);
    await page.getByText(email, { exact: true }).waitFor();
    await watched.context.close();
  });

  it('asks for the TOTP code of an account with MFA', async () => {
    const email = 'mfa@example.com';
    await verifiedUser(email);
    const user = await signedInAs(email, PASSWORD);
    const enrolled = await api.rest('POST', '/v1/auth/mfa/totp', { token: user.token, tenant: T, body: {} });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBeLessThan(300);
    const totp = totpFor(enrolled.body.secret);
    await freshTotpStep();
    expect((await api.rest('POST', '/v1/auth/mfa/totp/confirm', { token: user.token, tenant: T, body: { code: totp.now() } })).status).toBeLessThan(300);

    const watched = await openPage(browser);
    const { page } = watched;
    await signInThroughPage(page, email, PASSWORD);
    await page.waitForURL(`${api.url}/t/${T}/mfa`);
    await checkHostedPage(watched, 'mfa');
    await field(page, 'Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    await freshTotpStep();
    await field(page, 'Code from your authenticator app').fill(totp.at(1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${api.url}/t/${T}/account`);
    const session = await page.evaluate(async () => (await fetch(location.pathname.replace('/account', '/session'))).json());
    expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
    await watched.context.close();
  });

  it('accepts invitations: a new person creates their account; an existing one signs in first', async () => {
    await verifiedUser('owner@example.com');
    const owner = await signedInAs('owner@example.com', PASSWORD);
    const org = await api.rest('POST', '/v1/orgs', { token: owner.token, tenant: T, body: { slug: 'rockets', name: 'Rocket Team' } });
    expect(org.status, JSON.stringify(org.body)).toBe(201);
    const invite = async (email: string) => {
      const res = await api.rest('POST', '/v1/invitations', { token: owner.token, tenant: T, body: { organizationId: org.body.id, email } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const link = extractLink(await smtp.waitForEmail(email, /invit/i));
      expect(`${link.origin}${link.pathname}`).toBe(`${api.url}/t/${T}/accept-invitation`);
      return link;
    };

    // A new person.
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto((await invite('newbie@example.com')).toString());
    await page.getByText('Rocket Team').first().waitFor();
    await checkHostedPage(watched, 'accept-invitation-new');
    await field(page, 'Name').fill('Newbie');
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account and accept' }).click();
    await page.waitForURL(`${api.url}/t/${T}/account`);
    await page.getByText('newbie@example.com').waitFor();
    await watched.context.close();

    // An existing account: told to sign in, comes back to the invitation, accepts with its session.
    const email = 'existing@example.com';
    await verifiedUser(email);
    const second = await openPage(browser);
    const link = await invite(email);
    await second.page.goto(link.toString());
    await field(second.page, 'Password').fill(PASSWORD);
    await second.page.getByRole('button', { name: 'Create account and accept' }).click();
    await second.page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await second.page.waitForURL(/\/sign-in\?return_to=/);
    await field(second.page, 'Email').fill(email);
    await field(second.page, 'Password').fill(PASSWORD);
    await second.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await second.page.waitForURL((url) => url.pathname === `/t/${T}/accept-invitation`);
    await second.page.getByRole('button', { name: 'Accept invitation' }).click();
    await second.page.getByText('You have joined Rocket Team.').waitFor();
    await checkHostedPage(second, 'accept-invitation-existing');
    const members = await api.rest('GET', `/v1/orgs/${org.body.id}/members`, { token: owner.token, tenant: T });
    expect(JSON.stringify(members.body)).toContain(email);
    await second.context.close();
  });

  it('serves the consent page and the not-found page accessibly; /, /login and /account go to the default tenant', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${api.url}/t/${T}/consent?interaction=unknown`);
    await checkHostedPage(watched, 'consent-unknown-interaction');
    for (const [path, target] of [['/', '/t/default/account'], ['/login', '/t/default/sign-in'], ['/account', '/t/default/account']] as const) {
      const res = await fetch(`${api.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe(target);
    }
    await page.goto(`${api.url}/login`);
    await page.waitForURL(`${api.url}/t/default/sign-in`);
    await checkHostedPage(watched, 'default-sign-in');
    await watched.context.close();
  });
});

async function signedInAs(email: string, password: string) {
  const res = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email, password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { token: res.body.access_token as string };
}
