import { createServer, type Server } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort, onCleanup, startTestApi, startTestWorkers, waitFor, type SignedInUser, type TestApi } from '../src';
import { startReceiver } from './webhooks.receiver';
import { BROWSER_WAIT_MS, consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen } from './console-support';

/**
 * Live updates in the console, in Debian's Chromium against the real api and workers: the
 * console's tRPC client subscribes to the tenant's events over SSE with the session cookie. An
 * admin's Audit screen shows an event caused by another client without a reload (and holds it
 * back while paused); the Webhooks screen follows an endpoint failing, dead-lettering and
 * recovering; a viewer's forced subscription gets none of it; a page on another loopback origin
 * (allowed for realtime tokens, even) cannot open a stream with the admin's cookie; signing out
 * ends the stream.
 */
const T = 'console-live';
let api: TestApi;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: SignedInUser;
let viewer: SignedInUser;
let attacker: { origin: string; server: Server };

/** Another loopback origin: the same site as the api (cookies go there), a different origin. */
const ATTACK_PAGE = (apiUrl: string, tenant: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Elsewhere</title></head>
<body><main><h1>Elsewhere</h1><p id="status">working</p></main><script>
  const url = ${JSON.stringify(apiUrl)} + '/trpc/realtime.tenant?input=' + encodeURIComponent(JSON.stringify({ json: { types: ['*'] } }))
    + '&connectionParams=' + encodeURIComponent(JSON.stringify({ tenant: ${JSON.stringify(tenant)} }));
  const result = (window.result = { messages: [], refused: null, closed: false, fetched: null });
  const source = new EventSource(url, { withCredentials: true });
  source.onmessage = (e) => result.messages.push(e.data);
  source.addEventListener('serialized-error', (e) => { result.refused = e.data; source.close(); result.closed = true; });
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) result.closed = true; };
  // And over WebSocket (cross-site WebSocket hijacking): the upgrade carries the cookie too.
  result.ws = { messages: [], closed: null };
  const ws = new WebSocket(${JSON.stringify(apiUrl)}.replace(/^http/, 'ws') + '/ws?connectionParams=1');
  ws.onopen = () => {
    ws.send(JSON.stringify({ method: 'connectionParams', data: { tenant: ${JSON.stringify(tenant)} } }));
    ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'realtime.tenant', input: { json: { types: ['*'] } } } }));
  };
  ws.onmessage = (e) => result.ws.messages.push(e.data);
  ws.onclose = (e) => { result.ws.closed = e.code; };
  // The same request read with fetch: this origin is allowed credentials, so it sees the answer.
  fetch(url, { credentials: 'include', headers: { accept: 'text/event-stream' } })
    .then(async (r) => { result.fetched = { status: r.status, body: (await r.text()).slice(0, 400) }; })
    .catch((e) => { result.fetched = { status: 0, body: String(e) }; });
</script></body></html>`;

beforeAll(async () => {
  const attackPort = await freePort();
  const attackOrigin = `http://127.0.0.1:${attackPort}`;
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000', REALTIME_ALLOWED_ORIGINS: attackOrigin, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms', WEBHOOK_TIMEOUT: '2s' });
  await startTestWorkers(api.config);
  const tenant = await consoleTenant(api, T);
  admin = await tenant.userWithRole('admin@live.test', 'admin');
  viewer = await tenant.userWithRole('viewer@live.test', 'viewer');
  // Enough history for a second audit page.
  for (let i = 0; i < 14; i++) await tenant.userWithRole(`filler${i}@live.test`, null);
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(ATTACK_PAGE(api.url, T)));
  await new Promise<void>((resolve) => server.listen(attackPort, '127.0.0.1', resolve));
  attacker = { origin: attackOrigin, server };
  onCleanup(async () => void server.close());
  browser = await launchChromium();
  ({ context, page } = await newDesktopPage(browser));
  await signInInBrowser(page, api, T, admin);
}, 120_000);

const at = (path = '') => `${api.url}/admin/t/${T}${path}`;
const liveStatus = (tab: Page) => tab.getByTestId('live-status');
const waitLive = (tab: Page) => tab.locator('[data-testid="live-status"][data-status="live"]').waitFor();
const auditActions = async (tab: Page) => tab.getByTestId('audit-rows').locator('code').allTextContents();

