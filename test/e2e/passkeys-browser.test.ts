import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../src';
import { ARTIFACTS, launchChromium, newDesktopPage } from './console-support';
import { auditOf } from './passkeys.support';

/**
 * Passkeys in Chromium on the hosted pages, with the browser's own WebAuthn stack and a virtual
 * authenticator (Chrome DevTools Protocol: WebAuthn.addVirtualAuthenticator, resident keys, user
 * verification). Browsers refuse WebAuthn on an IP address, so Plinto's PUBLIC_URL here is
 * http://localhost:{port} (localhost is loopback).
 */
const T = 'pkweb';
let api: TestApi;
let browser: Browser;
let base: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

async function withAuthenticator(page: Page, options: { isUserVerified?: boolean } = {}): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: options.isUserVerified ?? true, automaticPresenceSimulation: true },
  });
  return cdp;
}

/** Hides conditional mediation, so only the button starts a ceremony (the virtual authenticator answers autofill requests at once). */
const withoutAutofill = (page: Page) =>
  page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });

async function signUp(email: string, password: string) {
  const res = await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: T, body: { email, password } });
  expect(res.status).toBeLessThan(300);
}

const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });

async function passwordSignIn(page: Page, email: string, password: string) {
  await page.goto(`${base}/t/${T}/sign-in`);
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  api = await startTestApi({ PORT: String(port), PUBLIC_URL: base, AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Passkey Web' } })).status).toBe(201);
  browser = await launchChromium();
}, 120_000);

describe('passkeys in Chromium (virtual authenticator)', () => {
  it('registers a passkey on the account page, signs in with the button, and as the second factor after a password', async () => {
    const email = `web-${Date.now().toString(36)}@pkweb.test`;
    const password = 'correct horse battery staple 42';
    await signUp(email, password);
    const { page } = await newDesktopPage(browser);
    await withoutAutofill(page);
    await withAuthenticator(page);

    await passwordSignIn(page, email, password);
    await page.waitForURL(`${base}/t/${T}/account`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const item = page.locator('[data-passkey-id]');
    await expect.poll(() => item.count()).toBe(1);
    await expect.poll(() => item.first().innerText()).toContain('Chromium virtual authenticator');
    expect(await page.evaluate(() => Object.keys(localStorage).length + Object.keys(sessionStorage).length)).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}passkeys-account.png`, fullPage: true });

    // Sign out, then in with the passkey button alone: the resident key is found without an email.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/signed-out/);
    await page.goto(`${base}/t/${T}/sign-in`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${base}/t/${T}/account`);
    const me = await page.evaluate(async (slug) => (await fetch(`/t/${slug}/session`)).json(), T);
    expect(me).toMatchObject({ amr: ['hwk', 'mfa'], aal: 2, user: { email } });

    // Password sign-in now asks for the second factor; the passkey completes it.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/signed-out/);
    await passwordSignIn(page, email, password);
    await page.waitForURL(`${base}/t/${T}/mfa`);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(`${base}/t/${T}/account`);
    const after = await page.evaluate(async (slug) => (await fetch(`/t/${slug}/session`)).json(), T);
    expect(after).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], aal: 2 });
    await page.screenshot({ path: `${ARTIFACTS}passkeys-after-mfa.png`, fullPage: true });
    const used = await auditOf(api, T, 'passkey.used');
    expect(used.map((e) => e.data.purpose)).toEqual(expect.arrayContaining(['sign_in', 'second_factor']));
  });

  it('signs in from the email field\'s autofill (conditional UI) with no click', async () => {
    const email = `web-autofill-${Date.now().toString(36)}@pkweb.test`;
    const password = 'correct horse battery staple 44';
    await signUp(email, password);
    // No credential yet: the sign-in page's pending autofill request finds nothing, the password signs in.
    const { page } = await newDesktopPage(browser);
    await withAuthenticator(page);
    await passwordSignIn(page, email, password);
    await page.waitForURL(`${base}/t/${T}/account`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.locator('[data-passkey-id]').count()).toBe(1);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/signed-out/);
    // Now the email field (\`autocomplete="username webauthn"\`) has a passkey to offer; the
    // virtual authenticator picks it for the pending conditional request, the session starts.
    await page.goto(`${base}/t/${T}/sign-in`);
    expect(await field(page, 'Email').getAttribute('autocomplete')).toBe('username webauthn');
    await page.waitForURL(`${base}/t/${T}/account`);
    const autofill = page;
    const me = await autofill.evaluate(async (slug) => (await fetch(`/t/${slug}/session`)).json(), T);
    expect(me).toMatchObject({ amr: ['hwk', 'mfa'], user: { email } });
  });

  it('is refused when the origin is not one the tenant allows, and when user verification is required but absent', async () => {
    const email = `web-refused-${Date.now().toString(36)}@pkweb.test`;
    const password = 'correct horse battery staple 43';
    await signUp(email, password);
    const { page } = await newDesktopPage(browser);
    await withoutAutofill(page);
    await withAuthenticator(page);
    await passwordSignIn(page, email, password);
    await page.waitForURL(`${base}/t/${T}/account`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.locator('[data-passkey-id]').count()).toBe(1);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/signed-out/);

    // The tenant now allows only another origin (same RP ID): the browser's answer names this one.
    const tenant = (await api.rest('GET', `/v1/tenants/${T}`)).body as { id: string };
    expect((await api.rest('PATCH', `/v1/tenants/${tenant.id}`, { body: { settings: { passkeys: { rpId: 'localhost', origins: ['https://localhost'] } } } })).status).toBe(200);
    await page.goto(`${base}/t/${T}/sign-in`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('could not be verified');
    expect((await auditOf(api, T, 'passkey.rejected')).some((e) => e.data.reason === 'origin_not_allowed')).toBe(true);
    expect((await api.rest('PATCH', `/v1/tenants/${tenant.id}`, { body: { settings: {} } })).status).toBe(200);

    // An authenticator that cannot verify the person (presence only) where verification is required:
    // no session (the server's own refusal of a UV-less assertion is in passkeys-api.test.ts).
    const { page: other } = await newDesktopPage(browser);
    await withoutAutofill(other);
    await withAuthenticator(other, { isUserVerified: false });
    await other.goto(`${base}/t/${T}/sign-in`);
    await other.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await other.getByRole('alert').waitFor();
    expect(await other.evaluate(async (slug) => (await fetch(`/t/${slug}/session`)).status, T)).toBe(401);
  });
});
