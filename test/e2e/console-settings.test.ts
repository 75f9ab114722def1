import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { onCleanup, startTestApi, type SignedInUser, type TestApi } from '../src';
import { ARTIFACTS, BROWSER_WAIT_MS, consoleTenant, expectAccessible, launchChromium, screenshot, signInInBrowser, visitScreen } from './console-support';

/**
 * The console's Settings screen in Chromium: an admin changes the branding (live preview of the
 * sign-in card), saves it, and the hosted sign-in page shows it — name, colours, the logo (served
 * over https by a loopback server), whose exact URL is the only outside image the page's CSP
 * allows (another image is blocked: performed). A viewer gets the screen read-only and a forced
 * write is refused (403). axe-clean and screenshotted throughout.
 */
const T = 'console-settings';
const PRIMARY = '#0f766e'; // rgb(15, 118, 110): white text 5.5:1
const BACKGROUND = '#f0fdf4'; // rgb(240, 253, 244)
let api: TestApi;
let browser: Browser;
let admin: SignedInUser;
let viewer: SignedInUser;
let logoOrigin: string;
let logoHits = 0;

/** A 32×32 teal PNG, made here (no fixture file). */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const size = 32;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: size }, () => Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [15, 118, 110]).flat())])));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** An https server on loopback with a throwaway self-signed certificate (openssl), serving the logo. */
async function startLogoServer(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'plinto-logo-'));
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const image = png();
  const server: Server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    if (req.url?.startsWith('/brand/')) logoHits++;
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(image);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `https://127.0.0.1:${address.port}`;
}

/** A desktop page whose browser accepts the loopback logo server's self-signed certificate. */
async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
  onCleanup(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  return { context, page };
}

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  const tenant = await consoleTenant(api, T);
  admin = await tenant.userWithRole('admin@settings.test', 'admin');
  viewer = await tenant.userWithRole('viewer@settings.test', 'viewer');
  logoOrigin = await startLogoServer();
  browser = await launchChromium();
}, 120_000);

const settingsUrl = () => `${api.url}/admin/t/${T}/settings`;
const backgroundOf = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => getComputedStyle(el).backgroundColor);

describe('console settings: an admin brands the hosted pages', () => {
  it('previews the branding live, saves it, and refuses an unreadable colour naming the field', async () => {
    const { page } = await newPage();
    await signInInBrowser(page, api, T, admin);
    await visitScreen(page, settingsUrl(), 'Settings', 'settings-before');
    const logoUrl = `${logoOrigin}/brand/logo.png`;
    await page.getByRole('textbox', { name: 'Display name' }).fill('Brandy Co');
    await page.getByRole('textbox', { name: 'Logo URL' }).fill(logoUrl);
    await page.getByRole('textbox', { name: 'Primary colour' }).fill(PRIMARY);
    await page.keyboard.press('Escape');
    await page.getByRole('textbox', { name: 'Background colour' }).fill(BACKGROUND);
    await page.keyboard.press('Escape');
    await page.getByRole('textbox', { name: 'Support email' }).fill('help@brandy.test');

    // The preview follows the form before anything is saved.
    await page.getByTestId('preview-name').filter({ hasText: 'Brandy Co' }).waitFor();
    expect(await backgroundOf(page, 'preview-button')).toBe('rgb(15, 118, 110)');
    expect(await backgroundOf(page, 'branding-preview')).toBe('rgb(240, 253, 244)');
    await page.waitForFunction(() => (document.querySelector('[data-testid="preview-logo"]') as HTMLImageElement | null)?.naturalWidth === 32);
    await expectAccessible(page, 'settings with preview');
    await screenshot(page, 'settings');

    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByTestId('settings-saved').waitFor();
    const stored = await api.rest('GET', `/v1/tenants/${T}`);
    expect(stored.body.settings.branding).toEqual({ displayName: 'Brandy Co', logoUrl, primaryColor: PRIMARY, backgroundColor: BACKGROUND, supportEmail: 'help@brandy.test' });

    await page.getByRole('textbox', { name: 'Primary colour' }).fill('#ffcc00');
    await page.keyboard.press('Escape');
    await page.getByTestId('preview-warning').filter({ hasText: 'White text on #ffcc00' }).waitFor();
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByTestId('settings-error').filter({ hasText: 'settings.branding.primaryColor' }).waitFor();
    expect((await api.rest('GET', `/v1/tenants/${T}`)).body.settings.branding.primaryColor).toBe(PRIMARY);
    await expectAccessible(page, 'settings with a refused colour');
  });

  it('the hosted sign-in page shows it: name, colours, logo — and its CSP lets no other image in', async () => {
    const { page } = await newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    const hitsBefore = logoHits;
    const response = await page.goto(`${api.url}/t/${T}/sign-in`);
    expect(response!.headers()['content-security-policy']).toContain(`img-src 'self' data: ${logoOrigin}/brand/logo.png;`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expect(page.getByTestId('tenant-name').textContent()).resolves.toBe('Brandy Co');
    expect(await page.title()).toContain('Brandy Co');
    const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
    expect(await signIn.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(240, 253, 244)');
    await page.waitForFunction(() => (document.querySelector('[data-testid="tenant-logo"]') as HTMLImageElement | null)?.naturalWidth === 32);
    expect(logoHits).toBeGreaterThan(hitsBefore);
    await expect(page.getByTestId('support-email').getAttribute('href')).resolves.toBe('mailto:help@brandy.test');
    await expectAccessible(page, 'branded sign-in page');
    await page.screenshot({ path: `${ARTIFACTS}pages-sign-in-branded.png`, fullPage: true });
    expect(cspViolations).toEqual([]);

    // The attack: an image from anywhere else (here: the same server, another path) is blocked.
    const blocked = await page.evaluate(
      (src) =>
        new Promise<string>((resolve) => {
          document.addEventListener('securitypolicyviolation', (event) => resolve(`${event.violatedDirective} ${event.blockedURI}`), { once: true });
          const img = document.createElement('img');
          img.src = src;
          document.body.append(img);
        }),
      `${logoOrigin}/elsewhere/tracker.png`,
    );
    expect(blocked).toBe(`img-src ${logoOrigin}/elsewhere/tracker.png`);
  });
});

describe('console settings: a viewer', () => {
  it('gets the screen read-only, and a forced write is refused (403) with nothing changed', async () => {
    const { page } = await newPage();
    await signInInBrowser(page, api, T, viewer);
    await visitScreen(page, settingsUrl(), 'Settings', 'viewer-settings');
    await expect(page.getByRole('textbox', { name: 'Display name' }).inputValue()).resolves.toBe('Brandy Co');
    await expect(page.getByRole('textbox', { name: 'Display name' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Save branding' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Save security settings' }).isDisabled()).resolves.toBe(true);
    const forced = await page.evaluate(async (tenant) => {
      const session = await (await fetch(`/t/${tenant}/session`)).json();
      const res = await fetch('/trpc/tenants.updateSettings', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plinto-tenant': tenant, 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ json: { settings: { branding: { displayName: 'Defaced' } } } }),
      });
      const answer = await res.json();
      return { status: res.status, code: answer.error?.json?.data?.code ?? answer.error?.code };
    }, T);
    expect(forced).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect((await api.rest('GET', `/v1/tenants/${T}`)).body.settings.branding.displayName).toBe('Brandy Co');
  });
});
