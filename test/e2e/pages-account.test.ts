import { createServer } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import * as OTPAuth from 'otpauth';
import { onCleanup, startTestApi, startTestWorkers, type TestApi } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';
import { checkHostedPage, openPage, startBrowser } from '../src/browser';

/**
 * The rest of the account page and the pages around sign-in, in real Chromium: changing the email
 * address (only the link mailed to the new address changes it, the old address is told), TOTP
 * two-step verification (enrol with the QR code's secret, recovery codes shown once, new codes,
 * signing in with a code and with a recovery code, turning it off), the hosted error page for
 * OIDC errors shown before a redirect URI is trusted and for dead links, and RP-initiated logout
 * without an ID token hint, which asks first — attacked from another site. Every page is checked
 * with axe-core and screenshotted.
 */
let api: TestApi;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let browser: Browser;
const T = 'acme';
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  smtp = await startSmtpSink();
  api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM_EMAIL: 'auth@plinto.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Acme Rockets' } })).status).toBe(201);
  browser = await startBrowser();
}, 120_000);

const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });

async function verifiedUser(email: string): Promise<void> {
  await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: T, body: { email, password: PASSWORD } });
  const mail = await smtp.waitForEmail(email, /Verify your email/);
  smtp.take(email);
  expect((await api.rest('POST', '/v1/auth/email/verify', { token: null, tenant: T, body: { token: extractLink(mail).searchParams.get('token') } })).status).toBe(200);
}

async function signInThroughPage(page: Page, email: string): Promise<void> {
  await page.goto(`${api.url}/t/${T}/sign-in`);
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const apiSignIn = (email: string) => api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email, password: PASSWORD } });
const sessionStatus = (page: Page) => page.evaluate(async (tenant) => (await fetch(`/t/${tenant}/session`)).status, T);

/**
 * Codes of an authenticator app holding `secret`, each of a later 30-second step than the last (the
 * server accepts a step once, and the steps next to the current one): waits for the clock only when
 * the next unused step is not yet accepted.
 */
function authenticator(secret: string) {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  let last = -1;
  return async (): Promise<string> => {
    for (;;) {
      const now = Math.floor(Date.now() / 30_000);
      const step = Math.max(last + 1, now);
      if (step <= now + 1) {
        last = step;
        return totp.generate({ timestamp: step * 30_000 + 15_000 });
      }
      await new Promise((resolve) => setTimeout(resolve, (now + 1) * 30_000 - Date.now() + 50));
    }
  };
}

