import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, onCleanup, signedInUser, startTestApi, startTestWorkers, type TestApi } from '../src';
import { axeViolations, BROWSER_WAIT_MS, startBrowser } from '../src/browser';
import { ACCESS_TOKEN_COOKIE } from '@plinto/api';

/**
 * A real browser (Debian's Chromium) on a page of another origin, subscribed over SSE through CORS
 * with its token in an HttpOnly cookie: when its session is revoked from another tab of the same
 * browser (the person signs in on the hosted pages there and signs the other session out on the
 * account page), the page hears of it (its session.revoked event, then the stream's end with
 * REALTIME_SESSION_REVOKED) and shows it.
 */
const T = 'rt-browser';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
let api: TestApi;
let page: { url: string; server: Server };
let browser: Browser;

beforeAll(async () => {
  const pagePort = await freePort();
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000', REALTIME_ALLOWED_ORIGINS: pageOrigin });
  await startTestWorkers(api.config);
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: T } })).status).toBe(201);
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./realtime-page/page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    define: { PLINTO_API_URL: JSON.stringify(api.url) },
  });
  const script = bundle.outputFiles[0]!.text;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Realtime</title></head>
    <body><main><h1>Session</h1><p id="status">connecting</p><ul id="events"></ul></main><script type="module" src="/page.js"></script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(pagePort, '127.0.0.1', resolve));
  page = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
  onCleanup(async () => void server.close());
  browser = await startBrowser();
}, 120_000);

async function expectAccessible(tab: Page, screen: string): Promise<void> {
  expect(await axeViolations(tab), `axe on ${screen}`).toEqual([]);
}

describe('SSE in a browser, through CORS', () => {
  it('a page sees its own session revoked from another tab (the hosted account page) and reacts', async () => {
    const user = await signedInUser(api, { email: 'browser@rt.test', tenant: T });
    const context = await browser.newContext();
    // The application's backend set the token as an HttpOnly cookie: page script never sees it.
    await context.addCookies([{ name: ACCESS_TOKEN_COOKIE, value: user.token, url: api.url, httpOnly: true, sameSite: 'Lax' }]);
    const tab = await context.newPage();
    tab.setDefaultTimeout(BROWSER_WAIT_MS);
    await tab.goto(page.url);
    await tab.waitForFunction(() => document.getElementById('status')?.textContent === 'live', undefined, { timeout: 20_000 });
    expect(await tab.evaluate(() => document.cookie)).toBe('');
    await expectAccessible(tab, 'the subscribed page');

    // Another tab of the same browser: the person signs in on the hosted pages (a second session)
    // and, on the account page, signs the application's session out.
    const other = await context.newPage();
    other.setDefaultTimeout(BROWSER_WAIT_MS);
    await other.goto(`${api.url}/t/${T}/sign-in`);
    await other.getByRole('textbox', { name: 'Email', exact: true }).fill(user.email);
    await other.getByRole('textbox', { name: 'Password', exact: true }).fill(user.password);
    await other.getByRole('button', { name: 'Sign in', exact: true }).click();
    await other.waitForURL(`${api.url}/t/${T}/account`);
    const revoke = other.getByRole('button', { name: /^Sign out the session started/ });
    await revoke.waitFor();
    expect(await revoke.count()).toBe(1); // the application's session; the hosted one is "This device"
    await expectAccessible(other, 'the account page');
    await revoke.click();
    await revoke.waitFor({ state: 'detached' });

    // The first tab hears its session.revoked event, then its stream ends with REALTIME_SESSION_REVOKED.
    await tab.waitForFunction(() => document.body.dataset.ended !== undefined, undefined, { timeout: 10_000 });
    expect(await tab.locator('#status').textContent()).toBe('signed out elsewhere');
    expect(await tab.locator('#events li').allTextContents()).toContain('session.revoked');
    await expectAccessible(tab, 'the page after its session ended');
    mkdirSync(ARTIFACTS, { recursive: true });
    await tab.screenshot({ path: `${ARTIFACTS}realtime-browser-signed-out.png` });
    await other.screenshot({ path: `${ARTIFACTS}realtime-browser-account-revoked.png`, fullPage: true });
    // The hosted session in the other tab lives on: only the revoked one ended.
    expect(await other.evaluate(async (slug) => (await fetch(`/t/${slug}/session`)).status, T)).toBe(200);
    await context.close();
  }, 180_000);
});