describe('console live updates: audit log', () => {
  it('an event caused through the API by another client comes in on top without a reload; paused, it waits', async () => {
    await visitScreen(page, at('/audit'), 'Audit log', 'audit-live');
    await waitLive(page);
    const before = await page.getByTestId('audit-rows').getByRole('row').allTextContents();
    const urlBefore = page.url();

    const org = await api.rest('POST', '/v1/orgs', { token: admin.token, tenant: T, body: { name: 'Live Widgets' } });
    expect(org.status, JSON.stringify(org.body)).toBe(201);
    const row = page.locator('[data-testid="audit-rows"] tr[data-live="true"]').filter({ hasText: 'organization.created' });
    await row.waitFor();
    expect(await row.getByText('new', { exact: true }).isVisible()).toBe(true);
    // On top, above everything that was shown (the rows that were there moved down), and the page was not reloaded.
    const flags = await page.getByTestId('audit-rows').getByRole('row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-live') === 'true'));
    const arrived = flags.indexOf(false);
    expect(arrived).toBeGreaterThan(0);
    expect(flags.slice(arrived).every((live) => !live)).toBe(true);
    expect((await auditActions(page)).slice(0, arrived)).toContain('organization.created');
    expect(page.url()).toBe(urlBefore);
    const after = await page.getByTestId('audit-rows').getByRole('row').allTextContents();
    expect(after.slice(arrived)).toEqual(before.slice(0, before.length - arrived));
    await expectAccessible(page, 'audit log, live');
    await screenshot(page, 'audit-live');

    // Paused: the next event is counted, not shown, until live updates resume.
    await page.getByRole('button', { name: 'Pause live updates' }).click();
    await page.locator('[data-testid="live-status"][data-status="paused"]').waitFor();
    expect((await api.rest('POST', '/v1/orgs', { token: admin.token, tenant: T, body: { name: 'Paused Widgets' } })).status).toBe(201);
    await page.getByTestId('live-status').filter({ hasText: /Paused \(\d+ new\)/ }).waitFor();
    expect((await auditActions(page)).filter((a) => a === 'organization.created')).toHaveLength(1);
    await screenshot(page, 'audit-paused');
    await page.getByRole('button', { name: 'Resume live updates' }).click();
    await waitFor(async () => (await auditActions(page)).filter((a) => a === 'organization.created').length === 2, 'the held-back event shown on resume');
    await waitLive(page);
  });

  it('keeps keyset paging exact: the newest page and the next one are the API’s first 50, no gap, no repeat', async () => {
    const expected = (await api.rest('GET', '/v1/audit-logs?limit=50', { token: admin.token, tenant: T })).body.items.map((e: { action: string }) => e.action) as string[];
    expect(expected.length).toBeGreaterThan(25);
    await waitFor(async () => JSON.stringify(await auditActions(page)) === JSON.stringify(expected.slice(0, 25)), 'the newest page as the API has it');
    await page.getByRole('button', { name: 'Older' }).click();
    await waitFor(async () => JSON.stringify(await auditActions(page)) === JSON.stringify(expected.slice(25, 50)), 'the next page right below it');
    await page.getByRole('button', { name: 'Newer' }).click();
    await waitFor(async () => (await auditActions(page))[0] === expected[0], 'back on the newest page');
  });

  it('a viewer’s console gets none of it: its forced tenant stream is refused, its own stream carries nothing of the admin’s action', async () => {
    const { context: viewerContext, page: viewerPage } = await newDesktopPage(browser);
    await signInInBrowser(viewerPage, api, T, viewer);
    await visitScreen(viewerPage, at('/users'), 'Users', 'users-viewer-live');
    // The console does not offer a viewer the live stream (no events:subscribe); forced from devtools:
    await viewerPage.evaluate((tenant) => {
      const params = `&connectionParams=${encodeURIComponent(JSON.stringify({ tenant }))}`;
      const open = (path: string, input: unknown) => {
        const log = { messages: [] as string[], refused: null as string | null };
        const source = new EventSource(`/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}${params}`);
        source.onmessage = (e) => log.messages.push(e.data);
        source.addEventListener('serialized-error', (e) => {
          log.refused = (e as MessageEvent).data;
          source.close();
        });
        return log;
      };
      (window as unknown as { streams: unknown }).streams = { tenant: open('realtime.tenant', { types: ['*'] }), user: open('realtime.user', {}) };
    }, T);
    type Streams = { tenant: { messages: string[]; refused: string | null }; user: { messages: string[]; refused: string | null } };
    const streams = () => viewerPage.evaluate(() => (window as unknown as { streams: Streams }).streams);
    await waitFor(async () => {
      const s = await streams();
      return s.tenant.refused !== null && s.user.messages.some((m) => m.includes('ready'));
    }, 'the tenant stream refused and the viewer’s own stream open');
    expect((await streams()).tenant.refused).toContain('FORBIDDEN');

    // The admin does something; the admin's page shows it live (the positive signal)...
    expect((await api.rest('POST', '/v1/orgs', { token: admin.token, tenant: T, body: { name: 'Viewer Cannot See' } })).status).toBe(201);
    await page
      .locator('[data-testid="audit-rows"] tr[data-live="true"]')
      .filter({ hasText: 'organization.created' })
      .nth(2)
      .waitFor();
    // ...and the viewer's streams carry none of it.
    const seen = await streams();
    expect(seen.tenant.messages).toEqual([]);
    expect(seen.user.messages.join('\n')).not.toContain('organization.created');
    expect(seen.user.messages.join('\n')).not.toContain('Viewer Cannot See');
    await viewerContext.close();
  });
});

