import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen } from './console-support';

/**
 * The Settings screen's "Sessions, tokens and MFA" card in Chromium: an owner sets the tenant's
 * access-token lifetime, and the next sign-in's token lives exactly that long; requiring MFA from
 * a session without a second factor is refused naming the field; an admin sees the card read-only
 * (settings:secure).
 */
const T = 'console-lifetimes';
let api: TestApi;
let browser: Browser;
let owner: SignedInUser;
let admin: SignedInUser;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  const tenant = await consoleTenant(api, T);
  owner = await tenant.userWithRole('owner@lifetimes.test', 'owner');
  admin = await tenant.userWithRole('admin@lifetimes.test', 'admin');
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const section = (page: import('playwright-core').Page) => page.getByRole('region', { name: 'Sessions, tokens and MFA' });

describe('sessions and tokens in the console', () => {
  it("an owner sets the access-token lifetime and the next token lives that long; an admin reads it", async () => {
    const { context, page } = await newDesktopPage(browser);
    await signInInBrowser(page, api, T, owner);
    await visitScreen(page, `${api.url}/admin/t/${T}/settings`, 'Settings', 'settings-sessions');
    await section(page).getByRole('textbox', { name: 'Access token lifetime (seconds)' }).fill('60');
    await section(page).getByRole('textbox', { name: 'Session lifetime (hours)' }).fill('12');
    await section(page).getByRole('button', { name: 'Save session settings' }).click();
    await page.getByTestId('settings-saved').waitFor();
    await expectAccessible(page, 'settings sessions (saved)');
    await screenshot(page, 'settings-sessions-saved');
    expect((await api.rest('GET', `/v1/tenants/${T}`)).body.settings).toMatchObject({ accessTokenTtlSeconds: 60, sessionTtlHours: 12 });

    // Requiring MFA from this session (no second factor) would lock the owner out: refused, the field named.
    await section(page).getByRole('switch', { name: 'Require two-step verification of every user' }).check();
    await section(page).getByRole('button', { name: 'Save session settings' }).click();
    await page.getByTestId('settings-error').filter({ hasText: 'settings.mfa.required' }).waitFor();
    await expectAccessible(page, 'settings sessions (mfa refused)');
    expect((await api.rest('GET', `/v1/tenants/${T}`)).body.settings.mfa).toEqual({ required: false });

    const signIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email: admin.email, password: admin.password } });
    const claims = JSON.parse(Buffer.from(signIn.body.access_token.split('.')[1], 'base64url').toString('utf8')) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(60);
    await context.close();

    const asAdmin = await newDesktopPage(browser);
    await signInInBrowser(asAdmin.page, api, T, admin);
    await asAdmin.page.goto(`${api.url}/admin/t/${T}/settings`);
    const field = section(asAdmin.page).getByRole('textbox', { name: 'Access token lifetime (seconds)' });
    await expect(field.inputValue()).resolves.toBe('60');
    await expect(field.isDisabled()).resolves.toBe(true);
    await expect(section(asAdmin.page).getByRole('button', { name: 'Save session settings' }).isDisabled()).resolves.toBe(true);
    await asAdmin.context.close();
  });
});
