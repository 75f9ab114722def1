import { createServer } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { onCleanup, startTestApi, type TestApi } from '../src';
import { axeViolations, openPage, screenshot, startBrowser } from '../src/browser';
import { authorizationRequest, newUser, registerApplication, relyingParty } from './oidc-support';

/**
 * An unmodified relying party (openid-client, server-side web app) signs a person in through the
 * hosted pages in real Chromium: authorize → the hosted sign-in page (login_hint pre-filled) →
 * the consent page of a third-party application → the client's callback; the code is redeemed
 * with PKCE (ID token checked by openid-client); the account page then lists the application and revokes its access.
 */
let api: TestApi;
let browser: Browser;
let callbackBase: string;
const PASSWORD_USER = 'cleo@acme.test';

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme' } })).status).toBe(201);
  // The relying party's callback: a page that just shows it was reached.
  const rp = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html lang="en"><title>RP</title><body><main><h1>Relying party callback</h1></main></body></html>');
  });
  await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => rp.close(() => resolve())));
  callbackBase = `http://127.0.0.1:${(rp.address() as { port: number }).port}`;
  browser = await startBrowser();
}, 120_000);

describe('OIDC through the hosted pages (Chromium + openid-client)', () => {
  it('signs in, consents, returns to the client with a code it redeems; the account page revokes the consent', async () => {
    const user = await newUser(api, 'acme', PASSWORD_USER);
    const app = await registerApplication(api, 'acme', { name: 'Budget Buddy', type: 'web', redirectUris: [`${callbackBase}/callback`] });
    const config = await relyingParty(`${api.url}/t/acme`, app);
    const attempt = await authorizationRequest(config, `${callbackBase}/callback`, { login_hint: PASSWORD_USER });

    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(attempt.url.href);
    await page.waitForURL((url) => url.pathname === '/t/acme/sign-in');
    await expect.poll(() => page.getByRole('textbox', { name: 'Email', exact: true }).inputValue()).toBe(PASSWORD_USER);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.waitForURL((url) => url.pathname === '/t/acme/consent');
    await page.getByRole('heading', { level: 1, name: 'Budget Buddy wants to access your account' }).waitFor();
    await page.getByText(`Signed in as ${PASSWORD_USER}`).waitFor();
    await screenshot(page, 'consent');
    expect(await axeViolations(page)).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL((url) => url.href.startsWith(`${callbackBase}/callback`));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
    expect(tokens.claims()?.sub).toBe(user.id);
    expect(tokens.claims()?.email).toBe(PASSWORD_USER);
    expect(tokens.access_token).toBeTruthy();

    // The account page lists the application; removing its access works from there.
    await page.goto(`${api.url}/t/acme/account`);
    const remove = page.getByRole('button', { name: 'Remove access for Budget Buddy' });
    await remove.waitFor();
    await screenshot(page, 'account-connected-applications');
    expect(await axeViolations(page)).toEqual([]);
    await remove.click();
    await page.getByText('No application has access to your account.').waitFor();
    expect((await api.rest('GET', '/v1/me/consents', { token: user.token, tenant: 'acme' })).body).toEqual([]);
    await watched.context.close();
  });
});
