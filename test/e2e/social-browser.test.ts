import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, startTestApi, type TestApi } from '../src';
import { ARTIFACTS, expectAccessible, launchChromium, newDesktopPage } from './console-support';
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
    await page.getByText(email, { exact: true }).waitFor();
    const me = await page.evaluate(async (slug) => (await fetch(`/t/${slug}/session`)).json(), T);
    expect(me).toMatchObject({ amr: ['fed'], user: { email, emailVerified: true } });
    expect(await page.evaluate(() => Object.keys(localStorage).length + Object.keys(sessionStorage).length)).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}social-account.png`, fullPage: true });
  });
});

describe('linked identities on the account page', () => {
  const providerSection = (page: Page) => page.getByRole('region', { name: 'Sign-in providers' });

  async function passwordSignIn(page: Page, user: { email: string; password: string }) {
    await page.goto(`${api.url}/t/${T}/sign-in?return_to=${encodeURIComponent(`/t/${T}/account`)}`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(user.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${api.url}/t/${T}/account`);
  }

  it('a signed-in person links a provider whose address differs and is unverified, then unlinks it', async () => {
    const user = await signedInUser(api, { email: `linker-${Date.now().toString(36)}@people.test`, tenant: T });
    const elsewhere = `elsewhere-${Date.now().toString(36)}@provider.test`;
    Object.assign(provider.claims, { sub: `link-${Date.now()}`, email: elsewhere, email_verified: false });
    const { page } = await newDesktopPage(browser);
    await passwordSignIn(page, user);
    await providerSection(page).getByText('No provider is linked to your account.').waitFor();
    await providerSection(page).getByRole('link', { name: 'Link Okta' }).click();
    await page.waitForURL(`${api.url}/t/${T}/account?linked=okta`);
    await providerSection(page).getByText(`Okta · ${elsewhere}`).waitFor();
    await page.getByRole('status').filter({ hasText: 'Okta is linked' }).waitFor();
    // Linked: no "Link Okta" any more; the identity is the API's too.
    expect(await providerSection(page).getByRole('link', { name: 'Link Okta' }).count()).toBe(0);
    expect((await api.rest('GET', '/v1/identities', { token: user.token, tenant: T })).body.items).toMatchObject([{ connection: 'okta', provider: 'oidc', name: 'Okta', email: elsewhere }]);
    await expectAccessible(page, 'account with a linked identity');
    await page.screenshot({ path: `${ARTIFACTS}social-account-linked.png`, fullPage: true });

    // The person has a password, so unlinking is allowed.
    await providerSection(page).getByRole('button', { name: 'Unlink Okta' }).click();
    await providerSection(page).getByText('No provider is linked to your account.').waitFor();
    expect((await api.rest('GET', '/v1/identities', { token: user.token, tenant: T })).body.items).toEqual([]);
  });

  it("linking an identity that belongs to another account is refused back on the account page", async () => {
    // Somebody signs up through Okta with this subject first.
    const subject = `taken-${Date.now()}`;
    Object.assign(provider.claims, { sub: subject, email: `first-${Date.now().toString(36)}@people.test`, email_verified: true });
    const first = await newDesktopPage(browser);
    await first.page.goto(`${api.url}/t/${T}/sign-in`);
    await first.page.getByRole('link', { name: 'Continue with Okta' }).click();
    await first.page.waitForURL(`${api.url}/t/${T}/account`);

    const user = await signedInUser(api, { email: `second-${Date.now().toString(36)}@people.test`, tenant: T });
    const { page } = await newDesktopPage(browser);
    await passwordSignIn(page, user);
    await providerSection(page).getByRole('link', { name: 'Link Okta' }).click();
    await page.waitForURL(`${api.url}/t/${T}/account?error=IDENTITY_LINKED_ELSEWHERE`);
    await providerSection(page).getByRole('alert').filter({ hasText: 'already linked to another account' }).waitFor();
    expect((await api.rest('GET', '/v1/identities', { token: user.token, tenant: T })).body.items).toEqual([]);
    await expectAccessible(page, 'account after a refused link');
  });

  it('the last way to sign in cannot be unlinked: a clear error, the identity stays', async () => {
    const email = `only-${Date.now().toString(36)}@people.test`;
    Object.assign(provider.claims, { sub: `only-${Date.now()}`, email, email_verified: true });
    const { page } = await newDesktopPage(browser);
    await page.goto(`${api.url}/t/${T}/sign-in`);
    await page.getByRole('link', { name: 'Continue with Okta' }).click();
    await page.waitForURL(`${api.url}/t/${T}/account`);
    await providerSection(page).getByText(`Okta · ${email}`).waitFor();
    await providerSection(page).getByRole('button', { name: 'Unlink Okta' }).click();
    await providerSection(page).getByRole('alert').filter({ hasText: 'last way to sign in' }).waitFor();
    await providerSection(page).getByText(`Okta · ${email}`).waitFor();
    await expectAccessible(page, 'account refusing to unlink the last way in');
    await page.screenshot({ path: `${ARTIFACTS}social-account-last-method.png`, fullPage: true });
  });
});
