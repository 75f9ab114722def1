import type { Browser, Page, Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../src';
import { ARTIFACTS, newDesktopPage } from './console-support';
import { auditOf } from './passkeys.support';
import { credentialsOf, field, nextStepAnswer, sessionOf, startPasskeyWeb, withAuthenticator, withoutAutofill, type PasskeyWeb } from './passkeys-browser.support';
import * as support from './passkeys-browser.support';

/**
 * Passkeys in Chromium on the hosted pages, with the browser's own WebAuthn stack and a virtual
 * authenticator (Chrome DevTools Protocol: WebAuthn.addVirtualAuthenticator, resident keys, user
 * verification). Browsers refuse WebAuthn on an IP address, so Plinto's PUBLIC_URL here is
 * http://localhost:{port} (localhost is loopback). The attacks driven from the browser (replay,
 * another ceremony's challenge, a cloned counter) are in passkeys-browser-refusals.test.ts.
 */
const T = 'pkweb';
let web: PasskeyWeb;
let api: TestApi;
let browser: Browser;
let base: string;

const signUp = (email: string, password: string) => support.signUp(web, email, password);
const passwordSignIn = (page: Parameters<typeof support.passwordSignIn>[1], email: string, password: string) => support.passwordSignIn(web, page, email, password);

beforeAll(async () => {
  web = await startPasskeyWeb(T);
  ({ api, browser, base } = web);
}, 120_000);

/** What the crossing test records in the page. */
interface Crossing {
  getCalls: string[];
  optionsRead: number;
  letButtonGo: () => void;
}

/** Holds the page's next passkey sign-in options request until released (the autofill ceremony's, on page load). */
async function holdNextOptions(page: Page) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let caught!: (request: Request) => void;
  const requested = new Promise<Request>((resolve) => (caught = resolve));
  await page.route(
    `**/t/${T}/session/passkey/options`,
    async (route) => {
      caught(route.request());
      await gate;
      await route.continue();
    },
    { times: 1 },
  );
  return {
    requested,
    release: async () => {
      await requested;
      release();
    },
  };
}

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
    // The ceremony's options are held until the field was read: picked at once, the passkey would
    // sign in and leave the page before a busy test runner got to the field.
    const options = await holdNextOptions(page);
    await page.goto(`${base}/t/${T}/sign-in`);
    expect(await field(page, 'Email').getAttribute('autocomplete')).toBe('username webauthn');
    await options.release();
    await page.waitForURL(`${base}/t/${T}/account`);
    const me = await page.evaluate(async (slug) => (await fetch(`/t/${slug}/session`)).json(), T);
    expect(me).toMatchObject({ amr: ['hwk', 'mfa'], user: { email } });
  });

  it('a button press while the autofill ceremony is still fetching its options: the autofill request never starts, the button signs in', async () => {
    const { page, email } = await support.personWithPasskey(web, 'crossing', { autofill: true });
    // Every navigator.credentials.get is recorded, and the button's (not conditional) waits for a
    // go; every passkey-options answer the page has read is counted.
    await page.addInitScript(() => {
      const w = window as unknown as Crossing;
      w.getCalls = [];
      w.optionsRead = 0;
      const go = new Promise<void>((resolve) => (w.letButtonGo = resolve));
      const get = navigator.credentials.get.bind(navigator.credentials);
      navigator.credentials.get = async (options) => {
        w.getCalls.push(options?.mediation === 'conditional' ? 'conditional' : 'button');
        if (options?.mediation !== 'conditional') await go;
        return get(options);
      };
      const text = Response.prototype.text;
      Response.prototype.text = async function (this: Response) {
        const body = await text.call(this);
        if (this.url.endsWith('/session/passkey/options')) w.optionsRead++;
        return body;
      };
    });
    const crossing = () => page.evaluate(() => ({ getCalls: (window as unknown as Crossing).getCalls, optionsRead: (window as unknown as Crossing).optionsRead }));
    const autofillOptions = await holdNextOptions(page);
    await page.goto(`${base}/t/${T}/sign-in`);
    await autofillOptions.requested;
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(crossing).toEqual({ getCalls: ['button'], optionsRead: 1 });
    // The autofill's options arrive while the button's request is pending: starting the autofill
    // request now would abort the button's and wait for a pick. Once the page has read them (the
    // check runs in the same turn), the button's request alone has been made.
    await autofillOptions.release();
    await expect.poll(async () => (await crossing()).optionsRead).toBe(2);
    expect((await crossing()).getCalls).toEqual(['button']);
    await page.evaluate(() => (window as unknown as Crossing).letButtonGo());
    await page.waitForURL(`${base}/t/${T}/account`);
    expect(await sessionOf(page, T)).toMatchObject({ amr: ['hwk', 'mfa'], user: { email } });
  });

  it('is refused when the origin is not one the tenant allows, and when user verification is required but absent', async () => {
    const email = `web-refused-${Date.now().toString(36)}@pkweb.test`;
    const password = 'correct horse battery staple 43';
    await signUp(email, password);
    const { page } = await newDesktopPage(browser);
    await withoutAutofill(page);
    const device = await withAuthenticator(page);
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
    expect((await api.rest('PATCH', `/v1/tenants/${tenant.id}`, { body: { settings: { passkeys: {} } } })).status).toBe(200); // back to the defaults (settings merge per section)

    // An authenticator that cannot verify the person (presence only) holding this very passkey:
    // where the options require verification, Chromium itself refuses and nothing is sent.
    const [credential] = await credentialsOf(device);
    const { page: other } = await newDesktopPage(browser);
    await withoutAutofill(other);
    const presenceOnly = await withAuthenticator(other, { isUserVerified: false });
    await presenceOnly.cdp.send('WebAuthn.addCredential', { authenticatorId: presenceOnly.authenticatorId, credential: credential! });
    await other.goto(`${base}/t/${T}/sign-in`);
    await other.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await other.getByRole('alert').waitFor();
    expect(await sessionOf(other, T)).toBe(401);

    // A tampered client lowers the requirement (the options it got rewritten to `discouraged`):
    // the authenticator signs without the UV flag, and the server refuses that assertion itself.
    await other.route(`**/t/${T}/session/passkey/options`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      await route.fulfill({ response: res, json: { ...body, options: { ...body.options, userVerification: 'discouraged' } } });
    });
    const answer = nextStepAnswer(other, T, 'passkey');
    await other.getByRole('button', { name: 'Sign in with a passkey' }).click();
    expect(await answer).toMatchObject({ status: 401, body: { error: { code: 'PASSKEY_REJECTED', details: { reason: 'user_verification_required' } } } });
    expect(await sessionOf(other, T)).toBe(401);
    expect((await auditOf(api, T, 'passkey.rejected')).some((e) => e.data.reason === 'user_verification_required')).toBe(true);
  });
});
