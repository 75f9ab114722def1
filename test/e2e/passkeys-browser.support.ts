import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser, CDPSession, Page, Request } from 'playwright-core';
import { expect } from 'vitest';
import { startTestApi, type TestApi } from '../src';
import { ARTIFACTS, launchChromium, newDesktopPage } from './console-support';

/**
 * Shared by the Chromium passkey tests: an api on http://localhost:{port} (browsers refuse
 * WebAuthn on an IP address; localhost is loopback), a tenant, and pages with a virtual
 * authenticator (Chrome DevTools Protocol WebAuthn domain) that sign up and add a passkey as a
 * person does on the account page.
 */
export interface PasskeyWeb {
  api: TestApi;
  browser: Browser;
  base: string;
  tenant: string;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

export async function startPasskeyWeb(tenant: string): Promise<PasskeyWeb> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const api = await startTestApi({ PORT: String(port), PUBLIC_URL: base, AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: tenant, name: 'Passkey Web' } })).status).toBe(201);
  return { api, browser: await launchChromium(), base, tenant };
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
}

export async function withAuthenticator(page: Page, options: { isUserVerified?: boolean } = {}): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: options.isUserVerified ?? true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

/** The credentials the virtual authenticator holds (private key and signature counter included). */
export async function credentialsOf({ cdp, authenticatorId }: VirtualAuthenticator) {
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

/** Hides conditional mediation, so only the button starts a ceremony (the virtual authenticator answers autofill requests at once). */
export const withoutAutofill = (page: Page) =>
  page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });

export async function signUp(web: PasskeyWeb, email: string, password: string) {
  const res = await web.api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: web.tenant, body: { email, password } });
  expect(res.status).toBeLessThan(300);
}

export const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });

export async function passwordSignIn(web: PasskeyWeb, page: Page, email: string, password: string) {
  await page.goto(`${web.base}/t/${web.tenant}/sign-in`);
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/signed-out/);
}

/** The session the page's cookie holds (its JSON), or the HTTP status when there is none. */
export const sessionOf = (page: Page, tenant: string) =>
  page.evaluate(async (slug) => {
    const res = await fetch(`/t/${slug}/session`);
    return res.ok ? ((await res.json()) as { amr: string[]; aal: number; user: { id: string; email: string } }) : res.status;
  }, tenant);

let seq = 0;
/**
 * A new person on a fresh page (own browser context) with a virtual authenticator: signs up,
 * signs in with the password, adds a passkey on the account page and signs out again.
 */
export async function personWithPasskey(web: PasskeyWeb, label: string, options: { autofill?: boolean } = {}) {
  const email = `${label}-${Date.now().toString(36)}-${(seq++).toString(36)}@pkweb.test`;
  const password = `correct horse battery staple ${label}`;
  await signUp(web, email, password);
  const { page, context } = await newDesktopPage(web.browser);
  if (!options.autofill) await withoutAutofill(page);
  const authenticator = await withAuthenticator(page);
  await passwordSignIn(web, page, email, password);
  await page.waitForURL(`${web.base}/t/${web.tenant}/account`);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.locator('[data-passkey-id]').first().waitFor();
  await signOut(page);
  return { email, password, page, context, authenticator };
}

/** The next POST the page makes to a sign-in step (`passkey`, `mfa/passkey`, …), caught as it leaves. */
export function nextStepRequest(page: Page, tenant: string, step: string): Promise<Request> {
  return page.waitForRequest((req) => req.method() === 'POST' && new URL(req.url()).pathname === `/t/${tenant}/session/${step}`);
}

/** The answer to the page's next POST to a sign-in step: status and JSON body. */
export async function nextStepAnswer(page: Page, tenant: string, step: string): Promise<{ status: number; body: any }> {
  const res = await page
    .waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/t/${tenant}/session/${step}`)
    .catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${await whereThePageIs(page, `no-answer-${step.replace(/\W/g, '-')}`)}`);
    });
  return { status: res.status(), body: await res.json() };
}

/**
 * What a page that did not get as far as a test expected shows and last fetched (a screenshot in
 * the test artifacts, the URL, the alerts, its last requests): the passkey pages run a ceremony
 * between a click and their next request, and a rare stall there left only a bare timeout.
 */
async function whereThePageIs(page: Page, name: string): Promise<string> {
  const path = `${ARTIFACTS}passkeys-${name}-${Date.now()}.png`;
  const shot = await page.screenshot({ path, fullPage: true }).then(() => path, (error: unknown) => `no screenshot: ${(error as Error).message}`);
  const state = await page
    .evaluate(() => ({
      alerts: [...document.querySelectorAll('[role=alert]')].map((a) => a.textContent),
      requests: performance.getEntriesByType('resource').slice(-12).map((e) => `${Math.round(e.startTime)}ms ${e.name} ${Math.round(e.duration)}ms`),
    }))
    .catch((error: unknown) => ({ error: (error as Error).message }));
  return `page: ${page.url()}\nscreenshot: ${shot}\n${JSON.stringify(state, null, 1)}`;
}
