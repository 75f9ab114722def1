import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { signIn, startTestApi, startTestWorkers, type SignedInUser, type TestApi } from '../src';
import { consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser, visitScreen } from './console-support';

/**
 * The console's analytics and organization structure: sign-ins (good, wrong password, a lockout)
 * happen over the API, then the Dashboard's analytics show them — computed from the audit log.
 * An admin nests a team under a team and changes a member's role; a viewer sees those controls
 * disabled and gets a 403 when forcing the role change.
 */
const T = 'analytics-acme';
const LOCK_THRESHOLD = 3;
let api: TestApi;
let browser: Browser;
let page: Page;
let admin: SignedInUser;
let viewer: SignedInUser;
let alice: SignedInUser;
let bob: SignedInUser;
let orgId: string;

interface Analytics {
  totals: { activeUsers: number; activeUsersWithMfa: number; failedSignIns: number; lockouts: number; signIns: number; organizationsCreated: number };
  signInsByMethod: { method: string; outcome: string; count: number }[];
}

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000', AUTH_ACCOUNT_LOCK_THRESHOLD: String(LOCK_THRESHOLD) });
  await startTestWorkers(api.config);
  const tenant = await consoleTenant(api, T);
  admin = await tenant.userWithRole('admin@analytics-acme.test', 'admin');
  viewer = await tenant.userWithRole('viewer@analytics-acme.test', 'viewer');
  alice = await tenant.userWithRole('alice@analytics-acme.test', null);
  bob = await tenant.userWithRole('bob@analytics-acme.test', null);
  const org = await api.rest('POST', '/v1/orgs', { tenant: T, body: { name: 'Nested Corp' } });
  expect(org.status, JSON.stringify(org.body)).toBe(201);
  orgId = org.body.id;
  const added = await api.rest('POST', `/v1/orgs/${orgId}/members`, { tenant: T, body: { userId: alice.id, role: 'member' } });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  browser = await launchChromium();
  ({ page } = await newDesktopPage(browser));
  await signInInBrowser(page, api, T, admin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const at = (path = '') => `${api.url}/admin/t/${T}${path}`;

async function analytics(): Promise<Analytics> {
  const res = await api.rest('GET', '/v1/audit-logs/analytics', { tenant: T });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Analytics;
}

/** Polls until the audit log holds what the test just did (events are written after the response). */
async function analyticsWhen(ready: (a: Analytics) => boolean): Promise<Analytics> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const a = await analytics();
    if (ready(a)) return a;
    if (Date.now() > deadline) throw new Error(`analytics never became ready: ${JSON.stringify(a.totals)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('console: analytics', () => {
  it('shows sign-ins by method and outcome, failed sign-ins, lockouts and active users after they happen', async () => {
    await signIn(api, { email: alice.email, password: alice.password, tenant: T });
    for (let i = 0; i < LOCK_THRESHOLD; i++) {
      const wrong = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email: bob.email, password: `wrong password ${i}` } });
      expect(wrong.status).toBeGreaterThanOrEqual(400);
    }
    // The attempt that reaches the threshold locks the account (one user.locked) — it is not
    // counted as one more wrong password.
    const a = await analyticsWhen((x) => x.totals.failedSignIns >= LOCK_THRESHOLD - 1 && x.totals.lockouts >= 1 && x.totals.activeUsers >= 4);
    expect(a.totals.lockouts).toBe(1);
    const failed = a.totals.failedSignIns;
    expect(failed).toBeGreaterThanOrEqual(LOCK_THRESHOLD - 1);
    expect(a.totals.organizationsCreated).toBe(1);
    const password = (outcome: string) => a.signInsByMethod.find((m) => m.method === 'password' && m.outcome === outcome)?.count ?? 0;
    expect(password('failure')).toBe(failed);
    expect(password('success')).toBeGreaterThanOrEqual(5); // admin, viewer, bob, alice twice

    await visitScreen(page, at(''), 'Dashboard', 'analytics-dashboard');
    const section = page.getByRole('region', { name: 'Analytics' });
    const row = section.getByRole('table', { name: 'Sign-ins by method and outcome' }).getByRole('row').filter({ hasText: 'password' });
    await expect.poll(() => row.locator('td').allTextContents(), { timeout: 30_000 }).toEqual(['password', String(password('success')), String(failed)]);
    await section.getByText(`${a.totals.activeUsersWithMfa} of ${a.totals.activeUsers} active users signed in with MFA`).waitFor();
    expect(await section.locator('.recharts-surface').count()).toBeGreaterThanOrEqual(5);
    // The date range applies to the analytics too: today's sign-ins are inside the last 7 days.
    await page.getByText('7 days', { exact: true }).click();
    await expect.poll(() => row.locator('td').allTextContents(), { timeout: 30_000 }).toEqual(['password', String(password('success')), String(failed)]);
    await expectAccessible(page, 'analytics 7 days');
    await screenshot(page, 'analytics-7-days');
  });

  it('a viewer gets no analytics: audit:read is decided by the server', async () => {
    const forced = await api.rest('GET', '/v1/audit-logs/analytics', { token: viewer.token, tenant: T });
    expect(forced.status).toBe(403);
    const backwards = await api.rest('GET', '/v1/audit-logs/analytics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', { tenant: T });
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('from');
  });
});

describe('console: organization structure', () => {
  it('nests a team under a team and shows the tree', async () => {
    await visitScreen(page, at(`/orgs/${orgId}`), 'Nested Corp', 'org-before-teams');
    await page.getByRole('tab', { name: 'Teams' }).click();
    await page.getByRole('textbox', { name: 'New team name' }).fill('Platform');
    await page.getByRole('button', { name: 'Create team' }).click();
    const teams = page.getByRole('table', { name: 'Teams' });
    await teams.getByRole('row').filter({ hasText: 'Platform' }).waitFor();
    await page.getByRole('textbox', { name: 'New team name' }).fill('SRE');
    await page.getByRole('combobox', { name: 'Under team' }).selectOption({ label: 'Platform' });
    await page.getByRole('button', { name: 'Create team' }).click();
    const sre = teams.locator('tr[data-depth="1"]').filter({ hasText: 'SRE' });
    await sre.waitFor();
    await expect(sre.locator('td').nth(1).textContent()).resolves.toBe('Platform');
    const listed = (await api.rest('GET', `/v1/orgs/${orgId}/teams?limit=100`, { tenant: T })).body.items as { id: string; name: string; parentId: string | null }[];
    const platform = listed.find((t) => t.name === 'Platform')!;
    expect(listed.find((t) => t.name === 'SRE')?.parentId).toBe(platform.id);
    await expectAccessible(page, 'org teams tree');
    await screenshot(page, 'org-teams-tree');
  });

  it("changes a member's role through orgs.updateMember", async () => {
    await page.goto(at(`/orgs/${orgId}`));
    const role = page.getByRole('combobox', { name: `Role of ${alice.email}` });
    await role.selectOption('admin');
    await page.getByText(`${alice.email} is now admin.`).waitFor();
    const members = (await api.rest('GET', `/v1/orgs/${orgId}/members?limit=100`, { tenant: T })).body.items as { userId: string; role: string }[];
    expect(members.find((m) => m.userId === alice.id)?.role).toBe('admin');
    await expectAccessible(page, 'org member role changed');
    await screenshot(page, 'org-member-role');
  });

  it('gives a viewer disabled controls and a 403 when forcing a role change', async () => {
    const { context, page: viewerPage } = await newDesktopPage(browser);
    await signInInBrowser(viewerPage, api, T, viewer);
    await visitScreen(viewerPage, at(`/orgs/${orgId}`), 'Nested Corp', 'org-viewer');
    await expect(viewerPage.getByRole('combobox', { name: `Role of ${alice.email}` }).isDisabled()).resolves.toBe(true);
    await viewerPage.getByRole('tab', { name: 'Teams' }).click();
    await expect(viewerPage.getByRole('button', { name: 'Create team' }).isDisabled()).resolves.toBe(true);
    await expect(viewerPage.getByRole('combobox', { name: 'Under team' }).isDisabled()).resolves.toBe(true);
    const forced = await viewerPage.evaluate(
      async ({ tenant, org, user }) => {
        const session = (await (await fetch(`/t/${tenant}/session`)).json()) as { csrfToken: string };
        const res = await fetch('/trpc/orgs.updateMember', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-plinto-tenant': tenant, 'x-csrf-token': session.csrfToken },
          body: JSON.stringify({ json: { orgId: org, userId: user, role: 'owner' } }),
        });
        return res.status;
      },
      { tenant: T, org: orgId, user: alice.id },
    );
    expect(forced).toBe(403);
    const members = (await api.rest('GET', `/v1/orgs/${orgId}/members?limit=100`, { tenant: T })).body.items as { userId: string; role: string }[];
    expect(members.find((m) => m.userId === alice.id)?.role).toBe('admin');
    await context.close();
  });
});
