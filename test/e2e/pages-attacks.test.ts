import { createServer, type Server } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { onCleanup, startTestApi, type TestApi } from '../src';
import { openPage, screenshot, startBrowser } from '../src/browser';
import { PAGES } from '../../api/src/http/pages';

/**
 * The hosted pages and the browser session attacked from a browser: a page on another origin
 * posts a form to the API with the victim's cookie (CSRF), frames the sign-in page (clickjacking),
 * a sign-in link sends the victim elsewhere afterwards (open redirect), and scripts of allowed and
 * other origins call the API (CORS).
 */
let api: TestApi;
let browser: Browser;
const PASSWORD = 'correct horse battery staple';

/** An "other site" on loopback: serves one HTML page (the attacker's, or a tenant's SPA). */
async function otherSite(html: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://localhost:${(server.address() as { port: number }).port}`, server };
}

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  browser = await startBrowser();
}, 120_000);

async function signedInPage(email: string): Promise<Page> {
  expect((await api.rest('POST', '/v1/auth/sign-up', { token: null, body: { email, password: PASSWORD } })).status).toBe(202);
  const { page } = await openPage(browser);
  await page.goto(`${api.url}/t/default/sign-in`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${api.url}/t/default/account`);
  return page;
}

const liveSessions = async (page: Page): Promise<number> =>
  page.evaluate(async () => (await (await fetch('/trpc/sessions.list?input=' + encodeURIComponent(JSON.stringify({ json: { limit: 10 } })))).json()).result.data.json.items.length);

describe('attacks on the hosted pages', () => {
  it('CSRF: a form posted from another origin with the victim’s cookie is refused; nothing changes', async () => {
    const page = await signedInPage('victim@example.com');
    await api.rest('POST', '/v1/auth/sign-in', { token: null, body: { email: 'victim@example.com', password: PASSWORD } }); // a second session to lose
    expect(await liveSessions(page)).toBe(2);
    // 127.0.0.1 on another port: same site, other origin — the Lax cookie IS sent, so only the CSRF check stands.
    const attacker = await otherSite(
      () => `<!doctype html><html lang="en"><body>
        <form id="f1" method="POST" action="${api.url}/trpc/sessions.revokeOthers" enctype="text/plain"><input name='{"json":{}, "x":"' value='"}'></form>
        <form id="f2" method="POST" action="${api.url}/t/default/session/sign-out"></form>
        <form id="f3" method="POST" action="${api.url}/v1/sessions/revoke-others"></form>
      </body></html>`,
    );
    const sameSiteAttacker = attacker.url.replace('localhost', '127.0.0.1');
    // The victim's browser: share the cookie jar by using the victim's context.
    const victim = await page.context().newPage();
    for (const form of ['f1', 'f2', 'f3']) {
      await victim.goto(sameSiteAttacker);
      const [response] = await Promise.all([victim.waitForResponse((r) => r.url().startsWith(api.url)), victim.evaluate((id) => (document.getElementById(id) as HTMLFormElement).submit(), form)]);
      expect(response.status(), form).toBe(403);
      expect((await response.json()).error.code, form).toBe('CSRF_REJECTED');
    }
    await screenshot(victim, 'csrf-refused');
    expect(await liveSessions(page)).toBe(2);
    await page.reload();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
  });

  it('clickjacking: every page forbids framing (headers), and a framing page gets nothing', async () => {
    for (const name of PAGES) {
      const res = await fetch(`${api.url}/t/default/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('x-frame-options'), name).toBe('DENY');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp, name).toContain("frame-ancestors 'none'");
      expect(csp, name).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'/);
      expect(csp, name).not.toContain('unsafe-eval');
      expect(res.headers.get('cache-control'), name).toBe('no-store');
    }
    const framer = await otherSite(() => `<!doctype html><html lang="en"><body><iframe title="victim" src="${api.url}/t/default/sign-in" width="800" height="600"></iframe></body></html>`);
    const { page } = await openPage(browser);
    const blocked = page.waitForEvent('console', (m) => /frame-ancestors|Refused to display/i.test(m.text()));
    await page.goto(framer.url);
    await blocked;
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framedText = frame ? await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : '';
    expect(framedText).not.toContain('Sign in');
    await screenshot(page, 'clickjacking-blocked');
  });

  it('open redirect: return_to to another site is ignored after sign-in', async () => {
    await api.rest('POST', '/v1/auth/sign-up', { token: null, body: { email: 'redirect@example.com', password: PASSWORD } });
    const { page } = await openPage(browser);
    for (const target of ['https://evil.example/steal', '//evil.example/steal', '/\\evil.example', 'javascript:alert(document.domain)']) {
      await page.goto(`${api.url}/t/default/sign-in?return_to=${encodeURIComponent(target)}`);
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill('redirect@example.com');
      await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${api.url}/t/default/account`);
      // Off the account page before its session goes: a request of it answered 401 would send the
      // page to sign-in while the next goto runs (seen on a loaded machine: navigation interrupted).
      await page.goto('about:blank');
      await page.context().clearCookies();
    }
    // A same-origin path is honoured.
    await page.goto(`${api.url}/t/default/sign-in?return_to=${encodeURIComponent('/t/default/signed-out?x=1')}`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('redirect@example.com');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${api.url}/t/default/signed-out?x=1`);
  });

  it('CORS: a tenant’s allowed origin calls the API with a bearer from the browser; other origins are stopped', async () => {
    let spa = '';
    const allowedSite = await otherSite(() => spa);
    const otherSiteServer = await otherSite(() => spa);
    const created = await api.rest('POST', '/v1/tenants', { body: { slug: 'spa', name: 'SPA', settings: { allowedOrigins: [allowedSite.url] } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: 'spa', body: { email: 'spa@example.com', password: PASSWORD } });
    const signIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: 'spa', body: { email: 'spa@example.com', password: PASSWORD } });
    const token = signIn.body.access_token as string;

    // Preflights as a browser sends them.
    const preflight = (origin: string) =>
      fetch(`${api.url}/v1/auth/session`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,x-plinto-tenant' } });
    const ok = await preflight(allowedSite.url);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowedSite.url);
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const denied = await preflight(otherSiteServer.url);
    expect(denied.status).toBe(204);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    // The actual call is judged by the tenant it names: the default tenant does not allow this origin.
    const wrongTenant = await fetch(`${api.url}/v1/auth/session`, { headers: { origin: allowedSite.url, authorization: `Bearer ${token}` } });
    expect(wrongTenant.headers.get('access-control-allow-origin')).toBeNull();

    // From real pages on each origin.
    spa = `<!doctype html><html lang="en"><body><script>
      window.callApi = () => fetch(${JSON.stringify(`${api.url}/v1/auth/session`)}, { headers: { authorization: 'Bearer ${token}', 'x-plinto-tenant': 'spa' } })
        .then(async (r) => ({ status: r.status, email: (await r.json()).user?.email }), (e) => ({ error: String(e) }));
    </script></body></html>`;
    const { page } = await openPage(browser);
    await page.goto(allowedSite.url);
    expect(await page.evaluate(() => (window as unknown as { callApi(): Promise<unknown> }).callApi())).toEqual({ status: 200, email: 'spa@example.com' });
    await page.goto(otherSiteServer.url);
    expect(await page.evaluate(() => (window as unknown as { callApi(): Promise<unknown> }).callApi())).toEqual({ error: expect.stringContaining('Failed to fetch') });
  });
});