describe('account page: change of email address', () => {
  it('changes the address only when the link mailed to the new one is confirmed; the old address is told', async () => {
    const oldEmail = 'old-address@example.com';
    const newEmail = 'new-address@example.com';
    await verifiedUser(oldEmail);
    const watched = await openPage(browser);
    const { page } = watched;
    await signInThroughPage(page, oldEmail);
    await page.waitForURL(`${api.url}/t/${T}/account`);
    const section = page.getByRole('region', { name: 'Email address' });

    // A wrong password is refused on its field; nothing is sent.
    await field(page, 'New email address').fill(newEmail);
    await field(page, 'Your password (to confirm it is you)').fill('not my password');
    await page.getByRole('button', { name: 'Send confirmation link' }).click();
    await section.getByText('The current password is not right').first().waitFor();

    await field(page, 'Your password (to confirm it is you)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Send confirmation link' }).click();
    await page.getByText(`Check ${newEmail}`).waitFor();
    await checkHostedPage(watched, 'account-email-change-sent');

    // Until the link is opened the old address stays.
    const mail = await smtp.waitForEmail(newEmail, /Confirm your new email address/);
    expect((await apiSignIn(oldEmail)).status).toBe(200);
    expect((await apiSignIn(newEmail)).status).toBe(401);
    const link = extractLink(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${api.url}/t/${T}/confirm-email`);
    // A link scanner fetching it burns nothing.
    expect((await fetch(link)).status).toBe(200);
    expect((await apiSignIn(oldEmail)).status).toBe(200);

    await page.goto(link.toString());
    await checkHostedPage(watched, 'confirm-email');
    await page.getByRole('button', { name: 'Confirm new address' }).click();
    await page.getByText(`Your email address is now ${newEmail}.`).waitFor();

    const notice = await smtp.waitForEmail(oldEmail, /email address of your .* was changed/);
    expect(notice.text ?? '').not.toContain('token=');
    expect((await apiSignIn(newEmail)).status).toBe(200);
    expect((await apiSignIn(oldEmail)).status).toBe(401);
    const me = await api.rest('GET', '/v1/me', { token: (await apiSignIn(newEmail)).body.access_token, tenant: T });
    expect(me.body.user).toMatchObject({ email: newEmail, emailVerified: true });
    await page.goto(`${api.url}/t/${T}/account`);
    await page.getByText(newEmail).first().waitFor();

    // The link works once: opened again, it leads to the error page.
    await page.goto(link.toString());
    await page.getByRole('button', { name: 'Confirm new address' }).click();
    await page.waitForURL(`${api.url}/t/${T}/error?code=link_invalid`);
    await page.getByText('This link is no longer valid').waitFor();
    await checkHostedPage(watched, 'error-link-invalid');
    await watched.context.close();
  }, 120_000);
});

describe('account page: two-step verification', () => {
  it('enrols with the QR code secret, shows recovery codes once, renews them, signs in with a code and a recovery code, turns it off', async () => {
    const email = 'totp-person@example.com';
    await verifiedUser(email);
    const watched = await openPage(browser);
    const { page } = watched;
    await signInThroughPage(page, email);
    await page.waitForURL(`${api.url}/t/${T}/account`);

    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect((await qr.locator('path').getAttribute('d'))?.length).toBeGreaterThan(100);
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await checkHostedPage(watched, 'account-mfa-enrol');
    const nextCode = authenticator(secret);

    const mfaSection = page.getByRole('region', { name: 'Two-step verification' });
    await field(page, 'Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await mfaSection.getByRole('alert').waitFor();
    await field(page, 'Code from your authenticator app').fill(await nextCode());
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codesList = page.getByTestId('recovery-codes').getByRole('listitem');
    await expect.poll(() => codesList.count(), { timeout: 30_000 }).toBe(10);
    const firstCodes = (await codesList.allTextContents()).map((c) => c.trim());
    for (const code of firstCodes) expect(code).toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);
    await checkHostedPage(watched, 'account-mfa-recovery-codes');
    await page.getByRole('button', { name: 'I saved my codes' }).click();
    // Shown once: not on the page any more, nor after a reload.
    await page.getByText('Two-step verification is on.').waitFor();
    await page.reload();
    await page.getByText('Two-step verification is on.').waitFor();
    expect(await page.getByText(firstCodes[0]!).count()).toBe(0);

    // New recovery codes (re-authenticated with a code); the old ones stop working.
    await field(page, 'Code from your app, or a recovery code').fill(await nextCode());
    await page.getByRole('button', { name: 'New recovery codes' }).click();
    await expect.poll(async () => (await codesList.allTextContents()).map((c) => c.trim())[0] ?? '', { timeout: 30_000 }).not.toBe('');
    const codes = (await codesList.allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    expect(codes.filter((c) => firstCodes.includes(c))).toEqual([]);
    await page.getByRole('button', { name: 'I saved my codes' }).click();
    const challenge = await apiSignIn(email);
    expect(challenge.body.status).toBe('mfa_required');
    const old = await api.rest('POST', '/v1/auth/mfa/verify', { token: null, tenant: T, body: { challengeToken: challenge.body.challengeToken, recoveryCode: firstCodes[0] } });
    expect(old.status).toBe(401);

    // Signing in now asks for the code: with the app's code…
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${api.url}/t/${T}/signed-out`);
    await signInThroughPage(page, email);
    await page.waitForURL(`${api.url}/t/${T}/mfa`);
    await field(page, 'Code from your authenticator app').fill(await nextCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${api.url}/t/${T}/account`);
    const withCode = await page.evaluate(async (tenant) => (await fetch(`/t/${tenant}/session`)).json(), T);
    expect(withCode.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));

    // …and with a recovery code.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${api.url}/t/${T}/signed-out`);
    await signInThroughPage(page, email);
    await page.waitForURL(`${api.url}/t/${T}/mfa`);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await field(page, 'Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${api.url}/t/${T}/account`);

    // Turning it off needs a code (here a recovery code); then a password alone signs in.
    await field(page, 'Code from your app, or a recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Turn off two-step verification' }).click();
    await mfaSection.getByRole('alert').waitFor(); // a used recovery code is refused
    await field(page, 'Code from your app, or a recovery code').fill(codes[1]!);
    await page.getByRole('button', { name: 'Turn off two-step verification' }).click();
    await page.getByText('Two-step verification is off.').waitFor();
    await checkHostedPage(watched, 'account-mfa-off');
    const plain = await apiSignIn(email);
    expect(plain.status).toBe(200);
    expect(plain.body.access_token).toBeTruthy();
    await watched.context.close();
  }, 180_000);
});