describe('console live updates: webhooks', () => {
  it('an endpoint’s deliveries, dead letters and health change on screen as deliveries fail and recover', async () => {
    const receiver = await startReceiver();
    receiver.respond = (_d, _n, res) => res.writeHead(500).end('down');
    await visitScreen(page, at('/webhooks'), 'Webhooks', 'webhooks-live');
    await waitLive(page);

    // Another client adds the endpoint: it appears, new.
    const created = await api.rest('POST', '/v1/webhooks/endpoints', { token: admin.token, tenant: T, body: { url: receiver.url, eventTypes: ['webhook.test'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const endpointId = created.body.id as string;
    const health = page.getByTestId(`health-${endpointId}`);
    await health.filter({ hasText: 'new' }).waitFor();
    await page.getByRole('row').filter({ hasText: receiver.url }).getByRole('button', { name: 'Deliveries' }).click();

    // A test message that fails every attempt: the delivery, the endpoint failing, the dead letter — all live.
    expect((await api.rest('POST', `/v1/webhooks/endpoints/${endpointId}/test`, { token: admin.token, tenant: T, body: {} })).status).toBeLessThan(300);
    await page.getByTestId('deliveries').getByRole('row').filter({ hasText: 'webhook.test' }).waitFor();
    await health.filter({ hasText: 'failing' }).waitFor();
    const deadLetter = page.getByTestId('dead-letters').getByRole('row').filter({ hasText: 'webhook.test' });
    await deadLetter.waitFor();
    await page.getByTestId('deliveries').getByRole('row').filter({ hasText: 'failed' }).waitFor();
    expect(receiver.deliveries.length).toBeGreaterThanOrEqual(3);
    await expectAccessible(page, 'webhooks, live');
    await screenshot(page, 'webhooks-live-failing');

    // The receiver is back; another client replays the message: it succeeds and the endpoint recovers, live.
    receiver.respond = (_d, _n, res) => res.writeHead(204).end();
    const messageId = (await api.rest('GET', '/v1/webhooks/dead-letters', { token: admin.token, tenant: T })).body.items[0].id as string;
    expect((await api.rest('POST', `/v1/webhooks/messages/${messageId}/replay`, { token: admin.token, tenant: T, body: {} })).status).toBeLessThan(300);
    await page.getByTestId('deliveries').getByRole('row').filter({ hasText: 'succeeded' }).waitFor();
    await health.filter({ hasText: 'healthy' }).waitFor();
    await screenshot(page, 'webhooks-live-recovered');
    // The recovery is an event of its own (once per failing spell), in the audit log.
    const recovered = await api.rest('GET', '/v1/audit-logs?action=webhook.endpoint.recovered', { token: admin.token, tenant: T });
    expect(recovered.body.items).toHaveLength(1);
    expect(recovered.body.items[0].data).toMatchObject({ endpointId, url: receiver.url });
  });
});

describe('console live updates: a platform operator', () => {
  it('gets the tenant’s events live with the operator cookie, and signing out ends the stream', async () => {
    const { context: operatorContext, page: operatorPage } = await newDesktopPage(browser);
    await operatorPage.goto(`${api.url}/admin/operator/sign-in`);
    await operatorPage.getByRole('textbox', { name: 'Platform key' }).fill(api.platformKey);
    await operatorPage.getByRole('button', { name: 'Sign in as operator' }).click();
    await operatorPage.waitForURL((url) => url.pathname.startsWith('/admin/t/'));
    await visitScreen(operatorPage, at('/audit'), 'Audit log', 'audit-operator-live');
    await waitLive(operatorPage);
    expect((await api.rest('POST', '/v1/orgs', { token: admin.token, tenant: T, body: { name: 'Operator Sees' } })).status).toBe(201);
    await operatorPage.locator('[data-testid="audit-rows"] tr[data-live="true"]').filter({ hasText: 'organization.created' }).waitFor();

    const other = await operatorContext.newPage();
    other.setDefaultTimeout(BROWSER_WAIT_MS);
    await other.goto(at());
    await other.getByRole('button', { name: 'Sign out' }).click({ noWaitAfter: true });
    await other.waitForURL((url) => url.pathname === '/admin/operator/sign-in', { waitUntil: 'commit' });
    await operatorPage.locator('[data-testid="live-status"][data-status="unavailable"]').waitFor();
    await operatorContext.close();
  });
});

describe('console live updates: who may open a stream', () => {
  it('a page on another loopback origin, with the admin’s cookie in the browser, cannot open the stream', async () => {
    const tab = await context.newPage();
    await tab.goto(`${attacker.origin}/`);
    type Result = { messages: string[]; refused: string | null; closed: boolean; fetched: { status: number; body: string } | null; ws: { messages: string[]; closed: number | null } };
    const result = await waitFor(async () => {
      const r = await tab.evaluate(() => (window as unknown as { result: Result }).result);
      return r.fetched && (r.closed || r.refused) && r.ws.closed !== null ? r : null;
    }, 'the cross-origin streams answered');
    // The cookie did go with the requests (same site), but counts only from Plinto's own origin.
    expect(result.messages).toEqual([]);
    expect(result.fetched!.body).not.toContain('ready');
    expect(result.fetched!.body).toMatch(/UNAUTHORIZED|UNAUTHENTICATED/);
    expect(result.ws.closed).toBe(4401);
    expect(result.ws.messages.join('\n')).not.toContain('ready');
    await tab.close();
  });

  it('the same WebSocket from the console’s own origin is accepted with the cookie (the control)', async () => {
    await page.goto(at('/users'));
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const messages = await page.evaluate(
      (tenant) =>
        new Promise<string[]>((resolve, reject) => {
          const got: string[] = [];
          const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws?connectionParams=1`);
          ws.onopen = () => {
            ws.send(JSON.stringify({ method: 'connectionParams', data: { tenant } }));
            ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'realtime.tenant', input: { json: { types: ['*'] } } } }));
          };
          ws.onmessage = (e) => {
            got.push(String(e.data));
            if (String(e.data).includes('ready')) {
              ws.close();
              resolve(got);
            }
          };
          ws.onclose = (e) => reject(new Error(`closed ${e.code} ${got.join(' ')}`));
        }),
      T,
    );
    expect(messages.join('\n')).toContain('ready');
  });

  it('signing out ends the stream of every console tab of that session', async () => {
    await visitScreen(page, at('/audit'), 'Audit log', 'audit-before-sign-out');
    await waitLive(page);
    const other = await context.newPage();
    other.setDefaultTimeout(BROWSER_WAIT_MS);
    await other.goto(at());
    await other.getByRole('button', { name: 'Sign out' }).click({ noWaitAfter: true });
    await other.waitForURL((url) => url.pathname.endsWith('/signed-out'), { waitUntil: 'commit' });
    // The first tab's stream ends with the revocation (it does not reconnect with a dead session).
    await page.locator('[data-testid="live-status"][data-status="unavailable"]').waitFor();
    expect(await liveStatus(page).getAttribute('title')).toMatch(/REALTIME_SESSION_REVOKED|UNAUTHORIZED/);
    await screenshot(page, 'audit-signed-out');
    await other.close();
  });
});
