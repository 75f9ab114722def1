import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../src';
import { ARTIFACTS, launchChromium, newDesktopPage } from './console-support';
import { startProvider } from './social.support';

/**
 * The sign-in page's provider button in Chromium: the tenant's OpenID Connect connection (an
 * oauth2-mock-server on loopback) → the provider → our callback → the account page, signed in.
 */
const T = 'socialweb';
let api: TestApi;
let browser: Browser;
let provider: Awaited<ReturnType<typeof startProvider>>;

beforeAll(async () => {
  api = await startTestApi({ AUTH_SOCIAL_ALLOWED_HOSTS: '127.0.0.1', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Social Web' } })).status).toBe(201);
  provider = await startProvider();
  provider.strictPkce();
  const created = await api.rest('POST', '/v1/connections', { tenant: T, body: { slug: 'okta', provider: 'oidc', name: 'Okta', issuer: provider.url, clientId: 'web-client', clientSecret: 'web-secret' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  browser = await launchChromium();
}, 120_000);

describe('provider buttons on the sign-in page', () => {
  it('a new person continues with the provider and lands on the account page, signed in', async () => {
    const email = `web-social-${Date.now().toString(36)}@people.test`;
    Object.assign(provider.claims, { sub: `sub-${Date.now()}`, email, email_verified: true, name: 'Web Person' });
    const { page } = await newDesktopPage(browser);
    await page.goto(`${api.url}/t/${T}/sign-in`);
    await page.getByRole('link', { name: 'Continue with Okta' }).click();
    await page.waitForURL(`${api.url}/t/${T}/account`);
    await page.getByText(email).waitFor();
    const me = await page.evaluate(async (slug) => (await fetch(`/t/${slug}/session`)).json(), T);
    expect(me).toMatchObject({ amr: ['fed'], user: { email, emailVerified: true } });
    expect(await page.evaluate(() => Object.keys(localStorage).length + Object.keys(sessionStorage).length)).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}social-account.png`, fullPage: true });
  });
});