describe('hosted error page', () => {
  it('shows OIDC errors that must not be redirected to browsers, with the support address; API callers keep JSON', async () => {
    const tenant = 'helpful';
    const created = await api.rest('POST', '/v1/tenants', { body: { slug: tenant, name: 'Helpful Inc', settings: { branding: { supportEmail: 'help@helpful.test' } } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const app = await api.rest('POST', '/v1/applications', { tenant, body: { name: 'Rocket', type: 'web', redirectUris: ['http://127.0.0.1:9/cb'] } });
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    const authorize = (params: Record<string, string>) => `${api.url}/t/${tenant}/oauth/authorize?${new URLSearchParams({ response_type: 'code', scope: 'openid', ...params })}`;

    const watched = await openPage(browser);
    const { page } = watched;
    const unknown = authorize({ client_id: 'no-such-client', redirect_uri: 'https://evil.example/cb' });
    const shown = await page.goto(unknown);
    expect(shown?.status()).toBe(400);
    expect(page.url()).toBe(unknown); // shown where it happened, not redirected anywhere
    await page.getByText('The application that sent you here is not known').waitFor();
    const support = page.getByRole('link', { name: 'help@helpful.test' });
    await support.waitFor();
    expect(await support.getAttribute('href')).toBe('mailto:help@helpful.test');
    await checkHostedPage(watched, 'error-unknown-client');

    const unregistered = authorize({ client_id: app.body.clientId, redirect_uri: 'http://127.0.0.1:9/cb/../evil' });
    expect((await page.goto(unregistered))?.status()).toBe(400);
    await page.getByText('has not registered, so we stopped here').waitFor();
    await checkHostedPage(watched, 'error-unregistered-redirect-uri');

    for (const accept of ['application/json', '*/*']) {
      const res = await fetch(unknown, { headers: { accept }, redirect: 'manual' });
      expect(res.status, accept).toBe(400);
      expect(res.headers.get('content-type'), accept).toMatch(/json/);
      expect(await res.json(), accept).toMatchObject({ error: 'invalid_client' });
    }
    // The page names no code it does not know and shows no text from the URL.
    await page.goto(`${api.url}/t/${T}/error?code=<b>owned</b>`);
    await page.getByText('Something went wrong. Please try again.').waitFor();
    expect(await page.getByText('owned').count()).toBe(0);
    await watched.context.close();
  }, 90_000);
});

describe('RP-initiated logout without id_token_hint', () => {
  it('asks before signing out; a cross-site GET (navigation or image) ends nothing; the page’s POST does', async () => {
    const email = 'logout-person@example.com';
    await verifiedUser(email);
    const watched = await openPage(browser);
    const { page, context } = watched;
    await signInThroughPage(page, email);
    await page.waitForURL(`${api.url}/t/${T}/account`);

    const endSession = `${api.url}/t/${T}/oauth/end-session`;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html lang="en"><head><title>attacker</title></head><body>
        <img alt="" src="${endSession}" onerror="document.title='image-done'" onload="document.title='image-done'">
        <a id="go" href="${endSession}">Win a prize</a></body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => server.close(() => resolve())));
    // localhost vs 127.0.0.1: another site, as an attacker's would be.
    const attacker = `http://localhost:${(server.address() as { port: number }).port}/`;

    await page.goto(attacker);
    await expect.poll(() => page.title(), { timeout: 30_000 }).toBe('image-done');
    expect(await sessionStatusAt(page)).toBe(200);
    await page.click('#go');
    await page.waitForURL(`${api.url}/t/${T}/end-session`);
    await page.getByRole('heading', { level: 1, name: 'Sign out of Acme Rockets?' }).waitFor();
    await checkHostedPage(watched, 'end-session-confirm');
    expect(await sessionStatus(page)).toBe(200);
    expect((await context.cookies()).some((c) => c.name === `plinto_s_${T}`)).toBe(true);

    // The confirmation's POST needs the CSRF token: the cookie alone is refused.
    const cookie = (await context.cookies()).find((c) => c.name === `plinto_s_${T}`)!;
    const forged = await fetch(`${endSession}/confirm`, { method: 'POST', headers: { cookie: `${cookie.name}=${cookie.value}`, 'content-type': 'application/json', origin: attacker.slice(0, -1) }, body: '{}' });
    expect(forged.status).toBe(403);
    expect(await sessionStatus(page)).toBe(200);

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${api.url}/t/${T}/signed-out`);
    expect(await sessionStatus(page)).toBe(401);
    expect((await context.cookies()).some((c) => c.name === `plinto_s_${T}`)).toBe(false);
    await watched.context.close();
  }, 120_000);
});

/** The session as seen from the tenant's own origin (the attacker's page cannot read it). */
async function sessionStatusAt(page: Page): Promise<number> {
  const probe = await page.context().newPage();
  await probe.goto(`${api.url}/t/${T}/signed-out`);
  const status = await sessionStatus(probe);
  await probe.close();
  return status;
}
